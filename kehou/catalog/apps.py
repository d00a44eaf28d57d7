from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "kehou.catalog"
    verbose_name = _("Menu of activities")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kehou.catalog import models as m

        # The lottery seed is secret until the window closes: never into the change log.
        auditlog.register(m.Menu, exclude_fields=["lottery_seed"])
        auditlog.register(m.Activity)
        auditlog.register(m.Offering, exclude_fields=["taken", "held"])
