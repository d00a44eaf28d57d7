"""The one scoping layer: what each user may see (SPEC R26, research S6).

Every page, export, API call and task reads through these functions. Each returns a
queryset already narrowed to the user's scope, or raises Http404 for an object outside
it, so a refusal never reveals whether the object exists.

- bureau officer: their region and everything under it
- school admin, teacher, gate staff: their school
- guardian: their own children (and those children's schools)
- superuser: everything
"""

from django.db.models import QuerySet
from django.http import Http404

from kehou.accounts.models import User
from kehou.org.models import Guardian, Region, School, SchoolClass, Staff, Student

SCHOOL_ROLES = {User.Role.SCHOOL_ADMIN, User.Role.TEACHER, User.Role.GATE}


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


def students_for(user: User) -> QuerySet[Student]:
    if not user.is_authenticated or not user.is_active:
        return Student.objects.none()
    if user.is_superuser:
        return Student.objects.all()
    if user.role == User.Role.BUREAU and user.region_id:
        return Student.objects.filter(school__region__path__startswith=user.region.path)
    if user.role in SCHOOL_ROLES:
        return Student.objects.filter(school_id=user.school_id)
    if user.role == User.Role.GUARDIAN:
        return Student.objects.filter(guardian_links__guardian__user=user)
    return Student.objects.none()


def classes_for(user: User) -> QuerySet[SchoolClass]:
    return SchoolClass.objects.filter(school__in=schools_for(user))


def staff_for(user: User) -> QuerySet[Staff]:
    if user.is_authenticated and user.role == User.Role.GUARDIAN:
        return Staff.objects.none()
    return Staff.objects.filter(school__in=schools_for(user))


def guardians_for(user: User) -> QuerySet[Guardian]:
    if user.is_authenticated and user.role == User.Role.GUARDIAN:
        return Guardian.objects.filter(user=user)
    return Guardian.objects.filter(student_links__student__in=students_for(user)).distinct()


def access_school(user: User, pk: int) -> School:
    return _get_or_404(schools_for(user), pk=pk)


def access_school_by_code(user: User, code: str) -> School:
    return _get_or_404(schools_for(user), code=code)


def access_student(user: User, pk: int) -> Student:
    return _get_or_404(students_for(user), pk=pk)


def access_class(user: User, pk: int) -> SchoolClass:
    return _get_or_404(classes_for(user), pk=pk)


def access_staff(user: User, pk: int) -> Staff:
    return _get_or_404(staff_for(user), pk=pk)


def may_manage_school(user: User, school: School) -> bool:
    """Write access to a school's rosters: its own admin, or a superuser."""
    if user.is_superuser:
        return True
    return user.role == User.Role.SCHOOL_ADMIN and user.school_id == school.pk


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
