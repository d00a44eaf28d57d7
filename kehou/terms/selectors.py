"""Reads for the calendar and session pages and commands (R5, R14).

The holiday calendar is public information; sessions are read through
kehou.org.access (`access_school_sessions` raises Http404 outside the scope).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from kehou.accounts.models import User
from kehou.lib import school_calendar as cal
from kehou.org import access
from kehou.org.models import School
from kehou.policy.models import PlanSlot, SchoolPlan
from kehou.terms.models import CalendarYear, Session, SpecialDay, Term

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
WEEKDAYS_ZH = cal.WEEKDAY_NAMES_ZH


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    kind: str  # SpecialDay.Kind value
    name: str
    follows_weekday: int | None

    @property
    def weekday_name(self) -> str:
        return WEEKDAYS_ZH[self.date.weekday()]

    @property
    def follows_name(self) -> str:
        return "" if self.follows_weekday is None else WEEKDAYS_ZH[self.follows_weekday]

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
    days = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        info = cal.day_kind(day)
        if info.kind in (cal.DayKind.HOLIDAY, cal.DayKind.MAKEUP_WORKDAY):
            days.append(
                CalendarDay(
                    day,
                    str(info.kind),
                    str(HOLIDAY_NAMES.get(info.name, info.name)),
                    info.follows_weekday,
                )
            )
        day += dt.timedelta(days=1)
    return YearCalendar(year, "library", days)


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


# --- sessions -------------------------------------------------------------------------

SESSION_ROLES = {User.Role.SCHOOL_ADMIN, User.Role.TEACHER}


def access_school_sessions(user: User, school_pk: int) -> School:
    """The school whose sessions `user` may see: its admin and teachers (superusers too).
    Everyone else gets 404."""
    school = access.access_school(user, school_pk)
    if not (user.is_superuser or user.role in SESSION_ROLES):
        raise Http404
    return school


def terms_for_school(school: School) -> list[Term]:
    """Terms the school has a plan or sessions for, newest first."""
    ids = set(SchoolPlan.objects.filter(school=school).values_list("term_id", flat=True))
    ids |= set(Session.objects.filter(school=school).values_list("term_id", flat=True).distinct())
    return list(Term.objects.filter(pk__in=ids).select_related("school_year"))


def default_term(terms: list[Term], today: dt.date) -> Term | None:
    for term in terms:
        if term.start <= today <= term.end:
            return term
    upcoming = [t for t in terms if t.start > today]
    if upcoming:
        return min(upcoming, key=lambda t: t.start)
    return terms[0] if terms else None


def published_plan(school: School, term: Term) -> SchoolPlan | None:
    return SchoolPlan.objects.filter(
        school=school, term=term, status=SchoolPlan.Status.PUBLISHED
    ).first()


def draft_plan(school: School, term: Term) -> SchoolPlan | None:
    return SchoolPlan.objects.filter(
        school=school, term=term, status=SchoolPlan.Status.DRAFT
    ).first()


def term_sessions(school: School, term: Term) -> QuerySet[Session]:
    return Session.objects.filter(school=school, term=term).order_by(
        "date", "start", "grade_from", "kind"
    )


@dataclass
class SessionDay:
    date: dt.date
    timetable_weekday: int
    is_makeup_day: bool
    in_vacation: bool
    sessions: list[Session]

    @property
    def weekday_name(self) -> str:
        return WEEKDAYS_ZH[self.date.weekday()]

    @property
    def timetable_name(self) -> str:
        return WEEKDAYS_ZH[self.timetable_weekday]


@dataclass
class SessionMonth:
    month: dt.date  # first of the month
    days: list[SessionDay]
    session_count: int


def sessions_by_month(sessions: QuerySet[Session]) -> list[SessionMonth]:
    by_date: dict[dt.date, list[Session]] = defaultdict(list)
    kinds = dict(PlanSlot.Kind.choices)
    for session in sessions:
        session.kind_name = kinds.get(session.kind, session.kind)
        by_date[session.date].append(session)
    months: dict[dt.date, SessionMonth] = {}
    for day, items in sorted(by_date.items()):
        first = items[0]
        month = months.setdefault(day.replace(day=1), SessionMonth(day.replace(day=1), [], 0))
        month.days.append(
            SessionDay(
                day,
                first.timetable_weekday,
                any(s.is_makeup_day for s in items),
                any(s.in_vacation for s in items),
                items,
            )
        )
        month.session_count += len(items)
    return list(months.values())
