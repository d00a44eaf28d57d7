"""kehou sittings generate."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kehou.sittings.models import Sitting
from kehou.terms.tests.helpers import D, T, published_plan, snapshot


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_generate_prints_the_report(north):
    plan = published_plan(north.school)
    out = _run("sittings", "generate", "--school", north.school.code, "--term", "2026-1")
    assert "新建" in out
    assert Sitting.objects.filter(plan=plan).exists()
    # a second run keeps everything, and names a roll-taken session dropped from the plan
    Sitting.objects.filter(date=D(2026, 9, 1)).update(roll_taken_at=timezone.now())
    plan.slots.update(start=T(16, 30))
    out = _run("sittings", "generate", "--school", north.school.code, "--term", "2026-1")
    assert "2026-09-01" in out and "不在" in out


def test_generate_says_2027_is_unentered(north):
    published_plan(north.school, end=D(2027, 1, 22))
    out = _run("sittings", "generate", "--school", north.school.code, "--term", "2026-1")
    assert "2027年的法定节假日安排尚未录入" in out


def test_generate_refuses_a_term_with_no_known_day(north):
    published_plan(north.school, start=D(2027, 2, 22), end=D(2027, 7, 2))
    before = snapshot()
    with pytest.raises(CommandError, match="2027年的法定节假日安排尚未录入"):
        _run("sittings", "generate", "--school", north.school.code, "--term", "2026-1")
    assert snapshot() == before


def test_generate_refuses_a_draft_and_bad_names(north):
    published_plan(north.school, status="draft")
    with pytest.raises(CommandError, match="发布"):
        _run("sittings", "generate", "--school", north.school.code, "--term", "2026-1")
    with pytest.raises(CommandError, match="9999999999"):
        _run("sittings", "generate", "--school", "9999999999", "--term", "2026-1")
    with pytest.raises(CommandError, match="2031-1"):
        _run("sittings", "generate", "--school", north.school.code, "--term", "2031-1")
    assert not Sitting.objects.exists()


def test_generate_without_any_plan(north):
    from kehou.testing.factories import TermFactory

    TermFactory()
    with pytest.raises(CommandError, match="2026-1"):
        _run("sittings", "generate", "--school", north.school.code, "--term", "2026-1")
