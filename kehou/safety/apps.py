from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "kehou.safety"
    verbose_name = _("Safety records")

    def ready(self) -> None:
        # Every safety record keeps its history (who changed what, when), including which
        # children, staff, inspectors and classes it names.
        from auditlog.registry import auditlog

        from kehou.safety import models as m

        registrations = {
            m.Incident: {"m2m_fields": {"students", "staff"}},
            m.ChecklistItem: {},
            m.Inspection: {"m2m_fields": {"inspectors"}},
            m.InspectionResult: {},
            m.Defect: {},
            m.Drill: {"m2m_fields": {"classes"}},
        }
        for model, options in registrations.items():
            if not auditlog.contains(model):
                auditlog.register(model, **options)
