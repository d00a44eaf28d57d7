from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "kehou.billing"
    verbose_name = _("Fees and bills")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kehou.billing import models as m

        # Standards, cancellations and waivers are saved one by one by the services; bills,
        # their lines and refunds are written by the bill run, which logs them in bulk
        # (kehou.org.audit.log_bulk_*) as well as saving each changed bill.
        auditlog.register(m.FeeStandard)
        auditlog.register(m.SittingCancellation)
        auditlog.register(m.Waiver)
        auditlog.register(m.BillRun, exclude_fields=["lease_until"])
        auditlog.register(m.Bill)
        auditlog.register(m.Refund)
