"""An external instructor (a coach, a heritage craftsman, someone an external organisation
sends) sees only the children of the groups they teach, not the whole school; a class
teacher keeps the school's lists (SPEC R26, issue 8 item 10)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kehou.accounts.models import User
from kehou.org import access
from kehou.org.models import ExternalOrganisation, Staff
from kehou.testing import factories as f
from kehou.testing.clock import freeze_now

# Inside the autumn 2026 term of the factories (1 September 2026 - 22 January 2027).
IN_TERM = timezone.make_aware(dt.datetime(2026, 10, 14, 10, 0))


@pytest.fixture(autouse=True)
def _in_term():
    with freeze_now(IN_TERM):
        yield


def _instructor_login(staff: Staff) -> User:
    user = f.UserFactory(phone=staff.phone, role=User.Role.TEACHER, school=staff.school)
    staff.user = user
    staff.save()
    return user


@pytest.fixture
def coach(north):
    return _instructor_login(f.external_instructor(north.school, name="赵教练"))


@pytest.fixture
def football(north, coach):
    """The coach's football group with one child seated; north.child is not in it."""
    menu = f.menu(north.school, status="running")
    group = f.offering(menu, "足球", category="sports", instructor=coach.staff)
    pupil = f.child(north.school, north.school_class, name="陈小球")
    f.enrol(f.application(pupil, menu.term), group)
    return group, pupil


def test_external_instructor_lists_only_their_groups_children(client, north, coach, football):
    _group, pupil = football
    client.force_login(coach)
    response = client.get(reverse("org:student_list", args=[north.school.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert pupil.name in body
    assert north.child.name not in body


def test_external_instructor_gets_404_for_a_child_outside_their_groups(
    client, north, coach, football
):
    _group, pupil = football
    client.force_login(coach)
    assert client.get(reverse("org:student_detail", args=[north.child.pk])).status_code == 404
    assert client.get(reverse("org:student_detail", args=[pupil.pk])).status_code == 200


def test_organisation_staff_is_scoped_like_an_external_instructor(north, football):
    # given: a school-teacher kind record, but sent by an external organisation
    organisation = ExternalOrganisation.objects.create(
        region=north.county, name="剪纸非遗工作室", credit_code="91320506MA1X2Y3Z4W"
    )
    staff = f.StaffFactory(school=north.school, name="非遗传承人", organisation=organisation)
    user = _instructor_login(staff)
    # then: no group of theirs, no child
    assert access.is_external_instructor(user)
    assert list(access.students_for(user)) == []


def test_class_teacher_keeps_the_whole_school(client, north, football):
    _group, pupil = football
    assert not access.is_external_instructor(north.teacher)
    assert set(access.students_for(north.teacher)) == {north.child, pupil}
    client.force_login(north.teacher)
    assert client.get(reverse("org:student_detail", args=[north.child.pk])).status_code == 200


def test_a_child_who_left_the_group_leaves_the_scope(north, coach, football):
    # given: the child's last day in the group was yesterday
    group, pupil = football
    pupil.enrollments.filter(offering=group).update(ends_on=timezone.localdate())
    # then
    assert list(access.students_for(coach)) == []


def test_a_group_of_an_ended_term_gives_no_child(north, coach, football):
    with freeze_now(timezone.make_aware(dt.datetime(2027, 2, 1, 10, 0))):
        assert list(access.students_for(coach)) == []


def test_external_instructor_sees_their_childrens_classes_and_only_themselves_as_staff(
    north, coach, football
):
    other_class = f.SchoolClassFactory(school=north.school, grade=5, number=2)
    assert list(access.classes_for(coach)) == [north.school_class]
    assert other_class in access.classes_for(north.teacher)
    assert list(access.staff_for(coach)) == [coach.staff]


def test_a_child_in_two_of_their_groups_is_listed_once(north, coach, football):
    group, pupil = football
    second = f.offering(group.menu, "篮球", category="sports", weekday=2, instructor=coach.staff)
    f.enrol(pupil.applications.get(), second)
    assert list(access.students_for(coach)) == [pupil]
    assert access.students_for(coach).count() == 1


def test_external_instructor_opens_no_sitting_of_the_school(client, north, coach, football):
    # given: a sitting of the school's basic service, whose roster is every applicant
    sitting = f.SittingFactory(plan=f.published_plan(north.school))
    client.force_login(coach)
    # then
    assert client.get(reverse("sittings:school", args=[north.school.pk])).status_code == 404
    assert client.get(reverse("sittings:sitting", args=[sitting.pk])).status_code == 404
    client.force_login(north.teacher)
    assert client.get(reverse("sittings:sitting", args=[sitting.pk])).status_code == 200
