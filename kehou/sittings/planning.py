"""The sittings a school's term should have (R14), computed and compared, never written.

Two sources, both on the service days of the published plan × the holiday calendar
(`kehou.lib.school_calendar.service_schedule`: 调休 days follow another weekday's
timetable, vacation opening weeks count, years nobody knows the holidays of are left out):
- each slot of the plan, on the days whose timetable weekday it runs on;
- each meeting of each offering of the term's menu once the menu is published (not a
  draft), on the days whose timetable weekday is the meeting's.

`changes_for` compares them with the stored sittings: kehou.sittings.services writes the
difference, and the sittings page shows it when the plan, the menu or the calendar changed
after the last generation (a difference computed from the facts themselves, so it cannot
be fooled by a clock or a missed timestamp). Every refusal is a ValidationError with a
stable code and a translatable message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kehou.catalog.models import Menu, Offering
from kehou.core.errors import WHOLE
from kehou.lib import school_calendar as cal
from kehou.org.models import School
from kehou.policy.models import SchoolPlan
from kehou.sittings.models import Sitting
from kehou.terms.models import Term
from kehou.terms.services import calendar_overrides

# --- refusals -------------------------------------------------------------------------

YEAR_UNKNOWN = _(
    "The holidays of %(year)d are not entered yet, so the service days of that year are "
    "unknown (the education bureau enters the year's holiday notice first)."
)
MAKEUP_TIMETABLE_MISSING = _(
    "%(date)s is a make-up workday (调休) and nobody chose which weekday's timetable it "
    "follows: the school chooses it in the plan."
)


class GenerationRefused(ValidationError):
    """Sittings cannot be generated; each message has a code (kehou.core.errors.items)."""

    @classmethod
    def of(cls, errors: Iterable[ValidationError]) -> GenerationRefused:
        return cls({WHOLE: list(errors)})

    @classmethod
    def one(cls, code: str, message, **params) -> GenerationRefused:
        return cls.of([ValidationError(message, code=code, params=params or None)])


class PlanNotPublished(GenerationRefused):
    """The term has no published plan (perhaps only a draft)."""


class CalendarNotReady(GenerationRefused):
    """No day of the term is known yet, or a make-up workday has no timetable."""


class SittingConflict(GenerationRefused):
    """The plan would put a sitting where another term of the school already has one."""


def year_unknown(year: int) -> ValidationError:
    return ValidationError(YEAR_UNKNOWN, code="calendar_year_unknown", params={"year": year})


def _makeup_missing(day: dt.date) -> ValidationError:
    return ValidationError(
        MAKEUP_TIMETABLE_MISSING,
        code="makeup_timetable_missing",
        params={"date": day.isoformat()},
    )


# --- the plan and the calendar --------------------------------------------------------


def published_plan(school: School, term: Term) -> SchoolPlan | None:
    return SchoolPlan.objects.filter(
        school=school, term=term, status=SchoolPlan.Status.PUBLISHED
    ).first()


def require_published_plan(school: School, term: Term) -> SchoolPlan:
    plan = published_plan(school, term)
    if plan is not None:
        return plan
    draft = SchoolPlan.objects.filter(
        school=school, term=term, status=SchoolPlan.Status.DRAFT
    ).first()
    if draft is not None:
        raise PlanNotPublished.one(
            "plan_not_published",
            _(
                "Version %(version)d of the plan is not published: publish it before "
                "generating sittings."
            ),
            version=draft.version,
        )
    raise PlanNotPublished.one(
        "no_published_plan",
        _("%(school)s has no published plan for term %(term)s."),
        school=school.name,
        term=term.code,
    )


def _ranges(plan: SchoolPlan) -> list[tuple[dt.date, dt.date]]:
    """The term, then each vacation opening week."""
    return [(plan.term_start, plan.term_end)] + [
        (w.start, w.end) for w in plan.vacation_weeks.all()
    ]


def _unknown_years(plan: SchoolPlan, overrides) -> set[int]:
    unknown: set[int] = set()
    for start, end in _ranges(plan):
        if end >= start:
            unknown.update(cal.unknown_years(start, end, overrides))
    return unknown


def calendar_problems(plan: SchoolPlan, overrides=None) -> list[ValidationError]:
    """Every reason the calendar keeps some or all of this plan's sittings from being
    generated: dates in the wrong order, unknown years, then make-up workdays nobody chose
    a timetable for (in known years). Empty when the calendar is ready. Whether the plan is
    published is not a calendar matter."""
    overrides = calendar_overrides() if overrides is None else overrides
    problems = [
        ValidationError(
            _("The dates %(start)s to %(end)s end before they start."),
            code="plan_dates_invalid",
            params={"start": start.isoformat(), "end": end.isoformat()},
        )
        for start, end in _ranges(plan)
        if end < start
    ]
    unknown = _unknown_years(plan, overrides)
    problems += [year_unknown(year) for year in sorted(unknown)]
    chosen = {m.date for m in plan.makeup_days.all()}
    missing: set[dt.date] = set()
    for start, end in _ranges(plan):
        day = start
        while day <= end:
            if day.year not in unknown and day not in chosen:
                info = cal.day_kind(day, overrides)
                if info.kind is cal.DayKind.MAKEUP_WORKDAY and info.follows_weekday is None:
                    missing.add(day)
            day += dt.timedelta(days=1)
    problems += [_makeup_missing(day) for day in sorted(missing)]
    return problems


@dataclass
class Schedule:
    days: list[cal.ServiceDay]
    # Years of the term whose holiday notice is not known yet: their days are left out
    # (never guessed) until the bureau enters the notice and the term is generated again.
    pending_years: list[int]


def _known_pieces(start: dt.date, end: dt.date, unknown: set[int]) -> list[tuple[dt.date, dt.date]]:
    """The parts of start..end that fall in years whose holidays are known."""
    return [
        (max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31)))
        for year in range(start.year, end.year + 1)
        if year not in unknown
    ]


def schedule_of(plan: SchoolPlan, overrides) -> Schedule:
    """The plan's service days in the years whose holidays are known. Refuses
    (CalendarNotReady) a term with no known day at all, a make-up workday with no timetable
    and dates in the wrong order, naming every such problem at once."""
    problems = calendar_problems(plan, overrides)
    unknown = _unknown_years(plan, overrides)
    term_pieces = _known_pieces(plan.term_start, plan.term_end, unknown)
    blocking = [p for p in problems if p.code != "calendar_year_unknown"]
    if blocking or not term_pieces:
        raise CalendarNotReady.of(blocking or problems)
    vacation = [
        piece
        for week in plan.vacation_weeks.all()
        for piece in _known_pieces(week.start, week.end, unknown)
    ]
    makeup = {m.date: m.follows_weekday for m in plan.makeup_days.all()}
    days: dict[dt.date, cal.ServiceDay] = {}
    try:
        for index, (start, end) in enumerate(term_pieces):
            for day in cal.service_schedule(
                start,
                end,
                plan.service_weekdays or [],
                overrides=overrides,
                # Vacation weeks once, with the first piece: a day is never counted twice.
                vacation_weeks=vacation if index == 0 else (),
                makeup_follows=makeup,
            ):
                days.setdefault(day.date, day)
    except cal.MakeupTimetableUnknown as exc:
        raise CalendarNotReady.of([_makeup_missing(exc.date)]) from exc
    except ValueError as exc:  # weekdays outside 0..6 in the plan itself
        raise CalendarNotReady.one(
            "plan_dates_invalid",
            _("The plan's dates or service days are invalid: %(error)s"),
            error=str(exc),
        ) from exc
    return Schedule([days[d] for d in sorted(days)], sorted(unknown))


# --- the sittings wanted ----------------------------------------------------------------

Key = tuple
# What regeneration brings up to date on a sitting it keeps in place (its id stays).
UPDATABLE = (
    "plan_id",
    "slot_id",
    "timetable_weekday",
    "end",
    "grade_from",
    "grade_to",
    "label",
    "room",
    "responsible_id",
    "is_makeup_day",
    "in_vacation",
)


def key_of(sitting: Sitting) -> Key:
    """What makes a sitting the same sitting across regenerations: a plan slot's sitting
    by its day, start, grades and kind; an offering's by the offering, day and start."""
    if sitting.offering_id is not None:
        return ("offering", sitting.offering_id, sitting.date, sitting.start)
    return ("plan", sitting.date, sitting.start, sitting.grade_from, sitting.grade_to, sitting.kind)


def menu_in_use(school: School, term: Term) -> Menu | None:
    """The term's menu once it is published (or further along), else None."""
    return Menu.objects.filter(school=school, term=term).exclude(status=Menu.Status.DRAFT).first()


def _day_facts(plan: SchoolPlan, day: cal.ServiceDay) -> dict:
    return {
        "school_id": plan.school_id,
        "term_id": plan.term_id,
        "plan_id": plan.pk,
        "date": day.date,
        "timetable_weekday": day.timetable_weekday,
        "is_makeup_day": day.kind is cal.DayKind.MAKEUP_WORKDAY,
        "in_vacation": day.in_vacation_week,
    }


def wanted_sittings(
    plan: SchoolPlan, schedule: Schedule, offerings: Iterable[Offering]
) -> dict[Key, Sitting]:
    slots = list(plan.slots.all())
    meetings = [(offering, m) for offering in offerings for m in offering.meetings.all()]
    wanted: dict[Key, Sitting] = {}
    for day in schedule.days:
        facts = _day_facts(plan, day)
        for slot in slots:
            if slot.weekdays is not None and day.timetable_weekday not in slot.weekdays:
                continue
            sitting = Sitting(
                **facts,
                slot_id=slot.pk,
                start=slot.start,
                end=slot.end,
                grade_from=slot.grade_from,
                grade_to=slot.grade_to,
                kind=slot.kind,
                label=slot.label,
            )
            wanted.setdefault(key_of(sitting), sitting)  # two identical slots: one sitting
        for offering, meeting in meetings:
            if meeting.weekday != day.timetable_weekday:
                continue
            sitting = Sitting(
                **facts,
                offering_id=offering.pk,
                start=meeting.start,
                end=meeting.end,
                grade_from=offering.grade_from,
                grade_to=offering.grade_to,
                kind=Sitting.Kind.OFFERING,
                label=str(offering)[:100],
                room=(offering.room or offering.off_campus_venue)[:100],
                responsible_id=offering.instructor_id,
            )
            wanted.setdefault(key_of(sitting), sitting)
    return wanted


def _offerings(menu: Menu | None) -> QuerySet[Offering] | list:
    if menu is None:
        return []
    return (
        Offering.objects.filter(menu=menu)
        .select_related("activity")
        .prefetch_related("meetings")
        .order_by("pk")
    )


def _refuse_conflicts(plan: SchoolPlan, wanted: dict[Key, Sitting]) -> None:
    """Another term's plan sitting on the same key (overlapping vacation weeks of two
    terms): the database holds one plan sitting per school, day, start, grades and kind."""
    dates = [key[1] for key in wanted if key[0] == "plan"]
    if not dates:
        return
    others = (
        Sitting.objects.filter(
            school_id=plan.school_id,
            offering__isnull=True,
            date__gte=min(dates),
            date__lte=max(dates),
        )
        .exclude(term_id=plan.term_id)
        .select_related("term__school_year")
    )
    clashes = sorted((s for s in others if key_of(s) in wanted), key=lambda s: s.date)
    if clashes:
        first = clashes[0]
        raise SittingConflict.one(
            "sittings_conflict",
            _(
                "%(count)d sittings of the plan fall where term %(term)s already has sittings "
                "(first on %(date)s): do the two terms' vacation weeks overlap?"
            ),
            count=len(clashes),
            term=first.term.code,
            date=first.date.isoformat(),
        )


# --- the difference ---------------------------------------------------------------------


@dataclass
class Changes:
    """What generating the term's sittings again would do."""

    plan: SchoolPlan
    service_days: int
    pending_years: list[int]
    create: list[Sitting] = field(default_factory=list)
    update: list[Sitting] = field(default_factory=list)  # stored ones, fresh facts set
    unchanged: int = 0
    kept: list[Sitting] = field(default_factory=list)  # roll taken: never touched
    kept_not_wanted: list[Sitting] = field(default_factory=list)  # of `kept`
    remove: list[int] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.create or self.update or self.remove)


def changes_for(school: School, term: Term, *, lock: bool = False) -> Changes:
    """Compare the sittings the term should have with the stored ones. Refuses, before
    anything could be written, a term without a published plan (PlanNotPublished), a
    calendar that is not ready (CalendarNotReady) and sittings another term of the school
    holds already (SittingConflict). With `lock` (inside a transaction) the stored
    sittings are locked for the writer."""
    plans = SchoolPlan.objects.prefetch_related("slots", "vacation_weeks", "makeup_days")
    if lock:
        plans = plans.select_for_update()
    plan = plans.get(pk=require_published_plan(school, term).pk)
    schedule = schedule_of(plan, calendar_overrides())
    wanted = wanted_sittings(plan, schedule, _offerings(menu_in_use(school, term)))
    _refuse_conflicts(plan, wanted)
    stored = Sitting.objects.filter(school=school, term=term).exclude(
        date__year__in=schedule.pending_years
    )
    if lock:
        stored = stored.select_for_update()
    changes = Changes(
        plan=plan, service_days=len(schedule.days), pending_years=schedule.pending_years
    )
    stored = list(stored.order_by("pk"))
    recorded = _recorded({s.pk for s in stored if key_of(s) not in wanted})
    for sitting in stored:
        fresh = wanted.pop(key_of(sitting), None)
        if sitting.has_attendance or sitting.pk in recorded:
            changes.kept.append(sitting)
            if fresh is None:
                changes.kept_not_wanted.append(sitting)
        elif fresh is None:
            changes.remove.append(sitting.pk)
        elif any(getattr(sitting, f) != getattr(fresh, f) for f in UPDATABLE):
            for f in UPDATABLE:
                setattr(sitting, f, getattr(fresh, f))
            changes.update.append(sitting)
        else:
            changes.unchanged += 1
    changes.create = list(wanted.values())
    return changes


def _recorded(sitting_ids: set[int]) -> set[int]:
    """Of these sittings, those other records hold on to (a roll call, a custody, a
    hand-over, an alert: every foreign key that protects a sitting, whichever app it is
    in): a regeneration keeps them, as it keeps those whose roll was taken."""
    found: set[int] = set()
    if not sitting_ids:
        return found
    for relation in Sitting._meta.related_objects:
        if relation.on_delete not in (models.PROTECT, models.RESTRICT):
            continue
        found |= set(
            relation.related_model._base_manager.filter(
                **{f"{relation.field.name}__in": list(sitting_ids)}
            ).values_list(relation.field.attname, flat=True)
        )
    return found
