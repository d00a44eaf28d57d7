from django.urls import path

from kehou.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("schools/<int:school_pk>/", views.menu, name="menu"),
    path("schools/<int:school_pk>/menus/new/", views.menu_create, name="menu_create"),
    path("schools/<int:school_pk>/activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:activity_pk>/edit/", views.activity_edit, name="activity_edit"),
    path("menus/<int:menu_pk>/settings/", views.settings, name="settings"),
    path("menus/<int:menu_pk>/offerings/new/", views.offering_create, name="offering_create"),
    path("offerings/<int:offering_pk>/edit/", views.offering_edit, name="offering_edit"),
    path(
        "menus/<int:menu_pk>/<slug:action>/",
        views.transition,
        name="transition",
    ),
    path("region/", views.region, name="region"),
    path("family/", views.family, name="family"),
]
