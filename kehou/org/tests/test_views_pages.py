"""Org pages, role by role (SPEC R1, R2, R26): what each persona sees on each page."""

import datetime

import pytest
from django.urls import reverse

from kehou.accounts.models import User
from kehou.org.models import (
    AuthorisedCollector,
    ClassMembership,
    LeadershipMember,
    School,
    Staff,
    StudentGuardian,
)
from kehou.testing import factories as f


def _get(client, user, name, *args, **query):
    client.force_login(user)
    return client.get(reverse(name, args=args), query)


# ----- school list (bureau) --------------------------------------------------------------


def test_city_officer_lists_every_school_with_student_counts(client, north, south, city_officer):
    # given
    f.StudentFactory.create_batch(2, school=north.school)
    # when
    response = _get(client, city_officer, "org:school_list")
    # then
    assert response.status_code == 200
    schools = {s.name: s.student_count for s in response.context["page"]}
    assert schools == {north.school.name: 3, south.school.name: 1}


def test_county_officer_lists_own_county_only(client, north, south):
    response = _get(client, north.county_officer, "org:school_list")
    body = response.content.decode()
    assert north.school.name in body
    assert south.school.name not in body


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"county": "320507"}, {"相城实验小学"}),
        ({"q": "吴中"}, {"吴中实验小学"}),
        ({"q": "3205070"}, {"相城实验小学"}),
        ({"school_type": "junior"}, {"初中"}),
        ({"urban": "rural"}, {"初中"}),
        ({"urban": "urban"}, {"吴中实验小学", "相城实验小学"}),
    ],
)
def test_school_list_filters(client, north, south, city_officer, query, expected):
    # given
    f.SchoolFactory(
        name="初中", region=north.county, school_type=School.Type.JUNIOR, is_urban=False
    )
    # when
    response = _get(client, city_officer, "org:school_list", **query)
    # then
    assert {s.name for s in response.context["page"]} == expected


def test_school_list_query_count_does_not_grow(
    client, north, city_officer, django_assert_max_num_queries
):
    # given: many schools, each with students
    for _ in range(15):
        school = f.SchoolFactory(region=north.county)
        f.StudentFactory.create_batch(2, school=school)
    client.force_login(city_officer)
    # then: session, user, counties, count, page
    with django_assert_max_num_queries(8):
        response = client.get(reverse("org:school_list"))
    assert len(response.context["page"]) == 16


@pytest.mark.parametrize("persona", ["admin", "teacher", "gate"])
def test_school_list_for_school_roles_shows_only_their_school(client, north, south, persona):
    response = _get(client, getattr(north, persona), "org:school_list")
    assert [s.name for s in response.context["page"]] == [north.school.name]


def test_guardian_school_list_shows_no_school_figures(client, north, south):
    response = _get(client, north.guardian_user, "org:school_list")
    assert south.school.name not in response.content.decode()


# ----- school detail ---------------------------------------------------------------------


def test_school_detail_shows_leading_group_and_counts(client, north):
    # given
    LeadershipMember.objects.create(
        school=north.school, name="张校长", post="校长", group_role="head"
    )
    f.StaffFactory(
        school=north.school, kind=Staff.Kind.EXTERNAL, external_kind="coach", name="外聘教练"
    )
    north.child.is_left_behind = True
    north.child.save()
    # when
    response = _get(client, north.county_officer, "org:school_detail", north.school.pk)
    # then
    assert response.status_code == 200
    body = response.content.decode()
    assert "张校长" in body
    summary = response.context["summary"]
    assert (summary.classes, summary.students, summary.staff, summary.external_staff) == (
        1,
        1,
        2,
        1,
    )
    assert summary.priority["left_behind"] == 1


def test_school_detail_hides_priority_counts_from_teacher(client, north):
    response = _get(client, north.teacher, "org:school_detail", north.school.pk)
    assert response.status_code == 200
    assert response.context["summary"].priority is None


# ----- class list ------------------------------------------------------------------------


def test_class_list_counts_students(client, north):
    # given
    other = f.SchoolClassFactory(school=north.school, grade=1, number=2)
    for student in f.StudentFactory.create_batch(3, school=north.school):
        ClassMembership.objects.create(
            student=student, school_class=other, school_year=other.school_year
        )
    # when
    response = _get(client, north.admin, "org:class_list", north.school.pk)
    # then
    rows = [(c.name, c.student_count) for c in response.context["classes"]]
    assert rows == [("一年级2班", 3), ("三年级1班", 1)]


def test_class_list_for_teacher_puts_own_class_first(client, north):
    f.SchoolClassFactory(school=north.school, grade=1, number=1)
    response = _get(client, north.teacher, "org:class_list", north.school.pk)
    assert [c.name for c in response.context["classes"]] == ["三年级1班", "一年级1班"]


def test_class_list_query_count(client, north, django_assert_max_num_queries):
    for number in range(2, 12):
        f.SchoolClassFactory(school=north.school, grade=4, number=number)
    client.force_login(north.admin)
    with django_assert_max_num_queries(7):  # 6 + the navigation's unread count
        response = client.get(reverse("org:class_list", args=[north.school.pk]))
    assert len(response.context["classes"]) == 11


# ----- student list ----------------------------------------------------------------------


def _student_in_class(school_class, **kwargs):
    student = f.StudentFactory(school=school_class.school, **kwargs)
    ClassMembership.objects.create(
        student=student, school_class=school_class, school_year=school_class.school_year
    )
    return student


def test_student_list_shows_class_and_searches(client, north):
    # given
    _student_in_class(north.school_class, name="赵小明", student_number="G320506201501010011")
    # when
    by_name = _get(client, north.admin, "org:student_list", north.school.pk, q="小明")
    by_number = _get(client, north.admin, "org:student_list", north.school.pk, q="201501010011")
    # then
    assert [s.name for s in by_name.context["page"]] == ["赵小明"]
    assert [s.name for s in by_number.context["page"]] == ["赵小明"]
    assert "三年级1班" in by_name.content.decode()


def test_student_list_filters_by_grade_class_and_boarder(client, north):
    # given
    grade1 = f.SchoolClassFactory(school=north.school, grade=1, number=1)
    boarder = _student_in_class(grade1, name="住校生", is_boarder=True)
    _student_in_class(grade1, name="走读生")
    # when / then
    page = _get(client, north.admin, "org:student_list", north.school.pk, grade="1")
    assert {s.name for s in page.context["page"]} == {"住校生", "走读生"}
    page = _get(client, north.admin, "org:student_list", north.school.pk, school_class=grade1.pk)
    assert {s.name for s in page.context["page"]} == {"住校生", "走读生"}
    page = _get(client, north.admin, "org:student_list", north.school.pk, boarder="yes")
    assert [s.name for s in page.context["page"]] == [boarder.name]


def test_student_list_priority_filter_for_admin(client, north):
    _student_in_class(north.school_class, name="留守儿童", is_left_behind=True)
    response = _get(
        client, north.admin, "org:student_list", north.school.pk, priority="left_behind"
    )
    assert [s.name for s in response.context["page"]] == ["留守儿童"]


def test_student_list_priority_filter_ignored_for_teacher(client, north):
    # given
    _student_in_class(north.school_class, name="留守儿童", is_left_behind=True)
    # when
    response = _get(
        client, north.teacher, "org:student_list", north.school.pk, priority="left_behind"
    )
    # then: the filter is not offered and not applied; no priority column
    assert "priority" not in response.context["form"].fields
    assert {s.name for s in response.context["page"]} == {"留守儿童", north.child.name}
    assert "Left-behind" not in response.content.decode()
    assert "留守</span>" not in response.content.decode()


def test_student_list_query_count_does_not_grow(client, north, django_assert_max_num_queries):
    for _ in range(30):
        _student_in_class(north.school_class)
    client.force_login(north.admin)
    with django_assert_max_num_queries(10):  # 9 + the navigation's unread count
        response = client.get(reverse("org:student_list", args=[north.school.pk]))
    assert len(response.context["page"]) == 31


def test_student_list_is_paginated(client, north):
    for _ in range(55):
        f.StudentFactory(school=north.school)
    first = _get(client, north.admin, "org:student_list", north.school.pk)
    second = _get(client, north.admin, "org:student_list", north.school.pk, page=2)
    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 6


def test_bureau_reaches_student_list_through_school(client, north, city_officer):
    response = _get(client, city_officer, "org:student_list", north.school.pk)
    assert [s.name for s in response.context["page"]] == [north.child.name]


# ----- student detail --------------------------------------------------------------------


def _add_collector(student):
    return AuthorisedCollector.objects.create(
        student=student, name="邻居老周", relation="邻居", phone="13712345678"
    )


def test_student_detail_for_admin_shows_full_phone_priority_and_history(client, north):
    # given
    _add_collector(north.child)
    north.child.has_disability = True
    north.child.save()
    # when
    response = _get(client, north.admin, "org:student_detail", north.child.pk)
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert north.guardian.phone in body
    assert "13712345678" in body
    assert "邻居老周" in body
    assert response.context["detail"].show_priority
    assert response.context["detail"].history  # the save above was audited


@pytest.mark.parametrize("persona", ["teacher", "gate"])
def test_student_detail_masks_phones_for_teacher_and_gate(client, north, persona):
    # given
    _add_collector(north.child)
    # when
    response = _get(client, getattr(north, persona), "org:student_detail", north.child.pk)
    # then
    body = response.content.decode()
    assert "138****0004" in body
    assert "137****5678" in body
    assert north.guardian.phone not in body
    assert "13712345678" not in body
    assert not response.context["detail"].show_priority
    assert response.context["detail"].history is None


def test_guardian_sees_own_child_detail(client, north):
    response = _get(client, north.guardian_user, "org:student_detail", north.child.pk)
    assert response.status_code == 200
    assert north.child.name in response.content.decode()
    assert response.context["detail"].history is None


def test_change_history_shows_who_and_what(client, north):
    # given: the admin edits the child's guardian link through the model layer
    from auditlog.context import set_actor

    with set_actor(north.admin):
        link = StudentGuardian.objects.get(student=north.child)
        link.may_collect = False
        link.save()
    # when
    response = _get(client, north.admin, "org:student_history", north.child.pk)
    # then
    assert response.status_code == 200
    rows = response.context["history"]
    assert rows[0].actor == north.admin.name
    assert rows[0].action == "修改"
    assert ("可接送", "是", "否") in rows[0].changes
    # reverse relations and ids are left out; related objects are shown by name
    creates = [r for r in rows if r.is_create and r.object_repr == north.child.name]
    assert creates and all(label not in ("ID", "memberships") for label, *_ in creates[0].changes)


def test_change_history_refused_to_teacher(client, north):
    response = _get(client, north.teacher, "org:student_history", north.child.pk)
    assert response.status_code == 404


# ----- staff list ------------------------------------------------------------------------


def test_staff_list_shows_vetting_status(client, north):
    # given
    f.StaffFactory(
        school=north.school,
        name="未审外聘",
        kind=Staff.Kind.EXTERNAL,
        external_kind=Staff.ExternalKind.COACH,
        background_check_result=Staff.CheckResult.PENDING,
    )
    f.StaffFactory(
        school=north.school,
        name="合格外聘",
        kind=Staff.Kind.EXTERNAL,
        external_kind=Staff.ExternalKind.COACH,
        background_check_result=Staff.CheckResult.PASSED,
        agreement_start=datetime.date(2020, 1, 1),
        agreement_end=datetime.date(2099, 1, 1),
    )
    # when
    response = _get(client, north.admin, "org:staff_list", north.school.pk)
    # then
    rows = {s.name: s.problems for s in response.context["staff"]}
    assert rows["合格外聘"] == []
    assert len(rows["未审外聘"]) == 2
    body = response.content.decode()
    assert "可安排" in body
    assert "未通过" in body or "背景审查" in body


def test_staff_list_refused_to_gate_and_guardian(client, north):
    for user in (north.gate, north.guardian_user):
        response = _get(client, user, "org:staff_list", north.school.pk)
        assert response.status_code == 404


def test_list_pages_refused_to_guardian(client, north):
    for name in ("org:class_list", "org:student_list", "org:school_detail"):
        response = _get(client, north.guardian_user, name, north.school.pk)
        assert response.status_code == 404


def test_pages_need_login(client, north):
    response = client.get(reverse("org:student_detail", args=[north.child.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_superuser_sees_any_student(client, north, south):
    root = User.objects.create_superuser("13600000000", "x", name="root")
    response = _get(client, root, "org:student_detail", south.child.pk)
    assert response.status_code == 200


def test_student_detail_history_query_count_does_not_grow(
    client, north, django_assert_max_num_queries
):
    # given: many audited changes, each naming related objects
    for number in range(10):
        AuthorisedCollector.objects.create(
            student=north.child,
            name=f"接送人{number}",
            relation="亲戚",
            phone=f"1371234{number:04d}",
        )
    client.force_login(north.admin)
    # then: a fixed number of queries, however long the history
    with django_assert_max_num_queries(20):
        response = client.get(reverse("org:student_detail", args=[north.child.pk]))
    assert len(response.context["detail"].history) >= 14
