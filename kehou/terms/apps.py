from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TermsConfig(AppConfig):
    name = "kehou.terms"
    verbose_name = _("Terms, calendar and sessions")
