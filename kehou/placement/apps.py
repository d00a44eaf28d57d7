from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementConfig(AppConfig):
    """Runs the pure allocation core (kehou.allocation) over the database: allocation runs,
    results and their explanations, metrics, waiting-list promotion."""

    name = "kehou.placement"
    verbose_name = _("Allocation runs")
