"""Writes of payments (R18): recording and voiding a payment, importing a statement and
matching its rows, paying a refund back. Keyword-only `<entity>_<verb>(*, ..., actor)`.

Only the school's own admin writes here (`access.require_school_admin`); every write
checks the scope first, validates everything, then writes in one transaction, so a
refusal writes nothing. The same transaction is never recorded twice: a live payment is
unique per school, channel and reference (a constraint, so two admins importing the same
statement at once still record it once), and a statement row gives at most one payment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehou.billing.models import Bill, Refund
from kehou.core.errors import Problems, refusal
from kehou.money import yuan_text
from kehou.org import access
from kehou.org.audit import log_bulk_created
from kehou.org.models import School, Student
from kehou.payments import ledger
from kehou.payments.matching import BillChoice, ChildIn, Matcher
from kehou.payments.models import Channel, Payment, Payout, Statement, StatementRow
from kehou.payments.statement import CellProblem, StatementFileError, read_statement

# A payment of more than this many fen is a typing mistake (1,000,000.00 yuan).
MAX_AMOUNT_FEN = 100_000_000
EARLIEST_DAY = dt.date(2000, 1, 1)
TEXT_MAX = 200
CHUNK = 500


# --------------------------------------------------------------------------- checks


def _check_amount(problems: Problems, amount_fen, *, field: str = "amount_fen") -> None:
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool):
        problems.add("amount_missing", _("Give the amount in yuan."), field=field)
    elif amount_fen <= 0:
        problems.add("amount_not_positive", _("The amount must be more than 0."), field=field)
    elif amount_fen > MAX_AMOUNT_FEN:
        problems.add(
            "amount_too_large",
            _("The amount is more than %(max)s yuan; check it."),
            field=field,
            max="1,000,000",
        )


def _check_day(problems: Problems, day, *, field: str = "paid_on") -> None:
    today = timezone.localdate()
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        problems.add("date_missing", _("Give the date it was paid."), field=field)
    elif day > today:
        problems.add(
            "in_the_future",
            _("%(day)s is still to come: record a payment that has been made."),
            field=field,
            day=day.isoformat(),
        )
    elif day < EARLIEST_DAY:
        problems.add("date_too_early", _("The date is too early; check it."), field=field)


def _check_channel(problems: Problems, channel) -> None:
    if channel not in Channel.values:
        problems.add("unknown_channel", _("Choose how it was paid."), field="channel")


def _text(problems: Problems, value, *, field: str) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if len(text) > TEXT_MAX:
        problems.add(
            "text_too_long", _("Keep it under %(max)d characters."), field=field, max=TEXT_MAX
        )
    return text


def _already(school: School, channel: str, reference: str) -> Payment | None:
    if not reference:
        return None
    return (
        Payment.objects.filter(
            school=school, channel=channel, reference=reference, voided_at__isnull=True
        )
        .select_related("student")
        .first()
    )


def _already_message(payment: Payment) -> tuple:
    return (
        "already_recorded",
        _(
            "This transaction (%(reference)s) is already recorded: %(name)s, %(day)s. "
            "The same payment is not recorded twice."
        ),
    ), {"reference": payment.reference, "name": payment.student.name, "day": payment.paid_on}


# --------------------------------------------------------------------------- payments


def payment_record(
    *,
    student: Student,
    amount_fen: int,
    paid_on: dt.date,
    channel: str,
    reference: str = "",
    payer: str = "",
    bill: Bill | None = None,
    actor,
) -> Payment:
    """A payment received for a child, recorded by their school's admin."""
    if not isinstance(student, Student):
        raise access.OutOfScope
    school = student.school
    access.require_school_admin(actor, school)
    problems = Problems()
    _check_amount(problems, amount_fen)
    _check_day(problems, paid_on)
    _check_channel(problems, channel)
    reference = _text(problems, reference, field="reference")
    payer = _text(problems, payer, field="payer")
    if bill is not None and (not isinstance(bill, Bill) or bill.student_id != student.pk):
        problems.add(
            "bill_of_another_child",
            _("That bill is not %(name)s's."),
            field="bill",
            name=student.name,
        )
    if not student.is_active:
        problems.add(
            "not_on_roll",
            _("%(name)s is not on the school's roll."),
            field="student",
            name=student.name,
        )
    if not problems and reference:
        existing = _already(school, channel, reference)
        if existing is not None:
            (code, message), params = _already_message(existing)
            problems.add(code, message, field="reference", **params)
    problems.raise_if_any()
    try:
        with transaction.atomic():
            return Payment.objects.create(
                school=school,
                student=student,
                bill=bill,
                amount_fen=amount_fen,
                paid_on=paid_on,
                channel=channel,
                reference=reference,
                payer=payer,
                recorded_by=access.user_of(actor),
            )
    except IntegrityError:
        # Another admin recorded the same transaction a moment ago.
        existing = _already(school, channel, reference)
        if existing is None:
            raise
        (code, message), params = _already_message(existing)
        raise refusal(code, message, field="reference", **params) from None


def payment_void(*, payment: Payment, reason: str, actor) -> Payment:
    """A mistaken entry voided with a reason: kept, never deleted, and no longer counted."""
    return _void(
        Payment,
        payment,
        reason,
        actor,
        missing=_("Say why the payment is voided."),
        already=_("This payment is already voided."),
    )


def _void(model, row, reason: str, actor, *, missing: str, already: str):
    """Void a payment or a payout: the school's admin, a reason, once (its row locked);
    the row stays, marked, and the ledger stops counting it."""
    access.require_school_admin(actor, row.school)
    problems = Problems()
    reason = _text(problems, reason, field="reason")
    if not reason:
        problems.add("reason_missing", missing, field="reason")
    problems.raise_if_any()
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=row.pk)
        if locked.voided_at is not None:
            raise refusal("already_voided", already)
        locked.voided_at = timezone.now()
        locked.voided_by = access.user_of(actor)
        locked.void_reason = reason
        locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
    return locked


# --------------------------------------------------------------------------- statements


@dataclass
class RowOutcome:
    row: int
    paid_on: dt.date
    amount_fen: int
    reference: str
    payer: str
    note: str
    status: str
    reason_code: str = ""
    reason: str = ""
    student: Student | None = None
    bill_pk: int | None = None


@dataclass
class StatementReport:
    school: School
    dry_run: bool
    file_name: str = ""
    problems: list[CellProblem] = field(default_factory=list)
    rows: list[RowOutcome] = field(default_factory=list)
    statement: Statement | None = None
    already_imported: Statement | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def matched(self) -> int:
        return self.count(StatementRow.Status.MATCHED)

    @property
    def unmatched_rows(self) -> list[RowOutcome]:
        return [r for r in self.rows if r.status == StatementRow.Status.UNMATCHED]

    @property
    def matched_fen(self) -> int:
        return sum(r.amount_fen for r in self.rows if r.status == StatementRow.Status.MATCHED)


def _matcher(school: School) -> tuple[Matcher, dict[int, Student]]:
    students = {s.pk: s for s in Student.objects.filter(school=school, is_active=True)}
    children = [ChildIn(s.pk, s.name, s.student_number) for s in students.values()]
    bills = [
        BillChoice(pk, student_id, total)
        for pk, student_id, total in Bill.objects.filter(
            school=school, total_fen__gt=0, student_id__in=students.keys()
        ).values_list("pk", "student_id", "total_fen")
    ]
    return Matcher(children, bills), students


def statement_import(
    *,
    school: School,
    data: bytes,
    file_name: str,
    channel: str,
    actor,
    dry_run: bool = False,
) -> StatementReport:
    """Read a statement, match each row, and record every matched row as a payment, all
    in one transaction. A dry run writes nothing and shows the same matching. The same
    file imported again records nothing (it is the statement already imported); rows of
    another file whose transaction numbers are recorded already are listed as such."""
    access.require_school_admin(actor, school)
    report = StatementReport(school=school, dry_run=dry_run, file_name=(file_name or "")[:200])
    problems = Problems()
    _check_channel(problems, channel)
    problems.raise_if_any()
    digest = hashlib.sha256(data or b"").hexdigest()
    earlier = Statement.objects.filter(school=school, sha256=digest).first()
    if earlier is not None:
        report.already_imported = earlier
        return report
    try:
        parsed = read_statement(data or b"", file_name=file_name or "", today=timezone.localdate())
    except StatementFileError as error:
        report.problems = [CellProblem(0, "", str(error))]
        return report
    if not parsed.ok:
        report.problems = parsed.problems
        return report
    matcher, students = _matcher(school)
    references = [line.reference for line in parsed.lines if line.reference]
    recorded = (
        {
            reference: (name, day)
            for reference, name, day in Payment.objects.filter(
                school=school, channel=channel, reference__in=references, voided_at__isnull=True
            ).values_list("reference", "student__name", "paid_on")
        }
        if references
        else {}
    )
    for line in parsed.lines:
        outcome = RowOutcome(
            row=line.row,
            paid_on=line.paid_on,
            amount_fen=line.amount_fen,
            reference=line.reference,
            payer=line.payer,
            note=line.note,
            status=StatementRow.Status.UNMATCHED,
        )
        report.rows.append(outcome)
        if line.outgoing:
            outcome.status = StatementRow.Status.OUTGOING
            outcome.reason_code = "outgoing"
            outcome.reason = _("money going out of the account: not a payment")
            continue
        if line.amount_fen == 0:
            outcome.reason_code = "amount_zero"
            outcome.reason = _("the amount is 0")
            continue
        if line.reference in recorded:
            name, day = recorded[line.reference]
            outcome.status = StatementRow.Status.DUPLICATE
            outcome.reason_code = "already_recorded"
            outcome.reason = _("already recorded: %(name)s, %(day)s") % {"name": name, "day": day}
            continue
        if not line.reference:
            outcome.reason_code = "no_reference"
            outcome.reason = _("no transaction number: match it by hand")
            continue
        found = matcher.match(
            amount_fen=line.amount_fen, payer=line.payer, note=line.note, reference=line.reference
        )
        if not found.matched:
            outcome.reason_code, outcome.reason = found.code, found.reason
            continue
        outcome.status = StatementRow.Status.MATCHED
        outcome.student = students[found.student_pk]
        outcome.bill_pk = found.bill_pk
    if dry_run:
        return report
    try:
        with transaction.atomic():
            report.statement = _write_statement(school, report, digest, channel, actor)
    except IntegrityError:
        # The same file, or the same transactions, recorded by someone else meanwhile.
        report.statement = None
        report.problems = [
            CellProblem(
                0,
                "",
                _(
                    "Some of these transactions were recorded while the file was being "
                    "read; nothing was imported. Import it again to see what is new."
                ),
            )
        ]
    return report


def _write_statement(school, report: StatementReport, digest: str, channel: str, actor):
    user = access.user_of(actor)
    statement = Statement.objects.create(
        school=school,
        channel=channel,
        file_name=report.file_name or "statement",
        sha256=digest,
        row_count=len(report.rows),
        uploaded_by=user,
    )
    rows = StatementRow.objects.bulk_create(
        [
            StatementRow(
                statement=statement,
                row_number=r.row,
                paid_on=r.paid_on,
                amount_fen=r.amount_fen,
                reference=r.reference[:200],
                payer=r.payer[:200],
                note=r.note[:200],
                status=r.status,
                reason_code=r.reason_code,
                reason=r.reason[:300],
                student=r.student,
                bill_id=r.bill_pk,
            )
            for r in report.rows
        ],
        batch_size=CHUNK,
    )
    payments = Payment.objects.bulk_create(
        [
            Payment(
                school=school,
                student_id=row.student_id,
                bill_id=row.bill_id,
                amount_fen=row.amount_fen,
                paid_on=row.paid_on,
                channel=channel,
                reference=row.reference,
                payer=row.payer,
                statement_row=row,
                recorded_by=user,
            )
            for row in rows
            if row.status == StatementRow.Status.MATCHED
        ],
        batch_size=CHUNK,
    )
    log_bulk_created(
        rows,
        actor=user,
        fields=["statement", "row_number", "amount_fen", "reference", "status", "student"],
    )
    log_bulk_created(
        payments,
        actor=user,
        fields=["student", "bill", "amount_fen", "paid_on", "channel", "reference"],
    )
    return statement


def statement_row_match(
    *, row: StatementRow, student: Student, bill: Bill | None = None, actor
) -> Payment:
    """The admin matches a row the import could not: it becomes the child's payment."""
    school = row.statement.school
    access.require_school_admin(actor, school)
    problems = Problems()
    if not isinstance(student, Student) or student.school_id != school.pk:
        problems.add(
            "student_of_another_school",
            _("%(name)s is not a child of this school."),
            field="student",
            name=getattr(student, "name", ""),
        )
    elif bill is not None and (not isinstance(bill, Bill) or bill.student_id != student.pk):
        problems.add(
            "bill_of_another_child",
            _("That bill is not %(name)s's."),
            field="bill",
            name=student.name,
        )
    problems.raise_if_any()
    channel = row.statement.channel
    try:
        with transaction.atomic():
            locked = StatementRow.objects.select_for_update().get(pk=row.pk)
            if locked.status != StatementRow.Status.UNMATCHED:
                raise refusal(
                    "row_not_open",
                    _("This row is %(status)s: only a row not matched can be matched."),
                    status=locked.get_status_display(),
                )
            existing = _already(school, channel, locked.reference)
            if existing is not None:
                (code, message), params = _already_message(existing)
                raise refusal(code, message, **params)
            payment = Payment.objects.create(
                school=school,
                student=student,
                bill=bill,
                amount_fen=locked.amount_fen,
                paid_on=locked.paid_on,
                channel=channel,
                reference=locked.reference,
                payer=locked.payer,
                statement_row=locked,
                recorded_by=access.user_of(actor),
            )
            locked.status = StatementRow.Status.MATCHED
            locked.student = student
            locked.bill = bill
            locked.reason_code = "by_hand"
            locked.reason = _("matched by hand")
            locked.save(update_fields=["status", "student", "bill", "reason_code", "reason"])
    except IntegrityError:
        raise refusal("already_recorded", _("This transaction is already recorded.")) from None
    return payment


# --------------------------------------------------------------------------- refunds paid back


def payout_record(
    *,
    refund: Refund,
    amount_fen: int,
    paid_on: dt.date,
    channel: str,
    reference: str = "",
    actor,
) -> Payout:
    """A refund paid back to the family: at most what is still open on it (what the family
    paid towards the bill beyond what the service delivered cost, less what was paid back;
    kehou.money.ledger)."""
    student = refund.student
    school = student.school
    access.require_school_admin(actor, school)
    problems = Problems()
    _check_amount(problems, amount_fen)
    _check_day(problems, paid_on)
    _check_channel(problems, channel)
    reference = _text(problems, reference, field="reference")
    problems.raise_if_any()
    with transaction.atomic():
        # One child's payouts at a time: the child's row is the lock.
        Student.objects.select_for_update().get(pk=student.pk)
        figures = ledger.child_figures(student)
        open_fen = figures.refund_open.get(refund.pk, 0)
        if amount_fen > open_fen:
            raise refusal(
                "more_than_refundable",
                _(
                    "At most %(open)s yuan of this refund can be paid back: only what was "
                    "paid beyond what the service delivered cost (%(paid)s yuan paid towards "
                    "the bill)."
                ),
                field="amount_fen",
                open=yuan_text(open_fen),
                paid=yuan_text(figures.paid_to_bill.get(refund.bill_id, 0)),
            )
        return Payout.objects.create(
            school=school,
            student=student,
            refund=refund,
            amount_fen=amount_fen,
            paid_on=paid_on,
            channel=channel,
            reference=reference,
            recorded_by=access.user_of(actor),
        )


def payout_void(*, payout: Payout, reason: str, actor) -> Payout:
    return _void(
        Payout,
        payout,
        reason,
        actor,
        missing=_("Say why it is voided."),
        already=_("This is already voided."),
    )
