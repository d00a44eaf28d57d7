from django.urls import path

from kehou.sittings import views

app_name = "sittings"
urlpatterns = [
    path("", views.my_sittings, name="mine"),
    path("schools/<int:school_pk>/", views.school_sittings, name="school"),
]
