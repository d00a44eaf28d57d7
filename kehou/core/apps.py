from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app stands on: service errors, the weekday field, the periodic jobs the
    worker runs, and the worker itself (`kehou worker`)."""

    name = "kehou.core"
    label = "core"
    verbose_name = _("Platform")
