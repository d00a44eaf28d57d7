from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "kehou.enrollment"
    verbose_name = _("Applications, choices and enrolments")

    def ready(self) -> None:
        # Applications, signatures and seats are the history a family may dispute; seat
        # counters change by conditional UPDATE (no signal), the Enrollment rows record it.
        from auditlog.registry import auditlog

        from kehou.enrollment import models as m

        for model in (m.Application, m.AgreementSignature, m.Enrollment, m.WaitlistEntry):
            if not auditlog.contains(model):
                auditlog.register(model)
