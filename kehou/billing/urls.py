from django.urls import path

from kehou.billing import views

app_name = "billing"
urlpatterns = [
    path("standards/", views.standards, name="standards"),
    path("", views.mine, name="mine"),
    path("school/<int:school_pk>/", views.school, name="school"),
    path("run/<int:run_pk>/", views.run, name="run"),
    path(
        "school/<int:school_pk>/bills/<int:term_pk>/<str:period>/<str:start>/",
        views.period,
        name="period",
    ),
    path(
        "school/<int:school_pk>/bills/<int:term_pk>/<str:period>/<str:start>/xlsx/",
        views.period_xlsx,
        name="period_xlsx",
    ),
    path("bill/<int:bill_pk>/", views.bill, name="bill"),
    path("bill/<int:bill_pk>/waive/", views.waiver_record, name="waiver_record"),
    path("waiver/<int:waiver_pk>/revoke/", views.waiver_revoke, name="waiver_revoke"),
    path("school/<int:school_pk>/waivers/", views.waivers, name="waivers"),
    path("school/<int:school_pk>/cancellations/", views.cancellations, name="cancellations"),
    path("school/<int:school_pk>/refunds/", views.refunds, name="refunds"),
    path("family/", views.family, name="family"),
]
