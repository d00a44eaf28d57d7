from django.urls import path

from kehou.home import views

app_name = "home"
urlpatterns = [
    path("", views.home, name="index"),
    path("overview/allocations/", views.allocations, name="allocations"),
]
