from django.urls import path

from kehou.sittings import views

app_name = "sittings"
urlpatterns = [
    path("", views.my_sittings, name="mine"),
    path("schools/<int:school_pk>/", views.school_sittings, name="school"),
    path("schools/<int:school_pk>/today/", views.school_today, name="today"),
    path("schools/<int:school_pk>/days/<str:day>/", views.school_day, name="day"),
    path("<int:pk>/", views.sitting_detail, name="sitting"),
]
