from django.urls import path

from kehou.terms import views

app_name = "terms"
urlpatterns = [
    path("", views.calendar_index, name="calendar"),
    path("<int:year>/", views.calendar_year, name="calendar_year"),
    path("<int:year>/enter/", views.calendar_enter, name="calendar_enter"),
]
