from django.urls import path

from kehou.org import views, views_records

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
    path(
        "schools/<int:school_pk>/staff/first-passwords/",
        views.staff_first_passwords,
        name="staff_first_passwords",
    ),
    path(
        "schools/<int:school_pk>/staff/<int:staff_pk>/password/",
        views.staff_password_reset,
        name="staff_password_reset",
    ),
    path(
        "students/<int:student_pk>/guardians/<int:guardian_pk>/password/",
        views.guardian_password_reset,
        name="guardian_password_reset",
    ),
    # Everyday records and external organisations (kehou.org.views_records).
    path("students/<int:student_pk>/edit/", views_records.student_edit, name="student_edit"),
    path(
        "students/<int:student_pk>/guardians/<int:guardian_pk>/edit/",
        views_records.guardian_edit,
        name="guardian_edit",
    ),
    path("staff/<int:staff_pk>/edit/", views_records.staff_edit, name="staff_edit"),
    path("schools/<int:school_pk>/logins/", views_records.school_accounts, name="school_accounts"),
    path("logins/<int:account_pk>/edit/", views_records.account_edit, name="account_edit"),
    path(
        "logins/<int:account_pk>/password/",
        views.account_password_reset,
        name="account_password_reset",
    ),
    path("organisations/", views_records.organisation_list, name="organisation_list"),
    path("organisations/new/", views_records.organisation_create, name="organisation_create"),
    path(
        "organisations/<int:organisation_pk>/",
        views_records.organisation_detail,
        name="organisation_detail",
    ),
    path(
        "organisations/<int:organisation_pk>/edit/",
        views_records.organisation_edit,
        name="organisation_edit",
    ),
    path(
        "organisations/<int:organisation_pk>/vet/",
        views_records.organisation_vet,
        name="organisation_vet",
    ),
]
