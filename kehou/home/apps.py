from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """Each role's first page: the one place that gathers from every app."""

    name = "kehou.home"
    verbose_name = _("Home pages")
