"""Reads for roll call and leave (R14, R15), scoped through kehou.org.access (a sitting
outside the user's scope is a 404). A GET never writes.

- `today_for`: a teacher's sittings of the day (those they are responsible for, or every
  sitting of the school on a day they are on duty; every sitting for the school admin),
  each with its roster count, the state of its roll and the leave filed, from
  `day_rosters` in a few queries whatever the number of sittings.
- `roll_page`: one sitting's roll: each child of the roster with their mark, or the
  leave that covers the day.
- `family_leave`: a guardian's children and their leave.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kehou.accounts.models import User
from kehou.attendance.models import Attendance, LeaveRequest
from kehou.custody.models import DayRules, Duty
from kehou.org import access
from kehou.org.models import School, SchoolClass, Student
from kehou.sittings.models import Sitting
from kehou.sittings.selectors import Roster, RosterEntry, day_rosters, sitting_roster

THERE = {Attendance.Status.PRESENT, Attendance.Status.LATE}


def covering_leaves(student_ids: Iterable[int], day: dt.date) -> dict[int, LeaveRequest]:
    """The filed leave covering `day` of each child that has one."""
    ids = list(student_ids)
    if not ids:
        return {}
    return {
        leave.student_id: leave
        for leave in LeaveRequest.objects.filter(
            student_id__in=ids,
            status=LeaveRequest.Status.FILED,
            first_day__lte=day,
            last_day__gte=day,
        ).order_by("-filed_at")
    }


def roll_closes_at(sitting: Sitting, rules: DayRules | None) -> dt.datetime:
    minutes = (
        rules.roll_closes_after
        if rules is not None
        else DayRules._meta.get_field("roll_closes_after").default
    )
    start = timezone.make_aware(dt.datetime.combine(sitting.date, sitting.start))
    return start + dt.timedelta(minutes=minutes)


# --- today ----------------------------------------------------------------------------


@dataclass
class TodaySitting:
    sitting: Sitting
    roster: int  # children on the roster
    expected: int  # of them, not at an overlapping activity group instead
    marked: int = 0
    there: int = 0
    absent: int = 0
    on_leave: int = 0  # leave filed for the day, whether marked yet or not
    leave_names: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        if self.sitting.roll_closed_at is not None:
            return "closed"
        return "taken" if self.marked else "not_taken"


@dataclass
class TodayPage:
    school: School
    day: dt.date
    sittings: list[TodaySitting]
    on_duty: bool
    all_of_school: bool  # the school admin (or on duty): every sitting of the day


def may_see_today(user) -> bool:
    return (
        user.is_authenticated
        and user.school_id is not None
        and user.role in (User.Role.TEACHER, User.Role.SCHOOL_ADMIN)
    )


def today_for(user: User, *, day: dt.date | None = None) -> TodayPage:
    if not may_see_today(user):
        raise Http404
    school = access.access_school(user, user.school_id)
    day = day or timezone.localdate()
    admin = access.may_manage_school(user, school)
    staff = access.instructor_record(user)
    on_duty = (
        staff is not None and Duty.objects.filter(school=school, date=day, staff=staff).exists()
    )
    rosters = day_rosters(school, day)
    if not (admin or on_duty):
        rosters = _own_groups(rosters, staff)
    return TodayPage(school, day, _summaries(rosters, day), on_duty, admin or on_duty)


def _own_groups(rosters: list[Roster], staff) -> list[Roster]:
    """A teacher's part of the day: the sittings they are responsible for, whole, and at
    the plan's sittings the children of the classes they head (`access.roll_group`)."""
    if staff is None:
        return []
    headed = set(
        SchoolClass.objects.filter(head_teacher=staff, school_id=staff.school_id).values_list(
            "pk", flat=True
        )
    )
    own = []
    for roster in rosters:
        if roster.sitting.responsible_id == staff.pk:
            own.append(roster)
        elif roster.sitting.offering_id is None and headed:
            entries = [e for e in roster.entries if e.school_class and e.school_class.pk in headed]
            if entries:
                own.append(Roster(roster.sitting, entries))
    return own


def in_group(roster: Roster, group: frozenset[int] | None) -> Roster:
    """The part of the roster a roll taker marks (`access.roll_group`; None = all)."""
    if group is None:
        return roster
    entries = [e for e in roster.entries if e.school_class and e.school_class.pk in group]
    return Roster(roster.sitting, entries)


def my_sittings_today(user: User) -> int:
    """How many of today's sittings the teacher takes the roll of: those they are
    responsible for, and the plan's sittings of the grades of a class they head (the home
    page's count; a few queries)."""
    staff = access.instructor_record(user)
    if staff is None:
        return 0
    today = Sitting.objects.filter(school_id=staff.school_id, date=timezone.localdate())
    year = today.values_list("term__school_year_id", flat=True).first()
    mine = Q(responsible=staff)
    for grade in set(
        SchoolClass.objects.filter(head_teacher=staff, school_year_id=year).values_list(
            "grade", flat=True
        )
    ):
        mine |= Q(offering__isnull=True, grade_from__lte=grade, grade_to__gte=grade)
    return today.filter(mine).count()


def _summaries(rosters: list[Roster], day: dt.date) -> list[TodaySitting]:
    if not rosters:
        return []
    counts: dict[int, Counter] = defaultdict(Counter)
    on_roster = {r.sitting.pk: r.student_ids for r in rosters}
    for sitting_id, student_id, status in Attendance.objects.filter(
        sitting__in=[r.sitting for r in rosters]
    ).values_list("sitting_id", "student_id", "status"):
        if student_id in on_roster[sitting_id]:  # a teacher's own classes only
            counts[sitting_id][status] += 1
    leaves = covering_leaves({pk for r in rosters for pk in r.student_ids}, day)
    out = []
    for roster in rosters:
        c = counts[roster.sitting.pk]
        on_leave = [e.student.name for e in roster.entries if e.student.pk in leaves]
        out.append(
            TodaySitting(
                sitting=roster.sitting,
                roster=len(roster),
                expected=sum(1 for e in roster.entries if not e.elsewhere),
                marked=sum(c.values()),
                there=c[Attendance.Status.PRESENT] + c[Attendance.Status.LATE],
                absent=c[Attendance.Status.ABSENT],
                on_leave=len(on_leave),
                leave_names=on_leave,
            )
        )
    return out


# --- one roll -----------------------------------------------------------------------------


@dataclass
class RollRow:
    entry: RosterEntry
    mark: Attendance | None
    leave: LeaveRequest | None

    @property
    def student(self) -> Student:
        return self.entry.student

    @property
    def status(self) -> str:
        """The mark, else "leave" when a filed leave covers the day, else ""."""
        if self.mark is not None:
            return self.mark.status
        return Attendance.Status.LEAVE if self.leave is not None else ""

    @property
    def elsewhere(self) -> bool:
        return bool(self.entry.elsewhere)


@dataclass
class RollPage:
    sitting: Sitting
    rows: list[RollRow]
    closes_at: dt.datetime
    may_correct: bool  # the school admin, after the close (with a note)
    # The classes the user marks at a plan sitting (taken class by class); empty = all.
    classes: list = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        """Marks, with a leave not marked yet counted as leave (as the page shows it)."""
        return Counter(row.status for row in self.rows if row.status)

    @property
    def expected(self) -> int:
        return sum(1 for row in self.rows if not row.elsewhere)

    @property
    def marked(self) -> int:
        return sum(1 for row in self.rows if row.mark is not None)

    @property
    def unmarked(self) -> int:
        return sum(1 for row in self.rows if not row.status and not row.elsewhere)

    @property
    def is_closed(self) -> bool:
        """Closed for this taker: the sitting's roll is closed and nobody in their part is
        left unmarked (a class nobody took by the set time can still be taken late)."""
        return self.sitting.roll_closed_at is not None and not self.unmarked

    @property
    def taken_late(self) -> bool:
        return self.sitting.roll_closed_at is not None and bool(self.unmarked)


def access_roll(user, pk: int) -> Sitting:
    """The sitting whose roll `user` may take; 404 for everyone else."""
    sitting = get_object_or_404(
        Sitting.objects.select_related("school", "term", "responsible", "roll_closed_by"), pk=pk
    )
    if not access.may_take_roll(user, sitting):
        raise Http404
    return sitting


def roll_page(user, pk: int) -> RollPage:
    sitting = access_roll(user, pk)
    group = access.roll_group(user, sitting)
    roster = in_group(sitting_roster(sitting), group)
    ids = roster.student_ids
    marks = {
        a.student_id: a for a in Attendance.objects.filter(sitting=sitting).select_related("leave")
    }
    leaves = covering_leaves(ids, sitting.date)
    rows = [RollRow(e, marks.get(e.student.pk), leaves.get(e.student.pk)) for e in roster.entries]
    rules = DayRules.objects.filter(school_id=sitting.school_id).first()
    return RollPage(
        sitting=sitting,
        rows=rows,
        classes=sorted({r.entry.school_class for r in rows if r.entry.school_class}, key=_order)
        if group is not None
        else [],
        closes_at=roll_closes_at(sitting, rules),
        may_correct=sitting.roll_closed_at is not None
        and access.may_manage_school(user, sitting.school),
    )


def _order(school_class) -> tuple[int, int]:
    return school_class.grade, school_class.number


# --- leave ----------------------------------------------------------------------------------


@dataclass
class ChildLeave:
    student: Student
    leaves: list[LeaveRequest]


def may_file_leave(user) -> bool:
    return user.is_authenticated and user.role == User.Role.GUARDIAN


def family_leave(user) -> list[ChildLeave]:
    """The guardian's children, each with their leave of the last 30 days and ahead."""
    if not may_file_leave(user):
        raise Http404
    children = list(access.students_for(user).filter(is_active=True).order_by("name", "pk"))
    since = timezone.localdate() - dt.timedelta(days=30)
    by_child: dict[int, list[LeaveRequest]] = defaultdict(list)
    for leave in LeaveRequest.objects.filter(student__in=children, last_day__gte=since).order_by(
        "first_day", "pk"
    ):
        by_child[leave.student_id].append(leave)
    return [ChildLeave(child, by_child[child.pk]) for child in children]


def guardian_children(user) -> list[Student]:
    if not may_file_leave(user):
        raise Http404
    return list(access.students_for(user).filter(is_active=True).order_by("name", "pk"))


def access_leave(user, pk: int) -> LeaveRequest:
    """A leave of one of the guardian's children (or of the admin's school)."""
    leaves = LeaveRequest.objects.filter(student__in=access.students_for(user)).select_related(
        "student__school"
    )
    if not (may_file_leave(user) or user.role == User.Role.SCHOOL_ADMIN):
        raise Http404
    return get_object_or_404(leaves, pk=pk)
