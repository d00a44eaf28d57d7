"""Leave (请假): filed by the child's guardian (or the school admin), refused when it
cannot be right, shown on the roll call, and turning today's absences into leave."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kehou.attendance import services
from kehou.attendance.models import Attendance, LeaveRequest
from kehou.core.errors import codes
from kehou.org.access import OutOfScope
from kehou.testing import factories as f
from kehou.testing import snapshots
from kehou.testing.clock import freeze_now

D, T = dt.date, dt.time
DAY = D(2026, 10, 13)
NOW = timezone.make_aware(dt.datetime.combine(DAY, T(8, 0)))


def _file(north, first, last=None, reason="发烧", actor=None):
    with freeze_now(NOW):
        return services.leave_file(
            student=north.child,
            first_day=first,
            last_day=last,
            reason=reason,
            actor=actor or north.guardian_user,
        )


def test_a_guardian_files_leave_for_a_range(north):
    leave = _file(north, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=3))
    assert (leave.status, leave.filed_by, leave.school) == (
        "filed",
        north.guardian_user,
        north.school,
    )
    assert leave.covers(DAY + dt.timedelta(days=2))


def test_the_school_admin_may_file_for_the_child(north):
    assert _file(north, DAY, actor=north.admin).last_day == DAY


@pytest.mark.parametrize("who", ["south_guardian", "teacher", "gate", "south_admin"])
def test_nobody_else_may_file_or_withdraw(north, south, who):
    actor = {
        "south_guardian": south.guardian_user,
        "teacher": north.teacher,
        "gate": north.gate,
        "south_admin": south.admin,
    }[who]
    leave = _file(north, DAY)
    before = snapshots.everything()
    with pytest.raises(OutOfScope):
        _file(north, DAY + dt.timedelta(days=5), actor=actor)
    with pytest.raises(OutOfScope), freeze_now(NOW):
        services.leave_withdraw(leave=leave, actor=actor)
    assert snapshots.everything() == before


@pytest.mark.parametrize(
    ("first", "last", "reason", "code"),
    [
        (DAY - dt.timedelta(days=1), None, "发烧", "leave_in_past"),
        (
            DAY + dt.timedelta(days=2),
            DAY + dt.timedelta(days=1),
            "发烧",
            "leave_ends_before_it_begins",
        ),
        (DAY, DAY + dt.timedelta(days=31), "发烧", "leave_too_long"),
        (DAY + dt.timedelta(days=200), None, "发烧", "leave_too_far_ahead"),
        (DAY, None, "   ", "reason_required"),
        (DAY, None, "很" * 201, "reason_too_long"),
    ],
)
def test_a_leave_that_cannot_be_right_is_refused(north, first, last, reason, code):
    error = snapshots.refused(lambda: _file(north, first, last, reason))
    assert codes(error) == {code}


def test_an_overlapping_leave_is_refused(north):
    _file(north, DAY, DAY + dt.timedelta(days=2))
    error = snapshots.refused(
        lambda: _file(north, DAY + dt.timedelta(days=2), DAY + dt.timedelta(days=4))
    )
    assert codes(error) == {"leave_overlaps"}


def test_withdrawing_a_leave_ahead_withdraws_it_and_one_begun_ends_yesterday(north):
    ahead = _file(north, DAY + dt.timedelta(days=3))
    begun = _file(north, DAY, DAY + dt.timedelta(days=2))
    later = NOW + dt.timedelta(days=1)
    with freeze_now(later):
        services.leave_withdraw(leave=ahead, actor=north.guardian_user)
        services.leave_withdraw(leave=begun, actor=north.guardian_user)
    ahead.refresh_from_db()
    begun.refresh_from_db()
    assert ahead.status == "withdrawn"
    assert (begun.status, begun.last_day) == ("filed", DAY)
    with freeze_now(NOW + dt.timedelta(days=2)):
        error = snapshots.refused(
            lambda: services.leave_withdraw(leave=begun, actor=north.guardian_user)
        )
    assert codes(error) == {"leave_not_withdrawable"}


def test_leave_filed_today_after_the_roll_turns_todays_absence_into_leave(north):
    sitting = f.roll_sitting(north.school, responsible=north.teacher.staff)
    f.application(north.child, sitting.term)
    moment = timezone.make_aware(dt.datetime.combine(DAY, T(16, 5)))
    with freeze_now(moment):
        services.roll_mark(
            sitting=sitting, marks=[(north.child.pk, "absent", moment, "")], actor=north.teacher
        )
        leave = services.leave_file(
            student=north.child,
            first_day=DAY,
            last_day=DAY,
            reason="临时看病",
            actor=north.guardian_user,
        )
    mark = Attendance.objects.get()
    assert (mark.status, mark.leave) == ("leave", leave)


# --- pages --------------------------------------------------------------------------------


def test_the_guardian_files_and_withdraws_leave_on_the_phone_pages(client, north):
    client.force_login(north.guardian_user)
    with freeze_now(NOW):
        form = client.get(reverse("attendance:leave_new")).content.decode()
        assert "王小北" in form
        answer = client.post(
            reverse("attendance:leave_new"),
            {
                "student": north.child.pk,
                "first_day": "2026-10-14",
                "last_day": "",
                "reason": "回老家",
            },
        )
        assert answer.status_code == 302
        page = client.get(reverse("attendance:leave_list")).content.decode()
        assert "回老家" in page and "10/14" in page
        leave = LeaveRequest.objects.get()
        client.post(reverse("attendance:leave_withdraw", args=[leave.pk]))
    leave.refresh_from_db()
    assert leave.status == "withdrawn"


def test_a_refused_leave_shows_on_the_form(client, north):
    client.force_login(north.guardian_user)
    with freeze_now(NOW):
        page = client.post(
            reverse("attendance:leave_new"),
            {"student": north.child.pk, "first_day": "2026-10-01", "reason": "回老家"},
        ).content.decode()
    assert "errorlist" in page
    assert not LeaveRequest.objects.exists()


@pytest.mark.parametrize("who", ["teacher", "gate", "south_guardian"])
def test_the_leave_pages_are_the_guardians_own(client, north, south, who):
    leave = _file(north, DAY)
    actor = {"teacher": north.teacher, "gate": north.gate, "south_guardian": south.guardian_user}[
        who
    ]
    client.force_login(actor)
    with freeze_now(NOW):
        if who != "south_guardian":
            assert client.get(reverse("attendance:leave_list")).status_code == 404
            assert client.get(reverse("attendance:leave_new")).status_code == 404
        else:
            assert "发烧" not in client.get(reverse("attendance:leave_list")).content.decode()
        assert client.post(reverse("attendance:leave_withdraw", args=[leave.pk])).status_code == 404
    leave.refresh_from_db()
    assert leave.status == "filed"
