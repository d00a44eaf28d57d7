"""What each child of a school is billed for a period, from the database (no writes).

Reads, in a fixed number of queries whatever the school's size: the term's sittings of the
school (with their cancellations), the applications in effect in the period, the children's
classes, the enrolments in agency-fee groups, long leaves, waivers. The arithmetic is
kehou.money.bills.

Which sittings bill what:
- the basic service: plan sittings of kind REGULAR and EVENING_STUDY of the child's grade
  on the weekdays the family chose (the weekday whose timetable runs, as rosters do), from
  the application's starts_on; after withdrawn_on they are "after leaving";
- extended care: EXTENDED_CARE sittings if the family asked for it, only where the region
  has a standard for extended care (without one it is not billed separately);
- an activity group's agency fee (Offering.fee_per_term, 代收费): its sittings from the
  enrolment's start; after its end "after leaving" (dropped, or left the service);
- boarders' evening service is not billed here (no standard names it).
The standard in force on the period's first day applies to the whole period.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from kehou import money
from kehou.billing.models import Covers, FeeStandard, Period, SittingCancellation, Waiver
from kehou.billing.selectors import NO_STANDARD_RULE, fee_standard_for
from kehou.core.errors import refusal
from kehou.enrollment.models import Application, Enrollment
from kehou.money import bills as arithmetic
from kehou.org.models import School, Student
from kehou.org.selectors import classes_in_year
from kehou.sittings.models import Sitting
from kehou.terms.models import Term

BASIC_KINDS = (Sitting.Kind.REGULAR, Sitting.Kind.EVENING_STUDY)
LOW_INCOME_TEXT = {
    Student.LowIncomeBasis.POVERTY_FILE: "家庭经济困难学生减免（建档立卡）",
    Student.LowIncomeBasis.DIBAO: "家庭经济困难学生减免（低保）",
}


def month_period(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


@dataclass(frozen=True)
class _Sit:
    pk: int
    date: dt.date
    kind: str
    weekday: int
    grade_from: int
    grade_to: int
    offering_id: int | None
    cancelled: bool
    minutes: int = 0


def no_standard_refusal():
    return refusal(
        "no_fee_standard",
        _(
            "No fee standard of the region is in force for this period, so nothing may be "
            "billed (001: %(rule)s). The bureau enters the standard first."
        ),
        rule=NO_STANDARD_RULE,
    )


def leave_threshold(school: School) -> int | None:
    """The profile's number of service days a leave must cover to be refunded (None = a
    leave is not refunded)."""
    from kehou.policy.selectors import profile_for_school, profile_rules

    profile = profile_for_school(school)
    if profile is None:
        return None
    rule = getattr(profile_rules(profile), "leave_refund_min_days", None)
    return None if rule is None or rule.value is None else int(rule.value)


def compute(
    school: School,
    term: Term,
    period: str,
    start: dt.date,
    end: dt.date,
    *,
    students: set[int] | None = None,
) -> tuple[dict[int, arithmetic.BillOut], dict[str, FeeStandard | None]]:
    """{student pk: their bill} for the period (children with nothing to bill are absent)
    and the standards used. Refuses (no_fee_standard) when no basic standard is in force."""
    basic = fee_standard_for(school, start, Covers.BASIC)
    if basic is None:
        raise no_standard_refusal()
    extended = fee_standard_for(school, start, Covers.EXTENDED_CARE)
    standards = {Covers.BASIC: basic, Covers.EXTENDED_CARE: extended}

    cancelled = set(
        SittingCancellation.objects.filter(sitting__school=school, sitting__term=term).values_list(
            "sitting_id", flat=True
        )
    )
    term_sits = [
        _Sit(pk, date, kind, weekday, lo, hi, offering_id, pk in cancelled, _minutes(a, b))
        for pk, date, kind, weekday, lo, hi, offering_id, a, b in Sitting.objects.filter(
            school=school, term=term
        )
        .order_by("date", "start", "pk")
        .values_list(
            "pk",
            "date",
            "kind",
            "timetable_weekday",
            "grade_from",
            "grade_to",
            "offering_id",
            "start",
            "end",
        )
    ]
    in_period = [s for s in term_sits if start <= s.date <= end]

    applications = Application.objects.filter(
        term=term,
        student__school=school,
        status__in=[Application.Status.APPROVED, Application.Status.WITHDRAWN],
        starts_on__isnull=False,
        starts_on__lte=end,
    ).exclude(withdrawn_on__lte=start)
    if students is not None:
        applications = applications.filter(student_id__in=students)
    apps = {a.student_id: a for a in applications.select_related("student")}

    fee_offerings = {s.offering_id for s in term_sits if s.offering_id}
    enrolments = (
        Enrollment.objects.filter(
            offering_id__in=fee_offerings,
            offering__fee_per_term__gt=0,
            starts_on__lte=end,
        )
        .exclude(ends_on__lte=start)
        .select_related("offering", "application")
        .order_by("starts_on", "pk")
    )
    if students is not None:
        enrolments = enrolments.filter(student_id__in=students)
    enrolments = [e for e in enrolments if e.ends_on is None or e.ends_on > e.starts_on]

    ids = set(apps) | {e.student_id for e in enrolments}
    people = {s.pk: s for s in Student.objects.filter(pk__in=ids - set(apps))}
    people.update({pk: a.student for pk, a in apps.items()})
    grades = {pk: c.grade for pk, c in classes_in_year(list(ids), term.school_year_id).items()}

    long_leave = _long_leave_days(school, ids, start, end, term_sits, apps, grades)
    waivers = {
        w.student_id: w
        for w in Waiver.objects.filter(term=term, student_id__in=ids, revoked_at__isnull=True)
    }

    sittings_of_offering = defaultdict(list)
    for s in term_sits:
        if s.offering_id:
            sittings_of_offering[s.offering_id].append(s)
    enrolments_of = defaultdict(list)
    for e in enrolments:
        enrolments_of[e.student_id].append(e)

    # The plan's sittings of a grade, by kind, picked once per grade rather than once per
    # child (a school of thousands bills in a fraction of a second).
    by_grade: dict[tuple, tuple[list[_Sit], list[_Sit]]] = {}

    def of_grade(grade: int, kinds: tuple) -> tuple[list[_Sit], list[_Sit]]:
        if (grade, kinds) not in by_grade:

            def wanted(s: _Sit) -> bool:
                return (
                    s.offering_id is None
                    and s.kind in kinds
                    and s.grade_from <= grade <= s.grade_to
                )

            by_grade[(grade, kinds)] = (
                [s for s in in_period if wanted(s)],
                [s for s in term_sits if wanted(s)],
            )
        return by_grade[(grade, kinds)]

    out: dict[int, arithmetic.BillOut] = {}
    for pk in sorted(ids):
        student = people[pk]
        specs: list[arithmetic.LineInput] = []
        app, grade = apps.get(pk), grades.get(pk)
        leave = long_leave.get(pk, set())
        if app is not None and grade is not None:
            specs.append(
                _plan_line("basic", "basic", basic, app, *of_grade(grade, BASIC_KINDS), leave)
            )
            if extended is not None and app.wants_extended_care:
                specs.append(
                    _plan_line(
                        "extended_care",
                        "extended_care",
                        extended,
                        app,
                        *of_grade(grade, (Sitting.Kind.EXTENDED_CARE,)),
                        leave,
                    )
                )
        specs.extend(_offering_lines(enrolments_of[pk], sittings_of_offering, start, end, leave))
        basis = ""
        if student.low_income_basis:
            basis = LOW_INCOME_TEXT.get(student.low_income_basis, "家庭经济困难学生减免")
        elif pk in waivers:
            basis = f"学校减免：{waivers[pk].reason}"
        result = arithmetic.bill([s for s in specs if s is not None], waiver_basis=basis)
        if result.lines:
            out[pk] = result
    return out, standards


def _minutes(start: dt.time, end: dt.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def _plan_line(key, kind, standard, app, period_sits, term_grade_sits, leave):
    """The line of one child for the plan's sittings of their grade (`period_sits` in the
    period, `term_grade_sits` in the term) under `standard`."""
    days = set(app.service_weekdays)
    seats = tuple(
        arithmetic.Seat(
            sitting=s.pk,
            date=s.date,
            cancelled=s.cancelled,
            after_leaving=app.withdrawn_on is not None and s.date >= app.withdrawn_on,
            on_long_leave=s.date in leave,
            hours=Fraction(s.minutes, standard.class_hour_minutes),
        )
        for s in period_sits
        if s.weekday in days and s.date >= app.starts_on
    )
    unit, unit_fen, full = standard.unit, standard.amount_fen, 0
    if unit == arithmetic.MONTH:
        months = len({(s.date.year, s.date.month) for s in period_sits})
        unit_fen, full = standard.amount_fen * max(months, 1), len(period_sits)
    elif unit == arithmetic.TERM:
        full = len(term_grade_sits)
    return arithmetic.LineInput(
        key=key,
        kind=kind,
        description=standard.document,
        unit=unit,
        unit_fen=unit_fen,
        seats=seats,
        full_units=full,
        standard=standard.pk,
    )


def _offering_lines(enrolments, sittings_of_offering, start, end, leave):
    by_offering: dict[int, dict[int, arithmetic.Seat]] = defaultdict(dict)
    offering, reason = {}, {}
    for e in enrolments:
        offering[e.offering_id] = e.offering
        left_service = (
            e.application is not None
            and e.application.withdrawn_on is not None
            and e.ends_on is not None
            and e.ends_on >= e.application.withdrawn_on
        )
        reason[e.offering_id] = arithmetic.WITHDRAWAL if left_service else arithmetic.DROPPED
        for s in sittings_of_offering[e.offering_id]:
            if not (start <= s.date <= end) or s.date < e.starts_on:
                continue
            seat = arithmetic.Seat(
                sitting=s.pk,
                date=s.date,
                cancelled=s.cancelled,
                after_leaving=e.ends_on is not None and s.date >= e.ends_on,
                on_long_leave=s.date in leave,
            )
            known = by_offering[e.offering_id].get(s.pk)
            if known is None or (seat.delivered and not known.delivered):
                by_offering[e.offering_id][s.pk] = seat
    lines = []
    for offering_id, seats in sorted(by_offering.items()):
        o = offering[offering_id]
        lines.append(
            arithmetic.LineInput(
                key=f"offering:{offering_id}",
                kind="offering",
                description=o.name or str(o),
                unit=arithmetic.TERM,
                unit_fen=money.fen_of(o.fee_per_term),
                seats=tuple(seats.values()),
                full_units=len(sittings_of_offering[offering_id]),
                leaving_reason=reason[offering_id],
                offering=offering_id,
            )
        )
    return lines


def _long_leave_days(school, ids, start, end, term_sits, apps, grades) -> dict[int, set]:
    """{student: the dates of their leaves that cover at least the profile's number of
    service days}; empty when the profile sets no threshold."""
    threshold = leave_threshold(school)
    if threshold is None or not ids:
        return {}
    from kehou.attendance.models import LeaveRequest

    service_dates = sorted({s.date for s in term_sits})
    found: dict[int, set] = defaultdict(set)
    for leave in LeaveRequest.objects.filter(
        student_id__in=ids,
        status=LeaveRequest.Status.FILED,
        first_day__lte=end,
        last_day__gte=start,
    ):
        app = apps.get(leave.student_id)
        days = set(app.service_weekdays) if app else set(range(7))
        covered = {
            d
            for d in service_dates
            if leave.first_day <= d <= leave.last_day and d.weekday() in days
        }
        if len(covered) >= threshold:
            found[leave.student_id] |= covered
    return found


__all__ = ["Period", "compute", "month_period", "no_standard_refusal", "leave_threshold"]
