"""The guardian's view of the day, the month's attendance and the walk-home consent."""

from django.urls import path

from kehou.attendance import views_family as views

urlpatterns = [
    path("family/", views.family_day, name="family"),
    path("family/children/<int:pk>/", views.family_child, name="family_child"),
    path("family/children/<int:pk>/history/", views.family_history, name="family_history"),
    path("family/children/<int:pk>/walk-home/", views.family_walk_home, name="family_walk_home"),
    path(
        "family/children/<int:pk>/walk-home/<int:consent_pk>/withdraw/",
        views.family_walk_home_withdraw,
        name="family_walk_home_withdraw",
    ),
]
