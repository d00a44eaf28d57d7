"""Writes of menus, activities and offerings (SPEC R8, R9, R25).

Every write begins with the actor's scope (`access.require_school_admin` for the school
the object belongs to, as stored), then validates everything, then writes in one
transaction. A refusal is a kehou.core.errors ValidationError: a stable code, the field it
concerns and a translatable message. What a menu may not hold comes from the school's
policy profile (kehou.catalog.rules): a rule the profile does not state is not checked,
and a refusal quotes the profile's citation. What is not policy (the school's grades,
meetings that do not clash, the lifecycle) is checked everywhere.

The menu lives inside the school's plan for the term (一校一案, kehou.policy): every
meeting falls on one of the plan's service days and inside one of its slots for each grade
the offering serves, checked against the published plan (or the draft while there is no
published one). Within a menu (one school, one term) no instructor and no room is booked
twice at the same time; every offering write holds the menu's row lock first, so two
admins saving at once are checked one after the other. Publishing and opening the window
recheck every offering (a profile or an organisation's vetting may have changed since it
was saved), and the window opens only under a published plan and with a fallback offering
(guaranteed basic care) for every grade the menu serves.

Lifecycle of a menu: draft → published → window_open → closed → allocated → running
(an FCFS menu may go from closed straight to running: its seats were claimed in the
window). Offerings are edited freely in draft and published. Once the choice window has
opened families have ranked on the strength of the grades, times, venue and fee, so from
then on only two changes are accepted: a larger capacity (more seats never hurt a family;
the waiting-list sweep of kehou.enrollment.tasks offers the new seats within a minute) and
a different instructor (illness, replacement), who must be vetted like the first. No
offering is added or removed after the window opens.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError, prefetch_related_objects
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehou.allocation import seed_commitment
from kehou.catalog.models import Activity, Category, Menu, Offering, OfferingMeeting
from kehou.catalog.rules import (
    SUBJECT_CATEGORIES,
    citation,
    no_fee_standard,
    school_rules,
    stated,
    subject_training_reason,
)
from kehou.core.errors import WHOLE, Problems, refusal
from kehou.core.labels import WEEKDAY_LABELS, grades_label, weekdays_label
from kehou.org import access
from kehou.org.models import School, Staff
from kehou.policy.models import PlanSlot, SchoolPlan
from kehou.policy.selectors import current_plan
from kehou.policy_rules import ProfileRules
from kehou.terms.models import Term

BUCKET_MINUTES = 5
JUNIOR_FROM = 7  # evening study (晚自习) is for junior secondary grades by its definition
SENIOR_FROM = 10  # senior grades are outside the after-school policy (no plan slot needed)
# Upper bounds of the whole numbers a form or a caller may give (PostgreSQL's integer is
# 32-bit; a larger number would be a 500 instead of a message).
MAX_CAPACITY = 2000
MAX_FEE_YUAN = Decimal("100000")
MAX_EXTENDED_PER_CHILD = 7  # one a day at most, the weekend included

# The plan's slots an offering of a category may meet in (PlanSlot.kind); every other
# category meets in the regular after-school slots, or the boarders' evening service.
SLOT_KINDS = {
    Category.EVENING_STUDY: frozenset({PlanSlot.Kind.EVENING_STUDY}),
    Category.EXTENDED_CARE: frozenset({PlanSlot.Kind.EXTENDED_CARE}),
}
DEFAULT_SLOT_KINDS = frozenset({PlanSlot.Kind.REGULAR, PlanSlot.Kind.BOARDING})

EDITABLE = (Menu.Status.DRAFT, Menu.Status.PUBLISHED)

ACTIVITY_FIELDS = (
    "name",
    "category",
    "description",
    "organisation",
    "is_subject_training",
    "teaches_new_lessons",
    "has_commercial_promotion",
    "risk_level",
)
OFFERING_FIELDS = (
    "activity",
    "name",
    "grade_from",
    "grade_to",
    "capacity",
    "instructor",
    "room",
    "off_campus_venue",
    "fee_per_term",
    "is_fallback",
)
# What may still change once the window has opened (see the module docstring).
LATE_CHANGES = {"capacity", "instructor"}

Meeting = tuple[int, dt.time, dt.time]


# --- reads the contract puts here -------------------------------------------------------


def buckets_of(meetings: Iterable[Meeting]) -> frozenset[tuple[int, int]]:
    """(weekday, 5-minute bucket) pairs covered; two meetings clash when they share one."""
    pairs = set()
    for weekday, start, end in meetings:
        first = (start.hour * 60 + start.minute) // BUCKET_MINUTES
        last = (end.hour * 60 + end.minute + BUCKET_MINUTES - 1) // BUCKET_MINUTES
        pairs.update((weekday, bucket) for bucket in range(first, last))
    return frozenset(pairs)


def meeting_buckets(offering: Offering) -> frozenset[tuple[int, int]]:
    return buckets_of((m.weekday, m.start, m.end) for m in offering.meetings.all())


# --- helpers ----------------------------------------------------------------------------


def _hhmm(time: dt.time) -> str:
    return f"{time:%H:%M}"


def _minutes(start: dt.time, end: dt.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def _status_label(status: str):
    return Menu.Status(status).label


def _either_text(statuses: tuple[str, ...]) -> str:
    labels = [f"“{_status_label(s)}”" for s in statuses]
    if len(labels) == 1:
        return labels[0]
    return gettext("%(first)s or %(second)s") % {
        "first": gettext(", ").join(labels[:-1]),
        "second": labels[-1],
    }


def _list_text(items: tuple[str, ...]) -> str:
    return gettext(", ").join(items)


# Params shown in the language of the page that shows the refusal.
_either = lazy(_either_text, str)
_list = lazy(_list_text, str)
_weekdays = lazy(weekdays_label, str)
_grades = lazy(grades_label, str)
_weekday = lazy(lambda day: str(WEEKDAY_LABELS[day]), str)


def _school_of(menu: Menu) -> School:
    """The school a menu belongs to, as stored (not as the caller's object says)."""
    return _stored_school(menus__pk=menu.pk)


def _school_of_offering(offering: Offering) -> School:
    return _stored_school(menus__offerings__pk=offering.pk)


def _stored_school(**lookup) -> School:
    school = School.objects.filter(**lookup).first()
    if school is None:
        raise access.OutOfScope
    return school


def _lock_menu(menu: Menu) -> Menu:
    return (
        Menu.objects.select_for_update(of=("self",))
        .select_related("school", "term")
        .get(pk=menu.pk)
    )


def _delivered_externally(activity: Activity, instructor: Staff | None = None) -> bool:
    return activity.organisation_id is not None or (
        instructor is not None and instructor.organisation_id is not None
    )


class _AboutOffering:
    """Adds problems to `problems`, each prefixed with the offering it concerns (publishing
    checks every offering of the menu at once)."""

    PREFIX = _("Offering “%(offering)s”: ")

    def __init__(self, problems: Problems, offering: Offering) -> None:
        self.problems = problems
        self.offering = str(offering)

    def add(self, code: str, message, *, field: str = WHOLE, **params) -> None:
        self.problems.add(
            code, format_lazy("{}{}", self.PREFIX, message), offering=self.offering, **params
        )


# --- what the profile forbids -----------------------------------------------------------


def _content_problems(
    problems,
    rules: ProfileRules | None,
    activity: Activity,
    *,
    instructor: Staff | None = None,
    field: str | None = None,
) -> None:
    """What the profile forbids an activity to be. Each problem goes beside the flag it
    concerns, or on `field` (the offering form's "activity")."""

    def add(code, message, flag, rule):
        problems.add(code, message, field=field or flag, activity=activity.name, **citation(rule))

    rule = stated(rules, "no_subject_training_by_organisations")
    reason = subject_training_reason(
        name=activity.name, category=activity.category, ticked=activity.is_subject_training
    )
    if rule and reason and _delivered_externally(activity, instructor):
        problems.add(
            "subject_training_by_organisation",
            _(
                "Activity “%(activity)s” is subject training (%(reason)s) delivered by an "
                "external organisation: not saved. Under %(source)s: “%(quote)s”"
            ),
            field=field or _subject_training_field(activity),
            activity=activity.name,
            reason=reason,
            **citation(rule),
        )
    rule = stated(rules, "no_new_lessons")
    if rule and activity.teaches_new_lessons:
        add(
            "new_lessons",
            _(
                "Activity “%(activity)s” teaches new lessons: not saved. "
                "Under %(source)s: “%(quote)s”"
            ),
            "teaches_new_lessons",
            rule,
        )
    rule = stated(rules, "no_commercial_promotion")
    if rule and activity.has_commercial_promotion:
        add(
            "commercial_promotion",
            _(
                "Activity “%(activity)s” carries commercial promotion: not saved. "
                "Under %(source)s: “%(quote)s”"
            ),
            "has_commercial_promotion",
            rule,
        )
    rule = stated(rules, "no_high_risk_activities")
    if rule and activity.risk_level == Activity.RiskLevel.HIGH:
        add(
            "high_risk_activity",
            _(
                "Activity “%(activity)s” has a high risk level: not saved. "
                "Under %(source)s: “%(quote)s”"
            ),
            "risk_level",
            rule,
        )


def _organisation_problems(
    problems, rules: ProfileRules | None, activity: Activity, *, school: School, field=None
) -> None:
    """The organisation that delivers the activity: registered with the school's county
    or a region above it, approved by its bureau (and, where the profile asks for vetting,
    with a valid licence and no record of violations), and registered for the activity's
    category."""
    organisation = activity.organisation
    if organisation is None:
        return
    if not organisation.serves(school):
        problems.add(
            "organisation_other_region",
            _(
                "Organisation “%(organisation)s” is registered with the education bureau of "
                "another region, not with this school's."
            ),
            field=field or "organisation",
            organisation=organisation.name,
        )
        return
    rule = stated(rules, "instructors_vetted")
    if rule and not organisation.is_usable_on(timezone.localdate()):
        problems.add(
            "organisation_not_vetted",
            _(
                "Organisation “%(organisation)s” has not been vetted by the education bureau, "
                "has a violation record or its licence has expired. Under %(source)s: “%(quote)s”"
            ),
            field=field or "organisation",
            organisation=organisation.name,
            **citation(rule),
        )
    elif not organisation.is_vetted:
        problems.add(
            "organisation_not_approved",
            _(
                "Organisation “%(organisation)s” is not approved by the education bureau "
                "(%(status)s)."
            ),
            field=field or "organisation",
            organisation=organisation.name,
            status=organisation.get_status_display(),
        )
    if not subject_training_reason(
        name=activity.name, category=activity.category, ticked=activity.is_subject_training
    ) and not organisation.may_offer(activity.category):
        problems.add(
            "organisation_not_registered_for_category",
            _(
                "Organisation “%(organisation)s” is not registered by the education bureau "
                "to deliver “%(category)s”."
            ),
            field=field or "category",
            organisation=organisation.name,
            category=activity.get_category_display(),
        )


def _subject_training_field(activity: Activity) -> str:
    if activity.is_subject_training:
        return "is_subject_training"
    return "category" if activity.category in SUBJECT_CATEGORIES else "name"


def _instructor_problems(
    problems, rules: ProfileRules | None, instructor: Staff | None, *, school: School, day
) -> None:
    if instructor is None:
        return
    if instructor.school_id != school.pk:
        problems.add(
            "instructor_other_school",
            _("Instructor: choose a teacher or external instructor registered at this school."),
            field="instructor",
        )
        return
    if not instructor.is_active:
        problems.add(
            "instructor_inactive",
            _("Instructor “%(instructor)s” no longer works at the school."),
            field="instructor",
            instructor=instructor.name,
        )
        return
    rule = stated(rules, "instructors_vetted")
    found = instructor.vetting_problems(day) if rule else []
    if found:
        problems.add(
            "instructor_not_vetted",
            _(
                "Instructor “%(instructor)s” cannot be assigned on the first day of term "
                "(%(day)s): %(problems)s. Under %(source)s: “%(quote)s”"
            ),
            field="instructor",
            instructor=instructor.name,
            day=day.isoformat(),
            problems=_list(tuple(found)),
            **citation(rule),
        )


# --- the menu of a term -----------------------------------------------------------------


def menu_create(*, school: School, term: Term, actor) -> Menu:
    """The school's menu for the term, created as an empty draft if it has none yet
    (idempotent: a second call returns the same menu)."""
    access.require_school_admin(actor, school)
    with transaction.atomic():
        menu, _created = Menu.objects.get_or_create(school=school, term=term)
    return menu


# --- activities -------------------------------------------------------------------------


def _in_use_after_window(activity: Activity) -> bool:
    return (
        activity.pk is not None
        and Offering.objects.filter(activity=activity).exclude(menu__status__in=EDITABLE).exists()
    )


def activity_save(*, school: School, actor, activity: Activity | None = None, **fields) -> Activity:
    """Create an activity (or change `activity`) after checking what the profile forbids."""
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    access.require_school_admin(actor, school)
    if activity is None:
        target = Activity(school=school)
    else:
        target = Activity.objects.select_related("school").filter(pk=activity.pk).first()
        if target is None:
            raise access.OutOfScope
        access.require_school_admin(actor, target.school)
        if target.school_id != school.pk:
            raise refusal("activity_other_school", _("This activity is not one of this school's."))
    old_category = target.category
    for name, value in fields.items():
        setattr(target, name, value)
    target.name = (target.name or "").strip()
    rules = school_rules(school)
    problems = Problems()
    if not target.name:
        problems.add("name_required", _("Activity name: required."), field="name")
    if target.category not in Category.values:
        problems.add(
            "category_invalid",
            _("Category: choose an after-school service category."),
            field="category",
        )
    if target.risk_level not in Activity.RiskLevel.values:
        problems.add(
            "risk_level_invalid", _("Risk level: choose low, medium or high."), field="risk_level"
        )
    if target.category in Category.values:
        _organisation_problems(problems, rules, target, school=school)
    _content_problems(problems, rules, target)
    if activity is not None and target.category != old_category and _in_use_after_window(target):
        problems.add(
            "category_frozen",
            _(
                "Category: a menu whose choice window has opened has offerings of this "
                "activity, so its category can no longer change."
            ),
            field="category",
        )
    problems.raise_if_any()
    with transaction.atomic():
        target.save()
    return target


# --- offerings --------------------------------------------------------------------------


def _evening_problems(problems, rules, row: int, weekday: int, start, end) -> bool:
    """The profile's evening-study rules for one meeting; True when it passes them."""
    passed = True
    rule = stated(rules, "evening_study_weekdays_only")
    if rule and weekday > 4:
        problems.add(
            "evening_study_weekend",
            _(
                "Meeting row %(row)d: evening study is held on weekdays only. "
                "Under %(source)s: “%(quote)s”"
            ),
            field="meetings",
            row=row,
            **citation(rule),
        )
        passed = False
    rule = stated(rules, "evening_study_latest_end")
    if rule and end > rule.value:
        problems.add(
            "evening_study_too_late",
            _(
                "Meeting row %(row)d: evening study ends no later than %(latest)s, this row "
                "ends at %(end)s. Under %(source)s: “%(quote)s”"
            ),
            field="meetings",
            row=row,
            latest=_hhmm(rule.value),
            end=_hhmm(end),
            **citation(rule),
        )
        passed = False
    rule = stated(rules, "evening_study_max_minutes")
    if rule and _minutes(start, end) > rule.value:
        problems.add(
            "evening_study_too_long",
            _(
                "Meeting row %(row)d: evening study lasts at most %(max)d minutes, this row "
                "lasts %(minutes)d. Under %(source)s: “%(quote)s”"
            ),
            field="meetings",
            row=row,
            max=rule.value,
            minutes=_minutes(start, end),
            **citation(rule),
        )
        passed = False
    return passed


def _meeting_problems(
    problems: Problems, rules, meetings: Sequence, *, category: str
) -> list[Meeting]:
    """The well-formed meetings; every problem of the others, and every clash, is added."""
    if not meetings:
        problems.add(
            "meetings_missing",
            _("Meeting times: give at least one (weekday, start, end)."),
            field="meetings",
        )
        return []
    clean: list[tuple[int, Meeting]] = []
    for row, meeting in enumerate(meetings, start=1):
        try:
            weekday, start, end = meeting
        except (TypeError, ValueError):
            problems.add(
                "meeting_malformed",
                _("Meeting row %(row)d: give the weekday, the start time and the end time."),
                field="meetings",
                row=row,
            )
            continue
        if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
            problems.add(
                "meeting_weekday_invalid",
                _("Meeting row %(row)d: the weekday is 0 (Monday) to 6 (Sunday)."),
                field="meetings",
                row=row,
            )
            continue
        if not isinstance(start, dt.time) or not isinstance(end, dt.time):
            problems.add(
                "meeting_time_missing",
                _("Meeting row %(row)d: give the start and the end time."),
                field="meetings",
                row=row,
            )
            continue
        if end <= start:
            problems.add(
                "meeting_ends_before_start",
                _(
                    "Meeting row %(row)d: the end time %(end)s should be after the start "
                    "time %(start)s."
                ),
                field="meetings",
                row=row,
                start=_hhmm(start),
                end=_hhmm(end),
            )
            continue
        if category == Category.EVENING_STUDY and not _evening_problems(
            problems, rules, row, weekday, start, end
        ):
            continue
        clean.append((row, (weekday, start, end)))
    for index, (row, meeting) in enumerate(clean):
        for other_row, other in clean[:index]:
            if buckets_of([meeting]) & buckets_of([other]):
                problems.add(
                    "meetings_overlap",
                    _(
                        "Meeting row %(row)d (%(day)s %(start)s–%(end)s) overlaps row "
                        "%(other_row)d (%(other_day)s %(other_start)s–%(other_end)s): an "
                        "offering cannot meet twice at the same time."
                    ),
                    field="meetings",
                    row=row,
                    day=WEEKDAY_LABELS[meeting[0]],
                    start=_hhmm(meeting[1]),
                    end=_hhmm(meeting[2]),
                    other_row=other_row,
                    other_day=WEEKDAY_LABELS[other[0]],
                    other_start=_hhmm(other[1]),
                    other_end=_hhmm(other[2]),
                )
    return [meeting for _row, meeting in clean]


# --- what the school plan allows, and who is booked when --------------------------------


def _plan_for(menu: Menu) -> SchoolPlan | None:
    """The plan a menu's meetings are checked against: the term's published plan, else its
    draft (a menu may be drafted beside its plan); None before the school has one."""
    plan = current_plan(school=menu.school, term=menu.term)
    if plan is not None:
        prefetch_related_objects([plan], "slots")
    return plan


def _published_plan(menu: Menu) -> SchoolPlan | None:
    return (
        SchoolPlan.objects.filter(
            school=menu.school_id, term=menu.term_id, status=SchoolPlan.Status.PUBLISHED
        )
        .prefetch_related("slots")
        .first()
    )


def _slot_text(slot: PlanSlot) -> str:
    return f"{grades_label(slot.grade_from, slot.grade_to)} {_hhmm(slot.start)}–{_hhmm(slot.end)}"


def _slots_text(slots: Sequence[PlanSlot]) -> str:
    if not slots:
        return gettext("none")
    return gettext(", ").join(_slot_text(slot) for slot in slots)


def _grade_runs(grades: Sequence[int]) -> str:
    runs: list[list[int]] = []
    for grade in sorted(grades):
        if runs and grade == runs[-1][-1] + 1:
            runs[-1].append(grade)
        else:
            runs.append([grade])
    return gettext(", ").join(grades_label(run[0], run[-1]) for run in runs)


_slots_lazy = lazy(_slots_text, str)
_grade_runs_lazy = lazy(_grade_runs, str)


def _plan_problems(
    problems, plan: SchoolPlan, meetings: Sequence[Meeting], *, grades: range, category: str
) -> None:
    """Each meeting on one of the plan's service days and, for every grade of the offering,
    inside one of the plan's slots for that grade on that day (of the kind the category
    meets in: evening study in the evening-study slots, extended care in the extended-care
    slots, everything else in the regular or boarders' slots). Senior grades the plan has
    no slot for are outside the after-school policy and not checked."""
    service_days = {day for day in plan.service_weekdays if 0 <= day <= 6}
    slots = list(plan.slots.all())
    kinds = SLOT_KINDS.get(category, DEFAULT_SLOT_KINDS)
    for row, (weekday, start, end) in enumerate(meetings, start=1):
        if weekday not in service_days:
            problems.add(
                "meeting_not_service_day",
                _(
                    "Meeting row %(row)d: %(day)s is not a service day of the school plan "
                    "(version %(version)d), whose service days are %(days)s."
                ),
                field="meetings",
                row=row,
                day=_weekday(weekday),
                version=plan.version,
                days=_weekdays(sorted(service_days)) if service_days else gettext("none"),
            )
            continue
        outside, offered = [], []
        for grade in grades:
            own = [s for s in slots if s.grade_from <= grade <= s.grade_to]
            if not own and grade >= SENIOR_FROM:
                continue
            fitting = [
                s for s in own if s.kind in kinds and (not s.weekdays or weekday in s.weekdays)
            ]
            if not any(s.start <= start and end <= s.end for s in fitting):
                outside.append(grade)
                offered += [s for s in fitting if s not in offered]
        if outside:
            problems.add(
                "meeting_outside_plan_slots",
                _(
                    "Meeting row %(row)d (%(day)s %(start)s–%(end)s) is outside the time slots "
                    "of the school plan (version %(version)d) for %(grades)s on that day: "
                    "%(slots)s."
                ),
                field="meetings",
                row=row,
                day=_weekday(weekday),
                start=_hhmm(start),
                end=_hhmm(end),
                version=plan.version,
                grades=_grade_runs_lazy(tuple(outside)),
                slots=_slots_lazy(tuple(sorted(offered, key=lambda s: (s.grade_from, s.start)))),
            )


def _grades_of(offering: Offering) -> range | None:
    """The offering's grades, when they are whole numbers in order (else None: refused)."""
    lo, hi = offering.grade_from, offering.grade_to
    if not all(isinstance(g, int) and not isinstance(g, bool) for g in (lo, hi)) or lo > hi:
        return None
    return range(max(lo, 1), min(hi, 12) + 1)


def _room_key(room: str) -> str:
    return "".join((room or "").split()).casefold()


def _clash_problems(
    problems, target: Offering, meetings: Sequence[Meeting], others: Iterable[Offering]
) -> None:
    """No instructor and no room in two offerings of the menu (the school's term) at the
    same time: meetings on the same weekday whose times overlap (an off-campus venue, a
    library or a museum, is not the school's to book and is not checked). `others` are
    the menu's other offerings with their meetings; the caller holds the menu's lock, so
    two admins saving at once are checked one after the other."""
    room = _room_key(target.room)
    for other in others:
        same_instructor = (
            target.instructor_id is not None and other.instructor_id == target.instructor_id
        )
        same_room = bool(room) and _room_key(other.room) == room
        if not (same_instructor or same_room):
            continue
        theirs = [(m.weekday, m.start, m.end) for m in other.meetings.all()]
        for row, meeting in enumerate(meetings, start=1):
            clash = next((m for m in theirs if buckets_of([meeting]) & buckets_of([m])), None)
            if clash is None:
                continue
            params = {
                "row": row,
                "day": _weekday(meeting[0]),
                "start": _hhmm(meeting[1]),
                "end": _hhmm(meeting[2]),
                "other": str(other),
                "other_start": _hhmm(clash[1]),
                "other_end": _hhmm(clash[2]),
            }
            if same_instructor:
                problems.add(
                    "instructor_double_booked",
                    _(
                        "Meeting row %(row)d (%(day)s %(start)s–%(end)s): instructor "
                        "“%(instructor)s” already teaches “%(other)s” at %(other_start)s–"
                        "%(other_end)s that day."
                    ),
                    field="instructor",
                    instructor=other.instructor.name,
                    **params,
                )
            if same_room:
                problems.add(
                    "room_double_booked",
                    _(
                        "Meeting row %(row)d (%(day)s %(start)s–%(end)s): room “%(room)s” is "
                        "already booked for “%(other)s” at %(other_start)s–%(other_end)s "
                        "that day."
                    ),
                    field="room",
                    room=other.room,
                    **params,
                )


def _other_offerings(menu: Menu, *, besides: int | None):
    return (
        Offering.objects.filter(menu=menu)
        .exclude(pk=besides)
        .select_related("activity", "instructor")
        .prefetch_related("meetings")
        .order_by("pk")
    )


def _grade_problems(problems: Problems, school: School, target: Offering, category: str) -> None:
    grades = school.grades
    if not all(
        isinstance(g, int) and not isinstance(g, bool) for g in (target.grade_from, target.grade_to)
    ):
        problems.add(
            "grades_required", _("Grades: give the first and the last grade."), field="grade_from"
        )
        return
    if target.grade_from not in grades or target.grade_to not in grades:
        problems.add(
            "grades_outside_school",
            _(
                "Grades: this school teaches grades %(first)d to %(last)d, so it cannot offer "
                "grades %(grade_from)d to %(grade_to)d."
            ),
            field="grade_from",
            first=grades.start,
            last=grades.stop - 1,
            grade_from=target.grade_from,
            grade_to=target.grade_to,
        )
    elif target.grade_from > target.grade_to:
        problems.add(
            "grades_reversed",
            _("Grades: the first grade cannot be above the last."),
            field="grade_to",
        )
    if category == Category.EVENING_STUDY and target.grade_from < JUNIOR_FROM:
        problems.add(
            "evening_study_junior_only",
            _("Grades: evening study is for junior secondary grades (grade 7 and up) only."),
            field="grade_from",
        )


def _fee_problems(problems: Problems, rules, target: Offering, activity: Activity) -> None:
    fee = target.fee_per_term
    if isinstance(fee, int) and not isinstance(fee, bool):
        fee = target.fee_per_term = Decimal(fee)
    if fee is not None and not isinstance(fee, Decimal):
        problems.add("fee_invalid", _("Fee: give an amount in yuan."), field="fee_per_term")
        return
    if fee is not None and fee < 0:
        problems.add("fee_negative", _("Fee: cannot be negative."), field="fee_per_term")
        return
    if fee is not None and (fee > MAX_FEE_YUAN or fee != fee.quantize(Decimal("0.01"))):
        problems.add(
            "fee_out_of_range",
            _("Fee: an amount in yuan with at most two decimals, up to %(max)s."),
            field="fee_per_term",
            max=f"{MAX_FEE_YUAN:f}",
        )
        return
    if not fee:
        return
    rule = no_fee_standard(rules)
    if rule:
        problems.add(
            "fee_without_standard",
            _(
                "Fee: no fee standard for after-school services has been issued here yet, so "
                "no fee may be collected, not even for an external organisation. "
                "Under %(source)s: “%(quote)s”"
            ),
            field="fee_per_term",
            **citation(rule),
        )
    rule = stated(rules, "agency_fee_for_organisations_only")
    if rule and not _delivered_externally(activity, target.instructor):
        problems.add(
            "fee_not_external",
            _(
                "Fee: this offering is not delivered by an external organisation, so no fee "
                "may be collected for it. Under %(source)s: “%(quote)s”"
            ),
            field="fee_per_term",
            **citation(rule),
        )


def _offering_problems(problems: Problems, rules, menu: Menu, target: Offering) -> None:
    school = menu.school
    activity = target.activity if target.activity_id else None
    if activity is None:
        problems.add("activity_required", _("Activity: choose one."), field="activity")
        return
    if activity.school_id != school.pk:
        problems.add(
            "activity_other_school",
            _("Activity: choose one of this school's activities."),
            field="activity",
        )
    _grade_problems(problems, school, target, activity.category)
    capacity = target.capacity
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
        problems.add("capacity_too_small", _("Capacity: at least 1."), field="capacity")
    elif capacity > MAX_CAPACITY:
        problems.add(
            "capacity_too_large",
            _("Capacity: at most %(max)d children in one offering, not %(capacity)d."),
            field="capacity",
            max=MAX_CAPACITY,
            capacity=capacity,
        )
    _fee_problems(problems, rules, target, activity)
    if target.is_fallback and activity.category != Category.HOMEWORK:
        problems.add(
            "fallback_not_homework",
            _("Guaranteed basic care: only a homework tutoring offering can be the fallback."),
            field="is_fallback",
        )
    _instructor_problems(problems, rules, target.instructor, school=school, day=menu.term.start)
    _content_problems(problems, rules, activity, instructor=target.instructor, field="activity")
    _organisation_problems(problems, rules, activity, school=school, field="activity")


def _late_change_problems(problems: Problems, menu: Menu, before, target, meetings) -> None:
    """Once the window has opened only a larger capacity and another instructor are
    accepted (see the module docstring)."""
    status = _status_label(menu.status)
    changed = [
        name
        for name in OFFERING_FIELDS
        if name not in LATE_CHANGES and getattr(before, name) != getattr(target, name)
    ]
    old_meetings = sorted((m.weekday, m.start, m.end) for m in before.meetings.all())
    if changed or (meetings and sorted(meetings) != old_meetings):
        problems.add(
            "offering_frozen",
            _(
                "The menu is “%(status)s” and families have chosen on these details: only a "
                "larger capacity or another instructor can be saved; grades, times, venue, "
                "fee and the rest can no longer change."
            ),
            status=status,
        )
    if target.capacity is not None and target.capacity < before.capacity:
        problems.add(
            "capacity_decrease",
            _(
                "Capacity: the menu is “%(status)s”, so the capacity can only grow, not fall "
                "from %(before)d to %(after)d."
            ),
            field="capacity",
            status=status,
            before=before.capacity,
            after=target.capacity,
        )


def offering_save(
    *,
    menu: Menu,
    actor,
    meetings: Sequence[Meeting],
    offering: Offering | None = None,
    **fields,
) -> Offering:
    """Create an offering in `menu` (or change `offering`) with its meetings."""
    unknown = set(fields) - set(OFFERING_FIELDS)
    if unknown:
        raise TypeError(f"unknown offering fields: {sorted(unknown)}")
    school = _school_of(menu)
    access.require_school_admin(actor, school)
    if offering is not None:
        access.require_school_admin(actor, _school_of_offering(offering))
    rules = school_rules(school)
    with transaction.atomic():
        menu = _lock_menu(menu)
        if offering is None:
            if menu.status not in EDITABLE:
                raise refusal(
                    "menu_closed_to_new_offerings",
                    _(
                        "The menu is “%(status)s”: no offering can be added once families "
                        "have chosen among the present ones."
                    ),
                    status=_status_label(menu.status),
                )
            before = None
            target = Offering(menu=menu)
        else:
            before = Offering.objects.select_for_update(of=("self",)).get(pk=offering.pk)
            if before.menu_id != menu.pk:
                raise refusal("offering_other_menu", _("This offering is not in this menu."))
            target = Offering.objects.get(pk=offering.pk)
        for name, value in fields.items():
            setattr(target, name, value)
        if target.fee_per_term == Decimal(0):
            target.fee_per_term = None
        target.name = (target.name or "").strip()
        target.room = (target.room or "").strip()
        target.off_campus_venue = (target.off_campus_venue or "").strip()
        category = target.activity.category if target.activity_id else ""
        problems = Problems()
        clean_meetings = _meeting_problems(problems, rules, meetings, category=category)
        editable = before is None or menu.status in EDITABLE
        if not editable:
            _late_change_problems(problems, menu, before, target, clean_meetings)
            clean_meetings = sorted((m.weekday, m.start, m.end) for m in before.meetings.all())
        _offering_problems(problems, rules, menu, target)
        # Plan and clash problems name meeting rows: only once every row is well-formed
        # (a row left out would shift the numbers; the malformed rows are reported now).
        rows_ok = not editable or len(clean_meetings) == len(meetings)
        plan = _plan_for(menu) if editable and rows_ok else None
        grades = _grades_of(target)
        if plan is not None and grades is not None and category:
            _plan_problems(problems, plan, clean_meetings, grades=grades, category=category)
        if rows_ok:
            others = _other_offerings(menu, besides=target.pk)
            _clash_problems(problems, target, clean_meetings, others)
        problems.raise_if_any()
        target.save()
        if editable:
            target.meetings.all().delete()
            OfferingMeeting.objects.bulk_create(
                OfferingMeeting(offering=target, weekday=w, start=s, end=e)
                for w, s, e in sorted(clean_meetings)
            )
    return target


def offering_delete(*, offering: Offering, actor) -> None:
    access.require_school_admin(actor, _school_of_offering(offering))
    with transaction.atomic():
        locked = _lock_menu(Menu(pk=Offering.objects.get(pk=offering.pk).menu_id))
        if locked.status not in EDITABLE:
            raise refusal(
                "menu_closed_to_deletions",
                _("The menu is “%(status)s”: no offering can be removed any more."),
                status=_status_label(locked.status),
            )
        try:
            with transaction.atomic():
                Offering.objects.filter(pk=offering.pk).delete()
        except (ProtectedError, RestrictedError):
            # Seats, or a sitting's roll call, custody or alerts, point at it.
            raise refusal(
                "offering_has_records",
                _(
                    "Children have seats in this offering or its sittings have roll calls "
                    "and custody records: it cannot be removed any more."
                ),
            ) from None


# --- settings and lifecycle -------------------------------------------------------------


def menu_settings_save(
    *,
    menu: Menu,
    actor,
    mode: str,
    mechanism: str,
    max_extended_per_child: int,
    window_opens_at: dt.datetime | None,
    window_closes_at: dt.datetime | None,
) -> Menu:
    access.require_school_admin(actor, _school_of(menu))
    problems = Problems()
    if mode not in Menu.Mode.values:
        problems.add(
            "mode_invalid",
            _("Sign-up mode: choose the choice window with a lottery or first come, first served."),
            field="mode",
        )
    if mechanism not in Menu.Mechanism.values:
        problems.add(
            "mechanism_invalid",
            _("Allocation mechanism: choose round by round or child by child in lottery order."),
            field="mechanism",
        )
    if not isinstance(max_extended_per_child, int) or max_extended_per_child < 1:
        problems.add(
            "max_extended_too_small",
            _("Extended offerings a child may hold per week: at least 1."),
            field="max_extended_per_child",
        )
    elif max_extended_per_child > MAX_EXTENDED_PER_CHILD:
        problems.add(
            "max_extended_too_large",
            _("Extended offerings a child may hold per week: at most %(max)d."),
            field="max_extended_per_child",
            max=MAX_EXTENDED_PER_CHILD,
        )
    if window_opens_at and window_closes_at and window_closes_at <= window_opens_at:
        problems.add(
            "window_closes_before_opening",
            _("Choice window closes: should be after it opens."),
            field="window_closes_at",
        )
    with transaction.atomic():
        locked = _lock_menu(menu)
        if locked.status not in EDITABLE:
            problems.add(
                "settings_frozen",
                _(
                    "The menu is “%(status)s”: the sign-up mode and the choice window can no "
                    "longer change."
                ),
                status=_status_label(locked.status),
            )
        problems.raise_if_any()
        locked.mode = mode
        locked.mechanism = mechanism
        locked.max_extended_per_child = max_extended_per_child
        locked.window_opens_at = window_opens_at
        locked.window_closes_at = window_closes_at
        locked.save(
            update_fields=[
                "mode",
                "mechanism",
                "max_extended_per_child",
                "window_opens_at",
                "window_closes_at",
            ]
        )
    return locked


ACTION_LABELS = {
    "publish": _("publish"),
    "open": _("open the choice window"),
    "close": _("close the choice window"),
    "allocated": _("mark the menu as allocated"),
    "run": _("start running"),
}


def _transition(menu: Menu, *, actor, source, action: str) -> Menu:
    """The menu, scope-checked and locked, if it is in one of the `source` statuses (a
    list, or a function of the locked menu giving the list)."""
    access.require_school_admin(actor, _school_of(menu))
    locked = _lock_menu(menu)
    if callable(source):
        source = source(locked)
    if locked.status not in source:
        raise refusal(
            "menu_status_wrong",
            _(
                "Cannot %(action)s: the menu is “%(status)s”, and only a menu that is "
                "%(wanted)s can."
            ),
            action=ACTION_LABELS[action],
            status=_status_label(locked.status),
            wanted=_either(tuple(source)),
        )
    return locked


def _menu_problems(
    problems: Problems, menu: Menu, rules, offerings: list[Offering], *, plan
) -> None:
    """What every offering of the menu must still meet when the menu goes out: vetted
    instructors and allowed content (the profile may have changed since the offering was
    saved), no fee where the profile forbids one, meetings inside the plan (when there is
    one), and no instructor or room booked twice."""
    for index, offering in enumerate(offerings):
        about = _AboutOffering(problems, offering)
        _instructor_problems(
            about, rules, offering.instructor, school=menu.school, day=menu.term.start
        )
        _content_problems(about, rules, offering.activity, instructor=offering.instructor)
        _organisation_problems(about, rules, offering.activity, school=menu.school)
        _fee_problems(about, rules, offering, offering.activity)
        meetings = sorted((m.weekday, m.start, m.end) for m in offering.meetings.all())
        grades = _grades_of(offering)
        if plan is not None and grades is not None:
            _plan_problems(
                about, plan, meetings, grades=grades, category=offering.activity.category
            )
        _clash_problems(about, offering, meetings, offerings[:index])


def _fallback_problems(problems: Problems, offerings: list[Offering]) -> None:
    """Every grade the menu serves has a fallback offering (the guaranteed basic care that
    takes every child the allocation leaves without a place)."""
    served = {g for o in offerings if (grades := _grades_of(o)) for g in grades}
    covered = {g for o in offerings if o.is_fallback and (grades := _grades_of(o)) for g in grades}
    missing = sorted(served - covered)
    if not offerings or not covered:
        problems.add(
            "fallback_missing",
            _(
                "Cannot open the choice window: the menu has no guaranteed basic care (a "
                "homework tutoring offering marked as the fallback) for children left "
                "without a place."
            ),
        )
    elif missing:
        problems.add(
            "fallback_missing_for_grades",
            _(
                "Cannot open the choice window: no guaranteed basic care covers %(grades)s, so "
                "a child of those grades could be left without any place."
            ),
            grades=_grade_runs_lazy(tuple(missing)),
        )


def menu_publish(*, menu: Menu, actor) -> Menu:
    """draft → published: the menu is shown to families and on the public page."""
    with transaction.atomic():
        locked = _transition(menu, actor=actor, source=[Menu.Status.DRAFT], action="publish")
        rules = school_rules(locked.school)
        offerings = list(
            locked.offerings.select_related(
                "activity__organisation__region", "instructor__organisation"
            )
            .prefetch_related("meetings")
            .order_by("pk")
        )
        problems = Problems()
        if not offerings:
            problems.add(
                "menu_empty", _("The menu has no offerings yet, so it cannot be published.")
            )
        for offering in offerings:
            about = _AboutOffering(problems, offering)
            if offering.instructor is None:
                about.add("offering_without_instructor", _("no instructor yet."))
            if not offering.meetings.all():
                about.add("offering_without_meetings", _("no meeting times yet."))
        _menu_problems(problems, locked, rules, offerings, plan=_plan_for(locked))
        problems.raise_if_any()
        locked.status = Menu.Status.PUBLISHED
        locked.save(update_fields=["status"])
    return locked


def menu_open_window(*, menu: Menu, actor) -> Menu:
    """published → window_open: draws the secret lottery seed and publishes its hash."""
    now = timezone.now()
    with transaction.atomic():
        locked = _transition(menu, actor=actor, source=[Menu.Status.PUBLISHED], action="open")
        problems = Problems()
        if locked.window_closes_at is None or locked.window_closes_at <= now:
            problems.add(
                "window_close_missing",
                _(
                    "Cannot open the choice window: first set a closing time later than now "
                    "in the settings."
                ),
                field="window_closes_at",
            )
        plan = _published_plan(locked)
        if plan is None:
            problems.add(
                "plan_not_published",
                _(
                    "Cannot open the choice window: the school plan for %(term)s is not "
                    "published yet. Families choose within the plan's days and times, so "
                    "publish the plan first."
                ),
                term=str(locked.term),
            )
        offerings = list(
            locked.offerings.select_related(
                "activity__organisation__region", "instructor__organisation"
            )
            .prefetch_related("meetings")
            .order_by("pk")
        )
        _fallback_problems(problems, offerings)
        _menu_problems(problems, locked, school_rules(locked.school), offerings, plan=plan)
        problems.raise_if_any()
        seed = secrets.token_hex(16)
        locked.lottery_seed = seed
        locked.lottery_seed_hash = seed_commitment(seed)
        locked.window_opens_at = now
        locked.status = Menu.Status.WINDOW_OPEN
        locked.save(
            update_fields=["lottery_seed", "lottery_seed_hash", "window_opens_at", "status"]
        )
    return locked


def menu_close_window(*, menu: Menu, actor) -> Menu:
    """window_open → closed: choices stop; the seed may now be shown."""
    now = timezone.now()
    with transaction.atomic():
        locked = _transition(menu, actor=actor, source=[Menu.Status.WINDOW_OPEN], action="close")
        if locked.window_closes_at is None or locked.window_closes_at > now:
            locked.window_closes_at = now
        locked.status = Menu.Status.CLOSED
        locked.save(update_fields=["window_closes_at", "status"])
    return locked


def menu_mark_allocated(*, menu: Menu, actor) -> Menu:
    """closed → allocated, after an allocation run wrote its result (idempotent)."""
    with transaction.atomic():
        locked = _transition(
            menu,
            actor=actor,
            source=[Menu.Status.CLOSED, Menu.Status.ALLOCATED],
            action="allocated",
        )
        if locked.status != Menu.Status.ALLOCATED:
            locked.status = Menu.Status.ALLOCATED
            locked.save(update_fields=["status"])
    return locked


def menu_start_running(*, menu: Menu, actor) -> Menu:
    """allocated → running (an FCFS menu: closed → running, its seats were claimed)."""

    def source(locked: Menu) -> list[str]:
        if locked.mode == Menu.Mode.FCFS:
            return [Menu.Status.ALLOCATED, Menu.Status.CLOSED]
        return [Menu.Status.ALLOCATED]

    with transaction.atomic():
        locked = _transition(menu, actor=actor, source=source, action="run")
        locked.status = Menu.Status.RUNNING
        locked.save(update_fields=["status"])
    return locked
