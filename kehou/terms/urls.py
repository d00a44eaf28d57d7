from django.urls import path

from kehou.terms import views

app_name = "terms"
urlpatterns = [
    path("", views.calendar_index, name="calendar"),
    path("<int:year>/", views.calendar_year, name="calendar_year"),
    path("<int:year>/enter/", views.calendar_enter, name="calendar_enter"),
    path("sessions/", views.my_sessions, name="my_sessions"),
    path("schools/<int:school_pk>/sessions/", views.school_sessions, name="school_sessions"),
]
