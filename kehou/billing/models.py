"""Fee standards, bills, waivers, cancelled sittings and refunds (R18).

Money is integer fen everywhere (kehou.money). The rules, in short:

- A fee is billed only under a published standard (001: "课后服务收费标准未出台之前，学校不得
  向学生收取课后服务费"). A `FeeStandard` belongs to a region; the nearest region up the
  chain that has one for what is billed applies (like policy profiles). A change is a new
  row, never an edit, so the history of a region's standards is its rows.
- A `Bill` is one child's for one period (a month or a term) of one term, unique per child
  and period. It is the sum of its `BillLine`s, each saying what made it (units, the
  sittings, the unit amount, the standard). A re-run of the bills updates a bill in place
  (its `version` goes up and the run lists what changed) and never deletes one that
  exists: families may have paid it; payments are against the child's ledger, not a
  version.
- A waiver zeroes a bill with a last line: children of 建档立卡/低保 families automatically
  (the basis shown), others when the school records a `Waiver` with a reason.
- A `Refund` is what is due back for service billed at a flat rate and not delivered
  (004: "按未服务的实际课时据实退还"): a withdrawal, a cancelled sitting, a long leave.
  `amount_fen` is the share of the line the undelivered units make, rounded half up to
  the fen; what is actually paid back is capped by what the family paid, which only the
  payments ledger knows (`Refund.within(paid_fen)`, kehou.money.refund_of).
"""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehou import money
from kehou.enrollment.models import Application


class Covers(models.TextChoices):
    """What a fee standard covers: the after-school service itself, or extended care
    (延时托管) where a locality prices it on its own. Without a standard for extended
    care, extended care is part of the basic service and is not billed separately."""

    BASIC = "basic", _("After-school service")
    EXTENDED_CARE = "extended_care", _("Extended care (延时托管)")


class FeeStandard(models.Model):
    class FundingMode(models.TextChoices):
        FULL_SUBSIDY = "full_subsidy", _("Full fiscal subsidy (全额财政补贴)")
        SERVICE_FEE = "service_fee", _("Service fee (服务性收费)")
        AGENCY_FEE = "agency_fee", _("Agency fee for external organisations (代收费)")
        SPONSORSHIP = "sponsorship", _("Donations and sponsorship (社会捐赠赞助)")
        MIXED = "mixed", _("Mixed (subsidy and fee)")

    class Unit(models.TextChoices):
        CLASS_HOUR = "class_hour", _("per class-hour")
        SERVICE_DAY = "service_day", _("per service day")
        MONTH = "month", _("per month")
        TERM = "term", _("per term")

    region = models.ForeignKey("org.Region", related_name="fee_standards", on_delete=models.PROTECT)
    covers = models.CharField(
        _("covers"), max_length=20, choices=Covers.choices, default=Covers.BASIC
    )
    funding_mode = models.CharField(_("funding mode"), max_length=20, choices=FundingMode.choices)
    unit = models.CharField(_("fee unit"), max_length=20, choices=Unit.choices)
    amount_fen = models.PositiveIntegerField(_("fee per unit (fen)"), default=0)
    subsidy_fen = models.PositiveIntegerField(_("subsidy per unit (fen)"), default=0)
    # How long a class-hour (课时) of this standard is: a sitting of 80 minutes is two
    # class-hours of 40. The document that sets a fee per class-hour says it.
    class_hour_minutes = models.PositiveSmallIntegerField(_("minutes in a class-hour"), default=40)
    document_title = models.CharField(_("document"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    entered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("fee standard")
        verbose_name_plural = _("fee standards")
        ordering = ["region", "covers", "-valid_from", "-pk"]
        indexes = [models.Index(fields=["region", "covers", "valid_from"], name="fee_std_idx")]
        constraints = [
            models.CheckConstraint(
                name="full_subsidy_charges_nothing",
                condition=~Q(funding_mode="full_subsidy") | Q(amount_fen=0),
            ),
            models.CheckConstraint(
                name="fee_standard_valid_in_order",
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.get_covers_display()} {money.yuan_text(self.amount_fen)}"

    def covers_day(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    @property
    def document(self) -> str:
        """ "《title》（number，date）" as a page names it."""
        extra = "，".join(
            part
            for part in (self.document_number, self.document_date and f"{self.document_date}")
            if part
        )
        return f"《{self.document_title}》" + (f"（{extra}）" if extra else "")


class SittingCancellation(models.Model):
    """A sitting that did not run (weather, a moved holiday), recorded by the school admin
    with a reason. Bills do not count it; a flat fee refunds it (004)."""

    sitting = models.OneToOneField(
        "sittings.Sitting", related_name="cancellation", on_delete=models.CASCADE
    )
    reason = models.CharField(_("reason"), max_length=200)
    cancelled_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), default=timezone.now)

    class Meta:
        verbose_name = _("cancelled sitting")
        verbose_name_plural = _("cancelled sittings")
        ordering = ["-sitting__date"]
        constraints = [
            models.CheckConstraint(name="cancellation_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.sitting} · {self.reason}"


class Period(models.TextChoices):
    MONTH = "month", pgettext_lazy("a billing period", "Month")
    TERM = "term", pgettext_lazy("a billing period", "Term")


class BillRun(models.Model):
    """One run of a school's bills for one period, executed by the worker (like an
    allocation run): everything it writes is one transaction."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the background worker")
        RUNNING = "running", pgettext_lazy("a bill run", "Running")
        DONE = "done", _("Done")
        FAILED = "failed", pgettext_lazy("a bill run", "Failed")
        REFUSED = "refused", pgettext_lazy("a bill run", "Refused")

    school = models.ForeignKey("org.School", related_name="bill_runs", on_delete=models.CASCADE)
    term = models.ForeignKey("terms.Term", related_name="bill_runs", on_delete=models.PROTECT)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    started_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(_("alive until"), null=True, blank=True)
    task_id = models.CharField(_("background task"), max_length=64, blank=True)
    # {"bills": n, "created": n, "updated": n, "unchanged": n, "total_fen": n, ...}
    summary = models.JSONField(_("result"), default=dict)
    # [{"student": name, "bill": pk, "from_fen": n, "to_fen": n, "version": v}, ...]
    changes = models.JSONField(_("what changed"), default=list)
    refusal_code = models.CharField(max_length=60, blank=True)
    refusal_message = models.TextField(_("why it was refused"), blank=True)
    error = models.TextField(blank=True)

    LIVE = (Status.QUEUED, Status.RUNNING)

    class Meta:
        verbose_name = _("bill run")
        verbose_name_plural = _("bill runs")
        ordering = ["school", "-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.school} {self.period_start}–{self.period_end}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE and (
            self.lease_until is None or self.lease_until > timezone.now()
        )


class Bill(models.Model):
    """One child's bill for one period: the sum of its lines."""

    school = models.ForeignKey("org.School", related_name="bills", on_delete=models.PROTECT)
    student = models.ForeignKey("org.Student", related_name="bills", on_delete=models.PROTECT)
    term = models.ForeignKey("terms.Term", related_name="bills", on_delete=models.PROTECT)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    total_fen = models.IntegerField(_("amount due (fen)"), default=0)
    charged_fen = models.IntegerField(_("charged before waivers (fen)"), default=0)
    waived = models.BooleanField(_("waived"), default=False)
    waiver_basis = models.CharField(_("why waived"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    # A digest of the lines and refunds: a re-run with the same digest changes nothing.
    digest = models.CharField(max_length=64, blank=True)
    run = models.ForeignKey(
        BillRun, null=True, blank=True, related_name="bills", on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["school", "period_start", "student"]
        indexes = [models.Index(fields=["school", "term", "period_start"], name="bill_period_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "term", "period", "period_start"], name="one_bill_per_period"
            ),
            models.CheckConstraint(name="bill_not_negative", condition=Q(total_fen__gte=0)),
            models.CheckConstraint(
                name="waived_bill_is_zero", condition=Q(waived=False) | Q(total_fen=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.period_start}–{self.period_end}"

    @property
    def left_on(self):
        """The day the child left the service, when it falls before the period's end (the
        bill says so beside the days it counts)."""
        left = (
            Application.objects.filter(student_id=self.student_id, term_id=self.term_id)
            .exclude(withdrawn_on=None)
            .values_list("withdrawn_on", flat=True)
            .first()
        )
        return left if left is not None and left <= self.period_end else None

    @property
    def total_yuan(self) -> str:
        return money.yuan_text(self.total_fen)


class BillLine(models.Model):
    class Kind(models.TextChoices):
        BASIC = "basic", _("After-school service")
        EXTENDED_CARE = "extended_care", _("Extended care (延时托管)")
        OFFERING = "offering", _("Activity group (代收费)")
        WAIVER = "waiver", _("Waiver")

    bill = models.ForeignKey(Bill, related_name="lines", on_delete=models.CASCADE)
    # Stable within a bill ("basic", "extended_care", "offering:<pk>", "waiver"): a re-run
    # updates the line with the same key.
    key = models.CharField(max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(_("what"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    units = models.DecimalField(_("units"), max_digits=8, decimal_places=2, default=Decimal(0))
    unit_fen = models.IntegerField(_("per unit (fen)"), default=0)
    amount_fen = models.IntegerField(_("amount (fen)"))
    # How the amount was computed, in words ("18 service days × 5.00 = 90.00").
    arithmetic = models.CharField(_("how computed"), max_length=300, blank=True)
    standard = models.ForeignKey(
        FeeStandard, null=True, blank=True, related_name="lines", on_delete=models.PROTECT
    )
    offering = models.ForeignKey(
        "catalog.Offering", null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    # The sittings (pks) and their dates (ISO) the line counts.
    sittings = models.JSONField(default=list)
    dates = models.JSONField(default=list)

    class Meta:
        verbose_name = _("bill line")
        verbose_name_plural = _("bill lines")
        ordering = ["bill", "position"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "key"], name="one_line_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.bill} · {self.description}"


class Waiver(models.Model):
    """A waiver the school records for a child for a term, with a reason (the automatic
    low-income waiver needs no row: it follows Student.low_income_basis)."""

    school = models.ForeignKey("org.School", related_name="+", on_delete=models.PROTECT)
    student = models.ForeignKey("org.Student", related_name="waivers", on_delete=models.PROTECT)
    term = models.ForeignKey("terms.Term", related_name="+", on_delete=models.PROTECT)
    reason = models.CharField(_("reason"), max_length=200)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    revoked_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("waiver")
        verbose_name_plural = _("waivers")
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "term"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_waiver_per_term",
            ),
            models.CheckConstraint(name="waiver_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.term} · {self.reason}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class Refund(models.Model):
    """What is due back on a bill line for service not delivered (004)."""

    class Reason(models.TextChoices):
        WITHDRAWAL = "withdrawal", _("Left the after-school service")
        DROPPED = "dropped", _("Dropped the activity group")
        CANCELLED = "cancelled", _("Sitting cancelled")
        LEAVE = "leave", _("Long leave")

    bill = models.ForeignKey(Bill, related_name="refunds", on_delete=models.PROTECT)
    student = models.ForeignKey("org.Student", related_name="refunds", on_delete=models.PROTECT)
    line_key = models.CharField(max_length=40)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    billed_fen = models.IntegerField(_("line billed (fen)"))
    billed_units = models.DecimalField(_("units billed"), max_digits=8, decimal_places=2)
    undelivered_units = models.DecimalField(
        _("units not delivered"), max_digits=8, decimal_places=2
    )
    # share(billed_fen, undelivered_units, billed_units), half up to the fen; the ledger
    # pays back at most what was paid (within()).
    amount_fen = models.PositiveIntegerField(_("refund due (fen)"))
    arithmetic = models.CharField(_("how computed"), max_length=300)
    sittings = models.JSONField(default=list)
    dates = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["bill", "line_key", "reason"]
        constraints = [
            models.UniqueConstraint(
                fields=["bill", "line_key", "reason"], name="one_refund_per_line_reason"
            ),
            models.CheckConstraint(
                name="refund_within_line", condition=Q(amount_fen__lte=F("billed_fen"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bill} · {self.get_reason_display()} {money.yuan_text(self.amount_fen)}"

    def within(self, paid_fen: int) -> int:
        """What is paid back when the family paid `paid_fen` towards this line: the share
        of the undelivered units, never more than was paid (kehou.money.refund_of)."""
        return money.refund_of(
            paid=paid_fen,
            billed=self.billed_fen,
            undelivered=self.undelivered_units,
            billed_units=self.billed_units,
        )
