from django.urls import path

from kehou.payments import views

app_name = "payments"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("schools/<int:school_pk>/", views.school, name="school"),
    path("schools/<int:school_pk>/ledger.xlsx", views.school_xlsx, name="school_xlsx"),
    path("schools/<int:school_pk>/statements/", views.statement_import, name="statement_import"),
    path(
        "schools/<int:school_pk>/statements/template.xlsx",
        views.statement_template,
        name="statement_template",
    ),
    path("statements/<int:pk>/", views.statement, name="statement"),
    path("statement-rows/<int:pk>/match/", views.row_match, name="row_match"),
    path("children/<int:student_pk>/", views.child, name="child"),
    path("children/<int:student_pk>/payments/new/", views.payment_new, name="payment_new"),
    path("payments/<int:pk>/void/", views.payment_void, name="payment_void"),
    path("refunds/<int:refund_pk>/pay-back/", views.payout_new, name="payout_new"),
    path("payouts/<int:pk>/void/", views.payout_void, name="payout_void"),
    path("family/", views.family, name="family"),
    path("family/<int:student_pk>/", views.family_child, name="family_child"),
]
