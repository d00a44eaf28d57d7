"""Payments, the statements they come from, and refunds paid back (R18).

Money is integer fen (kehou.money). A payment is the family's money received by the
school for a child: recorded by the school admin by hand, or from a row of a statement its
payment platform or bank gives it. No payment gateway: kehou records what happened.

- A payment is never deleted: a mistaken entry is voided with a reason (who, when, why).
- The same transaction cannot be recorded twice: a live payment is unique per school,
  channel and reference (the platform's 交易单号 / the bank's 流水号) when there is one,
  and a statement row gives at most one payment.
- A `Payout` is a refund paid back to the family (billing's `Refund` says what is due; the
  ledger caps it by what was paid, kehou.money.ledger).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehou import money


class Channel(models.TextChoices):
    CASH = "cash", _("Cash")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    PLATFORM = "platform", _("The school's payment platform")
    OTHER = "other", pgettext_lazy("a payment channel", "Other")


class Statement(models.Model):
    """One statement file imported: its hash makes a second upload of the same file the
    same statement."""

    school = models.ForeignKey("org.School", related_name="statements", on_delete=models.PROTECT)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("payment statement")
        verbose_name_plural = _("payment statements")
        ordering = ["school", "-uploaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["school", "sha256"], name="one_statement_per_file"),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.file_name}"


class StatementRow(models.Model):
    """One row of a statement and what became of it."""

    class Status(models.TextChoices):
        MATCHED = "matched", pgettext_lazy("a statement row", "Matched")
        UNMATCHED = "unmatched", pgettext_lazy("a statement row", "Not matched")
        DUPLICATE = "duplicate", pgettext_lazy("a statement row", "Already recorded")
        OUTGOING = "outgoing", pgettext_lazy("a statement row", "Money going out")

    statement = models.ForeignKey(Statement, related_name="rows", on_delete=models.CASCADE)
    row_number = models.PositiveIntegerField(_("row"))
    paid_on = models.DateField(_("date"))
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    reference = models.CharField(_("transaction number"), max_length=200, blank=True)
    payer = models.CharField(_("payer"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    reason_code = models.CharField(max_length=40, blank=True)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    student = models.ForeignKey(
        "org.Student", null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    bill = models.ForeignKey(
        "billing.Bill", null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("statement row")
        verbose_name_plural = _("statement rows")
        ordering = ["statement", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "row_number"], name="one_row_per_number"),
        ]

    def __str__(self) -> str:
        return f"{self.statement} #{self.row_number}"


class Payment(models.Model):
    school = models.ForeignKey("org.School", related_name="payments", on_delete=models.PROTECT)
    student = models.ForeignKey("org.Student", related_name="payments", on_delete=models.PROTECT)
    # The bill the family paid for when the statement or the admin said so; the ledger
    # counts every payment towards the child, whichever bill it names.
    bill = models.ForeignKey(
        "billing.Bill", null=True, blank=True, related_name="payments", on_delete=models.PROTECT
    )
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    paid_on = models.DateField(_("paid on"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    reference = models.CharField(_("transaction number"), max_length=200, blank=True)
    payer = models.CharField(_("payer"), max_length=200, blank=True)
    statement_row = models.OneToOneField(
        StatementRow, null=True, blank=True, related_name="payment", on_delete=models.PROTECT
    )
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    void_reason = models.CharField(_("why voided"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["school", "paid_on", "pk"]
        indexes = [models.Index(fields=["student", "paid_on"], name="payment_student_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "channel", "reference"],
                condition=~Q(reference="") & Q(voided_at__isnull=True),
                name="one_live_payment_per_reference",
            ),
            models.CheckConstraint(name="payment_positive", condition=Q(amount_fen__gt=0)),
            models.CheckConstraint(
                name="void_has_reason", condition=Q(voided_at__isnull=True) | ~Q(void_reason="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.paid_on} {money.yuan_text(self.amount_fen)}"

    @property
    def is_live(self) -> bool:
        return self.voided_at is None


class Payout(models.Model):
    """A refund paid back to the family in cash: at most what the ledger says is open on
    the refund (what was paid towards the bill beyond what was delivered, less what was
    paid back already)."""

    school = models.ForeignKey("org.School", related_name="payouts", on_delete=models.PROTECT)
    student = models.ForeignKey("org.Student", related_name="payouts", on_delete=models.PROTECT)
    refund = models.ForeignKey("billing.Refund", related_name="payouts", on_delete=models.PROTECT)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    paid_on = models.DateField(_("paid back on"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    reference = models.CharField(_("transaction number"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    void_reason = models.CharField(_("why voided"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("refund paid back")
        verbose_name_plural = _("refunds paid back")
        ordering = ["school", "paid_on", "pk"]
        constraints = [
            models.CheckConstraint(name="payout_positive", condition=Q(amount_fen__gt=0)),
            models.CheckConstraint(
                name="payout_void_has_reason",
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.paid_on} {money.yuan_text(self.amount_fen)}"
