"""The holiday calendar the bureau completes (R5, R14).

Writes only; keyword-only arguments. Every refusal happens before anything is written
(kehou.core.errors: one message per problem, rows named by their number), and every write
runs in one transaction. The sittings a plan produces are kehou.sittings'.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kehou.core.errors import Problems, refusal
from kehou.core.labels import WEEKDAY_LABELS
from kehou.lib import school_calendar as cal
from kehou.org import access
from kehou.terms.models import CalendarChange, CalendarYear, SpecialDay

MIN_YEAR, MAX_YEAR = 2000, 2100
DAYS = "days"  # the field of the rows' refusals; params["row"] is the row number


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
    actor,
    override_library: bool = False,
) -> CalendarYear:
    """Enter (or replace) the State Council's holiday notice for `year`.

    `days` are (date, kind, name, follows_weekday) rows: kind is SpecialDay.Kind
    ("holiday" or "makeup_workday"); follows_weekday (0 = Monday … 4 = Friday) only for a
    make-up workday, and optional there (the school then chooses). The rows replace the
    year's previous entry as a whole. A year the library already covers is refused unless
    `override_library` is set. The calendar is one for every school of the deployment, so
    only its authority may change it (`access.require_calendar_authority`: a superuser, or
    an officer at the level settings.CALENDAR_AUTHORITY names), never a county officer.
    Every change is recorded as a `CalendarChange` with the year's days before and after.
    """
    access.require_calendar_authority(actor)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise refusal(
            "year_out_of_range",
            _("The year must lie between %(first)d and %(last)d."),
            field="year",
            first=MIN_YEAR,
            last=MAX_YEAR,
        )
    if year in cal.LIBRARY_YEARS and not override_library:
        raise refusal(
            "year_in_library",
            _(
                "The holidays of %(year)d are already known from the calendar library; "
                "tick “replace the library” to enter a corrected notice."
            ),
            field="override_library",
            year=year,
        )
    entries = [row if isinstance(row, DayEntry) else DayEntry(*row) for row in days]
    if not entries:
        raise refusal("no_days", _("Enter at least one holiday or make-up workday."), field=DAYS)
    calendar_entry_problems(year, entries).raise_if_any()
    entered_by = access.user_of(actor)
    with transaction.atomic():
        calendar_year, created = CalendarYear.objects.select_for_update().get_or_create(
            year=year, defaults={"entered_by": entered_by, "source": source[:200]}
        )
        if created:
            before_source, before = _library_rows(year)
        else:
            before_source = "bureau"
            before = [
                _row(d.date, d.kind, d.name, d.follows_weekday)
                for d in calendar_year.days.order_by("date")
            ]
        calendar_year.entered_by = entered_by
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
        CalendarChange.objects.create(
            year=year,
            changed_by=entered_by,
            source=source[:200],
            before_source=before_source,
            before=before,
            after=[
                _row(e.date, e.kind, e.name.strip(), e.follows_weekday)
                for e in sorted(entries, key=lambda e: e.date)
            ],
        )
    return calendar_year


def _row(day: dt.date, kind: str, name: str, follows: int | None) -> list:
    return [day.isoformat(), str(kind), name, follows]


def _library_rows(year: int) -> tuple[str, list[list]]:
    """What the calendar library says of `year` before the bureau's first entry."""
    if year not in cal.LIBRARY_YEARS:
        return "unknown", []
    return "library", [
        _row(day.date, day.kind, day.name, day.follows_weekday)
        for day in cal.library_special_days(year)
    ]


def calendar_entry_problems(year: int, entries: Sequence[DayEntry]) -> Problems:
    """What is wrong with each entry: refusals on field "days", params["row"] = the
    entry's number (1-based)."""
    problems = Problems()
    seen: set[dt.date] = set()
    kinds = set(SpecialDay.Kind.values)
    name_max = SpecialDay._meta.get_field("name").max_length
    for row, entry in enumerate(entries, start=1):

        def add(code, message, *, row=row, **params):
            problems.add(code, message, field=DAYS, row=row, **params)

        day = entry.date
        if not isinstance(day, dt.date):
            add("day_date_missing", _("Row %(row)d: the date is missing"))
        else:
            if day.year != year:
                add(
                    "day_not_in_year",
                    _("Row %(row)d: %(date)s is not in %(year)d"),
                    date=day.isoformat(),
                    year=year,
                )
            if day in seen:
                add(
                    "day_repeated",
                    _("Row %(row)d: %(date)s is entered twice"),
                    date=day.isoformat(),
                )
            seen.add(day)
        if entry.kind not in kinds:
            add(
                "day_kind_invalid",
                _("Row %(row)d: the kind must be a holiday or a make-up workday"),
            )
        name = (entry.name or "").strip()
        if not name:
            add("day_name_missing", _("Row %(row)d: the holiday name is missing"))
        elif len(name) > name_max:
            add(
                "day_name_too_long",
                _("Row %(row)d: the holiday name is longer than %(n)d characters"),
                n=name_max,
            )
        follows = entry.follows_weekday
        if entry.kind == SpecialDay.Kind.MAKEUP_WORKDAY:
            if isinstance(day, dt.date) and day.weekday() < 5:
                add(
                    "makeup_day_not_weekend",
                    _(
                        "Row %(row)d: a make-up workday falls on a Saturday or Sunday, "
                        "%(date)s is a %(weekday)s"
                    ),
                    date=day.isoformat(),
                    weekday=WEEKDAY_LABELS[day.weekday()],
                )
            if follows is not None and not (isinstance(follows, int) and 0 <= follows <= 4):
                add(
                    "makeup_timetable_invalid",
                    _("Row %(row)d: the timetable followed must be Monday to Friday"),
                )
        elif entry.kind == SpecialDay.Kind.HOLIDAY and follows is not None:
            add(
                "holiday_follows_timetable",
                _("Row %(row)d: only a make-up workday follows another weekday's timetable"),
            )
    return problems
