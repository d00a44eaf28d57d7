"""kehou sessions generate, kehou calendar show / status."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kehou.terms.models import Session
from kehou.terms.tests.helpers import D, T, enter_2027, published_plan, snapshot


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_generate_prints_the_report(north):
    plan = published_plan(north.school)
    out = _run("sessions", "generate", "--school", north.school.code, "--term", "2026-1")
    assert "新建" in out
    assert Session.objects.filter(plan=plan).exists()
    # a second run keeps everything, and names a roll-taken session dropped from the plan
    Session.objects.filter(date=D(2026, 9, 1)).update(roll_taken_at=timezone.now())
    plan.slots.update(start=T(16, 30))
    out = _run("sessions", "generate", "--school", north.school.code, "--term", "2026-1")
    assert "2026-09-01" in out and "不在" in out


def test_generate_says_2027_is_unentered(north):
    published_plan(north.school, end=D(2027, 1, 22))
    out = _run("sessions", "generate", "--school", north.school.code, "--term", "2026-1")
    assert "2027年的法定节假日安排尚未录入" in out


def test_generate_refuses_a_term_with_no_known_day(north):
    published_plan(north.school, start=D(2027, 2, 22), end=D(2027, 7, 2))
    before = snapshot()
    with pytest.raises(CommandError, match="2027年的法定节假日安排尚未录入"):
        _run("sessions", "generate", "--school", north.school.code, "--term", "2026-1")
    assert snapshot() == before


def test_generate_refuses_a_draft_and_bad_names(north):
    published_plan(north.school, status="draft")
    with pytest.raises(CommandError, match="发布"):
        _run("sessions", "generate", "--school", north.school.code, "--term", "2026-1")
    with pytest.raises(CommandError, match="9999999999"):
        _run("sessions", "generate", "--school", "9999999999", "--term", "2026-1")
    with pytest.raises(CommandError, match="2031-1"):
        _run("sessions", "generate", "--school", north.school.code, "--term", "2031-1")
    assert not Session.objects.exists()


def test_generate_without_any_plan(north):
    from kehou.testing.factories import TermFactory

    TermFactory()
    with pytest.raises(CommandError, match="2026-1"):
        _run("sessions", "generate", "--school", north.school.code, "--term", "2026-1")


def test_calendar_show_2026(db):
    out = _run("calendar", "show", "2026")
    assert "2026-10-01 周四 国庆节" in out
    assert "2026-10-10 周六 国庆节" in out and "周三" in out


def test_calendar_show_unknown_and_entered_year(city_officer):
    assert "未录入" in _run("calendar", "show", "2027")
    enter_2027(city_officer)
    out = _run("calendar", "show", "2027")
    assert "国办发明电" in out and "2027-02-08" in out
    assert "学校" in out  # 01-02: the school chooses the timetable


def test_calendar_status(city_officer):
    out = _run("calendar", "status")
    assert "2004" in out and "2026" in out
    enter_2027(city_officer)
    assert "2027" in _run("calendar", "status")
