"""Terms, the holiday calendar the bureau completes, and the sessions a plan produces (R5, R14)."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Term(models.Model):
    """学期: the first (autumn) or second (spring) semester of a school year.

    Its code is "<start year>-<semester>": 2026-1 is autumn 2026, 2026-2 spring 2027.
    The dates of a term are the school's, in its plan; `start`/`end` here are the
    region's usual dates, used as the plan's defaults.
    """

    class Semester(models.IntegerChoices):
        FIRST = 1, _("First semester (autumn)")
        SECOND = 2, _("Second semester (spring)")

    school_year = models.ForeignKey(
        "org.SchoolYear", related_name="terms", on_delete=models.PROTECT
    )
    semester = models.PositiveSmallIntegerField(_("semester"), choices=Semester.choices)
    start = models.DateField(_("usual first day"))
    end = models.DateField(_("usual last day"))

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["-school_year__start_year", "-semester"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "semester"], name="unique_term"),
            models.CheckConstraint(
                name="term_ends_after_start", condition=Q(end__gt=models.F("start"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_year} {self.get_semester_display()}"

    @property
    def code(self) -> str:
        return f"{self.school_year.start_year}-{self.semester}"


class CalendarYear(models.Model):
    """A year whose holiday notice the bureau entered because the library does not know it.

    Once a year is entered, its `SpecialDay` rows are the whole notice for that year
    (they replace the library's data for it, they are not merged).
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    entered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)
    source = models.CharField(_("source of the notice"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar year entered by the bureau")
        verbose_name_plural = _("calendar years entered by the bureau")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class SpecialDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Statutory holiday")
        MAKEUP_WORKDAY = "makeup_workday", _("Make-up workday (调休)")

    calendar_year = models.ForeignKey(CalendarYear, related_name="days", on_delete=models.CASCADE)
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("holiday name"), max_length=30)
    follows_weekday = models.PositiveSmallIntegerField(
        _("follows the timetable of"),
        null=True,
        blank=True,
        help_text=_("For a make-up workday: 0 = Monday … 4 = Friday, as the notice says."),
    )

    class Meta:
        verbose_name = _("special day")
        verbose_name_plural = _("special days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Session(models.Model):
    """One sitting of the after-school service: a plan's slot on a service day (R14).

    Sessions are generated from plan × calendar. Regeneration replaces those nobody has
    touched and keeps every session whose roll was taken (`roll_taken_at`), so the
    attendance of step 4 is never lost.
    """

    school = models.ForeignKey("org.School", related_name="sessions", on_delete=models.CASCADE)
    term = models.ForeignKey(Term, related_name="sessions", on_delete=models.PROTECT)
    plan = models.ForeignKey("policy.SchoolPlan", related_name="sessions", on_delete=models.PROTECT)
    slot = models.ForeignKey(
        "policy.PlanSlot", null=True, blank=True, related_name="sessions", on_delete=models.SET_NULL
    )
    date = models.DateField(_("date"))
    timetable_weekday = models.PositiveSmallIntegerField(
        _("timetable of"), help_text=_("The weekday whose timetable runs (differs on 调休 days).")
    )
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    grade_from = models.PositiveSmallIntegerField(_("from grade"))
    grade_to = models.PositiveSmallIntegerField(_("to grade"))
    kind = models.CharField(_("kind"), max_length=20)
    label = models.CharField(_("label"), max_length=50, blank=True)
    is_makeup_day = models.BooleanField(_("make-up workday"), default=False)
    in_vacation = models.BooleanField(_("vacation opening week"), default=False)
    roll_taken_at = models.DateTimeField(_("roll taken at"), null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["school", "date", "start", "grade_from"]
        indexes = [models.Index(fields=["school", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "date", "start", "grade_from", "grade_to", "kind"],
                name="unique_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.start:%H:%M}-{self.end:%H:%M} {self.label}"

    @property
    def weekday(self) -> int:
        return self.date.weekday()

    @property
    def is_past(self) -> bool:
        return self.date < datetime.date.today()
