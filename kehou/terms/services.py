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
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kehou.accounts.models import User
from kehou.lib import school_calendar as cal
from kehou.policy.models import SchoolPlan
from kehou.terms.models import CalendarYear, Session, SpecialDay, Term

BATCH = 1000
WEEKDAYS_ZH = cal.WEEKDAY_NAMES_ZH
MIN_YEAR, MAX_YEAR = 2000, 2100


# --- refusals -------------------------------------------------------------------------


class GenerationRefused(ValidationError):
    """Sessions cannot be generated; `.messages` says why (in the active language)."""


class CalendarNotReady(GenerationRefused):
    """A year of the plan is unknown, or a make-up day has no timetable weekday."""


class PlanNotPublished(GenerationRefused):
    @classmethod
    def for_plan(cls, plan: SchoolPlan) -> PlanNotPublished:
        return cls(
            _(
                "Version %(version)d of the plan is not published: publish it before "
                "generating sessions."
            )
            % {"version": plan.version}
        )


class SessionConflict(GenerationRefused):
    """The plan would put a session where another term of the school already has one."""


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
                    % {"date": day.isoformat(), "weekday": WEEKDAYS_ZH[day.weekday()]}
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


# --- terms ----------------------------------------------------------------------------

TERM_CODE = re.compile(r"^\s*(\d{4})-([12])\s*$")


def term_for_code(code: str) -> Term:
    """The term "2026-1" (autumn 2026) or "2026-2" (spring 2027). Raises Term.DoesNotExist."""
    match = TERM_CODE.match(code or "")
    if not match:
        raise Term.DoesNotExist(f"no term {code!r}")
    return Term.objects.select_related("school_year").get(
        school_year__start_year=int(match[1]), semester=int(match[2])
    )


# --- sessions -------------------------------------------------------------------------


@dataclass
class GenerationReport:
    plan: SchoolPlan
    service_days: int = 0
    created: int = 0
    unchanged: int = 0  # untouched sessions left in place (re-pointed to this plan if needed)
    kept: int = 0  # sessions with the roll taken, never touched by regeneration
    kept_not_in_plan: list[Session] = field(default_factory=list)  # of `kept`
    removed: int = 0
    # Years of the term whose holiday notice is not known yet: their days are left out
    # (never guessed) until the bureau enters the notice and the plan is generated again.
    pending_years: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Sessions of the term after generation."""
        return self.created + self.unchanged + self.kept

    def summary(self) -> str:
        return _(
            "%(days)d service days: %(created)d sessions created, %(unchanged)d unchanged, "
            "%(kept)d kept because the roll was taken (%(orphans)d of them no longer in the "
            "plan), %(removed)d removed."
        ) % {
            "days": self.service_days,
            "created": self.created,
            "unchanged": self.unchanged,
            "kept": self.kept,
            "orphans": len(self.kept_not_in_plan),
            "removed": self.removed,
        } + "".join(" " + str(cal.CalendarUnknown(year)) for year in self.pending_years)


def _known_pieces(start: dt.date, end: dt.date, unknown: set[int]) -> list[tuple[dt.date, dt.date]]:
    """The parts of start..end that fall in years whose holidays are known."""
    pieces = []
    for year in range(start.year, end.year + 1):
        if year not in unknown:
            pieces.append((max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))))
    return pieces


def _schedule(plan: SchoolPlan, overrides) -> tuple[list[cal.ServiceDay], list[int]]:
    """The plan's service days in the years whose holidays are known, and the years left
    out because nobody knows their holidays yet. A term with no known day at all, and a
    make-up workday with no timetable, are refused as CalendarNotReady."""
    vacation = [(w.start, w.end) for w in plan.vacation_weeks.all()]
    makeup = {m.date: m.follows_weekday for m in plan.makeup_days.all()}
    unknown: set[int] = set()
    for start, end in [(plan.term_start, plan.term_end), *vacation]:
        if end >= start:
            unknown.update(cal.unknown_years(start, end, overrides))
    term_pieces = _known_pieces(plan.term_start, plan.term_end, unknown)
    if not term_pieces:
        raise CalendarNotReady(str(cal.CalendarUnknown(min(unknown))))
    vacation_pieces = [p for start, end in vacation for p in _known_pieces(start, end, unknown)]
    days: dict[dt.date, cal.ServiceDay] = {}
    try:
        for index, (start, end) in enumerate(term_pieces):
            schedule = cal.service_schedule(
                start,
                end,
                plan.service_weekdays or [],
                overrides=overrides,
                # Vacation weeks once, with the first piece: a day is never counted twice.
                vacation_weeks=vacation_pieces if index == 0 else (),
                makeup_follows=makeup,
            )
            for day in schedule:
                days.setdefault(day.date, day)
    except (cal.CalendarUnknown, cal.MakeupTimetableUnknown) as exc:
        raise CalendarNotReady(str(exc)) from exc
    except ValueError as exc:  # bad weekdays or dates in the plan itself
        raise CalendarNotReady(_("The plan's dates or service days are invalid: %s") % exc) from exc
    return [days[d] for d in sorted(days)], sorted(unknown)


def plan_calendar_problems(plan: SchoolPlan) -> list[str]:
    """Every reason the calendar keeps this plan's sessions from being generated (Chinese
    messages): unknown years, then make-up workdays nobody chose a timetable for. Empty
    when the calendar is ready. (Whether the plan is published is not a calendar matter.)"""
    overrides = calendar_overrides()
    ranges = [(plan.term_start, plan.term_end)] + [
        (w.start, w.end) for w in plan.vacation_weeks.all()
    ]
    problems: list[str] = []
    unknown: set[int] = set()
    for start, end in ranges:
        if end < start:
            problems.append(
                _("The dates %(start)s to %(end)s end before they start.")
                % {"start": start, "end": end}
            )
            continue
        unknown.update(cal.unknown_years(start, end, overrides))
    problems.extend(str(cal.CalendarUnknown(year)) for year in sorted(unknown))
    chosen = {m.date for m in plan.makeup_days.all()}
    missing: set[dt.date] = set()
    for start, end in ranges:
        day = start
        while day <= end:
            if day.year not in unknown:
                info = cal.day_kind(day, overrides)
                if (
                    info.kind is cal.DayKind.MAKEUP_WORKDAY
                    and info.follows_weekday is None
                    and day not in chosen
                ):
                    missing.add(day)
            day += dt.timedelta(days=1)
    problems.extend(str(cal.MakeupTimetableUnknown(day)) for day in sorted(missing))
    return problems


SessionKey = tuple[dt.date, dt.time, int, int, str]
UPDATABLE = (
    "plan_id",
    "slot_id",
    "timetable_weekday",
    "end",
    "label",
    "is_makeup_day",
    "in_vacation",
)


def _key(session: Session) -> SessionKey:
    return (session.date, session.start, session.grade_from, session.grade_to, session.kind)


def _wanted(plan: SchoolPlan, schedule: Iterable[cal.ServiceDay]) -> dict[SessionKey, Session]:
    slots = list(plan.slots.all())
    wanted: dict[SessionKey, Session] = {}
    for day in schedule:
        for slot in slots:
            if slot.weekdays is not None and day.timetable_weekday not in slot.weekdays:
                continue
            session = Session(
                school_id=plan.school_id,
                term_id=plan.term_id,
                plan_id=plan.pk,
                slot_id=slot.pk,
                date=day.date,
                timetable_weekday=day.timetable_weekday,
                start=slot.start,
                end=slot.end,
                grade_from=slot.grade_from,
                grade_to=slot.grade_to,
                kind=slot.kind,
                label=slot.label,
                is_makeup_day=day.kind is cal.DayKind.MAKEUP_WORKDAY,
                in_vacation=day.in_vacation_week,
            )
            # Two identical slots in one plan make one session.
            wanted.setdefault(_key(session), session)
    return wanted


def sessions_generate(*, plan: SchoolPlan, actor: User | None = None) -> GenerationReport:
    """Generate (or regenerate) the sessions of a published plan's term.

    Days in a year whose holidays nobody knows yet are left out, not guessed: the report's
    `pending_years` names those years, and generating again once the bureau entered the
    notice fills them in (a school can take roll in November without waiting for next
    year's notice).

    Refuses, writing nothing, a plan that is not published (PlanNotPublished), a calendar
    that is not ready (CalendarNotReady: no known day at all, or a make-up workday with no
    timetable chosen) and a session another term of the school already
    holds (SessionConflict). Then, in one transaction, over all sessions of the school's
    term (this plan's and those of its superseded versions):
    - a session whose roll was taken is kept as it is, even when the plan no longer has it;
    - an untouched session the plan still wants stays (re-pointed to this plan, its end,
      label and day facts brought up to date), keeping its id;
    - every other untouched session is removed, and the missing ones are created.
    `actor` is accepted for the audit trail of later steps; sessions hold no personal data.
    """
    if plan.status != SchoolPlan.Status.PUBLISHED:
        raise PlanNotPublished.for_plan(plan)
    schedule, pending_years = _schedule(plan, calendar_overrides())
    wanted = _wanted(plan, schedule)
    report = GenerationReport(plan=plan, service_days=len(schedule), pending_years=pending_years)

    with transaction.atomic():
        existing = list(
            Session.objects.select_for_update()
            .filter(school_id=plan.school_id, term_id=plan.term_id)
            .exclude(date__year__in=pending_years)
        )
        _refuse_conflicts(plan, wanted)
        stale: list[int] = []
        to_update: list[Session] = []
        for session in existing:
            key = _key(session)
            fresh = wanted.pop(key, None)
            if session.roll_taken_at is not None:
                report.kept += 1
                if fresh is None:
                    report.kept_not_in_plan.append(session)
                continue
            if fresh is None:
                stale.append(session.pk)
                continue
            report.unchanged += 1
            if any(getattr(session, f) != getattr(fresh, f) for f in UPDATABLE):
                for f in UPDATABLE:
                    setattr(session, f, getattr(fresh, f))
                to_update.append(session)
        for start in range(0, len(stale), BATCH):
            Session.objects.filter(pk__in=stale[start : start + BATCH]).delete()
        report.removed = len(stale)
        if to_update:
            fields = [f.removesuffix("_id") for f in UPDATABLE]
            Session.objects.bulk_update(to_update, fields, batch_size=BATCH)
        created = Session.objects.bulk_create(wanted.values(), batch_size=BATCH)
        report.created = len(created)
    return report


def _refuse_conflicts(plan: SchoolPlan, wanted: dict[SessionKey, Session]) -> None:
    """Another term's session on the same key (overlapping vacation weeks of two terms)."""
    if not wanted:
        return
    dates = {key[0] for key in wanted}
    others = (
        Session.objects.filter(school_id=plan.school_id, date__gte=min(dates), date__lte=max(dates))
        .exclude(term_id=plan.term_id)
        .select_related("term__school_year")
    )
    clashes = sorted(
        (session for session in others if _key(session) in wanted), key=lambda s: s.date
    )
    if clashes:
        first = clashes[0]
        raise SessionConflict(
            _(
                "%(count)d sessions of the plan fall where term %(term)s already has sessions "
                "(first on %(date)s): do the two terms' vacation weeks overlap?"
            )
            % {"count": len(clashes), "term": first.term.code, "date": first.date.isoformat()}
        )
