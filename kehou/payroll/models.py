"""Staff pay (R19): a school's pay rates with their history, and the monthly pay sheet.

- `PayRates`: a school's rates in fen (per class-hour, per homework-tutoring hour, per
  club session, per duty day) and how many minutes make one class-hour (课时) there, in
  effect from a day until the next row; a change is a new row (or replaces the row of the
  same day), so the rows are the history. A rate per class-hour below the profile's floor
  is refused (000: "每课时不低于60元").
- `PaySheet`: one school's month. Computed by the school admin from the sittings each
  person was responsible for and their duty days (kehou.payroll.services); re-computable
  while a draft, frozen once final.
- `PayLine`: one person on a sheet, with the counts and amounts of each kind of work, the
  after-school increment of a school teacher's performance pay (绩效工资增量, 单列) or an
  external instructor's labour remuneration (劳务报酬), and the total.
- `PayItem`: one sitting or duty day of a line, with its hours, rate and amount: every
  figure of the sheet is the sum of its items. The sitting and duty are kept by their
  facts too (date, time, label), so the sheet still reads after a sitting is regenerated.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehou.money.pay import Work

WORK_CHOICES = [
    (Work.CLASS.value, _("Class-hours")),
    (Work.TUTORING.value, _("Homework tutoring")),
    (Work.CLUB.value, _("Club sessions")),
    (Work.DUTY.value, _("Duty days")),
]


class PayRates(models.Model):
    school = models.ForeignKey("org.School", related_name="pay_rates", on_delete=models.CASCADE)
    effective_from = models.DateField(_("in effect from"))
    per_class_hour_fen = models.PositiveIntegerField(_("per class-hour (fen)"))
    per_tutoring_hour_fen = models.PositiveIntegerField(_("per homework-tutoring hour (fen)"))
    per_club_session_fen = models.PositiveIntegerField(_("per club session (fen)"))
    per_duty_day_fen = models.PositiveIntegerField(_("per duty day (fen)"))
    class_hour_minutes = models.PositiveSmallIntegerField(_("minutes per class-hour"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("pay rates")
        verbose_name_plural = _("pay rates")
        ordering = ["school", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "effective_from"], name="pay_rates_once_a_day"
            ),
            models.CheckConstraint(
                name="class_hour_minutes_in_range",
                condition=Q(class_hour_minutes__gte=10, class_hour_minutes__lte=120),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.effective_from}"


class PaySheet(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("pay sheet", "Draft")
        FINAL = "final", pgettext_lazy("pay sheet", "Final")

    school = models.ForeignKey("org.School", related_name="pay_sheets", on_delete=models.PROTECT)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    floor_fen = models.PositiveIntegerField(_("floor per class-hour (fen)"), null=True, blank=True)
    floor_source = models.CharField(_("floor set by"), max_length=300, blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    # Plan sittings of the month nobody was responsible for: on nobody's line.
    unassigned_sittings = models.PositiveIntegerField(default=0)
    total_fen = models.IntegerField(_("total (fen)"), default=0)

    class Meta:
        verbose_name = _("pay sheet")
        verbose_name_plural = _("pay sheets")
        ordering = ["school", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["school", "month"], name="pay_sheet_once_a_month"),
            models.CheckConstraint(
                name="final_pay_sheet_has_date",
                condition=~Q(status="final") | Q(finalised_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.month:%Y-%m}"

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL


class PayLine(models.Model):
    sheet = models.ForeignKey(PaySheet, related_name="lines", on_delete=models.CASCADE)
    staff = models.ForeignKey("org.Staff", related_name="pay_lines", on_delete=models.PROTECT)
    name = models.CharField(_("full name"), max_length=50)
    external = models.BooleanField(_("external instructor"), default=False)
    class_count = models.PositiveIntegerField(default=0)
    class_hours = models.DecimalField(_("class-hours"), max_digits=8, decimal_places=2, default=0)
    class_fen = models.IntegerField(default=0)
    tutoring_count = models.PositiveIntegerField(default=0)
    tutoring_hours = models.DecimalField(
        _("homework-tutoring hours"), max_digits=8, decimal_places=2, default=0
    )
    tutoring_fen = models.IntegerField(default=0)
    club_sessions = models.PositiveIntegerField(_("club sessions"), default=0)
    club_fen = models.IntegerField(default=0)
    duty_days = models.PositiveIntegerField(_("duty days"), default=0)
    duty_fen = models.IntegerField(default=0)
    increment_fen = models.IntegerField(_("after-school increment (fen)"), default=0)
    labour_fen = models.IntegerField(_("labour remuneration (fen)"), default=0)
    total_fen = models.IntegerField(_("total (fen)"), default=0)
    unpaid_sittings = models.PositiveIntegerField(default=0)
    agreed_fen = models.PositiveIntegerField(null=True, blank=True)
    below_floor_agreement = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("pay line")
        verbose_name_plural = _("pay lines")
        ordering = ["sheet", "external", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "staff"], name="pay_line_once_a_person"),
            models.CheckConstraint(
                name="pay_line_adds_up",
                condition=Q(
                    total_fen=models.F("class_fen")
                    + models.F("tutoring_fen")
                    + models.F("club_fen")
                    + models.F("duty_fen")
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sheet} {self.name}"


class PayItem(models.Model):
    line = models.ForeignKey(PayLine, related_name="items", on_delete=models.CASCADE)
    work = models.CharField(_("kind of work"), max_length=10, choices=WORK_CHOICES)
    sitting = models.ForeignKey(
        "sittings.Sitting", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    duty = models.ForeignKey(
        "custody.Duty", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    date = models.DateField(_("date"))
    start = models.TimeField(_("start"), null=True, blank=True)
    end = models.TimeField(_("end"), null=True, blank=True)
    label = models.CharField(_("label"), max_length=100, blank=True)
    minutes = models.PositiveIntegerField(default=0)
    hours = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    rate_fen = models.PositiveIntegerField(default=0)
    amount_fen = models.IntegerField(default=0)
    note = models.CharField(max_length=30, blank=True)

    class Meta:
        verbose_name = _("pay item")
        verbose_name_plural = _("pay items")
        ordering = ["line", "date", "start", "pk"]

    def __str__(self) -> str:
        return f"{self.line_id} {self.date} {self.work}"
