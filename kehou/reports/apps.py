from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "kehou.reports"
    verbose_name = _("Monthly reports")

    def ready(self) -> None:
        # A submitted report and its corrections keep their history. SchoolMonth is
        # recomputed from the records (the worker's upsert), so it is not audited.
        from auditlog.registry import auditlog

        from kehou.reports.models import MonthlyReport

        if not auditlog.contains(MonthlyReport):
            auditlog.register(MonthlyReport)
