"""The one scoping layer: what each user may see (SPEC R26, research S6).

Every page, export, API call and task reads through these functions. Each returns a
queryset already narrowed to the user's scope, or raises Http404 for an object outside
it, so a refusal never reveals whether the object exists.

- bureau officer: their region and everything under it
- school admin, teacher, gate staff: their school; an external instructor (a coach, a
  craftsman, someone sent by an external organisation) only the children of the groups
  they teach
- guardian: their own children (and those children's schools)
- superuser: everything

Writes check scope here too: every write service begins with one of the `require_*`
functions, which raise `OutOfScope` (a 404 on a page) for an actor who may not act, so a
view, a command, the API or a task that calls the service needs no check of its own.
Work that kehou does by itself (the scheduler, the worker, an operator's command) acts as
`SYSTEM`.
"""

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kehou.accounts.models import User
from kehou.org.models import Guardian, Region, School, SchoolClass, Staff, Student

SCHOOL_ROLES = {User.Role.SCHOOL_ADMIN, User.Role.TEACHER, User.Role.GATE}


class OutOfScope(Http404):
    """The actor may not do this to this object, or the object does not exist for them.
    Pages answer 404, so a refusal never tells whether the object exists."""

    code = "out_of_scope"


class SystemActor:
    """kehou acting by itself: periodic jobs, the worker, and the operator's commands (who
    holds the database already). Passes every scope check; history records no user."""

    is_superuser = True
    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    role = None
    pk = id = None
    school_id = region_id = None
    name = "kehou"

    def __str__(self) -> str:
        return "kehou"


SYSTEM = SystemActor()


def user_of(actor) -> User | None:
    """The User to record as having acted (None for SYSTEM or an anonymous caller)."""
    return actor if isinstance(actor, User) and actor.pk else None


def regions_for(user: User) -> QuerySet[Region]:
    if user.is_superuser:
        return Region.objects.all()
    if user.role == User.Role.BUREAU and user.region_id:
        return Region.objects.filter(path__startswith=user.region.path)
    return Region.objects.none()


def schools_for(user: User) -> QuerySet[School]:
    if not user.is_authenticated or not user.is_active:
        return School.objects.none()
    if user.is_superuser:
        return School.objects.all()
    if user.role == User.Role.BUREAU and user.region_id:
        return School.objects.filter(region__path__startswith=user.region.path)
    if user.role in SCHOOL_ROLES:
        return School.objects.filter(pk=user.school_id)
    if user.role == User.Role.GUARDIAN:
        return School.objects.filter(students__in=students_for(user)).distinct()
    return School.objects.none()


def instructor_record(user) -> Staff | None:
    """The teacher login's staff record, or None (the reverse one-to-one is cached on the
    user, so asking again costs no query)."""
    if not isinstance(user, User) or user.role != User.Role.TEACHER:
        return None
    try:
        return user.staff
    except Staff.DoesNotExist:
        return None


def is_external_instructor(user) -> bool:
    """A teacher login whose staff record is an external instructor, or someone tied to an
    external organisation: they see only the children of the groups they teach."""
    if not isinstance(user, User) or user.is_superuser:
        return False
    staff = instructor_record(user)
    return staff is not None and (staff.is_external or staff.organisation_id is not None)


def taught_now(user: User) -> Q:
    """Enrolments (as a lookup from Student) of the groups `user` teaches that are in
    effect today or start later, in a term that has not ended: the children an instructor
    has in front of them. Reverse relations only: this layer knows no menus or seats.
    "active" is kehou.enrollment.models.Enrollment.Status.ACTIVE."""
    today = timezone.localdate()
    return (
        Q(enrollments__offering__instructor__user=user)
        & Q(enrollments__status="active")
        & (Q(enrollments__ends_on__isnull=True) | Q(enrollments__ends_on__gt=today))
        & Q(enrollments__offering__menu__term__end__gte=today)
    )


def students_for(user: User) -> QuerySet[Student]:
    if not user.is_authenticated or not user.is_active:
        return Student.objects.none()
    if user.is_superuser:
        return Student.objects.all()
    if user.role == User.Role.BUREAU and user.region_id:
        return Student.objects.filter(school__region__path__startswith=user.region.path)
    if user.role in SCHOOL_ROLES:
        students = Student.objects.filter(school_id=user.school_id)
        if is_external_instructor(user):
            # One condition on one enrolment, as a subquery so the queryset stays free of
            # duplicate rows whatever callers chain onto it.
            taught = Student.objects.filter(taught_now(user)).values("pk")
            students = students.filter(pk__in=taught)
        return students
    if user.role == User.Role.GUARDIAN:
        return Student.objects.filter(guardian_links__guardian__user=user)
    return Student.objects.none()


def classes_for(user: User) -> QuerySet[SchoolClass]:
    classes = SchoolClass.objects.filter(school__in=schools_for(user))
    if is_external_instructor(user):
        # Only the classes their own children are in.
        mine = SchoolClass.objects.filter(memberships__student__in=students_for(user))
        classes = classes.filter(pk__in=mine.values("pk"))
    return classes


def staff_for(user: User) -> QuerySet[Staff]:
    if user.is_authenticated and user.role == User.Role.GUARDIAN:
        return Staff.objects.none()
    if is_external_instructor(user):
        return Staff.objects.filter(user=user)
    return Staff.objects.filter(school__in=schools_for(user))


def access_school(user: User, pk: int) -> School:
    return _get_or_404(schools_for(user), pk=pk)


def access_student(user: User, pk: int) -> Student:
    return _get_or_404(students_for(user), pk=pk)


def is_acting(actor) -> bool:
    """A signed-in, active user, or SYSTEM."""
    return actor is not None and actor.is_authenticated and actor.is_active


def may_manage_school(user: User, school: School) -> bool:
    """Write access to a school's rosters, plan, menu and applications: its own admin, or
    a superuser."""
    if not is_acting(user):
        return False
    if user.is_superuser:
        return True
    return user.role == User.Role.SCHOOL_ADMIN and user.school_id == school.pk


def may_oversee(user: User, region: Region) -> bool:
    """A bureau officer of `region` or of a region above it (or a superuser)."""
    if not is_acting(user):
        return False
    if user.is_superuser:
        return True
    return (
        user.role == User.Role.BUREAU
        and user.region_id is not None
        and region.path.startswith(user.region.path)
    )


def require_school_admin(actor, school: School) -> None:
    if not may_manage_school(actor, school):
        raise OutOfScope


def is_school_staff(user, school: School) -> bool:
    """The school's admin or one of its own teachers (not an external instructor), or a
    superuser: those who keep the school's everyday records (the safety records, R17)."""
    if not is_acting(user):
        return False
    if user.is_superuser:
        return True
    return (
        user.role in {User.Role.SCHOOL_ADMIN, User.Role.TEACHER}
        and user.school_id == school.pk
        and not is_external_instructor(user)
    )


def require_school_staff(actor, school: School) -> None:
    if not is_school_staff(actor, school):
        raise OutOfScope


# From the top of the administrative tree down; settings.CALENDAR_AUTHORITY names one.
REGION_LEVELS = (Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY)


def may_set_calendar(user) -> bool:
    """Whether the user may enter or replace a year of the holiday calendar, which every
    school of the deployment follows: a superuser, or a bureau officer of a region at the
    level settings.CALENDAR_AUTHORITY names or above ("national": superusers only)."""
    if not is_acting(user):
        return False
    if user.is_superuser:
        return True
    if user.role != User.Role.BUREAU or not user.region_id:
        return False
    authority = getattr(settings, "CALENDAR_AUTHORITY", "national")
    if authority not in REGION_LEVELS or user.region.level not in REGION_LEVELS:
        return False
    return REGION_LEVELS.index(user.region.level) <= REGION_LEVELS.index(authority)


def require_calendar_authority(actor) -> None:
    if not may_set_calendar(actor):
        raise OutOfScope


def guardian_record(user, student: Student) -> Guardian | None:
    """The user's Guardian record if they are a guardian of this child, else None."""
    if not is_acting(user) or user.role != User.Role.GUARDIAN:
        return None
    return Guardian.objects.filter(user=user, student_links__student=student).first()


def require_guardian(actor, student: Student) -> Guardian:
    guardian = guardian_record(actor, student)
    if guardian is None:
        raise OutOfScope
    return guardian


def require_guardian_or_school_admin(actor, student: Student) -> Guardian | None:
    """A guardian of the child (returns their Guardian) or the child's school's admin."""
    guardian = guardian_record(actor, student)
    if guardian is None and not may_manage_school(actor, student.school):
        raise OutOfScope
    return guardian


def may_see_priority_facts(user: User) -> bool:
    """Disability, left-behind, migrant and low-income facts are sensitive personal
    information of children (PIPL art. 28): school admins and the bureau only."""
    return user.is_superuser or user.role in {User.Role.SCHOOL_ADMIN, User.Role.BUREAU}


def may_see_audit(user: User) -> bool:
    return user.is_superuser or user.role == User.Role.SCHOOL_ADMIN


def _get_or_404(queryset: QuerySet, **lookup):
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def may_take_roll(user, sitting) -> bool:
    """Who may mark a sitting's roll and close it: the sitting's responsible adult, a
    staff member on duty (custody.Duty, read by its reverse name `duties`) at its school
    that day, the school's admin, and, at a sitting of the plan (a grade group's basic
    service, extended care, evening study, boarding), the head teacher of a class of
    those grades, for that class's children (`roll_group`). Another school's staff, a
    teacher of another group, the gate and guardians may not."""
    return roll_group(user, sitting) is not NO_GROUP


NO_GROUP = frozenset({-1})  # may not take this roll at all


def roll_group(user, sitting) -> frozenset[int] | None:
    """The classes whose children `user` marks at `sitting`: None for the whole roster
    (the responsible adult, a duty teacher, the school admin), the classes they head at a
    plan sitting (its roll is taken class by class, for it may hold every class of the
    grades), or `NO_GROUP`."""
    if not is_acting(user):
        return NO_GROUP
    if user.is_superuser:
        return None
    if user.school_id != sitting.school_id:
        return NO_GROUP
    if user.role == User.Role.SCHOOL_ADMIN:
        return None
    staff = instructor_record(user)
    if staff is None or staff.school_id != sitting.school_id:
        return NO_GROUP
    if sitting.responsible_id == staff.pk:
        return None
    if staff.duties.filter(school_id=sitting.school_id, date=sitting.date).exists():
        return None
    if sitting.offering_id is None:
        headed = frozenset(
            SchoolClass.objects.filter(
                school_id=sitting.school_id,
                school_year_id=sitting.term.school_year_id,
                head_teacher=staff,
                grade__gte=sitting.grade_from,
                grade__lte=sitting.grade_to,
            ).values_list("pk", flat=True)
        )
        if headed:
            return headed
    return NO_GROUP


def require_roll_taker(actor, sitting) -> None:
    if not may_take_roll(actor, sitting):
        raise OutOfScope


def may_dismiss(user, school_id: int) -> bool:
    """Who may see the children on site and end a child's day (custody, R16): the school's
    gate staff, its admin and its own teachers. Not an external instructor (they hand
    their group over to the duty teacher), another school's staff, or a guardian."""
    if not is_acting(user):
        return False
    if user.is_superuser:
        return True
    if user.school_id != school_id:
        return False
    if user.role in {User.Role.GATE, User.Role.SCHOOL_ADMIN}:
        return True
    return user.role == User.Role.TEACHER and not is_external_instructor(user)


def require_dismisser(actor, school_id: int) -> None:
    if not may_dismiss(actor, school_id):
        raise OutOfScope


def may_watch_board(user, school_id: int) -> bool:
    """The live board of who is still on site: the school's admin and teachers (the duty
    staff among them); not the gate (it has its own list), external instructors or
    anyone outside the school."""
    if not is_acting(user):
        return False
    if user.is_superuser:
        return True
    if user.school_id != school_id:
        return False
    if user.role == User.Role.SCHOOL_ADMIN:
        return True
    return user.role == User.Role.TEACHER and not is_external_instructor(user)


def may_keep_visitors(user, school_id: int) -> bool:
    """The gate's visitor register (门卫登记): the school's gate staff and its admin."""
    if not is_acting(user):
        return False
    if user.is_superuser:
        return True
    return user.school_id == school_id and user.role in {User.Role.GATE, User.Role.SCHOOL_ADMIN}
