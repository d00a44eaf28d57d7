from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "kehou.resources"
    verbose_name = _("Online resources")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kehou.resources import models as m

        for model in (m.Resource, m.OfferingResource):
            if not auditlog.contains(model):
                auditlog.register(model)
