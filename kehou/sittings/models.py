"""Sittings: every time a group of children meets for the after-school service (R14).

A sitting is one meeting on one service day of the calendar (plan × holidays × 调休):
- an offering's meeting (kind OFFERING): its roster is the children whose enrolment in the
  offering is in effect that day;
- a slot of the school's plan for a grade group: the basic service (REGULAR), extended
  care (EXTENDED_CARE) for families who asked for it, junior evening study, and the
  boarders' evening service; its roster is the children of those grades whose approved
  application covers that weekday and that day.

Rosters are derived from the dated enrolments and applications whenever they are read
(kehou.sittings.selectors), never copied, so a join or a withdrawal is on every roster
from its date on. Roll call, hand-over, bills and the monthly report hang off sittings.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Sitting(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("After-school service")
        EXTENDED_CARE = "extended_care", _("Extended care (延时托管)")
        EVENING_STUDY = "evening_study", _("Evening study (晚自习)")
        BOARDING = "boarding", _("Boarders' evening service")
        OFFERING = "offering", _("Activity group")

    school = models.ForeignKey("org.School", related_name="sittings", on_delete=models.CASCADE)
    term = models.ForeignKey("terms.Term", related_name="sittings", on_delete=models.PROTECT)
    plan = models.ForeignKey("policy.SchoolPlan", related_name="sittings", on_delete=models.PROTECT)
    slot = models.ForeignKey(
        "policy.PlanSlot", null=True, blank=True, related_name="sittings", on_delete=models.SET_NULL
    )
    offering = models.ForeignKey(
        "catalog.Offering",
        null=True,
        blank=True,
        related_name="sittings",
        on_delete=models.CASCADE,
    )
    date = models.DateField(_("date"))
    timetable_weekday = models.PositiveSmallIntegerField(
        _("timetable of"), help_text=_("The weekday whose timetable runs (differs on 调休 days).")
    )
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    grade_from = models.PositiveSmallIntegerField(_("from grade"))
    grade_to = models.PositiveSmallIntegerField(_("to grade"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=100, blank=True)
    room = models.CharField(_("room or venue"), max_length=100, blank=True)
    responsible = models.ForeignKey(
        "org.Staff",
        verbose_name=_("responsible adult"),
        null=True,
        blank=True,
        related_name="sittings",
        on_delete=models.SET_NULL,
    )
    is_makeup_day = models.BooleanField(_("make-up workday"), default=False)
    in_vacation = models.BooleanField(_("vacation opening week"), default=False)
    # The first mark of the roll call; then its close, by the teacher or, at the school's
    # set time after the start, by kehou (roll_closed_by empty).
    roll_taken_at = models.DateTimeField(_("roll taken at"), null=True, blank=True)
    roll_closed_at = models.DateTimeField(_("roll call closed at"), null=True, blank=True)
    roll_closed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("roll call closed by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )

    class Meta:
        verbose_name = _("sitting")
        verbose_name_plural = _("sittings")
        ordering = ["school", "date", "start", "grade_from"]
        indexes = [models.Index(fields=["school", "date"], name="sitting_school_date_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "date", "start", "grade_from", "grade_to", "kind"],
                condition=Q(offering__isnull=True),
                name="unique_plan_sitting",
            ),
            models.UniqueConstraint(
                fields=["offering", "date", "start"],
                condition=Q(offering__isnull=False),
                name="unique_offering_sitting",
            ),
            models.CheckConstraint(
                name="offering_sitting_has_offering",
                condition=(Q(kind="offering") & Q(offering__isnull=False))
                | (~Q(kind="offering") & Q(offering__isnull=True)),
            ),
            models.CheckConstraint(
                name="sitting_ends_after_start", condition=Q(end__gt=models.F("start"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.start:%H:%M}-{self.end:%H:%M} {self.label}"

    @property
    def weekday(self) -> int:
        return self.date.weekday()

    @property
    def is_past(self) -> bool:
        return self.date < timezone.localdate()

    @property
    def has_attendance(self) -> bool:
        """Kept by every regeneration: its roll has been taken."""
        return self.roll_taken_at is not None

    @property
    def roll_is_closed(self) -> bool:
        return self.roll_closed_at is not None
