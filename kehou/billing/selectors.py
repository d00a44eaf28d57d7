"""Reads of fees and bills, scoped through kehou.org.access (a 404 outside the scope).

Others call: `fee_standard_for(school, day, covers=...)` (the payroll budget),
`bills_of_child` / `billed_total` / `refunds_due_of_child` (the payments ledger).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.http import Http404

from kehou.accounts.models import User
from kehou.billing.models import Bill, BillLine, BillRun, Covers, FeeStandard, Refund, Waiver
from kehou.org import access
from kehou.org.models import Region, School, Student
from kehou.org.selectors import classes_in_year

NO_STANDARD_RULE = "课后服务收费标准未出台之前，学校不得向学生收取课后服务费"  # 001


def _region_codes(region: Region) -> list[str]:
    """The codes from `region` up to the root, nearest first."""
    return [code for code in region.path.split("/") if code][::-1]


def fee_standard_for(
    school: School, day: dt.date, covers: str = Covers.BASIC
) -> FeeStandard | None:
    """The standard that applies to `school` on `day` for what it `covers`: the nearest
    region up the chain that has one in force that day; within a region the one in force
    from the latest date (a change is a new row), the newest row on a tie. None = no
    standard: nothing may be billed for it (001)."""
    codes = _region_codes(school.region)
    rows = (
        FeeStandard.objects.filter(region__code__in=codes, covers=covers, valid_from__lte=day)
        .exclude(valid_until__lt=day)
        .select_related("region")
        .order_by("-valid_from", "-pk")
    )
    best: dict[str, FeeStandard] = {}
    for row in rows:
        best.setdefault(row.region.code, row)
    for code in codes:
        if code in best:
            return best[code]
    return None


def fee_standards_of_region(user: User, region: Region) -> QuerySet[FeeStandard]:
    """Every row (the history) of the region's standards, for its bureau officer and the
    officers above it."""
    if not access.may_oversee(user, region):
        raise Http404
    return FeeStandard.objects.filter(region=region).select_related("entered_by")


def may_enter_standard(user: User, region: Region) -> bool:
    """The bureau officer of that region (or a superuser)."""
    if not access.is_acting(user):
        return False
    return user.is_superuser or (user.role == User.Role.BUREAU and user.region_id == region.pk)


# --------------------------------------------------------------------------- school side


def school_for_money(user: User, pk: int) -> School:
    """A school whose money pages `user` may read: its admin, or the bureau above it."""
    school = access.access_school(user, pk)
    if not (access.may_manage_school(user, school) or access.may_oversee(user, school.region)):
        raise Http404
    return school


def runs_of_school(school: School) -> QuerySet[BillRun]:
    return BillRun.objects.filter(school=school).select_related("term", "started_by")


def run_of(user: User, pk: int) -> BillRun:
    run = BillRun.objects.select_related("school", "term").filter(pk=pk).first()
    if run is None:
        raise Http404
    school_for_money(user, run.school_id)
    return run


def periods_of_school(school: School) -> list[dict]:
    """The periods that have bills, newest first, with their counts and totals."""
    return list(
        Bill.objects.filter(school=school)
        .values("term_id", "period", "period_start", "period_end")
        .annotate(bills=Count("pk"), total=Sum("total_fen"))
        .order_by("-period_start", "period")
    )


def bills_of_period(
    school: School, *, term_id: int, period: str, period_start: dt.date
) -> list[tuple[object, list[Bill]]]:
    """The bills of one period by class (class, bills), in a fixed number of queries."""
    bills = list(
        Bill.objects.filter(
            school=school, term_id=term_id, period=period, period_start=period_start
        )
        .select_related("student", "term")
        .annotate(refund_fen=Sum("refunds__amount_fen"))
        .order_by("student__name", "pk")
    )
    if not bills:
        return []
    classes = classes_in_year([b.student_id for b in bills], bills[0].term.school_year_id)
    grouped: dict[object, list[Bill]] = {}
    for b in bills:
        grouped.setdefault(classes.get(b.student_id), []).append(b)
    return sorted(
        grouped.items(), key=lambda kv: (kv[0] is None, kv[0] and (kv[0].grade, kv[0].number))
    )


def bill_of(user: User, pk: int) -> Bill:
    """One bill with its lines and refunds: the school's admin, the bureau above it, or a
    guardian of the child."""
    bill = (
        Bill.objects.select_related("student", "school__region", "term")
        .prefetch_related(
            Prefetch("lines", queryset=BillLine.objects.select_related("standard", "offering")),
            "refunds",
        )
        .filter(pk=pk)
        .first()
    )
    if bill is None or not may_read_bill(user, bill):
        raise Http404
    return bill


def may_read_bill(user: User, bill: Bill) -> bool:
    if access.may_manage_school(user, bill.school) or access.may_oversee(user, bill.school.region):
        return True
    return access.guardian_record(user, bill.student) is not None


def waivers_of_school(school: School) -> QuerySet[Waiver]:
    return Waiver.objects.filter(school=school).select_related("student", "term", "recorded_by")


def refunds_of_school(school: School) -> QuerySet[Refund]:
    return (
        Refund.objects.filter(bill__school=school, amount_fen__gt=0)
        .select_related("student", "bill")
        .order_by("-bill__period_start", "student__name")
    )


# --------------------------------------------------------------------------- families


def bills_for_guardian(user: User) -> list[tuple[Student, list[Bill]]]:
    """The user's own children and their bills, newest first, with lines and refunds."""
    if not access.is_acting(user) or user.role != User.Role.GUARDIAN:
        raise Http404
    children = list(access.students_for(user).order_by("name", "pk"))
    bills = (
        Bill.objects.filter(student__in=children)
        .prefetch_related("lines", "refunds")
        .order_by("-period_start", "pk")
    )
    by_child: dict[int, list[Bill]] = {}
    for b in bills:
        by_child.setdefault(b.student_id, []).append(b)
    return [(c, by_child.get(c.pk, [])) for c in children]


# --------------------------------------------------------------------------- for the ledger


def bills_of_child(student: Student, *, term=None) -> QuerySet[Bill]:
    """A child's bills (unscoped: the caller has scoped the child), oldest first."""
    bills = Bill.objects.filter(student=student).order_by("period_start", "pk")
    return bills.filter(term=term) if term is not None else bills


def billed_total(student: Student, *, term=None) -> int:
    """What the child's bills come to, in fen (waived bills count 0)."""
    return bills_of_child(student, term=term).aggregate(t=Sum("total_fen"))["t"] or 0


def billed_totals(student_ids, *, term=None) -> dict[int, int]:
    """{student pk: billed fen} for many children in one query."""
    bills = Bill.objects.filter(student_id__in=list(student_ids))
    if term is not None:
        bills = bills.filter(term=term)
    return dict(
        bills.values("student_id").annotate(t=Sum("total_fen")).values_list("student_id", "t")
    )


def refunds_due_of_child(student: Student) -> QuerySet[Refund]:
    """The refunds due on the child's bills (before the ledger caps them by what was paid:
    `Refund.within(paid)`)."""
    return Refund.objects.filter(student=student, amount_fen__gt=0).select_related("bill")
