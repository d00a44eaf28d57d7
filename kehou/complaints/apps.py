from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "kehou.complaints"
    verbose_name = _("Complaints and reports")

    def ready(self) -> None:
        # Each save of a complaint keeps its history; ComplaintEvent is the readable trail.
        from auditlog.registry import auditlog

        from kehou.complaints import models as m

        for model in (m.Complaint, m.ComplaintEvent):
            if not auditlog.contains(model):
                auditlog.register(model)
