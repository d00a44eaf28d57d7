"""Allocation runs and what each gave each child (R12).

A run is started by a school admin (kehou.placement.services.allocation_start) and
executed by the background worker, which renews the run's lease while it works. A run
whose lease has lapsed without an outcome was interrupted (its worker died): it wrote
nothing, since the result is written in one transaction, and the menu may be allocated
again.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehou.catalog.models import Menu


class AllocationRun(models.Model):
    """One run of the allocation over a menu: inputs digest, seed, metrics, outcome."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the background worker")
        RUNNING = "running", pgettext_lazy("an allocation run", "Running")
        DONE = "done", _("Done")
        FAILED = "failed", pgettext_lazy("an allocation run", "Failed")
        INTERRUPTED = "interrupted", _("Interrupted")

    menu = models.ForeignKey("catalog.Menu", related_name="runs", on_delete=models.CASCADE)
    mechanism = models.CharField(_("mechanism"), max_length=5, choices=Menu.Mechanism.choices)
    max_extended_per_child = models.PositiveSmallIntegerField(_("k"))
    seed = models.CharField(_("lottery seed"), max_length=128)
    seed_hash = models.CharField(_("lottery seed hash"), max_length=64)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    started_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Until when the run counts as alive: renewed by the worker while it runs.
    lease_until = models.DateTimeField(_("alive until"), null=True, blank=True)
    task_id = models.CharField(_("background task"), max_length=64, blank=True)
    input_digest = models.CharField(max_length=64, blank=True)
    result_digest = models.CharField(max_length=64, blank=True)
    metrics = models.JSONField(_("metrics"), default=dict)
    error = models.TextField(blank=True)

    LIVE = (Status.QUEUED, Status.RUNNING)

    class Meta:
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        ordering = ["menu", "-started_at"]

    def __str__(self) -> str:
        return f"{self.menu} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_live(self) -> bool:
        """Queued or running, and its lease not lapsed."""
        return self.status in self.LIVE and (
            self.lease_until is None or self.lease_until > timezone.now()
        )


class AllocationOutcome(models.Model):
    """What one run gave one child, with the child's priority and the explanation shown to
    the family ("you got your 2nd choice; your 1st choice filled at ...")."""

    run = models.ForeignKey(AllocationRun, related_name="outcomes", on_delete=models.CASCADE)
    application = models.ForeignKey(
        "enrollment.Application", related_name="outcomes", on_delete=models.CASCADE
    )
    tier = models.PositiveSmallIntegerField(_("priority tier"))
    lottery_number = models.PositiveIntegerField(_("lottery number"))
    best_rank = models.PositiveSmallIntegerField(_("best choice obtained"), null=True, blank=True)
    explanation = models.TextField(_("why this result"))
    # The same, as sentences in any language (kehou.allocation.explain.render): a list of
    # [kind, parameters], one per ranked choice.
    sentences = models.JSONField(_("why this result, sentence by sentence"), default=list)

    class Meta:
        verbose_name = _("allocation outcome")
        verbose_name_plural = _("allocation outcomes")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "application"], name="one_outcome_per_child_run"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} · {self.application}"

    def why(self, lang: str) -> list[str]:
        """The family's explanation in `lang` ("zh" or "en"), one sentence per choice."""
        from kehou.allocation.explain import render

        if not self.sentences:
            return [self.explanation] if self.explanation else []
        return render(self.sentences, lang)
