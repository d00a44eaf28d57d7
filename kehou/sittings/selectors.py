"""Reads for the sittings pages, the command and roll call (R14), scoped through
kehou.org.access (`access_*` raise Http404 outside the scope). A GET never writes.

Rosters are derived whenever they are read, never copied:
- an offering's sitting: the children whose enrolment in the offering is in effect that
  day (`kehou.enrollment.selectors.enrolment_in_effect`, the same definition as the
  offering's class list), whatever the enrolment's status says today;
- a plan slot's sitting: the school's children in those grades (their class in the term's
  school year) whose application for the term is approved, or was, on that day (from
  `starts_on`, until `withdrawn_on`), who come on the sitting's timetable weekday; for
  extended care only those who asked for it, for the boarders' service only boarders.
Each child on a roster also shows the offering sittings overlapping it that they are at
instead ("at 足球 16:40–17:30"). `day_rosters` reads a whole day of a school in a few
queries, whatever the number of sittings.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404

from kehou.accounts.models import User
from kehou.core.errors import items
from kehou.core.labels import weekday_label
from kehou.enrollment.models import Application, Enrollment
from kehou.enrollment.selectors import enrolment_in_effect
from kehou.org import access
from kehou.org.models import School, SchoolClass, Student
from kehou.org.selectors import classes_in_year
from kehou.policy.models import SchoolPlan
from kehou.sittings import planning
from kehou.sittings.models import Sitting
from kehou.terms.models import Term

SITTING_ROLES = {User.Role.SCHOOL_ADMIN, User.Role.TEACHER}


# --- scope ------------------------------------------------------------------------------


def may_see_sittings(user: User) -> bool:
    """The school's admin and teachers (any sitting of their school, for now); not an
    external instructor, who sees only their own groups' children (their class lists)."""
    if user.is_superuser:
        return True
    return user.role in SITTING_ROLES and not access.is_external_instructor(user)


def access_school_sittings(user: User, school_pk: int) -> School:
    """The school whose sittings `user` may see; 404 for everyone else."""
    if not may_see_sittings(user):
        raise Http404
    return access.access_school(user, school_pk)


def access_sitting(user: User, pk: int) -> Sitting:
    if not may_see_sittings(user):
        raise Http404
    sittings = Sitting.objects.filter(school__in=access.schools_for(user)).select_related(
        "school", "term__school_year", "responsible"
    )
    return get_object_or_404(sittings, pk=pk)


# --- the term ---------------------------------------------------------------------------


def terms_for_school(school: School) -> list[Term]:
    """Terms the school has a plan or sittings for, newest first."""
    ids = set(SchoolPlan.objects.filter(school=school).values_list("term_id", flat=True))
    ids |= set(Sitting.objects.filter(school=school).values_list("term_id", flat=True).distinct())
    return list(
        Term.objects.filter(pk__in=ids)
        .select_related("school_year")
        .order_by("-school_year__start_year", "-semester")
    )


def published_plan(school: School, term: Term) -> SchoolPlan | None:
    return planning.published_plan(school, term)


def draft_plan(school: School, term: Term) -> SchoolPlan | None:
    return SchoolPlan.objects.filter(
        school=school, term=term, status=SchoolPlan.Status.DRAFT
    ).first()


def _message(error) -> str:
    return str(error.message) % error.params if error.params else str(error.message)


def calendar_problems(plan: SchoolPlan) -> list[str]:
    """Why the calendar keeps some or all of the plan's sittings from being generated (in
    the active language); empty when it is ready."""
    return [_message(problem) for problem in planning.calendar_problems(plan)]


@dataclass
class Outdated:
    """What regenerating would do, when the plan, the menu or the calendar changed after
    the last generation (or why it cannot be done)."""

    create: int = 0
    update: int = 0
    remove: int = 0
    refused: list[str] = field(default_factory=list)


def outdated(school: School, term: Term) -> Outdated | None:
    """None when the stored sittings are what the plan, the menu and the calendar say
    (or when there are none yet: the page offers to generate them)."""
    if not Sitting.objects.filter(school=school, term=term).exists():
        return None
    try:
        changes = planning.changes_for(school, term)
    except planning.GenerationRefused as refused:
        return Outdated(refused=[item.message for item in items(refused)])
    if not changes.any:
        return None
    return Outdated(len(changes.create), len(changes.update), len(changes.remove))


def term_sittings(school: School, term: Term) -> QuerySet[Sitting]:
    return Sitting.objects.filter(school=school, term=term).order_by(
        "date", "start", "grade_from", "kind", "label"
    )


@dataclass
class MonthCount:
    month: dt.date  # first of the month
    sittings: int


def term_months(school: School, term: Term) -> list[MonthCount]:
    rows = (
        Sitting.objects.filter(school=school, term=term)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    return [MonthCount(_as_date(row["month"]), row["n"]) for row in rows]


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def chosen_month(months: list[MonthCount], wanted: str | None, today: dt.date) -> dt.date | None:
    """The month `?month=2026-10` names (404 for one without sittings), else the month of
    today, else the next month with sittings, else the last one."""
    firsts = [m.month for m in months]
    if wanted:
        try:
            month = dt.date.fromisoformat(f"{wanted}-01")
        except ValueError as error:
            raise Http404 from error
        if month not in firsts:
            raise Http404
        return month
    this_month = today.replace(day=1)
    return next((m for m in firsts if m >= this_month), firsts[-1] if firsts else None)


@dataclass
class SittingDay:
    date: dt.date
    timetable_weekday: int
    is_makeup_day: bool
    in_vacation: bool
    sittings: list[Sitting]

    @property
    def weekday_name(self) -> str:
        return weekday_label(self.date.weekday())

    @property
    def timetable_name(self) -> str:
        return weekday_label(self.timetable_weekday)


def _days(sittings) -> list[SittingDay]:
    by_date: dict[dt.date, list[Sitting]] = defaultdict(list)
    for sitting in sittings:
        by_date[sitting.date].append(sitting)
    return [
        SittingDay(
            day,
            items[0].timetable_weekday,
            any(s.is_makeup_day for s in items),
            any(s.in_vacation for s in items),
            items,
        )
        for day, items in sorted(by_date.items())
    ]


def month_days(school: School, term: Term, month: dt.date) -> list[SittingDay]:
    following = (month + dt.timedelta(days=32)).replace(day=1)
    sittings = (
        term_sittings(school, term)
        .filter(date__gte=month, date__lt=following)
        .select_related("responsible")
    )
    return _days(sittings)


# --- a day ------------------------------------------------------------------------------


def day_sittings(school: School, day: dt.date) -> list[Sitting]:
    return list(
        Sitting.objects.filter(school=school, date=day)
        .select_related("term", "responsible")
        .order_by("start", "grade_from", "kind", "label")
    )


def neighbour_days(school: School, day: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The service days with sittings before and after `day`."""
    sittings = Sitting.objects.filter(school=school)
    before = sittings.filter(date__lt=day).order_by("-date").values_list("date", flat=True)
    after = sittings.filter(date__gt=day).order_by("date").values_list("date", flat=True)
    return before.first(), after.first()


# --- rosters ----------------------------------------------------------------------------


def application_in_effect(day: dt.date) -> Q:
    """Applications whose child takes part in the service on `day`: approved (or approved
    and withdrawn later) from starts_on, until withdrawn_on."""
    return (
        Q(status__in=[Application.Status.APPROVED, Application.Status.WITHDRAWN])
        & Q(starts_on__lte=day)
        & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))
    )


@dataclass(frozen=True)
class RosterEntry:
    student: Student
    school_class: SchoolClass | None
    # The offering sittings overlapping this one that the child is at instead.
    elsewhere: tuple[Sitting, ...] = ()


@dataclass
class Roster:
    sitting: Sitting
    entries: list[RosterEntry]

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def student_ids(self) -> set[int]:
        return {entry.student.pk for entry in self.entries}


def sitting_roster(sitting: Sitting, *, only: set[int] | None = None) -> Roster:
    """Who should be at this sitting on its day; with `only`, just those of these children
    who should be (a roll call checks the children it marks, not a roster of thousands)."""
    day = day_sittings(sitting.school_id, sitting.date)
    target = next((s for s in day if s.pk == sitting.pk), sitting)
    return _rosters([target], day, only=only)[0]


def day_rosters(school: School, day: dt.date) -> list[Roster]:
    """The roster of every sitting of the school on `day`, in order, in a few queries."""
    sittings = day_sittings(school, day)
    return _rosters(sittings, sittings) if sittings else []


def _overlaps(a: Sitting, b: Sitting) -> bool:
    return a.pk != b.pk and a.start < b.end and b.start < a.end


def _wants(sitting: Sitting, application: Application, school_class: SchoolClass | None) -> bool:
    """Whether a plan slot's sitting is for this applicant (the weekday is in the query)."""
    if school_class is None or not sitting.grade_from <= school_class.grade <= sitting.grade_to:
        return False
    if sitting.kind == Sitting.Kind.EXTENDED_CARE:
        return application.wants_extended_care
    if sitting.kind == Sitting.Kind.BOARDING:
        return application.student.is_boarder
    return True


def _rosters(
    targets: list[Sitting], same_day: list[Sitting], *, only: set[int] | None = None
) -> list[Roster]:
    """The rosters of `targets`, sittings of one school on one day; `same_day` is every
    sitting of that school that day (for where the children are instead); `only` limits
    them to these children."""
    day, school_id = targets[0].date, targets[0].school_id
    offering_sittings = [s for s in same_day if s.offering_id is not None]
    at_offering: dict[int, set[int]] = defaultdict(set)
    enrolments = Enrollment.objects.filter(
        enrolment_in_effect(day), offering_id__in={s.offering_id for s in offering_sittings}
    )
    if only is not None:
        enrolments = enrolments.filter(student_id__in=only)
    enrolments = enrolments.values_list("offering_id", "student_id")
    for offering_id, student_id in enrolments:
        at_offering[offering_id].add(student_id)

    applicants: dict[tuple[int, int], list[Application]] = {}
    audiences = {(s.term_id, s.timetable_weekday) for s in targets if s.offering_id is None}
    for term_id, weekday in audiences:
        applications = Application.objects.filter(
            application_in_effect(day),
            term_id=term_id,
            student__school_id=school_id,
            service_weekdays__has=weekday,
        )
        if only is not None:
            applications = applications.filter(student_id__in=only)
        applicants[(term_id, weekday)] = list(applications.select_related("student"))
    students = {a.student_id: a.student for apps in applicants.values() for a in apps}
    seated = {pk for s in targets if s.offering_id for pk in at_offering[s.offering_id]}
    students.update(Student.objects.in_bulk(seated - students.keys()))

    classes: dict[int, dict[int, SchoolClass]] = {}
    for year_id in {s.term.school_year_id for s in targets}:
        classes[year_id] = classes_in_year(list(students), year_id)

    rosters = []
    for sitting in targets:
        in_class = classes[sitting.term.school_year_id]
        if sitting.offering_id is not None:
            ids = at_offering[sitting.offering_id]
        else:
            ids = {
                a.student_id
                for a in applicants[(sitting.term_id, sitting.timetable_weekday)]
                if _wants(sitting, a, in_class.get(a.student_id))
            }
        overlapping = sorted(
            (o for o in offering_sittings if _overlaps(o, sitting)), key=lambda o: o.start
        )
        entries = [
            RosterEntry(
                student=students[pk],
                school_class=in_class.get(pk),
                elsewhere=tuple(o for o in overlapping if pk in at_offering[o.offering_id]),
            )
            for pk in ids
        ]
        entries.sort(key=_entry_order)
        rosters.append(Roster(sitting, entries))
    return rosters


def _entry_order(entry: RosterEntry) -> tuple:
    school_class = entry.school_class
    place = (school_class.grade, school_class.number) if school_class else (99, 99)
    return (*place, entry.student.name, entry.student.pk)
