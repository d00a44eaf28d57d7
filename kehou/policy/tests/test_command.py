"""`kehou plan check` (SPEC R6): text, --json and exit codes."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kehou.org.access import SYSTEM
from kehou.policy import services
from kehou.testing import factories as f

from .test_services import seed_002_input


@pytest.fixture
def term(db):
    return f.TermFactory()


@pytest.fixture
def seed_002_at_north(north, term):
    services.profile_adopt(template_key="anxi_003", region=north.county, actor=SYSTEM)
    plan = services.plan_start_draft(school=north.school, term=term, actor=SYSTEM)
    return services.plan_update(plan=plan, actor=SYSTEM, data=seed_002_input())


def run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("plan", *args, stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def test_check_prints_every_shortfall_and_exits_1(north, term, seed_002_at_north):
    code, out = run("check", "--school", north.school.code, "--term", term.code)
    assert code == 1
    assert "每周服务天数:每周服务4天,要求5天" in out
    assert "方案:4;要求:5" in out
    assert "依据:《安溪县2022年整治城区中小学课后服务质效不高问题" in out
    assert "003_56a495717f389d57" not in out
    assert "“2+N”的基本服务缺少体育活动" in out


def test_check_json_prints_the_shortfalls_as_dicts(north, term, seed_002_at_north):
    code, out = run("check", "--school", north.school.code, "--term", term.code, "--json")
    assert code == 1
    data = json.loads(out)["shortfalls"]
    assert [d["rule"] for d in data] == [
        "service_days",
        "min_minutes",
        "min_minutes",
        "content_model",
    ]
    assert data[0]["plan_value"] == 4 and data[0]["citation"]["seed"] == "003_56a495717f389d57"


def test_a_compliant_plan_exits_0(north, city, term):
    # given seed 000's profile with 18:00 entered, and a plan meeting it
    profile = services.profile_adopt(template_key="jiangsu_000", region=city, actor=SYSTEM)
    values = services.profile_values_of(services.profile_rules(profile))
    services.profile_update(
        profile=profile,
        actor=SYSTEM,
        values=services.ProfileValues(**{**vars(values), "off_work_time": dt.time(18)}),
        note="下班时间",
    )
    plan = services.plan_start_draft(school=north.school, term=term, actor=SYSTEM)
    services.plan_update(
        plan=plan,
        actor=SYSTEM,
        data=seed_002_input(
            service_weekdays=(0, 1, 2, 3, 4),
            slots=[
                services.SlotInput(1, 6, dt.time(16), dt.time(18)),
                services.SlotInput(1, 6, dt.time(18), dt.time(19), "extended_care"),
            ],
            pay_per_class_hour=Decimal(60),
            fee_per_term=Decimal(0),
            grade12_written_homework=False,
        ),
    )
    # when
    code, out = run("check", "--school", north.school.code, "--term", term.code)
    # then
    assert code == 0
    assert "本方案符合所有规定" in out
    code, out = run("check", "--school", north.school.code, "--term", term.code, "--json")
    assert (code, json.loads(out)["shortfalls"]) == (0, [])


def test_bad_input_exits_2_with_a_clear_message(north, term):
    with pytest.raises(CommandError) as error:
        run("check", "--school", "9999999999", "--term", term.code)
    assert error.value.returncode == 2 and "学校标识码9999999999不存在" in str(error.value)
    with pytest.raises(CommandError) as error:
        run("check", "--school", north.school.code, "--term", "2030-1")
    assert error.value.returncode == 2 and "学期2030-1不存在" in str(error.value)
    with pytest.raises(CommandError) as error:
        run("check", "--school", north.school.code, "--term", "autumn")
    assert error.value.returncode == 2 and "学期代码“autumn”无效" in str(error.value)
    with pytest.raises(CommandError) as error:
        run("check", "--school", north.school.code, "--term", term.code)
    assert error.value.returncode == 2 and "没有2026-1学期的课后服务方案" in str(error.value)


def test_no_profile_exits_2(north, term):
    services.plan_start_draft(school=north.school, term=term, actor=SYSTEM)
    with pytest.raises(CommandError) as error:
        run("check", "--school", north.school.code, "--term", term.code)
    assert error.value.returncode == 2 and "未设定课后服务政策" in str(error.value)


def test_check_all_prints_the_table_and_the_time(north, south, city, term, seed_002_at_north):
    code, out = run("check", "--all", "--region", city.code, "--term", term.code)
    assert code == 1
    assert f"{north.school.code} 吴中实验小学 4项" in out
    assert f"{south.school.code} 相城实验小学 无方案" in out
    assert "2026-1学期:2所学校,1所有方案,0所符合所有规定;用时" in out


def test_the_text_names_content_in_words_not_codes(north, term, seed_002_at_north):
    """The fault: "方案:homework;要求:homework、sports"."""
    code, out = run("check", "--school", north.school.code, "--term", term.code)
    assert "方案:作业辅导;要求:作业辅导、体育活动" in out
    for raw in ("homework", "sports", "content_model", "min_minutes"):
        assert raw not in out


def test_json_carries_the_rule_not_checked_notes_the_text_prints(north, city, term):
    # given seed 000's profile, whose local off-work time is not entered yet
    services.profile_adopt(template_key="jiangsu_000", region=city, actor=SYSTEM)
    plan = services.plan_start_draft(school=north.school, term=term, actor=SYSTEM)
    services.plan_update(plan=plan, actor=SYSTEM, data=seed_002_input())
    _code, text = run("check", "--school", north.school.code, "--term", term.code)
    _code, out = run("check", "--school", north.school.code, "--term", term.code, "--json")
    notes = json.loads(out)["notes"]
    assert [n["field"] for n in notes] == ["off_work_time"]
    assert f"提示:{notes[0]['message']}" in text
    _code, out = run("check", "--all", "--term", term.code, "--json")
    [row] = [r for r in json.loads(out) if r["school"] == north.school.code]
    assert row["notes"] == notes
