from django.urls import path

from kehou.org import views

app_name = "org"
urlpatterns = [
    path("activate/", views.activate, name="activate"),
    path("schools/", views.school_list, name="school_list"),
    path("schools/<int:school_pk>/", views.school_detail, name="school_detail"),
    path("schools/<int:school_pk>/classes/", views.class_list, name="class_list"),
    path("schools/<int:school_pk>/students/", views.student_list, name="student_list"),
    path("schools/<int:school_pk>/staff/", views.staff_list, name="staff_list"),
    path("students/<int:student_pk>/", views.student_detail, name="student_detail"),
    path("students/<int:student_pk>/history/", views.student_history, name="student_history"),
]
