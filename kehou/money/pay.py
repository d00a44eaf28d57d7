"""Staff pay, pure (R19): what each sitting and each duty day earns, to the fen.

002 counts after-school pay "根据值班天数、作业辅导课时数、社团活动次数"; 000 sets the floor
"每课时不低于60元" and pays external staff "根据相关审核备案的协议". So a person's month is a
list of `Task`s, each one of four kinds of `Work`:

- `Work.CLASS` — class-hours (课时) of an activity group: the school's rate per class-hour;
- `Work.TUTORING` — homework-tutoring hours (作业辅导课时): every sitting of the school's
  plan (the basic service, extended care, evening study, the boarders' evening), and the
  activity groups whose category is homework, tutoring, evening study or extended care;
- `Work.CLUB` — club sessions (社团活动次数): the activity groups of the club and interest
  group categories, paid per session;
- `Work.DUTY` — duty days (值班天数), paid per day.

A sitting's class-hours are its minutes over the school's minutes per class-hour (a
40-minute 课时 makes a 90-minute sitting 2.25 class-hours). Amounts are computed from the
exact hours and rounded once per kind of work, half up to the fen (`ROUNDING_RULE`); each
sitting's share of its kind's amount is `split` so the sittings add up to the line.

The floor: a rate per class-hour or per tutoring hour below the floor is refused where it
is set (kehou.payroll.services.pay_rates_set), so those kinds pay at least floor × hours;
a club session is paid its rate, or the floor for its class-hours when that is more (a
long session at a small rate would otherwise fall under 000's floor), and says so. An
external instructor is paid at their agreement's rate per class-hour for every sitting in
the agreement's dates; a sitting outside them (or with no agreed rate) is listed and earns
nothing until the agreement covers it. 000's floor names school teachers
(义务教育学校教师), so an agreement below it is flagged, not overridden.

What a school teacher earns here is the after-school increment of their performance pay
(绩效工资增量, which 000 says is "予以单列"): `Line.increment` is that amount on a line of
its own; an external instructor's is labour remuneration (劳务报酬, `Line.labour`).

No Django here (import-linter holds it).
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from kehou.money import split

HOURS_PLACES = Decimal("0.01")


class Work(enum.StrEnum):
    CLASS = "class"  # 课时
    TUTORING = "tutoring"  # 作业辅导课时
    CLUB = "club"  # 社团活动次数
    DUTY = "duty"  # 值班天数


# Activity categories (kehou.lib.vocabulary.Category values) paid as tutoring or as clubs;
# every other category of an activity group is class-hours.
TUTORING_CATEGORIES = frozenset({"homework", "tutoring", "evening_study", "extended_care"})
CLUB_CATEGORIES = frozenset({"club", "interest_group"})
OFFERING_KIND = "offering"  # kehou.sittings.models.Sitting.Kind.OFFERING


def work_of(sitting_kind: str, category: str | None = None) -> Work:
    """The kind of work a sitting is, from the sitting's kind and (for an activity group)
    its activity's category. A sitting of the plan is supervised homework (作业辅导)."""
    if sitting_kind != OFFERING_KIND:
        return Work.TUTORING
    if category in TUTORING_CATEGORIES:
        return Work.TUTORING
    if category in CLUB_CATEGORIES:
        return Work.CLUB
    return Work.CLASS


class PayError(ValueError):
    pass


@dataclass(frozen=True)
class Rates:
    """A school's rates in fen, and how many minutes make one class-hour there."""

    per_class_hour: int
    per_tutoring_hour: int
    per_club_session: int
    per_duty_day: int
    class_hour_minutes: int

    def __post_init__(self) -> None:
        amounts = (
            self.per_class_hour,
            self.per_tutoring_hour,
            self.per_club_session,
            self.per_duty_day,
        )
        if any(not isinstance(a, int) or a < 0 for a in amounts):
            raise PayError("rates are non-negative whole fen")
        if not isinstance(self.class_hour_minutes, int) or self.class_hour_minutes <= 0:
            raise PayError("a class-hour has a positive number of minutes")


def below_floor(rates: Rates, floor: int | None) -> list[Work]:
    """The kinds of work whose rate per class-hour is under `floor` (fen per class-hour)."""
    if floor is None:
        return []
    found = []
    if rates.per_class_hour < floor:
        found.append(Work.CLASS)
    if rates.per_tutoring_hour < floor:
        found.append(Work.TUTORING)
    return found


def hours_of(minutes: int, class_hour_minutes: int) -> Decimal:
    """Exact class-hours (as exact as a Decimal carries them)."""
    return Decimal(minutes) / Decimal(class_hour_minutes)


def shown_hours(value: Decimal) -> Decimal:
    return value.quantize(HOURS_PLACES)


@dataclass(frozen=True)
class Task:
    """One sitting (minutes > 0) or one duty day (minutes 0, work DUTY) of one person,
    with the school's rates of its day. `ref` is the caller's handle (a sitting's id)."""

    work: Work
    day: dt.date
    rates: Rates
    minutes: int = 0
    ref: object = None
    label: str = ""


@dataclass(frozen=True)
class Agreement:
    """An external instructor's agreement: their rate per class-hour (None = not agreed)
    and its dates (None = open)."""

    per_class_hour: int | None
    starts: dt.date | None = None
    ends: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return (
            self.per_class_hour is not None
            and (self.starts is None or self.starts <= day)
            and (self.ends is None or day <= self.ends)
        )


class Note(enum.StrEnum):
    RAISED_TO_FLOOR = "raised_to_floor"  # a club session paid the floor for its hours
    OUTSIDE_AGREEMENT = "outside_agreement"  # an external's sitting outside the agreement
    NO_AGREED_RATE = "no_agreed_rate"  # an external with no rate per class-hour agreed


@dataclass(frozen=True)
class Priced:
    task: Task
    hours: Decimal  # exact class-hours (0 for a duty day)
    rate: int  # the unit rate applied (per class-hour, session or day)
    amount: int  # this task's share of its kind's amount
    note: Note | None = None

    @property
    def paid(self) -> bool:
        return self.note not in (Note.OUTSIDE_AGREEMENT, Note.NO_AGREED_RATE)


@dataclass
class Part:
    """One kind of work on a line: how much, and what it earns."""

    work: Work
    count: int = 0  # sittings (or sessions, or days) paid
    minutes: int = 0
    hours: Decimal = Decimal(0)  # exact class-hours paid
    amount: int = 0

    @property
    def shown_hours(self) -> Decimal:
        return shown_hours(self.hours)


@dataclass
class Line:
    external: bool
    parts: dict[Work, Part]
    items: list[Priced] = field(default_factory=list)
    below_floor_agreement: bool = False  # an external's agreed rate is under the floor

    @property
    def total(self) -> int:
        return sum(p.amount for p in self.parts.values())

    @property
    def increment(self) -> int:
        """绩效工资增量 (单列): what a school teacher's after-school work earns."""
        return 0 if self.external else self.total

    @property
    def labour(self) -> int:
        """劳务报酬: what an external instructor's work earns, per their agreement."""
        return self.total if self.external else 0

    @property
    def unpaid(self) -> list[Priced]:
        return [p for p in self.items if not p.paid]

    def part(self, work: Work) -> Part:
        return self.parts[work]


def _exact(task: Task, *, floor: int | None, agreement: Agreement | None):
    """(exact amount, exact hours, rate, note) of one task before rounding, as fractions:
    a 40-minute class-hour makes thirds, which no Decimal holds exactly, and a sum of
    inexact thirds could round the other way."""
    rates = task.rates
    hours = (
        Fraction(task.minutes, rates.class_hour_minutes)
        if task.work is not Work.DUTY
        else Fraction(0)
    )
    if task.work is Work.DUTY:
        return Fraction(rates.per_duty_day), hours, rates.per_duty_day, None
    if agreement is not None:
        if agreement.per_class_hour is None:
            return Fraction(0), hours, 0, Note.NO_AGREED_RATE
        if not agreement.covers(task.day):
            return Fraction(0), hours, agreement.per_class_hour, Note.OUTSIDE_AGREEMENT
        return agreement.per_class_hour * hours, hours, agreement.per_class_hour, None
    if task.work is Work.CLUB:
        session = Fraction(rates.per_club_session)
        least = floor * hours if floor is not None else Fraction(0)
        if least > session:
            return least, hours, rates.per_club_session, Note.RAISED_TO_FLOOR
        return session, hours, rates.per_club_session, None
    rate = rates.per_class_hour if task.work is Work.CLASS else rates.per_tutoring_hour
    return rate * hours, hours, rate, None


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _round_half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def price(
    tasks: Iterable[Task],
    *,
    floor: int | None,
    agreement: Agreement | None = None,
) -> Line:
    """One person's line: `agreement` for an external instructor (None for school staff),
    `floor` the profile's fen per class-hour (None = the locality states none)."""
    external = agreement is not None
    tasks = sorted(tasks, key=lambda t: (t.day, list(Work).index(t.work), str(t.ref)))
    parts = {work: Part(work) for work in Work}
    exact: dict[Work, list[tuple[Task, Fraction, Fraction, int, Note | None]]] = {
        w: [] for w in Work
    }
    for task in tasks:
        if task.work is not Work.DUTY and task.minutes <= 0:
            raise PayError(f"a sitting has a positive length: {task!r}")
        amount, hours, rate, note = _exact(task, floor=floor, agreement=agreement)
        exact[task.work].append((task, amount, hours, rate, note))
    items: list[Priced] = []
    for work, rows in exact.items():
        part = parts[work]
        total = _round_half_up(sum((row[1] for row in rows), Fraction(0)))
        weights = [_decimal(row[1]) for row in rows]
        shares = split(total, weights) if total > 0 and any(weights) else [0] * len(rows)
        paid_hours = Fraction(0)
        for (task, _amount, hours, rate, note), share in zip(rows, shares, strict=True):
            priced = Priced(task=task, hours=_decimal(hours), rate=rate, amount=share, note=note)
            items.append(priced)
            if priced.paid:
                part.count += 1
                part.minutes += task.minutes
                paid_hours += hours
        part.hours = _decimal(paid_hours)
        part.amount = total
    items.sort(key=lambda p: (p.task.day, list(Work).index(p.task.work), str(p.task.ref)))
    low = (
        external
        and floor is not None
        and agreement.per_class_hour is not None
        and agreement.per_class_hour < floor
    )
    return Line(external=external, parts=parts, items=items, below_floor_agreement=low)


@dataclass(frozen=True)
class Totals:
    parts: dict[Work, Part]
    increment: int
    labour: int
    total: int


def totals(lines: Sequence[Line]) -> Totals:
    parts = {work: Part(work) for work in Work}
    for line in lines:
        for work, part in line.parts.items():
            into = parts[work]
            into.count += part.count
            into.minutes += part.minutes
            into.hours += part.hours
            into.amount += part.amount
    return Totals(
        parts=parts,
        increment=sum(line.increment for line in lines),
        labour=sum(line.labour for line in lines),
        total=sum(line.total for line in lines),
    )
