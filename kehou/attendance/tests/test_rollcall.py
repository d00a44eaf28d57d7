"""Roll call (R15): who may mark, what a mark does (attendance, custody, audit), a batch
from a phone sent twice, offline taps, closing by the teacher and by kehou, telling the
guardians, and the JSON endpoint's answers."""

import datetime as dt
import json
import uuid

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kehou.accounts.models import User
from kehou.attendance import services
from kehou.attendance.models import Attendance, LeaveRequest, RollCallBatch
from kehou.core.errors import codes, messages
from kehou.custody.models import Alert, Custody, DayRules, Duty
from kehou.notifications.models import Notification
from kehou.org.access import SYSTEM, OutOfScope
from kehou.sittings.models import Sitting
from kehou.testing import factories as f
from kehou.testing import snapshots
from kehou.testing.clock import freeze_now
from kehou.testing.worker import run_queued_tasks

D, T = dt.date, dt.time
DAY = D(2026, 10, 13)  # a Tuesday of the autumn term


def at(h: int, m: int, s: int = 0, day: dt.date = DAY) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, T(h, m, s)))


@pytest.fixture
def roll(north):
    """North's 16:00-17:30 basic service on DAY, north's teacher responsible, north's
    child on the roster."""
    sitting = f.roll_sitting(north.school, responsible=north.teacher.staff)
    f.application(north.child, sitting.term)
    return sitting


def _kid(north, name, sitting):
    child = f.child(north.school, north.school_class, name=name)
    f.application(child, sitting.term)
    return child


def _mark(roll, actor, *marks, batch=None, now=None):
    with freeze_now(now or at(16, 5)):
        return services.roll_mark(sitting=roll, marks=list(marks), actor=actor, batch_id=batch)


# --- a mark -----------------------------------------------------------------------------------


def test_present_puts_the_child_with_the_responsible_adult(north, roll):
    # when the teacher taps 王小北 present at 16:02
    result = _mark(roll, north.teacher, (north.child.pk, "present", at(16, 2), ""))
    # then the mark is kept with the tap's time, the roll is taken, the child is in the
    # teacher's custody at this sitting, and the change is in the history
    assert (result.applied, result.repeat) == (1, False)
    mark = Attendance.objects.get(sitting=roll, student=north.child)
    assert (mark.status, mark.marked_at, mark.marked_by) == ("present", at(16, 2), north.teacher)
    roll.refresh_from_db()
    assert roll.roll_taken_at == at(16, 2)
    custody = Custody.objects.get(student=north.child, until__isnull=True)
    assert (custody.holder, custody.sitting, custody.since) == (
        north.teacher.staff,
        roll,
        at(16, 2),
    )
    assert LogEntry.objects.get_for_object(mark).count() == 1


def test_absent_after_present_ends_the_custody_at_this_sitting_as_a_correction(north, roll):
    _mark(roll, north.teacher, (north.child.pk, "present", at(16, 2), ""))
    # when the teacher corrects it to absent at 16:04
    _mark(roll, north.teacher, (north.child.pk, "absent", at(16, 4), ""))
    # then the custody opened by the roll call ended as corrected, and no other is open
    custody = Custody.objects.get(student=north.child)
    assert (custody.ended, custody.until) == (Custody.Ended.CORRECTED, at(16, 4))
    mark = Attendance.objects.get(sitting=roll, student=north.child)
    assert mark.status == "absent"
    assert LogEntry.objects.get_for_object(mark).count() == 2


def test_late_keeps_the_custody_the_present_mark_opened(north, roll):
    _mark(roll, north.teacher, (north.child.pk, "present", at(16, 2), ""))
    _mark(roll, north.teacher, (north.child.pk, "late", at(16, 3), ""))
    assert Custody.objects.filter(student=north.child).count() == 1
    assert Attendance.objects.get(student=north.child).status == "late"


def test_the_same_mark_again_changes_nothing(north, roll):
    _mark(roll, north.teacher, (north.child.pk, "present", at(16, 2), ""))
    before = snapshots.everything()
    result = _mark(roll, north.teacher, (north.child.pk, "present", at(16, 3), ""))
    assert result.applied == 0
    assert snapshots.everything() == before


def test_a_sitting_without_responsible_puts_children_with_the_marker(north, roll):
    Sitting.objects.filter(pk=roll.pk).update(responsible=None)
    roll.refresh_from_db()
    duty = Duty.objects.create(school=north.school, date=DAY, staff=north.teacher.staff)
    assert duty
    _mark(roll, north.teacher, (north.child.pk, "present", at(16, 2), ""))
    assert Custody.objects.get(student=north.child).holder == north.teacher.staff


# --- scope ----------------------------------------------------------------------------------


def _another_teacher(north):
    user = f.UserFactory(phone="13800000099", role=User.Role.TEACHER, school=north.school)
    f.StaffFactory(school=north.school, user=user, phone=user.phone)
    return user


@pytest.mark.parametrize(
    "who", ["south_teacher", "south_admin", "other_teacher", "gate", "guardian"]
)
def test_nobody_else_may_mark_and_nothing_changes(north, south, roll, who):
    actor = {
        "south_teacher": south.teacher,
        "south_admin": south.admin,
        "other_teacher": _another_teacher(north),
        "gate": north.gate,
        "guardian": north.guardian_user,
    }[who]
    before = snapshots.everything()
    with pytest.raises(OutOfScope):
        _mark(roll, actor, (north.child.pk, "present", at(16, 2), ""))
    with pytest.raises(OutOfScope):
        services.roll_close(sitting=roll, actor=actor)
    assert snapshots.everything() == before


def test_the_duty_teacher_of_the_day_and_the_school_admin_may_mark(north, roll):
    other = _another_teacher(north)
    Duty.objects.create(school=north.school, date=DAY, staff=other.staff)
    assert _mark(roll, other, (north.child.pk, "present", at(16, 2), "")).applied == 1
    assert _mark(roll, north.admin, (north.child.pk, "late", at(16, 3), "")).applied == 1


def test_a_duty_on_another_day_gives_no_scope(north, roll):
    other = _another_teacher(north)
    Duty.objects.create(school=north.school, date=DAY + dt.timedelta(days=1), staff=other.staff)
    with pytest.raises(OutOfScope):
        _mark(roll, other, (north.child.pk, "present", at(16, 2), ""))


# --- refusals -------------------------------------------------------------------------------


def test_a_child_not_on_the_roster_is_refused_by_name_and_nothing_is_written(north, roll):
    stranger = f.child(north.school, north.school_class, name="赵不在")  # no application
    error = snapshots.refused(
        lambda: _mark(
            roll,
            north.teacher,
            (north.child.pk, "present", at(16, 2), ""),
            (stranger.pk, "present", at(16, 2), ""),
            batch=uuid.uuid4(),
        )
    )
    assert codes(error) == {"not_on_roster"}
    assert "赵不在" in messages(error)[0]


def test_another_schools_child_is_refused_without_its_name(north, south, roll):
    error = snapshots.refused(
        lambda: _mark(roll, north.teacher, (south.child.pk, "present", at(16, 2), ""))
    )
    assert codes(error) == {"not_on_roster"}
    assert south.child.name not in messages(error)[0]


def test_bad_statuses_times_and_notes_are_refused_together(north, roll):
    error = snapshots.refused(
        lambda: _mark(
            roll,
            north.teacher,
            (north.child.pk, "asleep", at(16, 2), ""),
            (north.child.pk, "present", at(16, 2, day=DAY - dt.timedelta(days=1)), ""),
            (north.child.pk, "present", at(16, 2), "x" * 201),
            ("1", "present", at(16, 2), ""),
        )
    )
    assert codes(error) == {"bad_status", "wrong_day", "bad_note", "bad_student"}


def test_a_tap_in_the_future_counts_as_now(north, roll):
    _mark(roll, north.teacher, (north.child.pk, "present", at(17, 0), ""), now=at(16, 5))
    assert Attendance.objects.get(student=north.child).marked_at == at(16, 5)


def test_more_than_500_marks_are_refused(north, roll):
    marks = [(north.child.pk, "present", at(16, 2), "")] * 501
    error = snapshots.refused(lambda: _mark(roll, north.teacher, *marks))
    assert codes(error) == {"too_many_marks"}


# --- a batch from a phone ---------------------------------------------------------------------


def test_a_batch_sent_twice_is_applied_once(north, roll):
    other = _kid(north, "钱二", roll)
    batch = uuid.uuid4()
    marks = [(north.child.pk, "present", at(16, 2), ""), (other.pk, "late", at(16, 3), "")]
    first = _mark(roll, north.teacher, *marks, batch=batch)
    before = snapshots.everything()
    again = _mark(roll, north.teacher, *marks, batch=batch, now=at(16, 9))
    assert (first.applied, first.repeat) == (2, False)
    assert (again.applied, again.repeat) == (2, True)
    assert snapshots.everything() == before
    assert RollCallBatch.objects.get(pk=batch).applied == 2


def test_a_repeat_after_the_close_is_still_a_repeat(north, roll):
    batch = uuid.uuid4()
    _mark(roll, north.teacher, (north.child.pk, "present", at(16, 2), ""), batch=batch)
    with freeze_now(at(16, 10)):
        services.roll_close(sitting=roll, actor=north.teacher)
    again = _mark(roll, north.teacher, (north.child.pk, "present", at(16, 2), ""), batch=batch)
    assert again.repeat and again.closed


def test_a_batch_id_of_another_sitting_is_refused(north, roll):
    batch = uuid.uuid4()
    _mark(roll, north.teacher, (north.child.pk, "present", at(16, 2), ""), batch=batch)
    later = f.roll_sitting(
        north.school,
        plan=roll.plan,
        responsible=north.teacher.staff,
        start=T(17, 40),
        end=T(18, 30),
    )
    error = snapshots.refused(
        lambda: _mark(
            later, north.teacher, (north.child.pk, "present", at(17, 41), ""), batch=batch
        )
    )
    assert codes(error) == {"batch_of_another_sitting"}


def test_an_offline_batch_with_older_taps_does_not_undo_newer_marks(north, roll):
    other = _kid(north, "孙三", roll)
    # given the admin's phone marked 王小北 present at 16:10 (online)
    _mark(roll, north.admin, (north.child.pk, "present", at(16, 10), ""), now=at(16, 10))
    # when the teacher's phone, without signal since 16:00, sends its taps at 16:20
    result = _mark(
        roll,
        north.teacher,
        (north.child.pk, "absent", at(16, 3), ""),
        (other.pk, "present", at(16, 4), ""),
        batch=uuid.uuid4(),
        now=at(16, 12),
    )
    # then the newer mark stands, the other child's older tap is applied with its time
    assert result.applied == 1
    assert Attendance.objects.get(student=north.child).status == "present"
    mark = Attendance.objects.get(student=other)
    assert (mark.status, mark.marked_at, mark.received_at) == ("present", at(16, 4), at(16, 12))
    assert Custody.objects.get(student=other).since == at(16, 4)


# --- closing -----------------------------------------------------------------------------------


def test_the_teacher_closes_the_roll_and_the_guardian_is_told_once(north, roll):
    unmarked = _kid(north, "周四", roll)
    parent = _guardian_with_login(unmarked, "13800000088")
    no_login = _kid(north, "冯七", roll)  # a guardian without a login cannot be told in the app
    leave = LeaveRequest.objects.create(
        school=north.school,
        student=_kid(north, "吴五", roll),
        first_day=DAY,
        last_day=DAY,
        reason="发烧",
        filed_by=north.admin,
    )
    _mark(roll, north.teacher, (north.child.pk, "present", at(16, 2), ""))
    with freeze_now(at(16, 8)):
        result = services.roll_close(sitting=roll, actor=north.teacher)
    assert (result.absent, result.leave, result.told) == (2, 1, 1)
    absent = Attendance.objects.get(student=unmarked)
    assert (absent.status, absent.marked_by, absent.guardian_told_at) == ("absent", None, at(16, 8))
    assert Attendance.objects.get(student=no_login).guardian_told_at is None
    on_leave = Attendance.objects.get(student=leave.student)
    assert (on_leave.status, on_leave.leave) == ("leave", leave)
    assert Notification.objects.filter(recipient=parent, key=f"absence:{absent.pk}").count() == 1
    roll.refresh_from_db()
    assert (roll.roll_closed_at, roll.roll_closed_by) == (at(16, 8), north.teacher)


def _guardian_with_login(child, phone):
    guardian = child.guardian_links.get().guardian
    guardian.user = f.UserFactory(phone=phone, role=User.Role.GUARDIAN)
    guardian.save()
    return guardian.user


def test_kehou_closes_the_roll_at_the_set_time_and_tells_once_however_often_it_runs(north, roll):
    # given the teacher marked nobody but 王小北 (present); 周四's guardian has a login
    absent = _kid(north, "周四", roll)
    parent = _guardian_with_login(absent, "13800000077")
    _mark(roll, north.teacher, (north.child.pk, "present", at(16, 2), ""))
    DayRules.objects.create(school=north.school, roll_closes_after=20)
    # when kehou runs at 16:19 nothing closes; at 16:20 the roll closes
    with freeze_now(at(16, 19)):
        assert services.rolls_close_due(actor=SYSTEM) == 0
    with freeze_now(at(16, 20)):
        from kehou.attendance import tasks

        tasks.rolls_close_due_task.enqueue()
        tasks.rolls_close_due_task.enqueue()
        run_queued_tasks()
    # then 周四 is absent and their guardian has exactly one notification
    roll.refresh_from_db()
    assert roll.roll_closed_at == at(16, 20) and roll.roll_closed_by is None
    assert Attendance.objects.get(student=absent).status == "absent"
    told = Notification.objects.filter(recipient=parent)
    assert [(n.kind, n.key, n.link) for n in told] == [
        ("absence", f"absence:{Attendance.objects.get(student=absent).pk}", "/attendance/family/")
    ]
    assert "周四" in told.get().title
    with freeze_now(at(16, 25)):
        services.rolls_close_due(actor=SYSTEM)
    assert Notification.objects.filter(recipient=parent).count() == 1


def test_a_roll_nobody_took_is_not_closed_but_raises_an_alert(north, roll):
    with freeze_now(at(16, 30)):
        assert services.rolls_close_due(actor=SYSTEM) == 0
        assert services.rolls_close_due(actor=SYSTEM) == 0
    roll.refresh_from_db()
    assert roll.roll_closed_at is None
    alert = Alert.objects.get()
    assert (alert.kind, alert.sitting, alert.key) == (
        "roll_not_taken",
        roll,
        f"roll_not_taken:{DAY.isoformat()}:{roll.pk}",
    )
    assert not Attendance.objects.exists()
    assert Notification.objects.filter(recipient=north.admin, kind="alert").count() == 1


def test_a_sitting_with_nobody_on_its_roster_closes_quietly(north):
    empty = f.roll_sitting(north.school, responsible=north.teacher.staff)
    with freeze_now(at(16, 30)):
        assert services.rolls_close_due(actor=SYSTEM) == 1
    empty.refresh_from_db()
    assert empty.roll_closed_at == at(16, 30)
    assert not Alert.objects.exists()


def test_present_earlier_and_absent_later_raises_a_missing_alert(north, roll):
    later = f.roll_sitting(
        north.school,
        plan=roll.plan,
        responsible=north.teacher.staff,
        start=T(17, 40),
        end=T(18, 30),
    )
    other = _kid(north, "郑六", roll)
    _mark(
        roll,
        north.teacher,
        (north.child.pk, "present", at(16, 2), ""),
        (other.pk, "present", at(16, 2), ""),
    )
    _mark(later, north.teacher, (other.pk, "present", at(17, 41), ""), now=at(17, 42))
    with freeze_now(at(17, 45)):
        services.roll_close(sitting=later, actor=north.teacher)
    alert = Alert.objects.get(kind="missing")
    assert (alert.student, alert.sitting) == (north.child, later)


def test_a_closed_roll_refuses_the_teacher_and_takes_the_admins_correction_with_a_note(north, roll):
    _mark(roll, north.teacher, (north.child.pk, "present", at(16, 2), ""))
    with freeze_now(at(16, 10)):
        services.roll_close(sitting=roll, actor=north.teacher)
    error = snapshots.refused(
        lambda: _mark(roll, north.teacher, (north.child.pk, "absent", at(16, 11), ""))
    )
    assert codes(error) == {"roll_closed"}
    error = snapshots.refused(
        lambda: _mark(roll, north.admin, (north.child.pk, "absent", at(16, 11), ""))
    )
    assert codes(error) == {"note_required"}
    _mark(
        roll, north.admin, (north.child.pk, "absent", at(16, 11), "家长16:05接走"), now=at(16, 12)
    )
    assert Attendance.objects.get(student=north.child).note == "家长16:05接走"
    assert Custody.objects.get(student=north.child).ended == Custody.Ended.CORRECTED
    error = snapshots.refused(lambda: services.roll_close(sitting=roll, actor=north.teacher))
    assert codes(error) == {"roll_closed"}


def test_a_correction_to_absent_after_the_close_is_told_by_the_next_run(north, roll):
    parent = _guardian_with_login(north.child, "13800000066")
    parent.refresh_from_db()
    _mark(roll, north.teacher, (north.child.pk, "present", at(16, 2), ""))
    with freeze_now(at(16, 10)):
        services.roll_close(sitting=roll, actor=north.teacher)
    _mark(roll, north.admin, (north.child.pk, "absent", at(16, 11), "认错了人"), now=at(16, 12))
    with freeze_now(at(16, 13)):
        services.rolls_close_due(actor=SYSTEM)
        services.rolls_close_due(actor=SYSTEM)
    assert Notification.objects.filter(recipient=parent, kind="absence").count() == 1


def test_rolls_close_due_is_kehous_own(north):
    with pytest.raises(OutOfScope):
        services.rolls_close_due(actor=north.admin)


def test_a_leave_covering_the_day_is_not_told_even_when_marked_absent(north, roll):
    parent = _guardian_with_login(north.child, "13800000055")
    LeaveRequest.objects.create(
        school=north.school,
        student=north.child,
        first_day=DAY,
        last_day=DAY,
        reason="看病",
        filed_by=parent,
    )
    _mark(roll, north.teacher, (north.child.pk, "absent", at(16, 2), ""))
    with freeze_now(at(16, 10)):
        services.roll_close(sitting=roll, actor=north.teacher)
    assert Attendance.objects.get(student=north.child).leave is not None
    assert not Notification.objects.filter(recipient=parent).exists()


# --- the JSON endpoint ----------------------------------------------------------------------


def _sync(client, roll, payload, *, now=None, raw=None):
    with freeze_now(now or at(16, 5)):
        return client.post(
            reverse("attendance:sync", args=[roll.pk]),
            data=raw if raw is not None else json.dumps(payload),
            content_type="application/json",
        )


def test_sync_applies_a_batch_once_and_answers_repeat(client, north, roll):
    client.force_login(north.teacher)
    batch = str(uuid.uuid4())
    payload = {
        "batch": batch,
        "marks": [
            {
                "student": north.child.pk,
                "status": "present",
                "at": "2026-10-13T16:02:00+08:00",
                "note": "",
            }
        ],
        "close": False,
    }
    first = _sync(client, roll, payload)
    assert first.status_code == 200
    assert first.json() == {"batch": batch, "applied": 1, "repeat": False, "closed": False}
    again = _sync(client, roll, payload)
    assert again.json() == {"batch": batch, "applied": 1, "repeat": True, "closed": False}
    assert Attendance.objects.get().marked_at == at(16, 2)


def test_sync_closes_with_its_last_marks(client, north, roll):
    client.force_login(north.teacher)
    payload = {"batch": str(uuid.uuid4()), "marks": [], "close": True}
    answer = _sync(client, roll, payload)
    assert answer.json()["closed"] is True
    assert Attendance.objects.get().status == "absent"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_json"),
        (json.dumps({"batch": "nope", "marks": []}), "bad_batch"),
        (json.dumps({"marks": []}), "bad_batch"),
        (json.dumps({"batch": str(uuid.uuid4()), "marks": {}}), "bad_marks"),
        (json.dumps({"batch": str(uuid.uuid4()), "marks": [], "close": "yes"}), "bad_close"),
        (json.dumps({"batch": str(uuid.uuid4()), "marks": ["x"]}), "bad_mark"),
        (
            json.dumps(
                {
                    "batch": str(uuid.uuid4()),
                    "marks": [{"student": 1, "status": "present", "at": "x"}] * 501,
                }
            ),
            "too_many_marks",
        ),
    ],
)
def test_sync_answers_a_bad_request_with_its_errors(client, north, roll, raw, code):
    client.force_login(north.teacher)
    before = snapshots.everything()
    answer = _sync(client, roll, None, raw=raw)
    assert answer.status_code == 400
    assert [e["code"] for e in answer.json()["errors"]] == [code]
    assert snapshots.everything() == before


def test_sync_refuses_unknown_statuses_times_and_children(client, north, south, roll):
    client.force_login(north.teacher)
    payload = {
        "batch": str(uuid.uuid4()),
        "marks": [
            {"student": north.child.pk, "status": "asleep", "at": "2026-10-13T16:02:00+08:00"},
            {"student": north.child.pk, "status": "present", "at": "yesterday"},
            {"student": "abc", "status": "present", "at": "2026-10-13T16:02:00+08:00"},
            {"student": south.child.pk, "status": "present", "at": "2026-10-13T16:02:00+08:00"},
        ],
    }
    answer = _sync(client, roll, payload)
    assert answer.status_code == 400
    assert {e["code"] for e in answer.json()["errors"]} == {"bad_status", "bad_time", "bad_student"}
    payload["marks"] = payload["marks"][3:]
    answer = _sync(client, roll, payload)
    assert [e["code"] for e in answer.json()["errors"]] == ["not_on_roster"]
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("who", ["south_teacher", "gate", "guardian", "other_teacher"])
def test_sync_is_a_404_outside_the_scope(client, north, south, roll, who):
    actor = {
        "south_teacher": south.teacher,
        "gate": north.gate,
        "guardian": north.guardian_user,
        "other_teacher": _another_teacher(north),
    }[who]
    client.force_login(actor)
    payload = {
        "batch": str(uuid.uuid4()),
        "marks": [
            {"student": north.child.pk, "status": "present", "at": "2026-10-13T16:02:00+08:00"}
        ],
    }
    answer = _sync(client, roll, payload)
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["code"] == "not_found"
    assert not Attendance.objects.exists()


def test_sync_needs_a_signed_in_user_a_post_and_the_csrf_token(north, roll):
    payload = json.dumps({"batch": str(uuid.uuid4()), "marks": []})
    url = reverse("attendance:sync", args=[roll.pk])
    anonymous = Client().post(url, data=payload, content_type="application/json")
    assert anonymous.status_code == 403 and anonymous.json()["errors"][0]["code"] == "not_signed_in"
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(north.teacher)
    assert strict.post(url, data=payload, content_type="application/json").status_code == 403
    assert strict.get(url).status_code == 405
    assert not RollCallBatch.objects.exists()


def test_sync_of_a_closed_roll_answers_roll_closed(client, north, roll):
    with freeze_now(at(16, 10)):
        services.roll_close(sitting=roll, actor=north.teacher)
    client.force_login(north.teacher)
    payload = {
        "batch": str(uuid.uuid4()),
        "marks": [
            {"student": north.child.pk, "status": "present", "at": "2026-10-13T16:09:00+08:00"}
        ],
    }
    answer = _sync(client, roll, payload, now=at(16, 11))
    assert answer.status_code == 400 and answer.json()["errors"][0]["code"] == "roll_closed"
