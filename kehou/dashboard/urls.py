from django.urls import path

from kehou.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("schools/", views.schools, name="schools"),
    path("schools/<int:school_pk>/", views.school, name="school"),
]
