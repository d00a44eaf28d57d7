from django.urls import path

from kehou.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.plan_home, name="home"),
    path("table/", views.compliance_table, name="table"),
    path("schools/<int:school_pk>/", views.school_plans, name="school_plans"),
    path("schools/<int:school_pk>/terms/<int:term_pk>/start/", views.plan_start, name="start"),
    path("schools/<int:school_pk>/leadership/", views.leadership_edit, name="leadership"),
    path("<int:plan_pk>/", views.plan_detail, name="detail"),
    path("<int:plan_pk>/edit/", views.plan_edit, name="edit"),
    path("<int:plan_pk>/publish/", views.plan_publish, name="publish"),
    path("<int:plan_pk>/check/", views.plan_compliance, name="check"),
    path("profiles/", views.profile_list, name="profiles"),
    path("profiles/adopt/", views.profile_adopt, name="profile_adopt"),
    path("profiles/<int:profile_pk>/", views.profile_detail, name="profile"),
    path("profiles/<int:profile_pk>/edit/", views.profile_edit, name="profile_edit"),
]
