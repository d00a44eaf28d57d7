"""The ledgers, read from the database: a child's lines in date order with a running
balance, and a school's figures per class. The arithmetic is kehou.money.ledger (pure);
this module reads the rows in a fixed number of queries and hands them to it.

Sign convention (kehou.money.ledger): the balance is what the family still owes the
school; negative means the school holds the family's money.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehou.billing.models import Bill, BillLine, Refund
from kehou.core.labels import class_label
from kehou.money import ledger as pure
from kehou.money import yuan_text
from kehou.org.models import ClassMembership, School, Student
from kehou.payments.matching import bill_code
from kehou.payments.models import Payment, Payout

__all__ = ["yuan_text", "child_figures", "child_ledger", "school_ledger", "bill_url"]


def bill_url(bill_pk: int) -> str | None:
    """The bill's own page (kehou.billing), when it has one."""
    try:
        return reverse("billing:bill", args=[bill_pk])
    except NoReverseMatch:
        return None


def _pure_inputs(bills, payments, refunds, payouts):
    return (
        [pure.BillIn(b.pk, b.period_start, b.charged_fen, b.total_fen) for b in bills],
        [pure.PaymentIn(p.pk, p.paid_on, p.amount_fen, p.bill_id) for p in payments if p.is_live],
        [pure.RefundIn(r.pk, r.bill_id, r.amount_fen) for r in refunds],
        [pure.PayoutIn(o.pk, o.refund_id, o.amount_fen) for o in payouts if o.voided_at is None],
    )


def child_figures(student: Student) -> pure.LedgerFigures:
    bills = list(Bill.objects.filter(student=student))
    payments = list(Payment.objects.filter(student=student, voided_at__isnull=True))
    refunds = list(Refund.objects.filter(student=student))
    payouts = list(Payout.objects.filter(student=student, voided_at__isnull=True))
    return pure.figures(*_pure_inputs(bills, payments, refunds, payouts))


@dataclass
class Line:
    day: dt.date
    order: int  # bills, then waivers, refunds, payments and payouts of the same day
    kind: str  # bill / waiver / refund / payment / payout
    text: str
    amount_fen: int  # signed: what it adds to what the family owes; 0 for a voided entry
    obj: object = None
    url: str | None = None
    detail: list[str] = field(default_factory=list)
    voided: bool = False
    balance_fen: int = 0

    @property
    def size_fen(self) -> int:
        return abs(self.amount_fen)


@dataclass
class ChildLedger:
    student: Student
    lines: list[Line]
    figures: pure.LedgerFigures
    bills: list[Bill]
    refunds: list[Refund]
    payments: list[Payment]
    payouts: list[Payout]

    @property
    def balance_fen(self) -> int:
        return self.figures.owed


def child_ledger(student: Student) -> ChildLedger:
    """Every bill (with its lines), waiver, refund, payment and payout of the child, in
    date order, each with the balance after it. Six queries whatever the child has."""
    bills = list(
        Bill.objects.filter(student=student)
        .select_related("term")
        .prefetch_related(Prefetch("lines", queryset=BillLine.objects.order_by("position")))
        .order_by("period_start", "pk")
    )
    payments = list(Payment.objects.filter(student=student).order_by("paid_on", "pk"))
    refunds = list(Refund.objects.filter(student=student).order_by("created_at", "pk"))
    payouts = list(Payout.objects.filter(student=student).order_by("paid_on", "pk"))
    figures = pure.figures(*_pure_inputs(bills, payments, refunds, payouts))
    bills_by_pk = {b.pk: b for b in bills}
    lines: list[Line] = []
    for bill in bills:
        bill.code = bill_code(bill.pk)
        lines.append(
            Line(
                day=bill.period_start,
                order=0,
                kind="bill",
                text=_("Bill %(code)s, %(start)s to %(end)s (version %(version)d)")
                % {
                    "code": bill_code(bill.pk),
                    "start": bill.period_start,
                    "end": bill.period_end,
                    "version": bill.version,
                },
                amount_fen=bill.charged_fen,
                obj=bill,
                url=bill_url(bill.pk),
                detail=[
                    f"{line.description}: {line.arithmetic or yuan_text(line.amount_fen)}"
                    for line in bill.lines.all()
                    if line.kind != BillLine.Kind.WAIVER
                ],
            )
        )
        waived = bill.charged_fen - bill.total_fen
        if waived:
            lines.append(
                Line(
                    day=bill.period_start,
                    order=1,
                    kind="waiver",
                    text=_("Waiver: %(basis)s") % {"basis": bill.waiver_basis or _("waived")},
                    amount_fen=-waived,
                    obj=bill,
                    url=bill_url(bill.pk),
                )
            )
    for refund in refunds:
        granted = figures.refund_granted.get(refund.pk, 0)
        detail = [refund.arithmetic]
        if granted < refund.amount_fen:
            detail.append(
                _("Due %(due)s; %(granted)s credited, as no bill refunds more than it asked.")
                % {"due": yuan_text(refund.amount_fen), "granted": yuan_text(granted)}
            )
        bill = bills_by_pk.get(refund.bill_id)
        lines.append(
            Line(
                day=timezone.localtime(refund.created_at).date(),
                order=2,
                kind="refund",
                text=_("Refund on bill %(code)s: %(reason)s")
                % {"code": bill_code(refund.bill_id), "reason": refund.get_reason_display()},
                amount_fen=-granted,
                obj=refund,
                url=bill_url(bill.pk) if bill else None,
                detail=detail,
            )
        )
    for payment in payments:
        lines.append(
            Line(
                day=payment.paid_on,
                order=3,
                kind="payment",
                text=_("Payment, %(channel)s") % {"channel": payment.get_channel_display()}
                + (f" · {payment.reference}" if payment.reference else ""),
                amount_fen=-payment.amount_fen if payment.is_live else 0,
                obj=payment,
                url=bill_url(payment.bill_id) if payment.bill_id else None,
                voided=not payment.is_live,
                detail=[_("Voided: %(reason)s") % {"reason": payment.void_reason}]
                if not payment.is_live
                else [],
            )
        )
    for payout in payouts:
        live = payout.voided_at is None
        lines.append(
            Line(
                day=payout.paid_on,
                order=4,
                kind="payout",
                text=_("Refund paid back, %(channel)s") % {"channel": payout.get_channel_display()}
                + (f" · {payout.reference}" if payout.reference else ""),
                amount_fen=payout.amount_fen if live else 0,
                obj=payout,
                voided=not live,
                detail=[] if live else [_("Voided: %(reason)s") % {"reason": payout.void_reason}],
            )
        )
    lines.sort(key=lambda line: (line.day, line.order, getattr(line.obj, "pk", 0)))
    running = 0
    for line in lines:
        running += line.amount_fen
        line.balance_fen = running
    return ChildLedger(student, lines, figures, bills, refunds, payments, payouts)


# --------------------------------------------------------------------------- a school's


@dataclass
class Totals:
    billed: int = 0
    waived: int = 0
    refunded: int = 0
    paid: int = 0
    paid_back: int = 0
    children: int = 0

    @property
    def owed(self) -> int:
        return self.billed - self.waived - self.refunded - self.paid + self.paid_back

    def add(self, figures: pure.LedgerFigures) -> None:
        self.billed += figures.billed
        self.waived += figures.waived
        self.refunded += figures.refunded
        self.paid += figures.paid
        self.paid_back += figures.paid_back
        self.children += 1


@dataclass
class ClassRow:
    label: str
    grade: int
    number: int
    totals: Totals
    owing: list[tuple[Student, pure.LedgerFigures]]


@dataclass
class SchoolLedger:
    school: School
    rows: list[ClassRow]
    totals: Totals


def school_ledger(school: School) -> SchoolLedger:
    """Per class (the child's latest class), the school's billed / waived / refunded /
    paid / paid back / owed, over everything recorded. Seven queries."""
    students = {s.pk: s for s in Student.objects.filter(school=school)}
    bills = defaultdict(list)
    for bill in Bill.objects.filter(school=school).only(
        "pk", "student_id", "period_start", "charged_fen", "total_fen"
    ):
        bills[bill.student_id].append(bill)
    payments = defaultdict(list)
    for payment in Payment.objects.filter(school=school, voided_at__isnull=True):
        payments[payment.student_id].append(payment)
    refunds = defaultdict(list)
    for refund in Refund.objects.filter(bill__school=school).only(
        "pk", "student_id", "bill_id", "amount_fen"
    ):
        refunds[refund.student_id].append(refund)
    payouts = defaultdict(list)
    for payout in Payout.objects.filter(school=school, voided_at__isnull=True):
        payouts[payout.student_id].append(payout)
    classes: dict[int, tuple] = {}
    for membership in (
        ClassMembership.objects.filter(student__school=school)
        .select_related("school_class", "school_year")
        .order_by("school_year__start_year")
    ):
        classes[membership.student_id] = membership.school_class  # the latest wins
    by_class: dict[tuple, ClassRow] = {}
    totals = Totals()
    involved = set(bills) | set(payments) | set(refunds) | set(payouts)
    for pk in sorted(
        involved, key=lambda pk: (students[pk].name, pk) if pk in students else ("", pk)
    ):
        student = students.get(pk)
        if student is None:
            continue
        figures = pure.figures(*_pure_inputs(bills[pk], payments[pk], refunds[pk], payouts[pk]))
        school_class = classes.get(pk)
        key = (school_class.grade, school_class.number) if school_class else (99, 0)
        row = by_class.get(key)
        if row is None:
            label = class_label(*key) if school_class else _("No class")
            row = by_class[key] = ClassRow(label, key[0], key[1], Totals(), [])
        row.totals.add(figures)
        totals.add(figures)
        if figures.owed:
            row.owing.append((student, figures))
    rows = [by_class[key] for key in sorted(by_class)]
    return SchoolLedger(school, rows, totals)
