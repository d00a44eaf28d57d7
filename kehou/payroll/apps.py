from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayrollConfig(AppConfig):
    name = "kehou.payroll"
    verbose_name = _("Staff pay and budgets")

    def ready(self) -> None:
        # Rates and sheets keep their history (who set which rate, who computed and who
        # finalised a sheet); lines written in bulk are logged by kehou.org.audit.
        from auditlog.registry import auditlog

        from kehou.payroll import models as m

        for model in (m.PayRates, m.PaySheet):
            if not auditlog.contains(model):
                auditlog.register(model)
