"""Reads of staff pay (R19), scoped through kehou.org.access; `access_*` raise Http404
outside the scope. A GET never writes.

Who sees what:
- a school's admin: its rates, its pay sheets, every line and the sittings behind it, and
  its term budget;
- a bureau officer: the term budget of each school of their region (not the pay sheets,
  which name people's pay);
- a teacher (a school teacher or an external instructor with a login): their own hours
  and pay, month by month; nobody else's.

`month_pay(school, month)` is the one computation of a month's pay: the pay sheet
(kehou.payroll.services.pay_sheet_compute) stores it, and a teacher's own page reads it
live until their school's sheet for the month is final.

What counts (kehou.money.pay.work_of): a sitting counts for the person it names
responsible (Sitting.responsible) — or, at a plan sitting that names nobody (its roll is
taken class by class), for each adult who had children in their custody there — once it
has run (its day has passed, or today after
its end) and unless the school cancelled it (kehou.billing SittingCancellation). A sitting
of the plan (the basic service, extended care, evening study, the boarders' evening) is
homework tutoring (作业辅导); an activity group of the club or interest-group category is
a club session (社团活动); one of homework, tutoring, evening study or extended care is
homework tutoring; every other activity group is class-hours (课时). Each duty day
(custody.Duty) that has come is a duty day (值班).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehou import money
from kehou.accounts.models import User
from kehou.core.errors import refusal
from kehou.custody.models import Custody, Duty
from kehou.lib.months import first_of, month_end
from kehou.money import pay
from kehou.org import access
from kehou.org.models import School, Staff
from kehou.payroll.models import PayItem, PayLine, PayRates, PaySheet
from kehou.policy.selectors import profile_for_school, profile_rules
from kehou.policy_rules.documents import document_name
from kehou.sittings.models import Sitting

# --------------------------------------------------------------------------- scope


def may_manage_pay(user, school: School) -> bool:
    return access.may_manage_school(user, school)


def access_school_pay(user: User, school_pk: int) -> School:
    """The school whose rates and pay sheets `user` manages (its admin); 404 otherwise."""
    school = access.access_school(user, school_pk)
    if not may_manage_pay(user, school):
        raise Http404
    return school


def access_school_budget(user: User, school_pk: int) -> School:
    """The school whose term budget `user` reads: its admin, or a bureau officer above it."""
    school = access.access_school(user, school_pk)
    if may_manage_pay(user, school) or access.may_oversee(user, school.region):
        return school
    raise Http404


def access_sheet(user: User, pk: int) -> PaySheet:
    sheet = PaySheet.objects.select_related("school").filter(pk=pk).first()
    if sheet is None or not may_manage_pay(user, sheet.school):
        raise Http404
    return sheet


def access_line(user: User, pk: int) -> PayLine:
    line = PayLine.objects.select_related("sheet__school", "staff").filter(pk=pk).first()
    if line is None or not may_manage_pay(user, line.sheet.school):
        raise Http404
    return line


def own_staff(user) -> Staff:
    """The teacher's own staff record (a teacher login without one has no pay page)."""
    staff = access.instructor_record(user)
    if staff is None or not access.is_acting(user):
        raise Http404
    return staff


def budget_schools(user: User) -> QuerySet[School]:
    """The schools whose budgets a bureau officer reads."""
    if user.is_authenticated and (user.is_superuser or user.role == User.Role.BUREAU):
        return access.schools_for(user).select_related("region").order_by("region__path", "name")
    return School.objects.none()


# --------------------------------------------------------------------------- the floor


@dataclass(frozen=True)
class Floor:
    fen: int | None
    source: str = ""  # the document's name
    quote: str = ""

    @property
    def text(self) -> str:
        return f"{self.source}：“{self.quote}”" if self.source else ""


def floor_of(school: School) -> Floor:
    """The profile's floor per class-hour, with the rule's document and quoted sentence."""
    profile = profile_for_school(school)
    if profile is None:
        return Floor(None)
    rule = profile_rules(profile).pay_floor_per_class_hour
    if rule is None:
        return Floor(None)
    return Floor(money.fen_of(rule.value), document_name(rule.cite), rule.cite.quote)


# --------------------------------------------------------------------------- rates


def rates_history(school: School) -> list[PayRates]:
    return list(PayRates.objects.filter(school=school).select_related("set_by"))


def as_rates(row: PayRates) -> pay.Rates:
    return pay.Rates(
        per_class_hour=row.per_class_hour_fen,
        per_tutoring_hour=row.per_tutoring_hour_fen,
        per_club_session=row.per_club_session_fen,
        per_duty_day=row.per_duty_day_fen,
        class_hour_minutes=row.class_hour_minutes,
    )


class RatesByDay:
    """The school's rates in effect on each day (the newest row from on or before it)."""

    def __init__(self, rows) -> None:
        self.rows = sorted(rows, key=lambda r: r.effective_from)
        self.days = [r.effective_from for r in self.rows]
        self._values = [as_rates(r) for r in self.rows]

    def row_on(self, day: dt.date) -> PayRates | None:
        index = bisect.bisect_right(self.days, day) - 1
        return self.rows[index] if index >= 0 else None

    def on(self, day: dt.date) -> pay.Rates | None:
        index = bisect.bisect_right(self.days, day) - 1
        return self._values[index] if index >= 0 else None


def rates_on(school: School, day: dt.date) -> PayRates | None:
    return PayRates.objects.filter(school=school, effective_from__lte=day).first()


# --------------------------------------------------------------------------- a month's pay


def _ran(now: dt.datetime) -> Q:
    local = timezone.localtime(now)
    return Q(date__lt=local.date()) | Q(date=local.date(), end__lte=local.time())


def sitting_keepers(sittings: QuerySet[Sitting]) -> dict[int, set[int]]:
    """A plan sitting with nobody named responsible is taken class by class: each adult who
    had children there (their custody at that sitting, from the roll call) took it. The
    staff who took each such sitting of `sittings`, by sitting."""
    keepers: dict[int, set[int]] = defaultdict(set)
    for sitting_id, holder_id in (
        Custody.objects.filter(sitting__in=sittings.filter(responsible__isnull=True))
        .values_list("sitting_id", "holder_id")
        .distinct()
    ):
        keepers[sitting_id].add(holder_id)
    return keepers


def sitting_takers(sitting: Sitting, keepers: dict[int, set[int]]) -> Iterable[int]:
    """The staff who took `sitting`: the one responsible, else its keepers."""
    return [sitting.responsible_id] if sitting.responsible_id else keepers.get(sitting.pk, ())


def minutes_of(start: dt.time, end: dt.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def month_sittings(school: School, month: dt.date, *, now=None) -> QuerySet[Sitting]:
    """The month's sittings that ran and were not cancelled, with a responsible adult."""
    now = now or timezone.now()
    return (
        Sitting.objects.filter(
            school=school,
            date__gte=month,
            date__lte=month_end(month),
            cancellation__isnull=True,
        )
        .filter(_ran(now))
        .select_related("offering__activity")
    )


@dataclass
class PersonMonth:
    staff: Staff
    line: pay.Line
    agreement: pay.Agreement | None = None


@dataclass
class MonthPay:
    school: School
    month: dt.date
    floor: Floor
    people: list[PersonMonth] = field(default_factory=list)
    unassigned: int = 0  # sittings that ran with nobody responsible

    @property
    def totals(self) -> pay.Totals:
        return pay.totals([p.line for p in self.people])


def agreement_of(staff: Staff) -> pay.Agreement | None:
    if not staff.is_external:
        return None
    rate = staff.pay_per_class_hour
    return pay.Agreement(
        per_class_hour=None if rate is None else money.fen_of(rate),
        starts=staff.agreement_start,
        ends=staff.agreement_end,
    )


NO_RATES = _(
    "The school has no pay rates in effect on %(date)s: set the rates (from that day or "
    "before) first."
)


def _label(sitting: Sitting) -> str:
    if sitting.label:
        return sitting.label
    if sitting.offering_id is not None:
        return str(sitting.offering)[:100]
    return sitting.get_kind_display()


def month_pay(school: School, month: dt.date, *, staff: Staff | None = None, now=None) -> MonthPay:
    """Everyone's pay for the month at `school` (or only `staff`'s), from the sittings they
    were responsible for and their duty days. Refuses (`no_pay_rates`) a month with work on
    a day no rates cover."""
    month = first_of(month)
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    floor = floor_of(school)
    rates = RatesByDay(PayRates.objects.filter(school=school, effective_from__lte=month_end(month)))
    sittings = month_sittings(school, month, now=now)
    keepers = sitting_keepers(sittings)
    unassigned = 0
    if staff is None:
        unassigned = sittings.filter(responsible__isnull=True).exclude(pk__in=keepers).count()
        sittings = sittings.filter(Q(responsible__isnull=False) | Q(pk__in=keepers))
    else:
        mine = [pk for pk, holders in keepers.items() if staff.pk in holders]
        sittings = sittings.filter(Q(responsible=staff) | Q(pk__in=mine))
    duties = Duty.objects.filter(
        school=school, date__gte=month, date__lte=min(month_end(month), today)
    )
    if staff is not None:
        duties = duties.filter(staff=staff)
    tasks: dict[int, list[pay.Task]] = defaultdict(list)
    missing: list[dt.date] = []

    def rates_for(day: dt.date) -> pay.Rates | None:
        found = rates.on(day)
        if found is None:
            missing.append(day)
        return found

    for sitting in sittings.order_by("date", "start", "pk"):
        day_rates = rates_for(sitting.date)
        if day_rates is None:
            continue
        category = sitting.offering.activity.category if sitting.offering_id else None
        for taker in sitting_takers(sitting, keepers):
            if staff is not None and taker != staff.pk:
                continue
            tasks[taker].append(
                pay.Task(
                    work=pay.work_of(sitting.kind, category),
                    day=sitting.date,
                    rates=day_rates,
                    minutes=minutes_of(sitting.start, sitting.end),
                    ref=("sitting", sitting.pk, sitting.start, sitting.end, _label(sitting)),
                    label=_label(sitting),
                )
            )
    for duty in duties.order_by("date", "pk"):
        day_rates = rates_for(duty.date)
        if day_rates is None:
            continue
        tasks[duty.staff_id].append(
            pay.Task(work=pay.Work.DUTY, day=duty.date, rates=day_rates, ref=("duty", duty.pk))
        )
    if missing:
        raise refusal("no_pay_rates", NO_RATES, field="month", date=min(missing).isoformat())
    people = []
    for person in Staff.objects.filter(pk__in=tasks).order_by("kind", "name", "pk"):
        agreement = agreement_of(person)
        line = pay.price(tasks[person.pk], floor=floor.fen, agreement=agreement)
        people.append(PersonMonth(staff=person, line=line, agreement=agreement))
    return MonthPay(school=school, month=month, floor=floor, people=people, unassigned=unassigned)


# --------------------------------------------------------------------------- sheets


def school_sheets(school: School) -> QuerySet[PaySheet]:
    return PaySheet.objects.filter(school=school).order_by("-month")


def sheet_for(school: School, month: dt.date) -> PaySheet | None:
    return PaySheet.objects.filter(school=school, month=first_of(month)).first()


def sheet_lines(sheet: PaySheet) -> list[PayLine]:
    return list(sheet.lines.select_related("staff").order_by("external", "name", "pk"))


@dataclass(frozen=True)
class SheetTotals:
    class_hours: Decimal
    class_fen: int
    tutoring_hours: Decimal
    tutoring_fen: int
    club_sessions: int
    club_fen: int
    duty_days: int
    duty_fen: int
    increment_fen: int
    labour_fen: int
    total_fen: int


def sheet_totals(lines: list[PayLine]) -> SheetTotals:
    return SheetTotals(
        class_hours=sum((line.class_hours for line in lines), Decimal(0)),
        class_fen=sum(line.class_fen for line in lines),
        tutoring_hours=sum((line.tutoring_hours for line in lines), Decimal(0)),
        tutoring_fen=sum(line.tutoring_fen for line in lines),
        club_sessions=sum(line.club_sessions for line in lines),
        club_fen=sum(line.club_fen for line in lines),
        duty_days=sum(line.duty_days for line in lines),
        duty_fen=sum(line.duty_fen for line in lines),
        increment_fen=sum(line.increment_fen for line in lines),
        labour_fen=sum(line.labour_fen for line in lines),
        total_fen=sum(line.total_fen for line in lines),
    )


def line_items(line: PayLine) -> list[PayItem]:
    return list(line.items.select_related("sitting").order_by("date", "start", "pk"))


# --------------------------------------------------------------------------- a teacher's own


@dataclass
class OwnMonth:
    """A teacher's month: from their school's final sheet, else computed now."""

    staff: Staff
    month: dt.date
    final: bool
    line: PayLine | None = None  # from a final sheet
    items: list[PayItem] = field(default_factory=list)
    live: PersonMonth | None = None  # computed now (no final sheet)
    problem: str = ""  # why it could not be computed (no rates)
    floor: Floor | None = None


def own_month(user, month: dt.date, *, now=None) -> OwnMonth:
    staff = own_staff(user)
    month = first_of(month)
    sheet = PaySheet.objects.filter(
        school_id=staff.school_id, month=month, status=PaySheet.Status.FINAL
    ).first()
    if sheet is not None:
        line = PayLine.objects.filter(sheet=sheet, staff=staff).first()
        items = line_items(line) if line else []
        return OwnMonth(staff=staff, month=month, final=True, line=line, items=items)
    from django.core.exceptions import ValidationError

    from kehou.core.errors import messages

    try:
        computed = month_pay(staff.school, month, staff=staff, now=now)
    except ValidationError as error:
        return OwnMonth(staff=staff, month=month, final=False, problem=" ".join(messages(error)))
    person = next((p for p in computed.people if p.staff.pk == staff.pk), None)
    return OwnMonth(staff=staff, month=month, final=False, live=person, floor=computed.floor)
