"""Listing, editing, retiring, attaching and detaching free online resources."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kehou.core.errors import items
from kehou.org.access import SYSTEM, OutOfScope
from kehou.resources import services
from kehou.resources.models import OfferingResource, Resource
from kehou.testing import factories as f
from kehou.testing import snapshots

FIELDS = {
    "title": "书法入门（录播课）",
    "kind": "recorded_lesson",
    "url": "https://basic.smartedu.cn/lesson/1",
    "category": "arts",
    "grade_from": 3,
    "grade_to": 6,
}


def _codes(error: ValidationError) -> set[tuple[str, str]]:
    return {(item.field, item.code) for item in items(error)}


def _offering(school, name="书法"):
    return f.offering(f.menu(school, status="published"), name)


def test_a_school_admin_lists_the_schools_own_resource(db, north):
    resource = services.resource_add(school=north.school, **FIELDS, actor=north.admin)
    assert (resource.school, resource.region, resource.added_by) == (
        north.school,
        north.county,
        north.admin,
    )
    assert resource.grades and resource.is_free


def test_a_bureau_officer_lists_a_resource_for_the_region(db, north, city, city_officer):
    resource = services.resource_add(region=city, **FIELDS, actor=city_officer)
    assert resource.school is None and resource.region == city
    with pytest.raises(OutOfScope):  # a county officer may not list for the city
        services.resource_add(region=city, **FIELDS, actor=north.county_officer)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example.cn/a.mp4",
        "//basic.smartedu.cn",
        "basic.smartedu.cn",
        "https://",
        "https://bad host.cn/",
        "http://a.cn/\nx",
        "https://a.cn/" + "x" * 500,
        "",
        None,
    ],
)
def test_only_a_web_page_address_is_accepted(db, north, url):
    before = snapshots.everything()
    with pytest.raises(ValidationError) as refused:
        services.resource_add(school=north.school, **(FIELDS | {"url": url}), actor=north.admin)
    assert ("url", "url_not_web") in _codes(refused.value)
    assert snapshots.everything() == before


def test_http_and_https_addresses_are_kept(db, north):
    # an address typed with its scheme in capitals is kept with the scheme in small
    # letters, which the database's check (case-sensitive on PostgreSQL) accepts
    for url, kept in (
        ("http://www.zxx.edu.cn/", "http://www.zxx.edu.cn/"),
        ("HTTPS://basic.smartedu.cn/a?B=1", "https://basic.smartedu.cn/a?B=1"),
    ):
        resource = services.resource_add(
            school=north.school, **(FIELDS | {"url": url}), actor=north.admin
        )
        resource.refresh_from_db()
        assert resource.url == kept


def test_a_paid_resource_and_bad_fields_are_refused_together(db, north):
    with pytest.raises(ValidationError) as refused:
        services.resource_add(
            school=north.school,
            title=" ",
            kind="course",
            url="https://a.cn",
            category="chess",
            grade_from=6,
            grade_to=3,
            is_free=False,
            actor=north.admin,
        )
    assert _codes(refused.value) == {
        ("title", "title_required"),
        ("kind", "kind_unknown"),
        ("category", "category_unknown"),
        ("grade_to", "grades_out_of_order"),
        ("is_free", "resource_not_free"),
    }
    assert not Resource.objects.exists()


def test_the_owner_edits_and_another_may_not(db, north, south, city, city_officer):
    own = f.resource(north.school, title="旧名")
    edited = services.resource_edit(resource=own, **FIELDS, actor=north.admin)
    assert Resource.objects.get(pk=own.pk).title == FIELDS["title"] == edited.title
    regional = f.resource(city)
    for actor in (south.admin, north.teacher, north.county_officer):
        with pytest.raises(OutOfScope):
            services.resource_edit(resource=own, **FIELDS, actor=actor)
        with pytest.raises(OutOfScope):
            services.resource_edit(resource=regional, **FIELDS, actor=actor)
    with pytest.raises(OutOfScope):  # a school admin does not edit the bureau's resource
        services.resource_edit(resource=regional, **FIELDS, actor=north.admin)
    services.resource_edit(resource=regional, **FIELDS, actor=city_officer)


def test_retiring_detaches_it_from_every_offering(db, north):
    resource = f.resource(north.county)
    offering = _offering(north.school)
    services.resource_attach(offering=offering, resource=resource, actor=north.admin)
    services.resource_retire(resource=resource, actor=north.county_officer)
    resource.refresh_from_db()
    assert resource.is_retired and resource.retired_by == north.county_officer
    assert not OfferingResource.objects.exists()
    with pytest.raises(ValidationError) as refused:
        services.resource_retire(resource=resource, actor=north.county_officer)
    assert _codes(refused.value) == {("__all__", "resource_retired")}


def test_attaching_a_region_resource_and_the_schools_own(db, north, city):
    offering = _offering(north.school)
    platform = f.resource(city)
    lesson = f.resource(north.school, kind="recorded_lesson", title="书法录播课")
    services.resource_attach(offering=offering, resource=platform, actor=north.admin)
    link = services.resource_attach(offering=offering, resource=lesson, actor=north.admin)
    again = services.resource_attach(offering=offering, resource=lesson, actor=north.admin)
    assert again.pk == link.pk and link.school == north.school
    assert {r.resource for r in offering.resource_links.all()} == {platform, lesson}
    services.resource_detach(offering=offering, resource=platform, actor=north.admin)
    assert [r.resource for r in offering.resource_links.all()] == [lesson]


def test_a_retired_or_another_schools_resource_is_refused(db, north, south):
    offering = _offering(north.school)
    retired = f.resource(north.school, retired_at=timezone.now())
    theirs = f.resource(south.school, title="相城录播课")
    other_county = f.resource(south.county, title="相城区资源")
    before = snapshots.everything()
    for resource, code in (
        (retired, ("__all__", "resource_retired")),
        (theirs, ("resource", "resource_of_another_school")),
        (other_county, ("resource", "resource_of_another_school")),
    ):
        with pytest.raises(ValidationError) as refused:
            services.resource_attach(offering=offering, resource=resource, actor=north.admin)
        assert _codes(refused.value) == {code}
    assert snapshots.everything() == before


def test_only_the_offerings_school_admin_attaches(db, north, south, city_officer):
    offering = _offering(north.school)
    resource = f.resource(north.county)
    for actor in (south.admin, north.teacher, north.county_officer, city_officer):
        with pytest.raises(OutOfScope):
            services.resource_attach(offering=offering, resource=resource, actor=actor)
    services.resource_attach(offering=offering, resource=resource, actor=SYSTEM)
