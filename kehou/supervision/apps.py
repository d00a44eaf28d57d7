from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "kehou.supervision"
    verbose_name = _("Supervision and assessment")

    def ready(self) -> None:
        # Every sheet, review, score, finding, rectification and case keeps its history.
        from auditlog.registry import auditlog

        from kehou.supervision import models as m

        for model in (
            m.ScoringSheet,
            m.SheetItem,
            m.Review,
            m.ItemScore,
            m.Finding,
            m.Rectification,
            m.ExemplaryCase,
        ):
            if not auditlog.contains(model):
                auditlog.register(model)
