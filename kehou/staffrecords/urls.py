from django.urls import path

from kehou.staffrecords import views

app_name = "staffrecords"
urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    path("schools/<int:school_pk>/", views.school, name="school"),
    path("schools/<int:school_pk>/staff/<int:staff_pk>/", views.person, name="person"),
]
