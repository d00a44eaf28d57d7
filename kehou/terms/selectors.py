"""Reads of terms and of the holiday calendar (R5, R14).

The holiday calendar is public information. `current_term` and `term_for_code` are the
one definition of "this term" and of a term's code ("2026-1" = autumn 2026) for every
page, command and service.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehou.core.labels import weekday_label
from kehou.lib import school_calendar as cal
from kehou.terms.models import CalendarChange, CalendarYear, SpecialDay, Term

# The library names holidays in English; the pages and commands show them in Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": _("New Year's Day"),
    "Spring Festival": _("Spring Festival"),
    "Tomb-sweeping Day": _("Tomb-sweeping Day"),
    "Labour Day": _("Labour Day"),
    "Dragon Boat Festival": _("Dragon Boat Festival"),
    "National Day": _("National Day"),
    "Mid-autumn Festival": _("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": _("Anti-Fascist 70th Day"),
}


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    kind: str  # SpecialDay.Kind value
    name: str
    follows_weekday: int | None

    @property
    def weekday_name(self) -> str:
        return weekday_label(self.date.weekday())

    @property
    def follows_name(self) -> str:
        return "" if self.follows_weekday is None else weekday_label(self.follows_weekday)

    @property
    def is_holiday(self) -> bool:
        return self.kind == SpecialDay.Kind.HOLIDAY


@dataclass(frozen=True)
class YearCalendar:
    year: int
    source: str  # "library", "bureau" or "unknown"
    days: list[CalendarDay]
    entry: CalendarYear | None = None

    @property
    def known(self) -> bool:
        return self.source != "unknown"

    @property
    def holidays(self) -> list[CalendarDay]:
        return [d for d in self.days if d.is_holiday]

    @property
    def makeup_days(self) -> list[CalendarDay]:
        return [d for d in self.days if not d.is_holiday]


def year_calendar(year: int) -> YearCalendar:
    """The holidays and make-up workdays of `year`, from the bureau's entry if there is
    one (it replaces the library for that year), else from the library, else unknown."""
    entry = CalendarYear.objects.filter(year=year).select_related("entered_by").first()
    if entry is not None:
        days = [CalendarDay(d.date, d.kind, d.name, d.follows_weekday) for d in entry.days.all()]
        return YearCalendar(year, "bureau", days, entry)
    if year not in cal.LIBRARY_YEARS:
        return YearCalendar(year, "unknown", [])
    days = [
        CalendarDay(info.date, str(info.kind), holiday_name(info.name), info.follows_weekday)
        for info in cal.library_special_days(year)
    ]
    return YearCalendar(year, "library", days)


def holiday_name(name: str) -> str:
    """A holiday's name as pages show it (the library names them in English)."""
    return str(HOLIDAY_NAMES.get(name, name))


@dataclass(frozen=True)
class DayRun:
    """Consecutive days of one name and kind (a holiday's days), shown as one line."""

    first: CalendarDay
    last: CalendarDay

    @property
    def days(self) -> int:
        return (self.last.date - self.first.date).days + 1


def day_runs(days: list[CalendarDay]) -> list[DayRun]:
    runs: list[DayRun] = []
    for day in sorted(days, key=lambda d: d.date):
        last = runs[-1].last if runs else None
        if (
            last is not None
            and (last.name, last.kind) == (day.name, day.kind)
            and last.date + dt.timedelta(days=1) == day.date
        ):
            runs[-1] = DayRun(runs[-1].first, day)
        else:
            runs.append(DayRun(day, day))
    return runs


@dataclass(frozen=True)
class ChangeRecord:
    """One recorded change of a year, as the calendar page lists it: the days it removed,
    added or changed (each a CalendarDay; a changed day shows its new value)."""

    change: CalendarChange
    removed: list[CalendarDay]
    added: list[CalendarDay]
    changed: list[tuple[CalendarDay, CalendarDay]]  # (before, after)

    @property
    def unchanged(self) -> bool:
        return not (self.removed or self.added or self.changed)

    @property
    def removed_runs(self) -> list[DayRun]:
        return day_runs(self.removed)

    @property
    def added_runs(self) -> list[DayRun]:
        return day_runs(self.added)


def _calendar_day(row: list) -> CalendarDay:
    day, kind, name, follows = row
    return CalendarDay(dt.date.fromisoformat(day), kind, holiday_name(name), follows)


def calendar_changes(year: int) -> list[ChangeRecord]:
    """Every recorded change of `year`'s calendar, newest first, with what it changed."""
    records = []
    for change in CalendarChange.objects.filter(year=year).select_related("changed_by"):
        before = {d.date: d for d in map(_calendar_day, change.before)}
        after = {d.date: d for d in map(_calendar_day, change.after)}
        records.append(
            ChangeRecord(
                change,
                removed=[before[d] for d in sorted(before.keys() - after.keys())],
                added=[after[d] for d in sorted(after.keys() - before.keys())],
                changed=[
                    (before[d], after[d])
                    for d in sorted(before.keys() & after.keys())
                    if before[d] != after[d]
                ],
            )
        )
    return records


@dataclass(frozen=True)
class CalendarStatus:
    library_first: int
    library_last: int
    entered: list[CalendarYear]

    def known(self, year: int) -> bool:
        return year in cal.LIBRARY_YEARS or any(e.year == year for e in self.entered)


def calendar_status() -> CalendarStatus:
    return CalendarStatus(
        cal.LIBRARY_YEARS.start,
        cal.LIBRARY_YEARS.stop - 1,
        list(CalendarYear.objects.select_related("entered_by").order_by("year")),
    )


def entry_rows(calendar: YearCalendar) -> list[dict]:
    """A year's days as form rows: runs of consecutive holidays of one name become one row
    with an end date, so the bureau edits ~15 rows instead of ~40."""
    rows: list[dict] = []
    for day in calendar.days:
        last = rows[-1] if rows else None
        if (
            last is not None
            and day.is_holiday
            and last["kind"] == SpecialDay.Kind.HOLIDAY
            and last["name"] == day.name
            and (last["until"] or last["date"]) + dt.timedelta(days=1) == day.date
        ):
            last["until"] = day.date
            continue
        rows.append(
            {
                "date": day.date,
                "until": None,
                "kind": day.kind,
                "name": day.name,
                "follows_weekday": day.follows_weekday,
            }
        )
    return rows


# --- terms ----------------------------------------------------------------------------

TERM_CODE = re.compile(r"^\s*(\d{4})-([12])\s*$")


def term_for_code(code: str) -> Term:
    """The term "2026-1" (autumn 2026) or "2026-2" (spring 2027). Raises Term.DoesNotExist
    for a malformed or unknown code."""
    match = TERM_CODE.match(code or "")
    if not match:
        raise Term.DoesNotExist(f"no term {code!r}")
    return Term.objects.select_related("school_year").get(
        school_year__start_year=int(match[1]), semester=int(match[2])
    )


def current_term(today: dt.date | None = None, *, among: Iterable[Term] | None = None):
    """The term whose dates include today (the Beijing date), else the next to start, else
    the one that ended last; among `among` when given (a school's terms), else all."""
    today = today or timezone.localdate()
    terms = (
        list(among)
        if among is not None
        else list(Term.objects.select_related("school_year").order_by("start"))
    )
    running = [t for t in terms if t.start <= today <= t.end]
    if running:
        return min(running, key=lambda t: t.start)
    upcoming = [t for t in terms if t.start > today]
    if upcoming:
        return min(upcoming, key=lambda t: t.start)
    return max(terms, key=lambda t: t.end, default=None)


def term_for_page(code: str | None) -> Term | None:
    """The term a page's `?term=` names, or the current term without one; 404 for a bad
    or unknown code."""
    if not code:
        return current_term()
    try:
        return term_for_code(code)
    except Term.DoesNotExist as error:
        raise Http404 from error


def terms():
    """Every term, newest first (for term switchers)."""
    return Term.objects.select_related("school_year").order_by(
        "-school_year__start_year", "-semester"
    )
