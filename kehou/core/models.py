from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicJob(models.Model):
    """When a periodic job (kehou.core.scheduler) is next due.

    One row per registered job. A worker enqueues a due job only if it moves `next_run_at`
    forward with a conditional UPDATE, so however many workers tick at once, each period
    enqueues the job exactly once.
    """

    name = models.CharField(_("job"), max_length=200, unique=True)
    next_run_at = models.DateTimeField(_("next run"))
    last_enqueued_at = models.DateTimeField(_("last enqueued"), null=True, blank=True)
    last_task_id = models.CharField(_("last task"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
