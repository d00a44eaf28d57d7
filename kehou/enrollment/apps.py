from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "kehou.enrollment"
    verbose_name = _("Applications, choices and enrolments")

    def ready(self) -> None:
        # Applications and signatures are the history a family may dispute, kept by
        # django-auditlog. Seats and waiting lists keep their own history, SeatEvent,
        # written by the seat path for bulk changes too (kehou.enrollment.seats).
        from auditlog.registry import auditlog

        from kehou.enrollment import models as m

        for model in (m.Application, m.AgreementSignature):
            if not auditlog.contains(model):
                auditlog.register(model)
