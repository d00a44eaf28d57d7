from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "kehou.org"
    verbose_name = _("Organisation and people")

    def ready(self) -> None:
        from kehou.org import audit

        audit.register_models()
