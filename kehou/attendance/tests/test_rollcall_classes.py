"""A plan sitting (a grade group's basic service) holds every class of its grades and has
no responsible adult: its roll is taken class by class, by each class's head teacher,
into whose custody the children go (`access.roll_group`)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kehou.accounts.models import User
from kehou.attendance import selectors, services
from kehou.attendance.models import Attendance
from kehou.core.errors import codes
from kehou.core.labels import class_label
from kehou.custody.models import Alert, Custody
from kehou.notifications.models import Notification
from kehou.org.access import SYSTEM, OutOfScope
from kehou.testing import factories as f
from kehou.testing import snapshots
from kehou.testing.clock import freeze_now

DAY = dt.date(2026, 10, 13)


def at(h: int, m: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(DAY, dt.time(h, m)))


@pytest.fixture
def grade_group(north):
    """North's basic service for grades 1-6 with nobody responsible; class 3-1 (north's
    teacher heads it) and class 3-2 (another teacher heads it) each have a child there."""
    sitting = f.roll_sitting(north.school)
    f.application(north.child, sitting.term)
    other_head = f.StaffFactory(school=north.school)
    other_class = f.SchoolClassFactory(
        school=north.school,
        school_year=north.school_class.school_year,
        grade=3,
        number=2,
        head_teacher=other_head,
    )
    other_child = f.child(north.school, other_class, name="李小二")
    f.application(other_child, sitting.term)
    return sitting, other_child, other_head


def test_the_head_teacher_marks_their_class_and_keeps_the_children(north, grade_group):
    sitting, _other_child, _other_head = grade_group
    with freeze_now(at(16, 3)):
        services.roll_mark(
            sitting=sitting, marks=[(north.child.pk, "present", at(16, 2), "")], actor=north.teacher
        )
    custody = Custody.objects.get(student=north.child, until__isnull=True)
    assert custody.holder == north.teacher.staff
    assert custody.sitting == sitting


def test_the_head_teacher_may_not_mark_another_class(north, grade_group):
    sitting, other_child, _other_head = grade_group
    before = snapshots.everything()
    with pytest.raises(Exception) as refused, freeze_now(at(16, 3)):
        services.roll_mark(
            sitting=sitting, marks=[(other_child.pk, "present", at(16, 2), "")], actor=north.teacher
        )
    assert "not_on_roster" in codes(refused.value)
    assert snapshots.everything() == before


def test_a_teacher_heading_no_class_there_may_not_take_the_roll(north, grade_group):
    sitting, _other_child, _other_head = grade_group
    stranger = f.UserFactory(role=User.Role.TEACHER, school=north.school)
    f.StaffFactory(school=north.school, user=stranger, phone=stranger.phone)
    with pytest.raises(OutOfScope), freeze_now(at(16, 3)):
        services.roll_mark(
            sitting=sitting, marks=[(north.child.pk, "present", at(16, 2), "")], actor=stranger
        )


def test_the_page_and_today_show_only_the_teachers_class(north, grade_group, client):
    sitting, other_child, _other_head = grade_group
    with freeze_now(at(16, 1)):
        page = selectors.roll_page(north.teacher, sitting.pk)
        today = selectors.today_for(north.teacher, day=DAY)
    assert [row.student for row in page.rows] == [north.child]
    assert page.classes == [north.school_class]
    assert [t.roster for t in today.sittings] == [1]
    client.force_login(north.teacher)
    with freeze_now(at(16, 1)):
        response = client.get(reverse("attendance:rollcall", args=[sitting.pk]))
    assert north.child.name in response.content.decode()
    assert other_child.name not in response.content.decode()


def test_closing_a_class_leaves_the_other_classes_open(north, grade_group):
    sitting, other_child, _other_head = grade_group
    with freeze_now(at(16, 10)):
        result = services.roll_close(sitting=sitting, actor=north.teacher)
    sitting.refresh_from_db()
    assert result.absent == 1
    assert sitting.roll_closed_at is None  # the rest closes at its set time
    assert Attendance.objects.get(sitting=sitting, student=north.child).status == "absent"
    assert not Attendance.objects.filter(sitting=sitting, student=other_child).exists()


def test_the_admin_marks_any_class_into_its_head_teachers_custody(north, grade_group):
    sitting, other_child, other_head = grade_group
    with freeze_now(at(16, 3)):
        services.roll_mark(
            sitting=sitting, marks=[(other_child.pk, "present", at(16, 2), "")], actor=north.admin
        )
    assert Custody.objects.get(student=other_child, until__isnull=True).holder == other_head


def test_a_head_teachers_last_batch_closes_only_their_class(north, grade_group):
    # the phone sends its last marks and the close together (bench/dismissal found the
    # whole sitting closed and every other class marked absent)
    sitting, other_child, _other_head = grade_group
    with freeze_now(at(16, 10)):
        services.roll_mark(
            sitting=sitting,
            marks=[(north.child.pk, "present", at(16, 2), "")],
            actor=north.teacher,
            close=True,
        )
    sitting.refresh_from_db()
    assert sitting.roll_closed_at is None
    assert not Attendance.objects.filter(sitting=sitting, student=other_child).exists()


def test_a_mark_reads_only_the_children_it_marks(north, grade_group, django_assert_max_num_queries):
    sitting, _other_child, _other_head = grade_group
    for n in range(30):
        f.application(f.child(north.school, north.school_class, name=f"同学{n}"), sitting.term)
    with freeze_now(at(16, 3)), django_assert_max_num_queries(40):
        services.roll_mark(
            sitting=sitting, marks=[(north.child.pk, "present", at(16, 2), "")], actor=north.teacher
        )


def test_at_the_set_time_a_class_nobody_took_is_not_marked_absent(north, grade_group):
    # class 3-1's head teacher marked her child; nobody took class 3-2's roll
    sitting, other_child, other_head = grade_group
    with freeze_now(at(16, 3)):
        services.roll_mark(
            sitting=sitting, marks=[(north.child.pk, "present", at(16, 2), "")], actor=north.teacher
        )
    with freeze_now(at(16, 30)):
        services.rolls_close_due(actor=SYSTEM)
    sitting.refresh_from_db()
    assert sitting.roll_closed_at is not None
    assert not Attendance.objects.filter(sitting=sitting, student=other_child).exists()
    alert = Alert.objects.get(sitting=sitting, kind=Alert.Kind.ROLL_NOT_TAKEN)
    assert class_label(3, 2) in alert.details and class_label(3, 1) not in alert.details
    assert not Notification.objects.filter(kind="absence").exists()
    # and class 3-2's head teacher can still take it, then close her part
    head_user = f.UserFactory(role=User.Role.TEACHER, school=north.school)
    other_head.user = head_user
    other_head.save()
    with freeze_now(at(16, 35)):
        services.roll_mark(
            sitting=sitting, marks=[(other_child.pk, "present", at(16, 34), "")], actor=head_user
        )
    assert Attendance.objects.get(sitting=sitting, student=other_child).status == "present"


def test_after_the_close_a_teacher_may_not_change_a_mark(north, grade_group):
    sitting, _other_child, _other_head = grade_group
    with freeze_now(at(16, 3)):
        services.roll_mark(
            sitting=sitting, marks=[(north.child.pk, "present", at(16, 2), "")], actor=north.teacher
        )
    with freeze_now(at(16, 30)):
        services.rolls_close_due(actor=SYSTEM)
    with pytest.raises(Exception) as refused, freeze_now(at(16, 40)):
        services.roll_mark(
            sitting=sitting, marks=[(north.child.pk, "absent", at(16, 39), "")], actor=north.teacher
        )
    assert "roll_closed" in codes(refused.value)
