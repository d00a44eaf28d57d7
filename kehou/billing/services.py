"""Writes of fees and bills. Each checks the actor's scope first (kehou.org.access),
validates everything, then writes in one transaction.

The bill run: `bill_run_start` (the school admin, after confirming) queues a `BillRun`;
the worker's `bill_run_execute` computes every child's bill of the period
(kehou.billing.compute) and writes them in one transaction, all or nothing, renewing the
run's lease while it works. A re-run finds each bill by child and period: unchanged data
changes nothing (same digest); changed data updates the bill in place (its version goes
up) and the run lists what changed. Bills are never deleted: a child with nothing left to
bill keeps a bill of 0 (families may have paid it; the ledger shows the difference).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehou import money
from kehou.billing import compute
from kehou.billing.models import (
    Bill,
    BillLine,
    BillRun,
    Covers,
    FeeStandard,
    Period,
    Refund,
    SittingCancellation,
    Waiver,
)
from kehou.billing.selectors import may_enter_standard
from kehou.core import leases
from kehou.core.errors import Problems, items, refusal
from kehou.org import access
from kehou.org.audit import log_bulk_created
from kehou.org.models import Region, School, Student
from kehou.sittings.models import Sitting
from kehou.terms.models import Term

QUEUE_PATIENCE = dt.timedelta(minutes=10)


# --------------------------------------------------------------------------- standards


def fee_standard_enter(
    *,
    region: Region,
    covers: str,
    funding_mode: str,
    unit: str,
    amount_yuan,
    document_title: str,
    valid_from: dt.date | None,
    subsidy_yuan=0,
    document_number: str = "",
    document_date: dt.date | None = None,
    valid_until: dt.date | None = None,
    class_hour_minutes=40,
    actor,
) -> FeeStandard:
    """A new standard of the region (a change is a new row; earlier rows are its history).
    `class_hour_minutes`: how long one class-hour (课时) of the standard is, 10 to 120."""
    if not may_enter_standard(actor, region):
        raise access.OutOfScope
    problems = Problems()
    if covers not in Covers.values:
        problems.add("bad_covers", _("Choose what the standard covers."), field="covers")
    if funding_mode not in FeeStandard.FundingMode.values:
        problems.add("bad_funding_mode", _("Choose the funding mode."), field="funding_mode")
    if unit not in FeeStandard.Unit.values:
        problems.add("bad_unit", _("Choose the fee unit."), field="unit")
    amounts = {}
    for name, value in (("amount_yuan", amount_yuan), ("subsidy_yuan", subsidy_yuan or 0)):
        try:
            amounts[name] = money.fen_of(value if value not in (None, "") else 0)
        except money.MoneyError:
            problems.add(
                "bad_amount", _("An amount in yuan with at most two decimals."), field=name
            )
            continue
        if amounts[name] < 0:
            problems.add("negative_amount", _("An amount is not negative."), field=name)
    if funding_mode == FeeStandard.FundingMode.FULL_SUBSIDY and amounts.get("amount_yuan", 0) > 0:
        problems.add(
            "fee_under_full_subsidy",
            _("Under full fiscal subsidy families pay nothing: the fee is 0."),
            field="amount_yuan",
        )
    if not (document_title or "").strip():
        problems.add(
            "document_required",
            _("Name the document that set the standard."),
            field="document_title",
        )
    try:
        class_hour_minutes = int(str(class_hour_minutes).strip())
    except ValueError:
        class_hour_minutes = 0
    if not 10 <= class_hour_minutes <= 120:
        problems.add(
            "bad_class_hour_minutes",
            _("A class-hour is 10 to 120 minutes."),
            field="class_hour_minutes",
        )
    if valid_from is None:
        problems.add("valid_from_required", _("Say from when it is valid."), field="valid_from")
    elif valid_until is not None and valid_until < valid_from:
        problems.add(
            "valid_until_before_from",
            _("It cannot end before it begins."),
            field="valid_until",
        )
    problems.raise_if_any()
    with transaction.atomic():
        return FeeStandard.objects.create(
            region=region,
            covers=covers,
            funding_mode=funding_mode,
            unit=unit,
            amount_fen=amounts["amount_yuan"],
            subsidy_fen=amounts["subsidy_yuan"],
            class_hour_minutes=class_hour_minutes,
            document_title=document_title.strip(),
            document_number=(document_number or "").strip(),
            document_date=document_date,
            valid_from=valid_from,
            valid_until=valid_until,
            entered_by=access.user_of(actor),
        )


# --------------------------------------------------------------------------- cancellations


def sitting_cancel(*, sitting: Sitting, reason: str, actor) -> SittingCancellation:
    """Record that a sitting did not run (weather, a moved holiday); the next bill run of
    its period does not bill it, and refunds it where it was billed at a flat rate."""
    sitting = Sitting.objects.select_related("school").get(pk=sitting.pk)
    access.require_school_admin(actor, sitting.school)
    reason = (reason or "").strip()
    problems = Problems()
    if not reason:
        problems.add("reason_required", _("Give the reason."), field="reason")
    if sitting.has_attendance:
        problems.add(
            "sitting_ran",
            _("The roll of this sitting was taken: it ran, and cannot be cancelled."),
        )
    if SittingCancellation.objects.filter(sitting=sitting).exists():
        problems.add("already_cancelled", _("This sitting is already cancelled."))
    problems.raise_if_any()
    with transaction.atomic():
        return SittingCancellation.objects.create(
            sitting=sitting, reason=reason[:200], cancelled_by=access.user_of(actor)
        )


def sitting_cancellation_revoke(*, cancellation: SittingCancellation, actor) -> None:
    """The sitting ran after all (recorded by mistake): the next bill run bills it again."""
    cancellation = SittingCancellation.objects.select_related("sitting__school").get(
        pk=cancellation.pk
    )
    access.require_school_admin(actor, cancellation.sitting.school)
    with transaction.atomic():
        cancellation.delete()


# --------------------------------------------------------------------------- waivers


def waiver_record(*, student: Student, term: Term, reason: str, actor) -> Waiver:
    """A waiver of the child's bills of the term, with a reason; the child's bills of the
    term already made are zeroed at once (each a new version)."""
    student = Student.objects.select_related("school").get(pk=student.pk)
    access.require_school_admin(actor, student.school)
    reason = (reason or "").strip()
    problems = Problems()
    if not reason:
        problems.add("reason_required", _("Give the reason for the waiver."), field="reason")
    if Waiver.objects.filter(student=student, term=term, revoked_at__isnull=True).exists():
        problems.add("already_waived", _("The child already has a waiver for this term."))
    problems.raise_if_any()
    with transaction.atomic():
        waiver = Waiver.objects.create(
            school=student.school,
            student=student,
            term=term,
            reason=reason[:200],
            recorded_by=access.user_of(actor),
        )
        _rebill_child(student, term, actor=actor)
    return waiver


def waiver_revoke(*, waiver: Waiver, reason: str, actor) -> Waiver:
    waiver = Waiver.objects.select_related("school", "student", "term").get(pk=waiver.pk)
    access.require_school_admin(actor, waiver.school)
    reason = (reason or "").strip()
    problems = Problems()
    if not reason:
        problems.add("reason_required", _("Give the reason for revoking."), field="reason")
    if not waiver.is_live:
        problems.add("already_revoked", _("This waiver is already revoked."))
    problems.raise_if_any()
    with transaction.atomic():
        waiver.revoked_at = timezone.now()
        waiver.revoked_by = access.user_of(actor)
        waiver.revoke_reason = reason[:200]
        waiver.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        _rebill_child(waiver.student, waiver.term, actor=actor)
    return waiver


def _rebill_child(student: Student, term: Term, *, actor) -> None:
    """Recompute the child's existing bills of the term (inside the caller's transaction).
    A period whose standard is gone keeps its bill as it is."""
    periods = (
        Bill.objects.filter(student=student, term=term)
        .values_list("period", "period_start", "period_end")
        .distinct()
    )
    for period, start, end in periods:
        try:
            computed, _standards = compute.compute(
                student.school, term, period, start, end, students={student.pk}
            )
        except ValidationError:
            continue
        _write_bills(
            student.school,
            term,
            period,
            start,
            end,
            computed,
            run=None,
            actor=actor,
            only={student.pk},
        )


# --------------------------------------------------------------------------- the bill run


def period_bounds(term: Term, period: str, month: dt.date | None) -> tuple[dt.date, dt.date]:
    if period == Period.TERM:
        return term.start, term.end
    if month is None:
        raise refusal("month_required", _("Choose the month."), field="month")
    start, end = compute.month_period(month)
    if end < term.start or start > term.end:
        raise refusal("month_outside_term", _("That month is not in the term."), field="month")
    return start, end


def bill_run_start(
    *,
    school: School,
    term: Term,
    period: str,
    month: dt.date | None = None,
    confirmed: bool = False,
    in_background: bool = True,
    actor,
) -> BillRun:
    """Check and queue a bill run for the worker (or, without `in_background`, for the
    caller to execute). Refused without a fee standard in force (001), while another run of
    the school is alive, and when the term is already billed by the other kind of period
    (a child is billed by month or by term, not both)."""
    from kehou.billing.tasks import bill_run_task

    access.require_school_admin(actor, school)
    if period not in Period.values:
        raise refusal("bad_period", _("Choose a month or the term."), field="period")
    start, end = period_bounds(term, period, month)
    if not confirmed:
        raise refusal(
            "confirmation_required",
            _("Running the bills changes what families owe: confirm it first."),
        )
    from kehou.billing.selectors import fee_standard_for

    if fee_standard_for(school, start, Covers.BASIC) is None:
        raise compute.no_standard_refusal()
    other = Period.MONTH if period == Period.TERM else Period.TERM
    if Bill.objects.filter(school=school, term=term, period=other).exists():
        raise refusal(
            "period_kind_mismatch",
            _("This term is billed by %(kind)s already: run the bills by the same period."),
            kind=Period(other).label,
        )
    with transaction.atomic():
        School.objects.select_for_update().filter(pk=school.pk).first()
        runs_reap(school=school)
        if any(r.is_live for r in BillRun.objects.filter(school=school, status__in=BillRun.LIVE)):
            raise refusal("run_in_progress", _("A bill run of this school is in progress."))
        run = BillRun.objects.create(
            school=school,
            term=term,
            period=period,
            period_start=start,
            period_end=end,
            started_by=access.user_of(actor),
            lease_until=leases.lease_end(lease=QUEUE_PATIENCE),
        )

        def enqueue(run_id=run.pk) -> None:
            result = bill_run_task.enqueue(run_id)
            BillRun.objects.filter(pk=run_id).update(task_id=str(result.id))

        if in_background:
            transaction.on_commit(enqueue)
    return run


def bill_run(*, school, term, period, month=None, confirmed=False, actor) -> BillRun:
    """Start a run and execute it here and now (a command, the benchmark)."""
    run = bill_run_start(
        school=school,
        term=term,
        period=period,
        month=month,
        confirmed=confirmed,
        in_background=False,
        actor=actor,
    )
    return bill_run_execute(run_id=run.pk)


def runs_reap(*, school: School | None = None) -> int:
    """Runs whose lease lapsed without a result were interrupted: they wrote nothing."""
    lapsed = BillRun.objects.filter(status__in=BillRun.LIVE, lease_until__lt=timezone.now())
    if school is not None:
        lapsed = lapsed.filter(school=school)
    return lapsed.update(
        status=BillRun.Status.FAILED,
        finished_at=timezone.now(),
        error=_("The background worker stopped before the run finished; nothing was written."),
    )


def _claim(run_id: int) -> BillRun | None:
    claimed = BillRun.objects.filter(pk=run_id, status=BillRun.Status.QUEUED).update(
        status=BillRun.Status.RUNNING, lease_until=leases.lease_end()
    )
    return BillRun.objects.select_related("school", "term").get(pk=run_id) if claimed else None


def bill_run_execute(*, run_id: int) -> BillRun:
    """Execute a queued run (in the worker): all of it or nothing. A refusal (no standard)
    is recorded as REFUSED with its reason; a failure as FAILED, nothing written."""
    run = _claim(run_id)
    if run is None:
        return BillRun.objects.get(pk=run_id)
    try:
        with leases.renewing(BillRun.objects.filter(pk=run.pk)):
            with transaction.atomic():
                computed, _standards = compute.compute(
                    run.school, run.term, run.period, run.period_start, run.period_end
                )
                summary, changes = _write_bills(
                    run.school,
                    run.term,
                    run.period,
                    run.period_start,
                    run.period_end,
                    computed,
                    run=run,
                    actor=run.started_by,
                )
                run.status = BillRun.Status.DONE
                run.summary, run.changes = summary, changes
                run.finished_at = timezone.now()
                run.save(update_fields=["status", "summary", "changes", "finished_at"])
        return run
    except ValidationError as exc:
        found = items(exc)
        BillRun.objects.filter(pk=run.pk).update(
            status=BillRun.Status.REFUSED,
            refusal_code=found[0].code if found else "",
            refusal_message="; ".join(i.message for i in found)[:2000],
            finished_at=timezone.now(),
        )
        return BillRun.objects.get(pk=run.pk)
    except Exception as exc:
        BillRun.objects.filter(pk=run.pk).update(
            status=BillRun.Status.FAILED,
            error=repr(exc)[:2000],
            finished_at=timezone.now(),
        )
        raise


def _digest(out) -> str:
    return hashlib.sha256(repr(out.digest_parts()).encode()).hexdigest()


_EMPTY = None


def _empty_bill():
    from kehou.money.bills import BillOut

    return BillOut((), 0, 0, False, "")


def _write_bills(
    school, term, period, start, end, computed, *, run, actor, only: set[int] | None = None
) -> tuple[dict, list]:
    """Write the computed bills of the period (inside the caller's transaction): create
    the new ones in bulk, update the changed ones in place (version + 1), leave the
    unchanged ones alone. Returns the run's summary and its list of changes."""
    existing_qs = Bill.objects.filter(
        school=school, term=term, period=period, period_start=start
    ).select_related("student")
    if only is not None:
        existing_qs = existing_qs.filter(student_id__in=only)
    existing = {b.student_id: b for b in existing_qs}
    now = timezone.now()
    created: list[Bill] = []
    new_outs: list[tuple[Bill, object]] = []
    changes, unchanged, updated = [], 0, 0
    # The children themselves, not only their names: a new bill's name in the audit log
    # (Bill.__str__) reads its student, which must not be one query per bill.
    people = {s.pk: s for s in Student.objects.filter(pk__in=set(computed))}
    names = {pk: s.name for pk, s in people.items()}
    for student_id in sorted(set(computed) | set(existing)):
        out = computed.get(student_id) or _empty_bill()
        digest = _digest(out)
        bill = existing.get(student_id)
        if bill is None:
            bill = Bill(
                school=school,
                student=people[student_id],
                term=term,
                period=period,
                period_start=start,
                period_end=end,
                total_fen=out.total_fen,
                charged_fen=out.charged_fen,
                waived=out.waived,
                waiver_basis=out.waiver_basis[:200],
                digest=digest,
                run=run,
                created_at=now,
                updated_at=now,
            )
            created.append(bill)
            new_outs.append((bill, out))
            continue
        if bill.digest == digest:
            unchanged += 1
            continue
        before = bill.total_fen
        bill.total_fen, bill.charged_fen = out.total_fen, out.charged_fen
        bill.waived, bill.waiver_basis = out.waived, out.waiver_basis[:200]
        bill.digest, bill.version, bill.updated_at = digest, bill.version + 1, now
        if run is not None:
            bill.run = run
        bill.save()  # audited by auditlog
        _sync_lines(bill, out, now)
        updated += 1
        changes.append(
            {
                "student": bill.student.name,
                "bill": bill.pk,
                "from_fen": before,
                "to_fen": bill.total_fen,
                "version": bill.version,
            }
        )
    if created:
        Bill.objects.bulk_create(created)
        if not created[0].pk:  # backends that do not return keys from a bulk insert
            keyed = {
                b.student_id: b
                for b in Bill.objects.filter(
                    school=school, term=term, period=period, period_start=start
                )
            }
            for bill in created:
                bill.pk = keyed[bill.student_id].pk
        log_bulk_created(
            created, actor=actor, fields=["student", "period_start", "total_fen", "waived"]
        )
        lines, refunds = [], []
        for bill, out in new_outs:
            lines.extend(_line_rows(bill, out))
            refunds.extend(_refund_rows(bill, out, now))
        BillLine.objects.bulk_create(lines)
        Refund.objects.bulk_create(refunds)
        if refunds:
            log_bulk_created(
                refunds, actor=actor, fields=["bill", "reason", "amount_fen", "undelivered_units"]
            )
        for bill in created:
            changes.append(
                {
                    "student": names.get(bill.student_id, ""),
                    "bill": bill.pk,
                    "from_fen": None,
                    "to_fen": bill.total_fen,
                    "version": 1,
                }
            )
    summary = {
        "bills": len(computed) + sum(1 for s in existing if s not in computed),
        "created": len(created),
        "updated": updated,
        "unchanged": unchanged,
        "total_fen": sum(o.total_fen for o in computed.values()),
        "waived": sum(1 for o in computed.values() if o.waived),
        "refund_fen": sum(r.amount_fen for o in computed.values() for r in o.refunds),
    }
    return summary, changes


def _line_rows(bill: Bill, out) -> list[BillLine]:
    return [
        BillLine(
            bill=bill,
            key=ln.key,
            kind=ln.kind,
            position=i,
            description=ln.description[:200],
            unit=ln.unit,
            units=ln.units,
            unit_fen=ln.unit_fen,
            amount_fen=ln.amount_fen,
            arithmetic=ln.arithmetic[:300],
            standard_id=ln.standard,
            offering_id=ln.offering,
            sittings=list(ln.sittings),
            dates=list(ln.dates),
        )
        for i, ln in enumerate(out.lines)
    ]


def _refund_rows(bill: Bill, out, now) -> list[Refund]:
    return [
        Refund(
            bill=bill,
            student_id=bill.student_id,
            line_key=r.line_key,
            reason=r.reason,
            unit=r.unit,
            billed_fen=r.billed_fen,
            billed_units=r.billed_units,
            undelivered_units=r.undelivered_units,
            amount_fen=r.amount_fen,
            arithmetic=r.arithmetic[:300],
            sittings=list(r.sittings),
            dates=list(r.dates),
            created_at=now,
            updated_at=now,
        )
        for r in out.refunds
    ]


def _sync_lines(bill: Bill, out, now) -> None:
    """Replace the bill's lines by the new ones (lines are its detail, nobody points at
    them) and update its refunds in place by (line, reason): a refund no longer due is set
    to 0, never deleted, since the ledger may have paid it."""
    bill.lines.all().delete()
    BillLine.objects.bulk_create(_line_rows(bill, out))
    known = {(r.line_key, r.reason): r for r in bill.refunds.all()}
    fresh = {(r.line_key, r.reason): r for r in _refund_rows(bill, out, now)}
    for key, row in fresh.items():
        old = known.get(key)
        if old is None:
            row.save()
            continue
        for name in (
            "unit",
            "billed_fen",
            "billed_units",
            "undelivered_units",
            "amount_fen",
            "arithmetic",
            "sittings",
            "dates",
        ):
            setattr(old, name, getattr(row, name))
        old.updated_at = now
        old.save()
    for key, old in known.items():
        if key not in fresh and old.amount_fen:
            old.amount_fen, old.undelivered_units = 0, Decimal(0)
            old.arithmetic, old.updated_at = "", now
            old.save()
