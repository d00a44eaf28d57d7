"""Reads for each role's first page: what needs the user's attention today.

Home sits above every app, so it reads through their selectors (each scoped through
kehou.org.access) and adds only what a first page needs: a teacher's week, the bureau's
and a school admin's open matters, and the allocations of the bureau's schools.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Min
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehou.accounts.models import User
from kehou.catalog.models import WINDOW_NOT_YET, WINDOW_OPEN, Menu, Offering
from kehou.catalog.selectors import school_menu
from kehou.core.labels import weekday_label
from kehou.enrollment.models import Application, Enrollment, WaitlistEntry
from kehou.enrollment.selectors import bureau_refusals
from kehou.org import access
from kehou.org.models import Guardian, School, SchoolClass
from kehou.placement.models import AllocationRun
from kehou.policy.models import PolicyProfile, SchoolPlan
from kehou.policy.selectors import compliance_table_for, current_plan, plan_check
from kehou.sittings.models import Sitting
from kehou.sittings.selectors import enrolment_in_effect
from kehou.terms.models import Term
from kehou.terms.selectors import calendar_status, current_term

# --- a teacher's week -------------------------------------------------------------------


@dataclass
class WeekMeeting:
    """One meeting of one of the teacher's groups this week."""

    offering: Offering
    date: dt.date
    start: dt.time
    end: dt.time
    room: str
    roster: int  # children in the group on that day
    roster_url: str
    is_today: bool = False
    is_past: bool = False

    @property
    def weekday_name(self) -> str:
        return weekday_label(self.date.weekday())


@dataclass
class TeacherWeek:
    term: Term | None
    monday: dt.date
    sunday: dt.date
    meetings: list[WeekMeeting]
    # every group they teach this term, with `roster_today`, `next_meeting` (a date or
    # None) and `class_list_url` (its class list on that day)
    offerings: list[Offering]
    # True when the dates come from the school's generated sittings (holidays and make-up
    # days applied), False when they follow the weekly timetable of the menu.
    from_sittings: bool
    classes: list[SchoolClass]  # the classes whose head teacher they are
    is_external: bool


def roster_url(offering: Offering, day: dt.date) -> str:
    """The group's class list on `day`."""
    return reverse("enrollment:roster", args=[offering.pk]) + f"?day={day.isoformat()}"


def _next_meeting_days(
    offerings: list[Offering], term: Term, today: dt.date, *, from_sittings: bool
) -> dict[int, dt.date]:
    """Each group's next meeting on or after `today` (absent when none is left this term):
    the first of its sittings when the school generated them (holidays applied), else the
    first day of its weekly timetable inside the term."""
    if not offerings:
        return {}
    if from_sittings:
        rows = (
            Sitting.objects.filter(offering__in=offerings, date__gte=today)
            .values("offering_id")
            .annotate(first=Min("date"))
        )
        return {row["offering_id"]: row["first"] for row in rows}
    days: dict[int, dt.date] = {}
    start = max(today, term.start)
    for offering in offerings:
        weekdays = {meeting.weekday for meeting in offering.meetings.all()}
        for n in range(7):
            day = start + dt.timedelta(days=n)
            if day > term.end:
                break
            if day.weekday() in weekdays:
                days[offering.pk] = day
                break
    return days


def _place(offering: Offering) -> str:
    return offering.off_campus_venue or offering.room


def teacher_week(user: User, *, today: dt.date | None = None) -> TeacherWeek:
    """The groups the signed-in teacher or instructor teaches and their meetings in the
    week of `today` (Monday to Sunday), each with its roster count on that day."""
    if not user.is_authenticated or user.role != User.Role.TEACHER or not user.school_id:
        raise Http404
    school = access.access_school(user, user.school_id)
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    sunday = monday + dt.timedelta(days=6)
    term = current_term(today)
    is_external = access.is_external_instructor(user)
    classes = list(
        SchoolClass.objects.filter(
            school=school,
            head_teacher__user=user,
            **({"school_year_id": term.school_year_id} if term else {}),
        ).order_by("grade", "number")
    )
    if term is None:
        return TeacherWeek(None, monday, sunday, [], [], False, classes, is_external)

    offerings = list(
        Offering.objects.filter(menu__school=school, menu__term=term, instructor__user=user)
        .select_related("activity", "menu")
        .prefetch_related("meetings")
        .order_by("activity__name", "name", "pk")
    )
    # Children in each group on each day of the week (and today), in one query, by the
    # one definition of an enrolment in effect on a day.
    days = sorted({monday + dt.timedelta(days=n) for n in range(7)} | {today})
    counts: dict[tuple[int, dt.date], int] = {}
    if offerings:
        per_day = {f"d{n}": Count("pk", filter=enrolment_in_effect(d)) for n, d in enumerate(days)}
        for row in (
            Enrollment.objects.filter(offering__in=offerings)
            .values("offering_id")
            .annotate(**per_day)
        ):
            for n, day in enumerate(days):
                counts[(row["offering_id"], day)] = row[f"d{n}"]

    def roster_on(offering: Offering, day: dt.date) -> int:
        return counts.get((offering.pk, day), 0)

    for offering in offerings:
        offering.roster_today = roster_on(offering, today)

    from_sittings = Sitting.objects.filter(school=school, term=term).exists()
    next_days = _next_meeting_days(offerings, term, today, from_sittings=from_sittings)
    for offering in offerings:
        offering.next_meeting = next_days.get(offering.pk)
        offering.class_list_url = (
            roster_url(offering, offering.next_meeting)
            if offering.next_meeting
            else reverse("enrollment:roster", args=[offering.pk])
        )
    meetings: list[WeekMeeting] = []
    by_pk = {o.pk: o for o in offerings}
    if from_sittings:
        for sitting in Sitting.objects.filter(
            offering__in=offerings, date__gte=monday, date__lte=sunday
        ).order_by("date", "start"):
            offering = by_pk[sitting.offering_id]
            meetings.append(
                WeekMeeting(
                    offering,
                    sitting.date,
                    sitting.start,
                    sitting.end,
                    sitting.room or _place(offering),
                    roster_on(offering, sitting.date),
                    roster_url(offering, sitting.date),
                )
            )
    else:
        for offering in offerings:
            for meeting in offering.meetings.all():
                day = monday + dt.timedelta(days=meeting.weekday)
                if not term.start <= day <= term.end:
                    continue
                meetings.append(
                    WeekMeeting(
                        offering,
                        day,
                        meeting.start,
                        meeting.end,
                        _place(offering),
                        roster_on(offering, day),
                        roster_url(offering, day),
                    )
                )
        meetings.sort(key=lambda m: (m.date, m.start, m.offering.pk))
    for meeting in meetings:
        meeting.is_today = meeting.date == today
        meeting.is_past = meeting.date < today
    return TeacherWeek(
        term, monday, sunday, meetings, offerings, from_sittings, classes, is_external
    )


# --- allocations across schools -----------------------------------------------------------

STAGE_LABELS = {
    "no_menu": _("No menu"),
    "fcfs": _("First come, first served: no allocation"),
    "before_window": _("Before the choice window"),
    "window_open": _("Choice window open"),
    "to_run": _("Choices closed: allocation to run"),
    "running": _("Allocation running"),
    "failed": _("Last allocation failed"),
    "done": _("Allocated"),
}
# Stages that need someone to act: the school (run it) or the worker (check it).
PENDING_STAGES = {"to_run", "failed"}


@dataclass
class AllocationRow:
    school: School
    menu: Menu | None
    run: AllocationRun | None  # the latest real run (not a dry run)
    stage: str
    placed: int = 0  # children with a seat in the menu now
    waiting: int = 0  # children on a waiting list of the menu now

    @property
    def stage_label(self) -> str:
        return str(STAGE_LABELS[self.stage])

    @property
    def needs_attention(self) -> bool:
        return self.stage in PENDING_STAGES


def _stage(menu: Menu | None, run: AllocationRun | None, now: dt.datetime) -> str:
    """Where a menu's allocation stands (a key of STAGE_LABELS). A window whose closing
    time has passed counts as closed, as families are told, even before the school
    presses "close"; a run whose lease lapsed counts as failed."""
    if menu is None:
        return "no_menu"
    if menu.mode == Menu.Mode.FCFS:
        return "fcfs"
    if run is not None and run.is_live:
        return "running"
    if menu.status in (Menu.Status.ALLOCATED, Menu.Status.RUNNING) or (
        run is not None and run.status == AllocationRun.Status.DONE
    ):
        return "done"
    if run is not None and run.status in (
        AllocationRun.Status.FAILED,
        AllocationRun.Status.INTERRUPTED,
    ):
        return "failed"
    if run is not None and run.status in AllocationRun.LIVE:
        return "failed"  # its lease lapsed: the worker died
    state = menu.window_state_at(now)
    if state == WINDOW_OPEN:
        return "window_open"
    if state == WINDOW_NOT_YET:
        return "before_window"
    return "to_run"


def allocation_rows(schools, term: Term | None) -> list[AllocationRow]:
    """One row per school of `schools` (already scoped by the caller) for its menu of
    `term`, in a fixed number of queries."""
    schools = list(schools.select_related("region").order_by("region__code", "code"))
    if term is None:
        return [AllocationRow(s, None, None, "no_menu") for s in schools]
    menus = {
        m.school_id: m
        for m in Menu.objects.filter(school__in=schools, term=term).select_related("term")
    }
    runs: dict[int, AllocationRun] = {}
    for run in AllocationRun.objects.filter(menu__in=menus.values(), dry_run=False).order_by(
        "menu_id", "-started_at", "-pk"
    ):
        runs.setdefault(run.menu_id, run)
    placed = dict(
        Enrollment.objects.filter(
            offering__menu__in=menus.values(), status=Enrollment.Status.ACTIVE
        )
        .values("offering__menu_id")
        .annotate(n=Count("student_id", distinct=True))
        .values_list("offering__menu_id", "n")
    )
    waiting = dict(
        WaitlistEntry.objects.filter(
            offering__menu__in=menus.values(),
            status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED],
        )
        .values("offering__menu_id")
        .annotate(n=Count("student_id", distinct=True))
        .values_list("offering__menu_id", "n")
    )
    now = timezone.now()
    rows = []
    for school in schools:
        menu = menus.get(school.pk)
        run = runs.get(menu.pk) if menu else None
        rows.append(
            AllocationRow(
                school,
                menu,
                run,
                _stage(menu, run, now),
                placed.get(menu.pk, 0) if menu else 0,
                waiting.get(menu.pk, 0) if menu else 0,
            )
        )
    return rows


def may_oversee_allocations(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role == User.Role.BUREAU)


def allocation_overview(user: User, *, term: Term | None) -> list[AllocationRow]:
    """The allocations of every school in the officer's region for `term`."""
    if not may_oversee_allocations(user):
        raise Http404
    return allocation_rows(access.schools_for(user), term)


# --- the bureau's first screen ------------------------------------------------------------


@dataclass
class BureauAttention:
    term: Term | None
    schools: int
    plans_failing: int  # schools whose plan has shortfalls
    without_plan: int
    refusals: int
    refusals_in_need: int  # of children of the priority groups
    missing_years: list[int]  # calendar years with no holiday notice yet
    allocations_done: int
    allocations_pending: int  # choices closed and not allocated, or the last run failed
    allocations_running: int

    @property
    def anything(self) -> bool:
        return bool(
            self.plans_failing
            or self.without_plan
            or self.refusals
            or self.missing_years
            or self.allocations_pending
        )


def calendar_years_missing(today: dt.date) -> list[int]:
    """This year and the next, where kehou does not know their holidays and make-up days
    (neither the library nor a bureau's entry)."""
    status = calendar_status()
    return [year for year in (today.year, today.year + 1) if not status.known(year)]


def bureau_attention(user: User, *, today: dt.date | None = None) -> BureauAttention:
    if not may_oversee_allocations(user):
        raise Http404
    today = today or timezone.localdate()
    term = current_term(today)
    table = compliance_table_for(user, term=term)
    failing = sum(1 for row in table.rows if row.plan is not None and row.shortfalls)
    refusals = bureau_refusals(user, term=term) if term is not None else []
    rows = allocation_overview(user, term=term)
    return BureauAttention(
        term=term,
        schools=table.schools_total,
        plans_failing=failing,
        without_plan=table.schools_total - table.with_plan,
        refusals=len(refusals),
        refusals_in_need=sum(1 for r in refusals if r.in_need),
        missing_years=calendar_years_missing(today),
        allocations_done=sum(1 for r in rows if r.stage == "done"),
        allocations_pending=sum(1 for r in rows if r.needs_attention),
        allocations_running=sum(1 for r in rows if r.stage == "running"),
    )


# --- the school admin's first screen ---------------------------------------------------------


@dataclass
class SchoolAttention:
    term: Term | None
    plan: SchoolPlan | None
    shortfalls: int | None  # None: no profile above the school to check against
    menu: Menu | None
    allocation: AllocationRow | None
    window: str  # "", "not_yet", "open", "closed"
    applications_to_decide: int
    # Guardians of the school's children who have not activated a login: they cannot
    # apply for their children until they do.
    guardians_without_login: int = 0
    missing_years: list[int] = field(default_factory=list)


def _window(menu: Menu | None, now: dt.datetime) -> str:
    """The choice window as families are told it ("not_yet", "open", "closed"), or ""
    before the school has set one."""
    if menu is None or menu.status == Menu.Status.DRAFT or menu.window_closes_at is None:
        return ""
    return menu.window_state_at(now)


def school_attention(
    user: User, school: School, *, today: dt.date | None = None
) -> SchoolAttention:
    """What needs the school's attention this term (the caller obtained `school` through
    access)."""
    today = today or timezone.localdate()
    term = current_term(today)
    if term is None:
        return SchoolAttention(None, None, None, None, None, "", 0)
    plan = current_plan(school=school, term=term)
    shortfalls = None
    if plan is not None:
        try:
            shortfalls = len(plan_check(plan=plan))
        except PolicyProfile.DoesNotExist:
            shortfalls = None
    menu = school_menu(school=school, term=term)
    allocation = allocation_rows(access.schools_for(user).filter(pk=school.pk), term)
    to_decide = Application.objects.filter(
        student__in=access.students_for(user).filter(school=school),
        term=term,
        status__in=[Application.Status.SUBMITTED, Application.Status.TEACHER_REVIEWED],
    ).count()
    without_login = (
        Guardian.objects.filter(
            student_links__student__in=access.students_for(user).filter(
                school=school, is_active=True
            ),
            user__isnull=True,
        )
        .values("pk")
        .distinct()
        .count()
    )
    return SchoolAttention(
        term=term,
        plan=plan,
        shortfalls=shortfalls,
        menu=menu,
        allocation=allocation[0] if allocation else None,
        window=_window(menu, timezone.now()),
        applications_to_decide=to_decide,
        guardians_without_login=without_login,
        missing_years=calendar_years_missing(today),
    )
