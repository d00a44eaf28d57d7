from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "kehou.billing"
    verbose_name = _("Fees and bills")
