from django.urls import path

from kehou.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("region/", views.region, name="region"),
    path("region/<str:month>.xlsx", views.region_xlsx, name="region_xlsx"),
    path("schools/<int:school_pk>/", views.school, name="school"),
    path("schools/<int:school_pk>/<str:month>/", views.month, name="month"),
    path("schools/<int:school_pk>/<str:month>/recompute/", views.recompute, name="recompute"),
    path("schools/<int:school_pk>/<str:month>/submit/", views.submit, name="submit"),
    path("versions/<int:pk>/correct/", views.correct, name="correct"),
]
