"""Reads of applications, choices, enrolments and waiting lists for each role, scoped through
kehou.org.access: anything outside the user's scope is a 404, so a refusal never reveals
whether it exists.

- guardian: their own children only
- class teacher: the applications of the classes they head
- school admin: their school's applications
- bureau officer: the refused applications of the schools in their region (with reasons and
  the priority groups, since seed 001 forbids refusing a child in need)

No page shows demand while families choose: choice counts are never read here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kehou.accounts.models import User
from kehou.catalog.models import (
    PRIORITY_GROUP_LABELS,
    Menu,
    Offering,
    priority_tier,
    student_priority_groups,
)
from kehou.enrollment.models import (
    Application,
    Choice,
    Enrollment,
    SafetyAgreement,
    WaitlistEntry,
)
from kehou.enrollment.seats import queue_order, waiting_position
from kehou.org import access
from kehou.org.models import School, SchoolClass, Student, StudentGuardian
from kehou.org.selectors import class_in_year, classes_in_year, grade_in_year
from kehou.terms.models import Term

VISIBLE_MENU = (
    Menu.Status.PUBLISHED,
    Menu.Status.WINDOW_OPEN,
    Menu.Status.CLOSED,
    Menu.Status.ALLOCATED,
    Menu.Status.RUNNING,
)


MON_FRI = [0, 1, 2, 3, 4]
WAITING = (WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED)


# --------------------------------------------------------------------------- contract reads
#
# For services, pages and other apps, which scope before calling them.


def plan_weekdays(*, school: School, term: Term) -> list[int]:
    """Service days of the school's published plan for the term, else Monday to Friday."""
    from kehou.policy.models import SchoolPlan

    plan = (
        SchoolPlan.objects.filter(school=school, term=term, status=SchoolPlan.Status.PUBLISHED)
        .only("service_weekdays")
        .first()
    )
    return list(plan.service_weekdays) if plan and plan.service_weekdays else list(MON_FRI)


def current_agreement(school: School) -> SafetyAgreement | None:
    return SafetyAgreement.objects.filter(school=school).order_by("-version").first()


def child_grade(student: Student, term: Term) -> int | None:
    """The child's grade for the term (their class in the term's school year)."""
    return grade_in_year(student, term.school_year_id)


def child_priority_tier(student: Student, menu: Menu) -> int:
    """The child's tier under `menu.priority_tiers` (lower goes first)."""
    return priority_tier(student_priority_groups(student), menu.priority_tiers)


def head_teacher_user_id(student: Student, term: Term) -> int | None:
    school_class = class_in_year(student, term.school_year_id)
    if school_class is None or school_class.head_teacher_id is None:
        return None
    return school_class.head_teacher.user_id


# --------------------------------------------------------------------------- access


def is_guardian(user: User) -> bool:
    return user.is_authenticated and user.role == User.Role.GUARDIAN


def access_child(user: User, student_pk: int) -> Student:
    """One of the guardian's own children."""
    if not is_guardian(user):
        raise Http404
    return access.access_student(user, student_pk)


def access_own_application(user: User, pk: int) -> Application:
    """An application of one of the guardian's own children."""
    if not is_guardian(user):
        raise Http404
    return _get(Application.objects.filter(student__in=access.students_for(user)), pk=pk)


def access_school_application(user: User, pk: int) -> Application:
    """An application of the admin's school (for approving, refusing, joining, withdrawing)."""
    app = _get(Application.objects.filter(student__in=access.students_for(user)), pk=pk)
    if not access.may_manage_school(user, app.student.school):
        raise Http404
    return app


def access_reviewable_application(user: User, pk: int) -> Application:
    """An application of a child in a class the teacher heads (in the term's school year)."""
    if not user.is_authenticated or user.role != User.Role.TEACHER:
        raise Http404
    return _get(_teacher_scope(user), pk=pk)


def access_enrollment(user: User, pk: int) -> Enrollment:
    """An enrolment of the guardian's own child, or of the admin's school."""
    # Not _get: an Enrollment has no `term` to select_related (FieldError, a 500).
    enrolment = (
        Enrollment.objects.filter(student__in=access.students_for(user), pk=pk)
        .select_related("offering__menu__term", "student__school", "application__term")
        .first()
    )
    if enrolment is None:
        raise Http404
    if is_guardian(user) or access.may_manage_school(user, enrolment.student.school):
        return enrolment
    raise Http404


def _get(queryset: QuerySet, **lookup):
    obj = queryset.select_related("student__school", "term__school_year").filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj


def _teacher_scope(user: User) -> QuerySet[Application]:
    classes = SchoolClass.objects.filter(head_teacher__user=user, school_id=user.school_id)
    return Application.objects.filter(
        student__memberships__school_class__in=classes,
        student__memberships__school_year=F("term__school_year"),
    ).distinct()


# --------------------------------------------------------------------------- families


@dataclass
class WaitingRow:
    entry: WaitlistEntry
    position: int


@dataclass
class ChildCard:
    child: Student
    grade: int | None
    application: Application | None
    agreement: SafetyAgreement | None
    menu: Menu | None
    window_open: bool = False
    window_state: str | None = None
    choices: list[Choice] = field(default_factory=list)
    enrolments: list[Enrollment] = field(default_factory=list)
    waiting: list[WaitingRow] = field(default_factory=list)
    offers: list[WaitlistEntry] = field(default_factory=list)

    @property
    def may_apply(self) -> bool:
        return self.application is None or self.application.status in (
            Application.Status.WITHDRAWN,
            Application.Status.REFUSED,
            Application.Status.SUBMITTED,
            Application.Status.TEACHER_REVIEWED,
        )

    @property
    def is_active(self) -> bool:
        return self.application is not None and self.application.status in (
            Application.Status.SUBMITTED,
            Application.Status.TEACHER_REVIEWED,
            Application.Status.APPROVED,
        )

    @property
    def may_rank(self) -> bool:
        return (
            self.window_open
            and self.menu is not None
            and self.menu.mode == Menu.Mode.LOTTERY
            and self.is_active
        )

    @property
    def may_claim(self) -> bool:
        return (
            self.window_open
            and self.menu is not None
            and self.menu.mode == Menu.Mode.FCFS
            and self.application is not None
            and self.application.status == Application.Status.APPROVED
        )


def _menu_for(student: Student, term: Term) -> Menu | None:
    return (
        Menu.objects.filter(school_id=student.school_id, term=term, status__in=VISIBLE_MENU)
        .select_related("term")
        .first()
    )


def child_card(user: User, child: Student, term: Term) -> ChildCard:
    app = (
        Application.objects.filter(student=child, term=term)
        .select_related("term")
        .prefetch_related("signatures__agreement")
        .first()
    )
    menu = _menu_for(child, term)
    now = timezone.now()
    card = ChildCard(
        child=child,
        grade=child_grade(child, term),
        application=app,
        agreement=current_agreement(child.school),
        menu=menu,
        window_open=menu is not None and menu.window_is_open_at(now),
        window_state=menu.window_state_at(now) if menu is not None else None,
    )
    if app is not None:
        card.choices = list(
            Choice.objects.filter(application=app).select_related("offering__activity")
        )
    card.enrolments = list(
        Enrollment.objects.filter(student=child, offering__menu__term=term)
        .select_related("offering__activity")
        .order_by("status", "offering__activity__name", "pk")
    )
    for entry in WaitlistEntry.objects.filter(
        student=child, offering__menu__term=term, status__in=WAITING
    ).select_related("offering__menu"):
        if entry.status == WaitlistEntry.Status.OFFERED:
            card.offers.append(entry)
        else:
            card.waiting.append(WaitingRow(entry, waiting_position(entry)))
    return card


def family_terms(user: User) -> list[Term]:
    """The terms a guardian's children have something in, newest first: a menu shown to
    families, a published plan of their school, or an application (for the switcher)."""
    from kehou.policy.models import SchoolPlan

    if not is_guardian(user):
        raise Http404
    children = access.students_for(user)
    schools = children.values("school_id")
    ids = set(
        Menu.objects.filter(school_id__in=schools, status__in=VISIBLE_MENU).values_list(
            "term_id", flat=True
        )
    )
    ids |= set(
        SchoolPlan.objects.filter(
            school_id__in=schools, status=SchoolPlan.Status.PUBLISHED
        ).values_list("term_id", flat=True)
    )
    ids |= set(Application.objects.filter(student__in=children).values_list("term_id", flat=True))
    return list(
        Term.objects.filter(pk__in=ids)
        .select_related("school_year")
        .order_by("-school_year__start_year", "-semester")
    )


def open_windows(user: User, *, besides: Term | None) -> list[Term]:
    """Other terms whose choice or sign-up window is open now for one of the guardian's
    children, so the family page can point at them."""
    if not is_guardian(user):
        raise Http404
    now = timezone.now()
    menus = Menu.objects.filter(
        school_id__in=access.students_for(user).values("school_id"),
        status=Menu.Status.WINDOW_OPEN,
    ).select_related("term__school_year")
    terms = {m.term for m in menus if m.window_is_open_at(now) and m.term != besides}
    return sorted(terms, key=lambda t: t.start)


def family_cards(user: User, term: Term | None) -> list[ChildCard]:
    if not is_guardian(user):
        raise Http404
    if term is None:
        return []
    children = access.students_for(user).select_related("school").order_by("name", "pk")
    return [child_card(user, child, term) for child in children]


def weekday_options(child: Student, term: Term) -> list[int]:
    return plan_weekdays(school=child.school, term=term)


def rankable_offerings(app: Application, menu: Menu) -> list[Offering]:
    """Grade-eligible offerings of the menu, no seat counts (no live demand)."""
    grade = child_grade(app.student, app.term)
    if grade is None:
        return []
    return list(
        Offering.objects.filter(menu=menu, grade_from__lte=grade, grade_to__gte=grade)
        .select_related("activity", "instructor")
        .prefetch_related("meetings")
        .order_by("activity__category", "activity__name", "name", "pk")
    )


def menu_of(app: Application) -> Menu | None:
    return _menu_for(app.student, app.term)


# --------------------------------------------------------------------------- school staff


def school_applications(
    user: User,
    *,
    term: Term,
    status: str = "",
    class_pk: int | None = None,
    query: str = "",
) -> QuerySet[Application]:
    """The admin's school's applications for the term, filtered."""
    if not user.is_authenticated or not (user.is_superuser or user.role == User.Role.SCHOOL_ADMIN):
        raise Http404
    qs = Application.objects.filter(student__in=access.students_for(user), term=term)
    if status in Application.Status.values:
        qs = qs.filter(status=status)
    if class_pk:
        qs = qs.filter(
            student__memberships__school_class_id=class_pk,
            student__memberships__school_year=term.school_year_id,
        )
    if query:
        qs = qs.filter(Q(student__name__contains=query) | Q(student__student_number=query))
    return qs.select_related("student", "guardian", "teacher_reviewed_by").order_by(
        "status", "student__name", "pk"
    )


def school_classes(user: User, term: Term) -> QuerySet[SchoolClass]:
    return (
        access.classes_for(user).filter(school_year=term.school_year_id).order_by("grade", "number")
    )


def teacher_applications(user: User, *, term: Term) -> QuerySet[Application]:
    if not user.is_authenticated or user.role != User.Role.TEACHER:
        raise Http404
    return (
        _teacher_scope(user)
        .filter(term=term)
        .select_related("student", "guardian")
        .order_by("status", "student__name", "pk")
    )


def application_detail(app: Application) -> dict:
    return {
        "signatures": list(app.signatures.select_related("agreement", "signed_by")),
        "enrolments": list(
            Enrollment.objects.filter(student=app.student, offering__menu__term=app.term)
            .select_related("offering__activity")
            .order_by("status", "pk")
        ),
        "choices": list(app.choices.select_related("offering")),
        "groups": [PRIORITY_GROUP_LABELS[g] for g in student_priority_groups(app.student)],
    }


# --------------------------------------------------------------------------- bureau


@dataclass
class RefusalRow:
    application: Application
    groups: list[str]

    @property
    def in_need(self) -> bool:
        return bool(self.groups)


def bureau_refusals(user: User, *, term: Term | None) -> list[RefusalRow]:
    """Refused applications of the schools in the officer's region, children of the priority
    groups first."""
    if not user.is_authenticated or not (user.is_superuser or user.role == User.Role.BUREAU):
        raise Http404
    qs = Application.objects.filter(
        student__school__in=access.schools_for(user), status=Application.Status.REFUSED
    )
    if term is not None:
        qs = qs.filter(term=term)
    rows = [
        RefusalRow(app, [PRIORITY_GROUP_LABELS[g] for g in student_priority_groups(app.student)])
        for app in qs.select_related("student__school__region", "decided_by", "term").order_by(
            "student__school__code", "-decided_at", "pk"
        )
    ]
    rows.sort(key=lambda r: not r.in_need)
    return rows


# --------------------------------------------------------------------------- rosters
#
# An offering's class list and waiting list, for the school's admin and the offering's own
# instructor. The guardian's phone is on it (the instructor calls a family from the room),
# so nobody else sees it: another instructor, another school, a guardian or the bureau get
# a 404.


def enrolment_in_effect(day: dt.date) -> Q:
    """The one definition of "who is in the group on `day`" (R13): enrolments from
    starts_on, up to, not including, ends_on, whatever their status today. The sittings'
    rosters and the offering's class list both read it."""
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gt=day))


def _roster_scope(user: User) -> QuerySet[Offering]:
    """Offerings whose roster `user` may read: every offering of the admin's school, only
    their own offerings for an instructor; nothing (a 404) for anyone else."""
    if not access.is_acting(user):
        raise Http404
    offerings = Offering.objects.filter(menu__school__in=access.schools_for(user))
    if user.is_superuser or user.role == User.Role.SCHOOL_ADMIN:
        return offerings
    if user.role == User.Role.TEACHER:
        return offerings.filter(instructor__user=user)
    raise Http404


def roster_terms(user: User) -> list[Term]:
    """The terms the user has rosters in, newest first (for the term switcher)."""
    ids = _roster_scope(user).values_list("menu__term_id", flat=True).distinct()
    return list(
        Term.objects.filter(pk__in=ids)
        .select_related("school_year")
        .order_by("-school_year__start_year", "-semester")
    )


def roster_offerings(user: User, *, term: Term) -> list[Offering]:
    """The offerings of the term whose rosters the user may read, each with `waiting`
    (how many wait for a seat)."""
    return list(
        _roster_scope(user)
        .filter(menu__term=term)
        .annotate(
            waiting=Count("waitlist", filter=Q(waitlist__status=WaitlistEntry.Status.WAITING))
        )
        .select_related("activity", "instructor", "menu__school", "menu__term")
        .prefetch_related("meetings")
        .order_by("menu__school__name", "activity__category", "activity__name", "name", "pk")
    )


def access_roster_offering(user: User, pk: int) -> Offering:
    offering = (
        _roster_scope(user)
        .filter(pk=pk)
        .select_related("activity", "instructor", "menu__school", "menu__term__school_year")
        .prefetch_related("meetings")
        .first()
    )
    if offering is None:
        raise Http404
    return offering


def may_read_roster(user: User, offering_id: int) -> bool:
    """Whether the user may open the offering's class list (to show a link to it)."""
    try:
        return _roster_scope(user).filter(pk=offering_id).exists()
    except Http404:
        return False


def roster_day(offering: Offering, wanted: str | None, today: dt.date) -> dt.date:
    """The day `?day=2026-10-12` names (a 404 for a malformed one), else today, kept
    inside the term (its first day before it starts, its last after it ends)."""
    if wanted:
        try:
            return dt.date.fromisoformat(wanted)
        except ValueError as error:
            raise Http404 from error
    term = offering.menu.term
    return min(max(today, term.start), term.end)


@dataclass
class RosterRow:
    number: int
    student: Student
    school_class: SchoolClass | None
    guardian_phone: str
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass
class WaitlistRow:
    place: int | None  # None for a child whose offered seat is not answered yet
    entry: WaitlistEntry
    school_class: SchoolClass | None


@dataclass
class OfferingRoster:
    offering: Offering
    day: dt.date
    rows: list[RosterRow]
    waiting: list[WaitlistRow]
    offered: list[WaitlistRow]
    # An external instructor sees the children of their group only (kehou.org.access):
    # of the waiting list, how many wait, not who.
    waiting_hidden: int = 0

    @property
    def school(self) -> School:
        return self.offering.menu.school


def _guardian_phones(student_ids) -> dict[int, str]:
    """Each child's first contact: the primary guardian, else the first one linked."""
    phones: dict[int, str] = {}
    links = (
        StudentGuardian.objects.filter(student_id__in=student_ids)
        .select_related("guardian")
        .order_by("-is_primary", "pk")
    )
    for link in links:
        phones.setdefault(link.student_id, link.guardian.phone)
    return phones


def offering_roster(user: User, offering: Offering, day: dt.date) -> OfferingRoster:
    """The class list of `offering` on `day` and its waiting list in its order (the place
    each child has: 1 is offered the next free seat). `offering` comes from
    access_roster_offering; the user is checked again so no caller can skip it."""
    access_roster_offering(user, offering.pk)
    enrolments = list(
        Enrollment.objects.filter(enrolment_in_effect(day), offering=offering).select_related(
            "student"
        )
    )
    entries = list(
        WaitlistEntry.objects.filter(offering=offering, status__in=WAITING)
        .select_related("student")
        .order_by(*queue_order(offering.menu))
    )
    student_ids = {e.student_id for e in enrolments} | {e.student_id for e in entries}
    classes = classes_in_year(student_ids, offering.menu.term.school_year_id)
    phones = _guardian_phones({e.student_id for e in enrolments})

    def order(enrolment):
        school_class = classes.get(enrolment.student_id)
        place = (school_class.grade, school_class.number) if school_class else (99, 99)
        return (*place, enrolment.student.name, enrolment.student_id)

    rows = [
        RosterRow(
            number=n,
            student=e.student,
            school_class=classes.get(e.student_id),
            guardian_phone=phones.get(e.student_id, ""),
            since=e.starts_on,
            until=e.ends_on,
        )
        for n, e in enumerate(sorted(enrolments, key=order), start=1)
    ]
    waiting = [e for e in entries if e.status == WaitlistEntry.Status.WAITING]
    offered = [e for e in entries if e.status == WaitlistEntry.Status.OFFERED]
    if access.is_external_instructor(user):
        return OfferingRoster(offering, day, rows, [], [], waiting_hidden=len(entries))
    return OfferingRoster(
        offering=offering,
        day=day,
        rows=rows,
        waiting=[
            WaitlistRow(place, e, classes.get(e.student_id))
            for place, e in enumerate(waiting, start=1)
        ],
        offered=[WaitlistRow(None, e, classes.get(e.student_id)) for e in offered],
    )
