"""Staff records (R21): each teacher's after-school service over a school year — sittings
taken, hours and class-hours, by month and by kind of work, duty days and the families'
ratings — as input for titles and awards. Seed 000 makes 教师参加课后服务的表现 "职称评聘、
表彰奖励和绩效工资分配的重要参考"; 001 "在工作量计算、评先评优、职称评聘中予以倾斜".

One definition of what counts, payroll's (kehou.payroll.selectors): a sitting that ran
and was not cancelled (`month_sittings`), for its responsible adult, or at a plan sitting
that names nobody for each adult who had children in custody there; the kind of work is
`kehou.money.pay.work_of`; class-hours are the minutes over the school's minutes per
class-hour of that day (PayRates; none without rates). A duty day (custody.Duty) counts
once it has come. Ratings are `kehou.surveys.selectors.ratings_by_staff`.

Who sees what (kehou.org.access): a school's admin its whole staff, a bureau officer a
school of their region (read-only, as every record is), a teacher or an external
instructor only their own record. A school's table is a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from kehou.accounts.models import User
from kehou.custody.models import Duty
from kehou.lib import months as calendar_months
from kehou.lib.school_calendar import school_year_start
from kehou.money import pay
from kehou.org import access
from kehou.org.models import School, Staff
from kehou.payroll.models import PayRates
from kehou.payroll.selectors import (
    RatesByDay,
    minutes_of,
    month_sittings,
    sitting_keepers,
    sitting_takers,
)
from kehou.surveys.selectors import ratings_by_staff

WORKS = (pay.Work.CLASS, pay.Work.TUTORING, pay.Work.CLUB)


def year_dates(start_year: int) -> tuple[dt.date, dt.date]:
    """学年: 1 September to 31 August (the summer's care included)."""
    return dt.date(start_year, 9, 1), dt.date(start_year + 1, 8, 31)


def current_year() -> int:
    return school_year_start(timezone.localdate())


def parse_year(text) -> int:
    try:
        year = int(text)
    except (TypeError, ValueError):
        return current_year()
    return year if 2000 <= year <= 2100 else current_year()


@dataclass
class Tally:
    sittings: int = 0
    minutes: int = 0
    class_hours: Decimal = Decimal(0)

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(pay.HOURS_PLACES)

    @property
    def shown_class_hours(self) -> Decimal:
        return pay.shown_hours(self.class_hours)

    def add(self, minutes: int, class_hours: Decimal) -> None:
        self.sittings += 1
        self.minutes += minutes
        self.class_hours += class_hours


@dataclass
class Record:
    staff: Staff
    total: Tally = field(default_factory=Tally)
    by_work: dict[str, Tally] = field(default_factory=lambda: {w: Tally() for w in WORKS})
    by_month: dict[dt.date, Tally] = field(default_factory=dict)
    duty_days: int = 0
    duty_by_month: dict[dt.date, int] = field(default_factory=dict)
    ratings: int = 0
    mean_rating: float | None = None


@dataclass
class YearTable:
    school: School
    start_year: int
    since: dt.date
    until: dt.date
    months: list[dt.date]
    records: list[Record]
    no_rates: bool = False  # some work on a day without pay rates: class-hours not known


def _counted(school: School, since: dt.date, until: dt.date, now) -> Q:
    """payroll's sittings that ran and were not cancelled, month by month, as one filter."""
    parts = [
        month_sittings(school, month, now=now)
        for month in calendar_months.months_from(since, until)
    ]
    if not parts:
        return None
    return functools.reduce(operator.or_, parts).filter(date__gte=since, date__lte=until)


def year_table(
    school: School, start_year: int, *, staff: list[Staff] | None = None, now=None
) -> YearTable:
    """Every staff member's record at `school` for the school year (or only `staff`'s)."""
    now = now or timezone.now()
    since, until = year_dates(start_year)
    today = timezone.localtime(now).date()
    people = (
        list(staff)
        if staff is not None
        else list(
            Staff.objects.filter(school=school, is_active=True).order_by("kind", "name", "pk")
        )
    )
    records = {p.pk: Record(staff=p) for p in people}
    ids = list(records)
    sittings = _counted(school, since, until, now)
    keepers = sitting_keepers(sittings)
    rates = RatesByDay(PayRates.objects.filter(school=school, effective_from__lte=until))
    table = YearTable(
        school=school,
        start_year=start_year,
        since=since,
        until=until,
        months=calendar_months.months_from(since, until),
        records=[],
    )
    mine = sittings.filter(
        Q(responsible_id__in=ids)
        | Q(pk__in=[pk for pk, holders in keepers.items() if not holders.isdisjoint(ids)])
    )
    for sitting in mine.order_by("date", "start", "pk"):
        category = sitting.offering.activity.category if sitting.offering_id else None
        work = pay.work_of(sitting.kind, category)
        minutes = minutes_of(sitting.start, sitting.end)
        day_rates = rates.on(sitting.date)
        if day_rates is None:
            table.no_rates = True
            class_hours = Decimal(0)
        else:
            class_hours = pay.hours_of(minutes, day_rates.class_hour_minutes)
        month = calendar_months.first_of(sitting.date)
        for taker in sitting_takers(sitting, keepers):
            record = records.get(taker)
            if record is None:
                continue
            record.total.add(minutes, class_hours)
            record.by_work[work].add(minutes, class_hours)
            record.by_month.setdefault(month, Tally()).add(minutes, class_hours)
    for staff_id, day in Duty.objects.filter(
        school=school, staff_id__in=ids, date__gte=since, date__lte=min(until, today)
    ).values_list("staff_id", "date"):
        record = records[staff_id]
        record.duty_days += 1
        month = calendar_months.first_of(day)
        record.duty_by_month[month] = record.duty_by_month.get(month, 0) + 1
    for staff_id, (count, mean) in ratings_by_staff(ids, since, until).items():
        records[staff_id].ratings, records[staff_id].mean_rating = count, mean
    table.records = [records[p.pk] for p in people]
    return table


# --------------------------------------------------------------------------- scope


def access_school_records(user, school_pk: int) -> School:
    """A school whose staff records `user` reads: its admin, or a bureau officer above it."""
    school = access.access_school(user, school_pk)
    if access.may_manage_school(user, school) or access.may_oversee(user, school.region):
        return school
    raise Http404


def overseen_schools(user) -> list[School]:
    """The schools whose staff tables a bureau officer reads (none for anyone else)."""
    if not access.is_acting(user) or user.role != User.Role.BUREAU:
        return []
    return list(access.schools_for(user).select_related("region").order_by("region__path", "name"))


def own_staff(user) -> Staff:
    staff = access.instructor_record(user)
    if staff is None or not access.is_acting(user):
        raise Http404
    return staff


def access_staff_record(user, school_pk: int, staff_pk: int) -> Staff:
    """One staff member of a school whose records `user` reads (404 otherwise)."""
    school = access_school_records(user, school_pk)
    staff = Staff.objects.select_related("school").filter(school=school, pk=staff_pk).first()
    if staff is None:
        raise Http404
    return staff


def record_of(staff: Staff, start_year: int, *, now=None) -> tuple[YearTable, Record]:
    table = year_table(staff.school, start_year, staff=[staff], now=now)
    return table, table.records[0]
