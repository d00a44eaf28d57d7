from django.urls import path

from kehou.public import views

app_name = "public"

urlpatterns = [
    path("", views.index, name="index"),
    path("schools/<str:code>/", views.school, name="school"),
]
