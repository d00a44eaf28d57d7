from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffrecordsConfig(AppConfig):
    name = "kehou.staffrecords"
    verbose_name = _("Staff records")
