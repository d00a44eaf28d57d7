from django.urls import path

from . import views

app_name = "placement"
urlpatterns = [
    path("menu/<int:menu_pk>/", views.run_page, name="run"),
    path("run/<int:run_pk>/progress/", views.progress, name="progress"),
    path("run/<int:run_pk>/status/", views.status, name="status"),
    path("run/<int:run_pk>/", views.metrics, name="metrics"),
    path("run/<int:run_pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("mine/", views.family, name="family"),
    path("offer/<int:entry_pk>/accept/", views.accept, name="accept"),
    path("offer/<int:entry_pk>/decline/", views.decline, name="decline"),
]
