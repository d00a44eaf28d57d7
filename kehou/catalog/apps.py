from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "kehou.catalog"
    verbose_name = _("Menu of activities")
