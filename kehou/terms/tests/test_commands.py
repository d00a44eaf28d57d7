"""kehou calendar show / status."""

import io

from django.core.management import call_command

from kehou.testing.factories import enter_2027


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


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
