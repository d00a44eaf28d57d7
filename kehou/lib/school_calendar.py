"""The school calendar: statutory holidays and make-up workdays (调休), and the days on which
after-school sessions run (SPEC R5, R14).

Django-free. The State Council's holiday notice for each year comes from the
`chinese_calendar` package; for years it does not know yet (it raises NotImplementedError
beyond its last year) the bureau enters the notice itself, passed in here as `overrides`.
A year that is neither in the library nor in the overrides is *unknown*: every function
raises `CalendarUnknown` for it instead of guessing that it has no holidays.

Overrides are authoritative for the whole year they cover: when the bureau has entered a
year, the library is not consulted for that year at all (the bureau copied the complete
notice; mixing two sources for one year would make a typo impossible to see).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar


class DayKind(enum.StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    MAKEUP_WORKDAY = "makeup_workday"  # 调休上班: a weekend day that is a workday


class CalendarUnknown(LookupError):
    """The holiday notice for `year` is neither in the library nor entered by the bureau."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"{year}年的法定节假日安排尚未录入,无法确定该年的上课日(请教育局先录入该年放假通知)"
        )


class MakeupTimetableUnknown(ValueError):
    """A make-up workday whose timetable (which weekday it follows) nobody has chosen."""

    def __init__(self, day: dt.date):
        self.date = day
        super().__init__(f"{day.isoformat()}为调休上班日,但未确定按星期几的课表上课,请学校选择")


@dataclass(frozen=True)
class SpecialDay:
    """One entry of a holiday notice entered by the bureau.

    kind is HOLIDAY or MAKEUP_WORKDAY. For a make-up workday, `follows_weekday` (0 = Monday)
    is the weekday whose timetable it follows per the notice, when the bureau knows it.
    """

    kind: DayKind
    name: str
    follows_weekday: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in (DayKind.HOLIDAY, DayKind.MAKEUP_WORKDAY):
            raise ValueError("a special day is a holiday or a make-up workday")
        if self.follows_weekday is not None and not 0 <= self.follows_weekday <= 4:
            raise ValueError("a make-up workday follows a weekday timetable (Monday–Friday)")


# year -> {date -> SpecialDay}: the complete notice for each year the bureau entered.
Overrides = Mapping[int, Mapping[dt.date, SpecialDay]]


def overrides_from_days(days: Mapping[dt.date, SpecialDay], *, years: Iterable[int] = ()) -> dict:
    """Group a flat {date: SpecialDay} mapping by year. `years` adds years entered as complete
    even if they hold no entry (never the case in practice, but explicit beats implicit)."""
    grouped: dict[int, dict[dt.date, SpecialDay]] = {year: {} for year in years}
    for day, special in days.items():
        grouped.setdefault(day.year, {})[day] = special
    return grouped


@dataclass(frozen=True)
class Day:
    date: dt.date
    kind: DayKind
    name: str | None = None  # the holiday's name, for HOLIDAY and MAKEUP_WORKDAY
    # For MAKEUP_WORKDAY: the weekday (0 = Monday) whose timetable it follows by default,
    # None when the notice does not say and the school must choose.
    follows_weekday: int | None = None


def school_year_start(day: dt.date) -> int:
    """The start year of the school year (学年) `day` belongs to: from August on, the year
    that starts in September; before August, the one that started the September before.
    The caller passes the Beijing date (`timezone.localdate()` on the Django side)."""
    return day.year if day.month >= 8 else day.year - 1


def _library_years() -> range:
    years = {day.year for day in chinese_calendar.holidays}
    return range(min(years), max(years) + 1)


LIBRARY_YEARS = _library_years()


def is_covered(year: int, overrides: Overrides | None = None) -> bool:
    """True when the holidays of `year` are known (library or bureau entry)."""
    return (overrides is not None and year in overrides) or year in LIBRARY_YEARS


def unknown_years(start: dt.date, end: dt.date, overrides: Overrides | None = None) -> list[int]:
    """The years between start and end (inclusive) whose holidays are not known yet."""
    return [y for y in range(start.year, end.year + 1) if not is_covered(y, overrides)]


@lru_cache(maxsize=1)
def _library_makeup_pairs() -> dict[dt.date, int]:
    """Make-up workday -> the weekday it replaces, from the library's data.

    The notice gives the days off in lieu (e.g. 2026-01-02, a Friday) and the make-up
    workdays (2026-01-04, a Sunday) of the same holiday; pairing them in date order says
    which weekday's timetable each make-up day follows. Unpaired make-up days (a handful
    before 2012 where the counts differ) get no default.
    """
    by_name: dict[str, list[dt.date]] = defaultdict(list)
    for day, name in chinese_calendar.in_lieu_days.items():
        by_name[name].append(day)
    pairs: dict[dt.date, int] = {}
    used: set[dt.date] = set()
    for day in sorted(chinese_calendar.workdays):
        name = chinese_calendar.workdays[day]
        candidates = sorted(
            d for d in by_name.get(name, ()) if abs((d - day).days) <= 45 and d not in used
        )
        if candidates:
            used.add(candidates[0])
            pairs[day] = candidates[0].weekday()
    return pairs


def day_kind(day: dt.date, overrides: Overrides | None = None) -> Day:
    """What kind of day `day` is. Raises CalendarUnknown for a year nobody knows yet."""
    if overrides is not None and day.year in overrides:
        special = overrides[day.year].get(day)
        if special is not None:
            return Day(day, special.kind, special.name, special.follows_weekday)
    elif day.year in LIBRARY_YEARS:
        if day in chinese_calendar.workdays:
            return Day(
                day,
                DayKind.MAKEUP_WORKDAY,
                chinese_calendar.workdays[day],
                _library_makeup_pairs().get(day),
            )
        if day in chinese_calendar.holidays:
            return Day(day, DayKind.HOLIDAY, chinese_calendar.holidays[day])
    else:
        raise CalendarUnknown(day.year)
    return Day(day, DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WORKDAY)


def library_special_days(year: int) -> list[Day]:
    """The holidays and make-up workdays the library knows for `year`, in date order
    (names as the library gives them, in English); [] for a year it does not know."""
    if year not in LIBRARY_YEARS:
        return []
    days, day = [], dt.date(year, 1, 1)
    while day.year == year:
        info = day_kind(day)
        if info.kind in (DayKind.HOLIDAY, DayKind.MAKEUP_WORKDAY):
            days.append(info)
        day += dt.timedelta(days=1)
    return days


@dataclass(frozen=True)
class ServiceDay:
    date: dt.date
    # The weekday whose timetable runs that day: the date's own weekday, or for a make-up
    # workday the weekday it follows.
    timetable_weekday: int
    kind: DayKind
    in_vacation_week: bool = False


def service_schedule(
    start: dt.date,
    end: dt.date,
    weekdays: Collection[int],
    *,
    overrides: Overrides | None = None,
    vacation_weeks: Iterable[tuple[dt.date, dt.date]] = (),
    makeup_follows: Mapping[dt.date, int] | None = None,
) -> list[ServiceDay]:
    """The days sessions run between start and end (inclusive), plus the vacation opening
    weeks (inclusive date ranges, which may lie outside the term).

    `weekdays` are the plan's service weekdays (0 = Monday … 6 = Sunday; a Saturday or
    Sunday there is the 5+2+1 weekend day). A day runs when
    - it is a workday on a planned weekday, or
    - it is a plain weekend day on a planned weekend weekday (the 5+2+1 weekend day), or
    - it is a make-up workday (调休) whose timetable weekday is planned: the school's choice
      in `makeup_follows`, else the weekday the notice pairs it with.
    Never on a holiday. Raises CalendarUnknown when a year in range is unknown (before any
    day is produced: nothing half-planned), MakeupTimetableUnknown when a make-up day in
    range has no timetable weekday.
    """
    planned = frozenset(weekdays)
    if not planned <= set(range(7)):
        raise ValueError("weekdays are 0 (Monday) … 6 (Sunday)")
    follows = makeup_follows or {}
    ranges = [(start, end, False)] + [(a, b, True) for a, b in vacation_weeks]
    for a, b, _ in ranges:
        if b < a:
            raise ValueError(f"date range ends before it starts: {a} … {b}")
        missing = unknown_years(a, b, overrides)
        if missing:
            raise CalendarUnknown(missing[0])

    chosen: dict[dt.date, ServiceDay] = {}
    for a, b, vacation in ranges:
        day = a
        while day <= b:
            if day not in chosen:
                service_day = _service_day(day, planned, overrides, follows, vacation)
                if service_day is not None:
                    chosen[day] = service_day
            day += dt.timedelta(days=1)
    return [chosen[d] for d in sorted(chosen)]


def _service_day(
    day: dt.date,
    planned: frozenset[int],
    overrides: Overrides | None,
    follows: Mapping[dt.date, int],
    vacation: bool,
) -> ServiceDay | None:
    info = day_kind(day, overrides)
    if info.kind is DayKind.HOLIDAY:
        return None
    if info.kind is DayKind.MAKEUP_WORKDAY:
        weekday = follows.get(day, info.follows_weekday)
        if weekday is None:
            raise MakeupTimetableUnknown(day)
        return ServiceDay(day, weekday, info.kind, vacation) if weekday in planned else None
    if day.weekday() in planned:
        return ServiceDay(day, day.weekday(), info.kind, vacation)
    return None


def service_days(
    start: dt.date,
    end: dt.date,
    weekdays: Collection[int],
    *,
    overrides: Overrides | None = None,
    vacation_weeks: Iterable[tuple[dt.date, dt.date]] = (),
    makeup_follows: Mapping[dt.date, int] | None = None,
) -> Iterator[dt.date]:
    """The dates of `service_schedule` (same arguments, same errors)."""
    schedule = service_schedule(
        start,
        end,
        weekdays,
        overrides=overrides,
        vacation_weeks=vacation_weeks,
        makeup_follows=makeup_follows,
    )
    return iter([s.date for s in schedule])
