from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustodyConfig(AppConfig):
    name = "kehou.custody"
    verbose_name = _("Custody and dismissal")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kehou.custody import models as m

        # Custody rows are written in bulk by kehou.custody.chain; the services log them
        # with kehou.org.audit.log_bulk_* (a save would not reach django-auditlog).
        for model in (m.DayRules, m.Duty, m.Handover, m.WalkHomeConsent, m.Dismissal, m.Alert):
            auditlog.register(model)
        auditlog.register(m.GateVisit, mask_fields=["phone"])
