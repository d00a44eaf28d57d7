from django.urls import path

from kehou.resources import views

app_name = "resources"
urlpatterns = [
    path("", views.resource_list, name="list"),
    path("new/", views.resource_new, name="new"),
    path("<int:pk>/edit/", views.resource_edit, name="edit"),
    path("<int:pk>/retire/", views.resource_retire, name="retire"),
    path("offerings/<int:offering_pk>/", views.offering, name="offering"),
    path(
        "offerings/<int:offering_pk>/detach/<int:resource_pk>/",
        views.offering_detach,
        name="offering_detach",
    ),
    path("family/", views.family, name="family"),
]
