"""A head teacher hands her class over after its roll call: the children marked absent or
on leave are not there, so the hand-over neither offers them nor takes them into the
receiver's custody (found by the day journey, tests/browser/test_day_journey.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from kehou.attendance import services as attendance
from kehou.custody import selectors
from kehou.custody.models import Custody
from kehou.testing import factories as f
from kehou.testing.clock import freeze_now

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 10, 13)


def at(h: int, m: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(DAY, dt.time(h, m)))


def test_children_marked_absent_are_not_offered_for_the_hand_over(north):
    # given the head teacher's class at the grade group's sitting: one child present, one
    # absent
    sitting = f.roll_sitting(north.school)
    f.application(north.child, sitting.term)
    away = f.child(north.school, north.school_class, name="王小缺")
    f.application(away, sitting.term)
    head = north.teacher.staff
    with freeze_now(at(16, 3)):
        attendance.roll_mark(
            sitting=sitting,
            marks=[(north.child.pk, "present", at(16, 2), ""), (away.pk, "absent", at(16, 2), "")],
            actor=north.teacher,
        )
        # when she opens the hand-over for that sitting
        choices = selectors.handover_choices(giver=head, sitting=sitting)
    # then only the child who is there is offered
    assert [c.student_id for c in choices] == [north.child.pk]
    assert not Custody.objects.filter(student=away).exists()


def test_the_board_shows_an_alert_without_a_child(client, north):
    # given an open roll-not-taken alert (it names a sitting, no child) with no details
    from django.urls import reverse

    from kehou.custody.models import Alert

    sitting = f.roll_sitting(north.school, day=timezone.localdate())
    Alert.objects.create(
        school=north.school,
        kind=Alert.Kind.ROLL_NOT_TAKEN,
        date=sitting.date,
        sitting=sitting,
        key="roll_not_taken:test",
    )
    client.force_login(north.admin)
    # when the admin opens the board
    page = client.get(reverse("custody:board"))
    # then it shows the alert (it was a 500: the child's name was read from no child)
    assert page.status_code == 200
    assert "点名" in page.content.decode() or "Roll call" in page.content.decode()
