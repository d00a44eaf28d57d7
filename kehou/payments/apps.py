from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "kehou.payments"
    verbose_name = _("Payments and ledgers")

    def ready(self) -> None:
        # Every payment, statement, row and payout keeps its history (who recorded,
        # matched or voided it, when); bulk writes log through kehou.org.audit.
        from auditlog.registry import auditlog

        from kehou.payments import models as m

        for model in (m.Payment, m.Statement, m.StatementRow, m.Payout):
            if not auditlog.contains(model):
                auditlog.register(model)
