from django.urls import path

from kehou.enrollment import views

app_name = "enrollment"
urlpatterns = [
    path("", views.home, name="home"),
    # guardians
    path("family/", views.family, name="family"),
    path("children/<int:student_pk>/apply/", views.apply, name="apply"),
    path("applications/<int:application_pk>/choices/", views.choices, name="choices"),
    path("applications/<int:application_pk>/fcfs/", views.fcfs, name="fcfs"),
    path(
        "applications/<int:application_pk>/claim/<int:offering_pk>/",
        views.claim,
        name="claim",
    ),
    # guardians and school admins
    path("applications/<int:application_pk>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "enrolments/<int:enrollment_pk>/withdraw/",
        views.enrollment_withdraw,
        name="enrollment_withdraw",
    ),
    # class teachers
    path("review/", views.review, name="review"),
    path(
        "applications/<int:application_pk>/review/",
        views.review_application,
        name="review_application",
    ),
    # school admins
    path("school/", views.school, name="school"),
    path("school/agreement/", views.agreement, name="agreement"),
    path("applications/<int:application_pk>/", views.detail, name="detail"),
    path(
        "applications/<int:application_pk>/<slug:action>/",
        views.decide,
        name="decide",
    ),
    # class lists: school admins and each offering's instructor
    path("rosters/", views.rosters, name="rosters"),
    path("offerings/<int:offering_pk>/roster/", views.roster, name="roster"),
    path("offerings/<int:offering_pk>/roster.xlsx", views.roster_xlsx, name="roster_xlsx"),
    # bureau
    path("refusals/", views.refusals, name="refusals"),
]
