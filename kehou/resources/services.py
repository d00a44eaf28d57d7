"""Writes of the online resources (R25). Keyword-only `<entity>_<verb>(*, ..., actor)`.

Who may do what:
- a bureau officer lists, edits and retires the resources of their region (or of a
  region below it): `access.may_oversee`;
- a school's admin lists, edits and retires the school's own resources, and attaches any
  resource the school may use (its own, or one of a region above it) to the school's
  offerings, and detaches it: `access.require_school_admin`.

A resource is free (the policy speaks of 免费线上资源 only) and its address is a web page
(http or https), so a `javascript:` or `data:` address can never become a link. Retiring
a resource detaches it from every offering in the same transaction, so families are never
shown a retired one.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehou.catalog.models import Offering
from kehou.core.errors import Problems, refusal
from kehou.org import access
from kehou.org.models import Region, School
from kehou.resources.models import CATEGORY_CHOICES, URL_MAX, OfferingResource, Resource

TITLE_MAX = 200
TEXT_MAX = 4000
WEB_SCHEMES = ("http", "https")
_web = URLValidator(schemes=list(WEB_SCHEMES))


def web_address(value) -> str | None:
    """The address as given (stripped, its scheme in small letters as the database's
    check reads it) when it is an http(s) web address, else None."""
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > URL_MAX or any(c.isspace() or ord(c) < 32 for c in text):
        return None
    if urlsplit(text).scheme.lower() not in WEB_SCHEMES:
        return None
    try:
        _web(text)
    except ValidationError:
        return None
    scheme, rest = text.split(":", 1)
    return f"{scheme.lower()}:{rest}"


def _require_owner(actor, resource_school: School | None, region: Region) -> None:
    if resource_school is not None:
        access.require_school_admin(actor, resource_school)
    elif not access.may_oversee(actor, region):
        raise access.OutOfScope


def _grade(value) -> int | None:
    try:
        grade = int(value)
    except (TypeError, ValueError):
        return None
    return grade if 1 <= grade <= 12 else None


def _validated(*, title, kind, url, category, grade_from, grade_to, description, is_free) -> dict:
    problems = Problems()
    title = (title or "").strip() if isinstance(title, str) else ""
    if not title:
        problems.add("title_required", _("Give the resource a title."), field="title")
    elif len(title) > TITLE_MAX:
        problems.add(
            "title_too_long",
            _("Keep the title under %(max)d characters."),
            field="title",
            max=TITLE_MAX,
        )
    if kind not in Resource.Kind.values:
        problems.add("kind_unknown", _("Choose what kind of resource it is."), field="kind")
    address = web_address(url)
    if address is None:
        problems.add(
            "url_not_web",
            _("The web address must be a page starting with http:// or https://."),
            field="url",
        )
    category = category or ""
    if category and category not in dict(CATEGORY_CHOICES):
        problems.add("category_unknown", _("Choose a category from the list."), field="category")
    first, last = _grade(grade_from), _grade(grade_to)
    if first is None:
        problems.add("grade_invalid", _("The grade is between 1 and 12."), field="grade_from")
    if last is None:
        problems.add("grade_invalid", _("The grade is between 1 and 12."), field="grade_to")
    if first is not None and last is not None and first > last:
        problems.add(
            "grades_out_of_order",
            _("The first grade comes before the last one."),
            field="grade_to",
        )
    description = (description or "").strip() if isinstance(description, str) else ""
    if len(description) > TEXT_MAX:
        problems.add(
            "text_too_long",
            _("Keep it under %(max)d characters."),
            field="description",
            max=TEXT_MAX,
        )
    if is_free is not True:
        problems.add(
            "resource_not_free",
            _("Only free resources may be listed (免费线上资源)."),
            field="is_free",
        )
    problems.raise_if_any()
    return {
        "title": title,
        "kind": kind,
        "url": address,
        "category": category,
        "grade_from": first,
        "grade_to": last,
        "description": description,
        "is_free": True,
    }


def resource_add(
    *,
    title,
    kind,
    url,
    school: School | None = None,
    region: Region | None = None,
    category: str = "",
    grade_from=1,
    grade_to=9,
    description: str = "",
    is_free=True,
    actor,
) -> Resource:
    """A school's own resource (`school`), or a bureau's for every school of `region`."""
    if school is None and region is None:
        raise access.OutOfScope
    region = school.region if school is not None else region
    _require_owner(actor, school, region)
    fields = _validated(
        title=title,
        kind=kind,
        url=url,
        category=category,
        grade_from=grade_from,
        grade_to=grade_to,
        description=description,
        is_free=is_free,
    )
    with transaction.atomic():
        return Resource.objects.create(
            region=region, school=school, added_by=access.user_of(actor), **fields
        )


def _locked(resource: Resource) -> Resource:
    return (
        Resource.objects.select_for_update(of=("self",))
        .select_related("region", "school")
        .get(pk=resource.pk)
    )


def _refuse_retired(resource: Resource) -> None:
    if resource.is_retired:
        raise refusal("resource_retired", _("This resource has been retired."))


def resource_edit(
    *,
    resource: Resource,
    title,
    kind,
    url,
    category: str = "",
    grade_from=1,
    grade_to=9,
    description: str = "",
    is_free=True,
    actor,
) -> Resource:
    _require_owner(actor, resource.school, resource.region)
    fields = _validated(
        title=title,
        kind=kind,
        url=url,
        category=category,
        grade_from=grade_from,
        grade_to=grade_to,
        description=description,
        is_free=is_free,
    )
    with transaction.atomic():
        current = _locked(resource)
        _refuse_retired(current)
        for name, value in fields.items():
            setattr(current, name, value)
        current.save()
        return current


def resource_retire(*, resource: Resource, actor) -> Resource:
    """No longer listed; detached from every offering it was attached to."""
    _require_owner(actor, resource.school, resource.region)
    with transaction.atomic():
        current = _locked(resource)
        _refuse_retired(current)
        for link in current.links.all():
            link.delete()  # one by one, so each detachment is in the history
        current.retired_at = timezone.now()
        current.retired_by = access.user_of(actor)
        current.save(update_fields=["retired_at", "retired_by"])
        return current


def resource_attach(*, offering: Offering, resource: Resource, actor) -> OfferingResource:
    school = offering.menu.school
    access.require_school_admin(actor, school)
    with transaction.atomic():
        current = _locked(resource)
        _refuse_retired(current)
        if not current.usable_at(school):
            raise refusal(
                "resource_of_another_school",
                _("This resource belongs to another school or region."),
                field="resource",
            )
        link, _created = OfferingResource.objects.get_or_create(
            offering=offering,
            resource=current,
            defaults={"school": school, "attached_by": access.user_of(actor)},
        )
        return link


def resource_detach(*, offering: Offering, resource: Resource, actor) -> None:
    access.require_school_admin(actor, offering.menu.school)
    with transaction.atomic():
        for link in OfferingResource.objects.filter(offering=offering, resource=resource):
            link.delete()
