from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("roster/", include("kehou.roster.urls")),
    path("plans/", include("kehou.policy.urls")),
    path("calendar/", include("kehou.terms.urls")),
    path("public/", include("kehou.public.urls")),
    path("menu/", include("kehou.catalog.urls")),
    path("apply/", include("kehou.enrollment.urls")),
    path("allocation/", include("kehou.placement.urls")),
    path("sittings/", include("kehou.sittings.urls")),
    path("attendance/", include("kehou.attendance.urls")),
    path("custody/", include("kehou.custody.urls")),
    path("inbox/", include("kehou.notifications.urls")),
    path("safety/", include("kehou.safety.urls")),
    path("billing/", include("kehou.billing.urls")),
    path("payments/", include("kehou.payments.urls")),
    path("pay/", include("kehou.payroll.urls")),
    path("", include("kehou.org.urls")),
    path("", include("kehou.accounts.urls")),
    path("", include("kehou.home.urls")),
]
