"""kehou sittings generate --school CODE --term TERM."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kehou.sittings.models import Sitting
from kehou.testing import factories as f
from kehou.testing import snapshots

D, T = dt.date, dt.time


def _run(*args):
    out = io.StringIO()
    call_command("sittings", "generate", *args, stdout=out)
    return out.getvalue()


def test_generate_prints_the_report(north):
    # given a plan and a menu with a club on Mondays
    plan = f.published_plan(north.school)
    f.offering(f.menu(north.school, term=plan.term), "围棋", meetings=[(0, T(16, 40), T(17, 30))])
    # when
    out = _run("--school", north.school.code, "--term", "2026-1")
    # then
    assert "新建" in out
    assert Sitting.objects.filter(plan=plan, offering__isnull=True).exists()
    assert Sitting.objects.filter(kind="offering").exists()
    # a second run keeps the attended sittings and names one the plan dropped
    Sitting.objects.filter(date=D(2026, 9, 1)).update(roll_taken_at=timezone.now())
    plan.slots.update(start=T(16, 30))
    out = _run("--school", north.school.code, "--term", "2026-1")
    assert "2026-09-01" in out and "不在" in out


def test_generate_says_2027_is_not_entered(north):
    f.published_plan(north.school, end=D(2027, 1, 22))
    out = _run("--school", north.school.code, "--term", "2026-1")
    assert "2027年的法定节假日安排尚未录入" in out


def test_generate_refuses_a_term_with_no_known_day_and_writes_nothing(north):
    f.published_plan(north.school, start=D(2027, 2, 22), end=D(2027, 7, 2))
    before = snapshots.everything()
    with pytest.raises(CommandError, match="2027年的法定节假日安排尚未录入"):
        _run("--school", north.school.code, "--term", "2026-1")
    assert snapshots.everything() == before


def test_generate_refuses_a_draft_and_bad_names(north):
    f.published_plan(north.school, status="draft")
    with pytest.raises(CommandError, match="发布"):
        _run("--school", north.school.code, "--term", "2026-1")
    with pytest.raises(CommandError, match="9999999999"):
        _run("--school", "9999999999", "--term", "2026-1")
    with pytest.raises(CommandError, match="2031-1"):
        _run("--school", north.school.code, "--term", "2031-1")
    assert not Sitting.objects.exists()


def test_generate_without_any_plan(north):
    f.TermFactory()
    with pytest.raises(CommandError, match="2026-1"):
        _run("--school", north.school.code, "--term", "2026-1")
