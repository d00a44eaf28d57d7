"""Sittings from the published plan × the holiday calendar (R14).

Writes only; keyword-only arguments. Every refusal happens before anything is written,
and every write runs in one transaction.

For each service day (`kehou.lib.school_calendar.service_schedule`) there is one sitting
per plan slot whose weekdays include the day's timetable weekday. Regeneration keeps every
sitting whose roll was taken, leaves untouched sittings that are still wanted where they
are (so their ids stay stable), and replaces the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kehou.accounts.models import User
from kehou.lib import school_calendar as cal
from kehou.policy.models import SchoolPlan
from kehou.sittings.models import Sitting
from kehou.terms.services import calendar_overrides

BATCH = 1000


# --- refusals -------------------------------------------------------------------------


class GenerationRefused(ValidationError):
    """Sittings cannot be generated; `.messages` says why (in the active language)."""


class CalendarNotReady(GenerationRefused):
    """A year of the plan is unknown, or a make-up day has no timetable weekday."""


class PlanNotPublished(GenerationRefused):
    @classmethod
    def for_plan(cls, plan: SchoolPlan) -> PlanNotPublished:
        return cls(
            _(
                "Version %(version)d of the plan is not published: publish it before "
                "generating sittings."
            )
            % {"version": plan.version}
        )


class SittingConflict(GenerationRefused):
    """The plan would put a sitting where another term of the school already has one."""


@dataclass
class GenerationReport:
    plan: SchoolPlan
    service_days: int = 0
    created: int = 0
    unchanged: int = 0  # untouched sittings left in place (re-pointed to this plan if needed)
    kept: int = 0  # sittings with the roll taken, never touched by regeneration
    kept_not_in_plan: list[Sitting] = field(default_factory=list)  # of `kept`
    removed: int = 0
    # Years of the term whose holiday notice is not known yet: their days are left out
    # (never guessed) until the bureau enters the notice and the plan is generated again.
    pending_years: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Sittings of the term after generation."""
        return self.created + self.unchanged + self.kept

    def summary(self) -> str:
        return _(
            "%(days)d service days: %(created)d sittings created, %(unchanged)d unchanged, "
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
    """Every reason the calendar keeps this plan's sittings from being generated (Chinese
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


SittingKey = tuple[dt.date, dt.time, int, int, str]
UPDATABLE = (
    "plan_id",
    "slot_id",
    "timetable_weekday",
    "end",
    "label",
    "is_makeup_day",
    "in_vacation",
)


def _key(sitting: Sitting) -> SittingKey:
    return (sitting.date, sitting.start, sitting.grade_from, sitting.grade_to, sitting.kind)


def _wanted(plan: SchoolPlan, schedule: Iterable[cal.ServiceDay]) -> dict[SittingKey, Sitting]:
    slots = list(plan.slots.all())
    wanted: dict[SittingKey, Sitting] = {}
    for day in schedule:
        for slot in slots:
            if slot.weekdays is not None and day.timetable_weekday not in slot.weekdays:
                continue
            sitting = Sitting(
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
            # Two identical slots in one plan make one sitting.
            wanted.setdefault(_key(sitting), sitting)
    return wanted


def sittings_generate(*, plan: SchoolPlan, actor: User | None = None) -> GenerationReport:
    """Generate (or regenerate) the sittings of a published plan's term.

    Days in a year whose holidays nobody knows yet are left out, not guessed: the report's
    `pending_years` names those years, and generating again once the bureau entered the
    notice fills them in (a school can take roll in November without waiting for next
    year's notice).

    Refuses, writing nothing, a plan that is not published (PlanNotPublished), a calendar
    that is not ready (CalendarNotReady: no known day at all, or a make-up workday with no
    timetable chosen) and a sitting another term of the school already
    holds (SittingConflict). Then, in one transaction, over all sittings of the school's
    term (this plan's and those of its superseded versions):
    - a sitting whose roll was taken is kept as it is, even when the plan no longer has it;
    - an untouched sitting the plan still wants stays (re-pointed to this plan, its end,
      label and day facts brought up to date), keeping its id;
    - every other untouched sitting is removed, and the missing ones are created.
    `actor` is accepted for the audit trail of later steps; sittings hold no personal data.
    """
    if plan.status != SchoolPlan.Status.PUBLISHED:
        raise PlanNotPublished.for_plan(plan)
    schedule, pending_years = _schedule(plan, calendar_overrides())
    wanted = _wanted(plan, schedule)
    report = GenerationReport(plan=plan, service_days=len(schedule), pending_years=pending_years)

    with transaction.atomic():
        existing = list(
            Sitting.objects.select_for_update()
            .filter(school_id=plan.school_id, term_id=plan.term_id)
            .exclude(date__year__in=pending_years)
        )
        _refuse_conflicts(plan, wanted)
        stale: list[int] = []
        to_update: list[Sitting] = []
        for sitting in existing:
            key = _key(sitting)
            fresh = wanted.pop(key, None)
            if sitting.roll_taken_at is not None:
                report.kept += 1
                if fresh is None:
                    report.kept_not_in_plan.append(sitting)
                continue
            if fresh is None:
                stale.append(sitting.pk)
                continue
            report.unchanged += 1
            if any(getattr(sitting, f) != getattr(fresh, f) for f in UPDATABLE):
                for f in UPDATABLE:
                    setattr(sitting, f, getattr(fresh, f))
                to_update.append(sitting)
        for start in range(0, len(stale), BATCH):
            Sitting.objects.filter(pk__in=stale[start : start + BATCH]).delete()
        report.removed = len(stale)
        if to_update:
            fields = [f.removesuffix("_id") for f in UPDATABLE]
            Sitting.objects.bulk_update(to_update, fields, batch_size=BATCH)
        created = Sitting.objects.bulk_create(wanted.values(), batch_size=BATCH)
        report.created = len(created)
    return report


def _refuse_conflicts(plan: SchoolPlan, wanted: dict[SittingKey, Sitting]) -> None:
    """Another term's sitting on the same key (overlapping vacation weeks of two terms)."""
    if not wanted:
        return
    dates = {key[0] for key in wanted}
    others = (
        Sitting.objects.filter(school_id=plan.school_id, date__gte=min(dates), date__lte=max(dates))
        .exclude(term_id=plan.term_id)
        .select_related("term__school_year")
    )
    clashes = sorted(
        (sitting for sitting in others if _key(sitting) in wanted), key=lambda s: s.date
    )
    if clashes:
        first = clashes[0]
        raise SittingConflict(
            _(
                "%(count)d sittings of the plan fall where term %(term)s already has sittings "
                "(first on %(date)s): do the two terms' vacation weeks overlap?"
            )
            % {"count": len(clashes), "term": first.term.code, "date": first.date.isoformat()}
        )
