"""The teacher's today page and the roll call page on a phone: what they show, who may see
them (404 for everyone else), the form without JavaScript, and their query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kehou.accounts.models import User
from kehou.attendance import services
from kehou.attendance.models import Attendance, LeaveRequest
from kehou.custody.models import Custody, Duty
from kehou.testing import factories as f
from kehou.testing.clock import freeze_now

D, T = dt.date, dt.time
DAY = D(2026, 10, 13)


def at(h: int, m: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(DAY, T(h, m)))


@pytest.fixture
def roll(north):
    sitting = f.roll_sitting(north.school, responsible=north.teacher.staff, label="课后服务 三年级")
    f.application(north.child, sitting.term)
    return sitting


def _leave(north, child, reason="发烧请假"):
    return LeaveRequest.objects.create(
        school=north.school,
        student=child,
        first_day=DAY,
        last_day=DAY,
        reason=reason,
        filed_by=north.admin,
    )


def _children(north, sitting, n):
    kids = []
    for i in range(n):
        kid = f.child(north.school, north.school_class, name=f"学生{i:02d}")
        f.application(kid, sitting.term)
        kids.append(kid)
    return kids


def test_the_teacher_sees_todays_sitting_with_its_roster_and_leave(client, north, roll):
    _leave(north, north.child)
    client.force_login(north.teacher)
    with freeze_now(at(15, 0)):
        page = client.get(reverse("attendance:today")).content.decode()
    assert "课后服务 三年级" in page and "16:00–17:30" in page
    assert "1 on leave" in page or "1人请假" in page or "王小北" in page
    assert reverse("attendance:rollcall", args=[roll.pk]) in page


def test_another_teachers_sitting_is_not_on_my_today_unless_on_duty(client, north, roll):
    other = f.UserFactory(phone="13800000099", role=User.Role.TEACHER, school=north.school)
    staff = f.StaffFactory(school=north.school, user=other, phone=other.phone)
    client.force_login(other)
    url = reverse("attendance:today")
    with freeze_now(at(15, 0)):
        assert "课后服务 三年级" not in client.get(url).content.decode()
        assert client.get(reverse("attendance:rollcall", args=[roll.pk])).status_code == 404
        Duty.objects.create(school=north.school, date=DAY, staff=staff)
        assert "课后服务 三年级" in client.get(url).content.decode()
        assert client.get(reverse("attendance:rollcall", args=[roll.pk])).status_code == 200


def test_the_school_admin_sees_every_sitting_of_the_day(client, north, roll):
    f.roll_sitting(north.school, plan=roll.plan, start=T(17, 40), end=T(18, 30), label="延时托管")
    client.force_login(north.admin)
    with freeze_now(at(15, 0)):
        page = client.get(reverse("attendance:today")).content.decode()
    assert "课后服务 三年级" in page and "延时托管" in page


@pytest.mark.parametrize("who", ["gate", "guardian", "county", "south_teacher", "south_admin"])
def test_nobody_else_sees_the_pages(client, north, south, roll, who):
    actor = {
        "gate": north.gate,
        "guardian": north.guardian_user,
        "county": north.county_officer,
        "south_teacher": south.teacher,
        "south_admin": south.admin,
    }[who]
    client.force_login(actor)
    with freeze_now(at(15, 0)):
        assert client.get(reverse("attendance:rollcall", args=[roll.pk])).status_code == 404
        assert client.post(reverse("attendance:roll_close", args=[roll.pk])).status_code == 404
        if who in ("gate", "guardian", "county"):
            assert client.get(reverse("attendance:today")).status_code == 404
        else:
            assert "课后服务 三年级" not in client.get(reverse("attendance:today")).content.decode()
    assert not Attendance.objects.exists()


def test_the_roll_page_shows_each_child_and_the_leave_filed(client, north, roll):
    other = _children(north, roll, 1)[0]
    _leave(north, other, reason="家中有事")
    client.force_login(north.teacher)
    with freeze_now(at(16, 1)):
        page = client.get(reverse("attendance:rollcall", args=[roll.pk])).content.decode()
    assert "王小北" in page and other.name in page
    assert "家中有事" in page
    assert f'name="m_{other.pk}" value="leave" checked' in page
    assert "attendance/rollcall.js" in page


def test_the_form_without_javascript_marks_the_children_changed(client, north, roll):
    kids = _children(north, roll, 2)
    client.force_login(north.teacher)
    url = reverse("attendance:rollcall", args=[roll.pk])
    data = {
        "batch": "6f1c1f4e-7d51-4d8e-9a3b-0c1d2e3f4a5b",
        f"m_{north.child.pk}": "present",
        f"was_{north.child.pk}": "",
        f"m_{kids[0].pk}": "late",
        f"was_{kids[0].pk}": "",
        f"was_{kids[1].pk}": "",
    }
    with freeze_now(at(16, 3)):
        client.post(url, data)
        client.post(url, data)  # sent twice (a double tap on "save"): applied once
    marks = dict(Attendance.objects.values_list("student__name", "status"))
    assert marks == {"王小北": "present", kids[0].name: "late"}
    assert Custody.objects.filter(until__isnull=True).count() == 2


def test_all_present_marks_only_the_children_not_marked_and_not_on_leave(client, north, roll):
    kids = _children(north, roll, 3)
    _leave(north, kids[0])
    client.force_login(north.teacher)
    url = reverse("attendance:rollcall", args=[roll.pk])
    with freeze_now(at(16, 2)):
        services.roll_mark(
            sitting=roll, marks=[(kids[1].pk, "absent", at(16, 1), "")], actor=north.teacher
        )
        client.post(url, {"action": "all_present"})
    marks = dict(Attendance.objects.values_list("student_id", "status"))
    assert marks == {kids[1].pk: "absent", kids[2].pk: "present", north.child.pk: "present"}


def test_the_teacher_closes_the_roll_from_the_page(client, north, roll):
    client.force_login(north.teacher)
    with freeze_now(at(16, 10)):
        client.post(reverse("attendance:roll_close", args=[roll.pk]))
        page = client.get(reverse("attendance:rollcall", args=[roll.pk])).content.decode()
    roll.refresh_from_db()
    assert roll.roll_closed_by == north.teacher
    assert Attendance.objects.get().status == "absent"
    assert "rollcall.js" not in page  # closed: read only for the teacher


def test_the_pages_read_a_big_roster_in_few_queries(
    client, north, roll, django_assert_max_num_queries
):
    kids = _children(north, roll, 44)
    for kid in kids[:5]:
        _leave(north, kid)
    f.roll_sitting(
        north.school,
        plan=roll.plan,
        start=T(17, 40),
        end=T(18, 30),
        responsible=north.teacher.staff,
    )
    with freeze_now(at(16, 5)):
        services.roll_mark(
            sitting=roll,
            marks=[(k.pk, "present", at(16, 2), "") for k in kids[5:30]],
            actor=north.teacher,
        )
    client.force_login(north.teacher)
    with freeze_now(at(16, 6)):
        with django_assert_max_num_queries(20):
            page = client.get(reverse("attendance:today"))
        assert page.status_code == 200
        with django_assert_max_num_queries(20):
            page = client.get(reverse("attendance:rollcall", args=[roll.pk]))
        assert page.content.decode().count('class="child') == 45
