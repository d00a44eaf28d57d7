"""Terms and the holiday calendar the bureau completes (R5, R14)."""

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


class CalendarChange(models.Model):
    """One entry or replacement of a year of the holiday calendar: who, when, from which
    notice, and the year's special days before and after ([date, kind, name, follows])."""

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    changed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    source = models.CharField(_("source of the notice"), max_length=200, blank=True)
    before_source = models.CharField(max_length=10)  # "library", "bureau" or "unknown"
    before = models.JSONField(default=list)
    after = models.JSONField(default=list)

    class Meta:
        verbose_name = _("change of the holiday calendar")
        verbose_name_plural = _("changes of the holiday calendar")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.year} {self.changed_at:%Y-%m-%d %H:%M}"
