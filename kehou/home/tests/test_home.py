"""The per-role home page (SPEC R26)."""

import pytest
from django.urls import reverse

from kehou.org.models import AuthorisedCollector, ClassMembership, School, StudentGuardian
from kehou.testing import factories as f


def _home(client, user, **query):
    client.force_login(user)
    return client.get(reverse("home:index"), query)


def test_bureau_home_summarises_region(client, north, south, city_officer):
    # given: a rural junior school in north's county
    junior = f.SchoolFactory(region=north.county, school_type=School.Type.JUNIOR, is_urban=False)
    f.StudentFactory.create_batch(2, school=junior)
    # when
    response = _home(client, city_officer)
    # then
    summary = response.context["summary"]
    assert (summary.schools, summary.students) == (3, 4)
    assert summary.urban == {"schools": 2, "students": 2}
    assert summary.rural == {"schools": 1, "students": 2}
    assert dict((name, total) for name, _, total in summary.by_county) == {
        "吴中区": 2,
        "相城区": 1,
    }
    body = response.content.decode()
    assert reverse("org:school_list") in body
    assert "初级中学" in body or "初中" in body


def test_county_officer_home_counts_own_county_only(client, north, south):
    summary = _home(client, north.county_officer).context["summary"]
    assert (summary.schools, summary.students) == (1, 1)


def test_school_admin_home_shows_counts_and_links(client, north):
    # given
    north.child.is_migrant_child = True
    north.child.save()
    # when
    response = _home(client, north.admin)
    # then
    summary = response.context["summary"]
    assert (summary.classes, summary.students, summary.staff) == (1, 1, 1)
    assert summary.priority["migrant"] == 1
    body = response.content.decode()
    for name in ("org:class_list", "org:student_list", "org:staff_list"):
        assert reverse(name, args=[north.school.pk]) in body


def test_teacher_home_shows_own_class_not_the_schools_class_list(client, north):
    f.SchoolClassFactory(school=north.school, grade=1, number=1)
    response = _home(client, north.teacher)
    assert [c.name for c in response.context["week"].classes] == ["三年级1班"]
    assert "一年级1班" not in response.content.decode()


def test_guardian_home_shows_only_own_children(client, north, south):
    # given: a sibling at the same school
    sibling = f.StudentFactory(school=north.school, name="王小二")
    StudentGuardian.objects.create(student=sibling, guardian=north.guardian, relation="mother")
    # when
    response = _home(client, north.guardian_user)
    # then
    names = [c.name for c in response.context["children"]]
    assert names == sorted([north.child.name, "王小二"])
    body = response.content.decode()
    assert "三年级1班" in body
    assert north.school.name in body
    assert south.child.name not in body
    assert reverse("org:student_detail", args=[north.child.pk]) in body


def test_gate_search_shows_collectors_with_masked_phones(client, north):
    # given
    AuthorisedCollector.objects.create(
        student=north.child, name="邻居老周", relation="邻居", phone="13712345678"
    )
    # when
    response = _home(client, north.gate, q=north.child.name[1:])
    # then
    [result] = response.context["results"]
    assert result.student == north.child
    assert result.school_class.name == "三年级1班"
    body = response.content.decode()
    assert "邻居老周" in body and "137****5678" in body and "138****0004" in body
    assert "13712345678" not in body and north.guardian.phone not in body


def test_gate_search_by_student_number(client, north):
    response = _home(client, north.gate, q=north.child.student_number)
    assert [r.student for r in response.context["results"]] == [north.child]


def test_gate_search_leaves_out_guardian_who_may_not_collect(client, north):
    StudentGuardian.objects.filter(student=north.child).update(may_collect=False)
    response = _home(client, north.gate, q=north.child.name)
    assert response.context["results"][0].collectors == []
    assert "无人获授权" in response.content.decode()


@pytest.mark.parametrize("persona", ["admin", "teacher", "gate", "guardian_user", "county_officer"])
def test_every_home_renders_in_english(client, north, persona):
    client.force_login(getattr(north, persona))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("home:index"))
    assert response.status_code == 200
    assert "Log out" in response.content.decode()


def test_class_membership_is_shown_on_guardian_card(client, north):
    assert ClassMembership.objects.filter(student=north.child).exists()


def test_gate_search_query_count_does_not_grow(client, north, django_assert_max_num_queries):
    # given: many children matching the search, each with a collector
    for number in range(12):
        child = f.StudentFactory(school=north.school, name=f"王同学{number}")
        AuthorisedCollector.objects.create(
            student=child, name="邻居", relation="邻居", phone=f"1371234{number:04d}"
        )
    client.force_login(north.gate)
    # then
    with django_assert_max_num_queries(8):
        response = client.get(reverse("home:index"), {"q": "王"})
    assert len(response.context["results"]) == 13
