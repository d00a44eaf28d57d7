from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "kehou.policy"
    verbose_name = _("Policy and school plans")
