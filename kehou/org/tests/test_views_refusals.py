"""The refusal matrix (SPEC R26): every page with an object id, tried by every persona
who must not see it, answers 404 and leaks neither a name nor a phone of the other side."""

import pytest
from django.urls import reverse

from kehou.org.models import AuthorisedCollector


def _pages(p):
    """(url name, object id) of every page that shows persona group `p`'s objects."""
    return [
        ("org:student_detail", p.child.pk),
        ("org:student_history", p.child.pk),
        ("org:school_detail", p.school.pk),
        ("org:class_list", p.school.pk),
        ("org:student_list", p.school.pk),
        ("org:staff_list", p.school.pk),
    ]


OUTSIDERS = ["admin", "teacher", "gate", "guardian_user", "county_officer"]


def _secrets(p):
    return [p.child.name, p.guardian.name, p.guardian.phone, p.school.name, "13911112222"]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_other_side_gets_404_and_sees_nothing(client, north, south, outsider):
    # given: south's child also has an authorised collector
    AuthorisedCollector.objects.create(
        student=south.child, name="南方邻居", relation="邻居", phone="13911112222"
    )
    client.force_login(getattr(north, outsider))
    for name, pk in _pages(south):
        # when
        response = client.get(reverse(name, args=[pk]))
        # then
        assert response.status_code == 404, (outsider, name)
        body = response.content.decode()
        for secret in [*_secrets(south), "南方邻居"]:
            assert secret not in body, (outsider, name, secret)


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_refusal_works_both_ways(client, north, south, outsider):
    client.force_login(getattr(south, outsider))
    for name, pk in _pages(north):
        response = client.get(reverse(name, args=[pk]))
        assert response.status_code == 404, (outsider, name)
        assert north.child.name not in response.content.decode()


def test_guardian_cannot_open_a_classmate(client, north):
    # given: another child in the same class
    from kehou.testing.factories import StudentFactory

    classmate = StudentFactory(school=north.school, name="同班同学")
    client.force_login(north.guardian_user)
    # when
    response = client.get(reverse("org:student_detail", args=[classmate.pk]))
    # then
    assert response.status_code == 404
    assert "同班同学" not in response.content.decode()


@pytest.mark.parametrize("persona", ["admin", "teacher", "gate", "county_officer"])
def test_list_pages_never_include_the_other_school(client, north, south, persona):
    user = getattr(north, persona)
    client.force_login(user)
    for name in ("home:index", "org:school_list"):
        body = client.get(reverse(name)).content.decode()
        assert south.child.name not in body
        assert south.school.name not in body
    body = client.get(reverse("org:student_list", args=[north.school.pk])).content.decode()
    assert north.child.name in body
    assert south.child.name not in body


def test_gate_search_does_not_find_the_other_school(client, north, south):
    client.force_login(north.gate)
    response = client.get(reverse("home:index"), {"q": south.child.student_number})
    assert response.context["results"] == []


def test_city_officer_sees_both_schools(client, north, south, city_officer):
    client.force_login(city_officer)
    body = client.get(reverse("org:school_list")).content.decode()
    assert north.school.name in body and south.school.name in body
    for p in (north, south):
        body = client.get(reverse("org:student_list", args=[p.school.pk])).content.decode()
        assert p.child.name in body
        assert client.get(reverse("org:student_detail", args=[p.child.pk])).status_code == 200
