"""A school's figures for a month (月报, R22) and the reports schools submit from them.

`SchoolMonth` is what kehou computed from the school's own records (sittings, marks,
enrolments, staff, incidents, complaints, surveys, bills and payments): one row per school
and month, refreshed by the worker, read by the report page, the region's table and the
dashboard. `MonthlyReport` is what the school submitted: the figures frozen as they were,
with its remark; a correction is a new version with its reason.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SchoolMonth(models.Model):
    """The figures of one school for one month, as computed from its records.

    The JSON breakdowns are keyed by codes, never by labels:
    - `by_grade`: {"1": {"in_school": n, "taking_part": n}, ...}
    - `by_priority`: {"low_income" | "left_behind" | "migrant" | "disability":
      {"in_school": n, "taking_part": n}}
    - `offerings_by_category`: {category code: number of offerings running in the month}
    - `extended_items`: names of the N extended services (the "N" of "2+N")
    """

    school = models.ForeignKey("org.School", related_name="months", on_delete=models.CASCADE)
    month = models.DateField(_("month"))  # its first day
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    service_days = models.PositiveSmallIntegerField(_("service days"), default=0)
    sittings = models.PositiveIntegerField(_("sittings"), default=0)
    students_in_school = models.PositiveIntegerField(_("students in school"), default=0)
    # A child takes part in the month when marked present or late at least once.
    students_taking_part = models.PositiveIntegerField(_("students taking part"), default=0)
    marks = models.PositiveIntegerField(_("attendance marks"), default=0)
    marks_present = models.PositiveIntegerField(_("present or late"), default=0)
    by_grade = models.JSONField(_("by grade"), default=dict)
    by_priority = models.JSONField(_("by priority group"), default=dict)
    offerings_by_category = models.JSONField(_("offerings by category"), default=dict)
    has_homework_guidance = models.BooleanField(_("homework guidance"), default=False)
    extended_items = models.JSONField(_("extended services"), default=list)
    meets_two_plus_n = models.BooleanField(_("“2+N”"), default=False)

    staff_count = models.PositiveIntegerField(_("staff who took sittings"), default=0)
    staff_minutes = models.PositiveIntegerField(_("staff minutes"), default=0)
    external_instructors = models.PositiveIntegerField(_("external instructors"), default=0)

    incidents = models.PositiveIntegerField(_("incidents"), default=0)
    complaints = models.PositiveIntegerField(_("complaints"), default=0)
    satisfaction_answers = models.PositiveIntegerField(_("satisfaction answers"), default=0)
    satisfaction_satisfied = models.PositiveIntegerField(_("satisfied answers"), default=0)

    billed_fen = models.BigIntegerField(_("billed (fen)"), default=0)
    collected_fen = models.BigIntegerField(_("collected (fen)"), default=0)
    waived_fen = models.BigIntegerField(_("waived (fen)"), default=0)

    class Meta:
        verbose_name = _("school month")
        verbose_name_plural = _("school months")
        ordering = ["month", "school"]
        constraints = [
            models.UniqueConstraint(fields=["school", "month"], name="one_figure_row_per_month"),
        ]
        indexes = [models.Index(fields=["month", "school"], name="school_month_month_idx")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.month:%Y-%m}"

    @property
    def participation(self) -> float | None:
        if not self.students_in_school:
            return None
        return self.students_taking_part / self.students_in_school


class MonthlyReport(models.Model):
    """What a school submitted for a month: the figures frozen as they were, its remark.

    A submitted report never changes; a correction is the next version, with its reason,
    and the one it replaces becomes superseded. One report per school and month is in
    force (not superseded)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("a monthly report", "Submitted")
        SUPERSEDED = "superseded", pgettext_lazy("a monthly report", "Superseded")

    school = models.ForeignKey(
        "org.School", related_name="monthly_reports", on_delete=models.PROTECT
    )
    month = models.DateField(_("month"))  # its first day
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    # A copy of the SchoolMonth's figures at submission (kehou.reports.figures.FIGURE_FIELDS).
    figures = models.JSONField(_("figures"), default=dict)
    remark = models.TextField(_("remark"), blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    # Day N of the following month by the profile's report_due_day; empty = no due day.
    due_on = models.DateField(_("due on"), null=True, blank=True)
    is_late = models.BooleanField(_("late"), default=False)
    correction_reason = models.CharField(_("reason for the correction"), max_length=300, blank=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        related_name="superseded_by",
        on_delete=models.PROTECT,
    )

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["school", "month", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "month", "version"], name="one_report_per_version"
            ),
            models.UniqueConstraint(
                fields=["school", "month"],
                condition=~Q(status="superseded"),
                name="one_report_in_force",
            ),
            models.CheckConstraint(
                name="correction_has_reason",
                condition=Q(version=1) | ~Q(correction_reason=""),
            ),
        ]
        indexes = [models.Index(fields=["month", "school"], name="report_month_idx")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.month:%Y-%m} v{self.version}"
