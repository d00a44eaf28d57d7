"""Reads of the online resources (R25), scoped through kehou.org.access (404 outside the
scope). A GET never writes.

Who sees what:
- school staff (admin, teachers; not the gate): their school's own resources and those a
  bureau listed for a region the school is in;
- a bureau officer: the resources of their region, of the regions below it and above it,
  and the schools' own resources under it (read-only where not theirs);
- a guardian: the resources attached to the groups their children are in today.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kehou.accounts.models import User
from kehou.catalog.models import Offering
from kehou.enrollment.models import Enrollment
from kehou.enrollment.selectors import enrolment_in_effect
from kehou.org import access
from kehou.org.models import Region, School, Student
from kehou.resources.models import OfferingResource, Resource

LISTERS = {User.Role.SCHOOL_ADMIN, User.Role.TEACHER, User.Role.BUREAU}


def _above(region: Region) -> Q:
    """Resources of `region` or of a region above it (path prefixes of its path)."""
    codes = [code for code in region.path.split("/") if code]
    return Q(region__code__in=codes)


def may_list(user) -> bool:
    return access.is_acting(user) and (user.is_superuser or user.role in LISTERS)


def may_add(user) -> bool:
    """A school's admin (for the school) or a bureau officer (for their region)."""
    if not access.is_acting(user) or user.is_superuser:
        return False
    if user.role == User.Role.SCHOOL_ADMIN and user.school_id:
        return True
    return user.role == User.Role.BUREAU and user.region_id is not None


def may_manage(user, resource: Resource) -> bool:
    """What kehou.resources.services lets `user` edit and retire."""
    if resource.school_id is not None:
        return access.may_manage_school(user, resource.school)
    return access.may_oversee(user, resource.region)


def visible(user) -> QuerySet[Resource]:
    """Every resource `user` may read, retired ones included."""
    if not may_list(user):
        return Resource.objects.none()
    resources = Resource.objects.select_related("region", "school")
    if user.is_superuser:
        return resources
    if user.role == User.Role.BUREAU:
        regions = access.regions_for(user)
        return resources.filter(
            Q(school__isnull=True, region__in=regions)
            | (Q(school__isnull=True) & _above(user.region))
            | Q(school__in=access.schools_for(user))
        )
    if access.is_external_instructor(user):
        return Resource.objects.none()
    school = School.objects.select_related("region").get(pk=user.school_id)
    return resources.filter(Q(school=school) | (Q(school__isnull=True) & _above(school.region)))


def resource_list(user, *, category: str = "", grade: int | None = None) -> list[Resource]:
    resources = visible(user).filter(retired_at__isnull=True)
    if category:
        resources = resources.filter(category=category)
    if grade is not None:
        resources = resources.filter(grade_from__lte=grade, grade_to__gte=grade)
    return list(resources.order_by("school_id", "kind", "title", "pk"))


def access_resource(user, pk: int) -> Resource:
    resource = visible(user).filter(pk=pk).first()
    if resource is None:
        raise Http404
    return resource


def access_managed(user, pk: int) -> Resource:
    """A resource `user` may edit or retire (404 for any other)."""
    resource = access_resource(user, pk)
    if not may_manage(user, resource):
        raise Http404
    return resource


# --------------------------------------------------------------------------- an offering


@dataclass
class OfferingResources:
    offering: Offering
    school: School
    attached: list[Resource]
    available: list[Resource] = field(default_factory=list)


def access_offering(user, pk: int) -> Offering:
    """An offering of a school `user` manages (its admin); 404 otherwise."""
    offering = (
        Offering.objects.select_related("menu__school__region", "activity")
        .filter(menu__school__in=access.schools_for(user), pk=pk)
        .first()
    )
    if offering is None or not access.may_manage_school(user, offering.menu.school):
        raise Http404
    return offering


def offering_resources(user, offering: Offering) -> OfferingResources:
    school = offering.menu.school
    attached = [
        link.resource
        for link in OfferingResource.objects.filter(offering=offering).select_related("resource")
    ]
    taken = {r.pk for r in attached}
    candidates = Resource.objects.filter(retired_at__isnull=True).filter(
        Q(school=school) | (Q(school__isnull=True) & _above(school.region))
    )
    available = [
        r
        for r in candidates.select_related("region").order_by("school_id", "title", "pk")
        if r.pk not in taken and r.usable_at(school)
    ]
    return OfferingResources(
        offering=offering, school=school, attached=attached, available=available
    )


# --------------------------------------------------------------------------- families


@dataclass
class ChildResources:
    child: Student
    groups: list[tuple[Offering, list[Resource]]]


def family_resources(user) -> list[ChildResources]:
    """For each of the guardian's children, the groups they are in today and the free
    resources attached to each."""
    if not access.is_acting(user) or user.role != User.Role.GUARDIAN:
        raise Http404
    children = list(access.students_for(user).select_related("school").order_by("name", "pk"))
    today = timezone.localdate()
    enrolments = (
        Enrollment.objects.filter(student__in=children, status=Enrollment.Status.ACTIVE)
        .filter(enrolment_in_effect(today))
        .select_related("offering__activity")
        .order_by("offering__activity__name", "offering__name", "pk")
    )
    by_child: dict[int, list[Offering]] = {}
    for enrolment in enrolments:
        by_child.setdefault(enrolment.student_id, []).append(enrolment.offering)
    offering_ids = {o.pk for offerings in by_child.values() for o in offerings}
    links: dict[int, list[Resource]] = {}
    for link in (
        OfferingResource.objects.filter(
            offering_id__in=offering_ids, resource__retired_at__isnull=True
        )
        .select_related("resource")
        .order_by("resource__title", "pk")
    ):
        links.setdefault(link.offering_id, []).append(link.resource)
    return [
        ChildResources(
            child=child,
            groups=[(o, links.get(o.pk, [])) for o in by_child.get(child.pk, [])],
        )
        for child in children
    ]
