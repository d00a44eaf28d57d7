"""The holiday calendar the bureau completes, and the sessions a plan produces (R5, R14).

Writes only; keyword-only arguments. Every refusal happens before anything is written,
and every write runs in one transaction.

Sessions are generated from a *published* plan × the calendar
(`kehou.lib.school_calendar.service_schedule`): for each service day, one session per
plan slot whose weekdays include the day's timetable weekday. Regeneration keeps every
session whose roll was taken, leaves untouched sessions that are still wanted where they
are (so their ids stay stable), and replaces the rest.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kehou.accounts.models import User
from kehou.core.labels import weekday_label
from kehou.lib import school_calendar as cal
from kehou.terms.models import CalendarYear, SpecialDay

BATCH = 1000
MIN_YEAR, MAX_YEAR = 2000, 2100


# --- refusals -------------------------------------------------------------------------


class CalendarEntryInvalid(ValidationError):
    """A bureau-entered holiday notice that does not hold together: one message per row,
    and `.rows` maps each bad row (0-based index into `days`) to its problems."""

    def __init__(self, message, *, rows: dict[int, list[str]] | None = None):
        super().__init__(message)
        self.rows = rows or {}


# --- the calendar ---------------------------------------------------------------------


def calendar_overrides() -> dict[int, dict[dt.date, cal.SpecialDay]]:
    """The bureau-entered years as `school_calendar.Overrides` (each year complete)."""
    overrides: dict[int, dict[dt.date, cal.SpecialDay]] = {
        year: {} for year in CalendarYear.objects.values_list("year", flat=True)
    }
    rows = SpecialDay.objects.values_list(
        "calendar_year__year", "date", "kind", "name", "follows_weekday"
    )
    for year, day, kind, name, follows in rows:
        overrides[year][day] = cal.SpecialDay(cal.DayKind(kind), name, follows)
    return overrides


@dataclass(frozen=True)
class DayEntry:
    date: dt.date
    kind: str
    name: str
    follows_weekday: int | None = None


def calendar_year_enter(
    *,
    year: int,
    days: Sequence[tuple[dt.date, str, str, int | None]],
    source: str,
    actor: User,
    override_library: bool = False,
) -> CalendarYear:
    """Enter (or replace) the State Council's holiday notice for `year`.

    `days` are (date, kind, name, follows_weekday) rows: kind is SpecialDay.Kind
    ("holiday" or "makeup_workday"); follows_weekday (0 = Monday … 4 = Friday) only for a
    make-up workday, and optional there (the school then chooses). The rows replace the
    year's previous entry as a whole. A year the library already covers is refused unless
    `override_library` is set. Any bureau officer may enter a year: holiday notices are
    national.
    """
    if not (actor.is_superuser or (actor.is_active and actor.role == User.Role.BUREAU)):
        raise PermissionDenied
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CalendarEntryInvalid(
            _("The year must lie between %(first)d and %(last)d.")
            % {"first": MIN_YEAR, "last": MAX_YEAR}
        )
    if year in cal.LIBRARY_YEARS and not override_library:
        raise CalendarEntryInvalid(
            _(
                "The holidays of %(year)d are already known from the calendar library; "
                "tick “replace the library” to enter a corrected notice."
            )
            % {"year": year}
        )
    entries = [row if isinstance(row, DayEntry) else DayEntry(*row) for row in days]
    if not entries:
        raise CalendarEntryInvalid(_("Enter at least one holiday or make-up workday."))
    problems = calendar_entry_problems(year, entries)
    if problems:
        raise CalendarEntryInvalid(_row_messages(problems), rows=problems)
    with transaction.atomic():
        calendar_year, _created = CalendarYear.objects.select_for_update().get_or_create(
            year=year, defaults={"entered_by": actor, "source": source[:200]}
        )
        calendar_year.entered_by = actor
        calendar_year.source = source[:200]
        calendar_year.save()
        calendar_year.days.all().delete()
        SpecialDay.objects.bulk_create(
            SpecialDay(
                calendar_year=calendar_year,
                date=entry.date,
                kind=entry.kind,
                name=entry.name.strip(),
                follows_weekday=entry.follows_weekday,
            )
            for entry in sorted(entries, key=lambda e: e.date)
        )
    return calendar_year


def calendar_entry_problems(year: int, entries: Sequence[DayEntry]) -> dict[int, list[str]]:
    """What is wrong with each entry (0-based index -> problems); empty when all is well."""
    problems: dict[int, list[str]] = defaultdict(list)
    seen: set[dt.date] = set()
    kinds = set(SpecialDay.Kind.values)
    name_max = SpecialDay._meta.get_field("name").max_length
    for index, entry in enumerate(entries):
        add = problems[index].append
        day = entry.date
        if not isinstance(day, dt.date):
            add(_("the date is missing"))
        else:
            if day.year != year:
                add(_("%(date)s is not in %(year)d") % {"date": day.isoformat(), "year": year})
            if day in seen:
                add(_("%(date)s is entered twice") % {"date": day.isoformat()})
            seen.add(day)
        if entry.kind not in kinds:
            add(_("the kind must be a holiday or a make-up workday"))
        name = (entry.name or "").strip()
        if not name:
            add(_("the holiday name is missing"))
        elif len(name) > name_max:
            add(_("the holiday name is longer than %(n)d characters") % {"n": name_max})
        follows = entry.follows_weekday
        if entry.kind == SpecialDay.Kind.MAKEUP_WORKDAY:
            if isinstance(day, dt.date) and day.weekday() < 5:
                add(
                    _("a make-up workday falls on a Saturday or Sunday, %(date)s is a %(weekday)s")
                    % {"date": day.isoformat(), "weekday": weekday_label(day.weekday())}
                )
            if follows is not None and not (isinstance(follows, int) and 0 <= follows <= 4):
                add(_("the timetable followed must be Monday to Friday"))
        elif entry.kind == SpecialDay.Kind.HOLIDAY and follows is not None:
            add(_("only a make-up workday follows another weekday's timetable"))
    return {index: found for index, found in problems.items() if found}


def _row_messages(problems: dict[int, list[str]]) -> list[str]:
    return [
        _("Row %(row)d: %(problems)s") % {"row": index + 1, "problems": "；".join(found)}
        for index, found in sorted(problems.items())
    ]
