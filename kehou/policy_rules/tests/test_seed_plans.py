"""Seed 002's plan checked against the profiles of seeds 000, 001, 003 and 004 (R6)."""

import dataclasses
import datetime as dt
from decimal import Decimal

from kehou.policy_rules import Rule, RuleId, check_plan, profile_gaps, urban_target_share
from kehou.policy_rules.profiles import PROFILES

from .fixtures import COMPLIANT_000_PLAN, SEED_002_PLAN


def with_off_work_time(profile, hour, minute=0):
    """The bureau enters the local off-work time the seed refers to."""
    rule = profile.off_work_time
    return dataclasses.replace(profile, off_work_time=Rule(dt.time(hour, minute), rule.cite))


def test_seed_002_against_seed_000_lists_what_a_bureau_officer_would_name():
    # given seed 000's profile with the local off-work time entered as 18:00
    profile = with_off_work_time(PROFILES["jiangsu_000"], 18)
    # when
    shortfalls = check_plan(SEED_002_PLAN, profile)
    # then
    assert [(s.rule, s.message) for s in shortfalls] == [
        (RuleId.SERVICE_DAYS, "每周服务4天,要求5天"),
        (RuleId.MIN_MINUTES, "1-2年级每天服务50分钟,要求不少于120分钟"),
        (RuleId.MIN_MINUTES, "3-6年级每天服务35分钟,要求不少于120分钟"),
        (RuleId.END_TIME, "1-2年级结束时间17:50早于当地下班时间18:00"),
        (RuleId.EXTENDED_CARE, "未提供延时托管服务(对有特殊需要的学生,学校应提供)"),
        (RuleId.PAY_FLOOR, "方案未说明教师每课时报酬,要求不低于60元"),
    ]
    days = shortfalls[0]
    assert (days.plan_value, days.required) == (4, 5)
    assert days.citation.seed == "000_9a9d0b41bb444542"
    assert "每周5天" in days.citation.quote
    end = shortfalls[3]
    assert (end.plan_value, end.required, end.scope) == (dt.time(17, 50), dt.time(18), "1-2年级")
    assert shortfalls[-1].unknown and not any(s.unknown for s in shortfalls[:-1])


def test_seed_000_without_the_local_off_work_time_checks_no_end_time_and_says_why():
    # given the profile as shipped: the seed names no time
    profile = PROFILES["jiangsu_000"]
    # when
    rules = {s.rule for s in check_plan(SEED_002_PLAN, profile)}
    # then
    assert RuleId.END_TIME not in rules
    assert profile_gaps(profile) == ["当地正常下班时间未录入:暂不检查“结束时间不早于当地下班时间”"]


def test_seed_002_against_seed_003():
    # when
    shortfalls = check_plan(SEED_002_PLAN, PROFILES["anxi_003"])
    # then
    assert [(s.rule, s.message) for s in shortfalls] == [
        (RuleId.SERVICE_DAYS, "每周服务4天,要求5天"),
        (RuleId.MIN_MINUTES, "1-2年级每天服务50分钟,要求不少于120分钟"),
        (RuleId.MIN_MINUTES, "3-6年级每天服务35分钟,要求不少于120分钟"),
        (RuleId.CONTENT_MODEL, "“2+N”的基本服务缺少体育活动"),
    ]
    assert shortfalls[-1].citation.seed == "003_56a495717f389d57"
    # and the region's urban 2+3 target is not met by this one urban school
    target = urban_target_share([SEED_002_PLAN], PROFILES["anxi_003"])
    assert (target.urban_schools, target.qualifying, target.meets) == (1, 0, False)
    assert target.short_schools == ("扎赉特旗音德尔第二小学",)


def test_seed_002_against_seed_001():
    profile = with_off_work_time(PROFILES["changzhi_001"], 17, 30)
    shortfalls = check_plan(SEED_002_PLAN, profile)
    assert [(s.rule, s.message) for s in shortfalls] == [
        (RuleId.SERVICE_DAYS, "每周服务4天,要求5天"),
        (RuleId.WEEKEND_DAYS, "双休日每周服务0天,要求1天"),
        (RuleId.MIN_MINUTES, "1-2年级每天服务50分钟,要求不少于120分钟"),
        (RuleId.MIN_MINUTES, "3-6年级每天服务35分钟,要求不少于120分钟"),
        (RuleId.EXTENDED_CARE, "未提供延时托管服务(对有特殊需要的学生,学校应提供)"),
        (RuleId.VACATION_WINTER, "寒假开放0周,要求1周"),
        (RuleId.VACATION_SUMMER, "暑假开放0周,要求3周"),
        (RuleId.FEE, "方案未说明是否收取课后服务费(不得收费)"),
        (RuleId.GRADE12_NO_WRITTEN_HOMEWORK, "方案未说明一二年级是否留书面家庭作业(要求不留)"),
    ]


def test_seed_002_against_seed_004_is_reported_against_the_closest_mode():
    shortfalls = check_plan(SEED_002_PLAN, PROFILES["binzhou_004"])
    assert [(s.rule, s.message, s.unknown) for s in shortfalls] == [
        (
            RuleId.CONTENT_MODEL,
            "方案未说明每天作业辅导时长,“30+X”要求30分钟(也可采用“每周1-2天社团”)",
            True,
        ),
        # 004: fees only under a standard the government approved; none is entered yet
        (RuleId.FEE, "方案未说明是否收取课后服务费(不得收费)", True),
    ]
    free = dataclasses.replace(SEED_002_PLAN, fee_yuan_per_term=Decimal(0))
    # a free school that states 30 minutes of homework first passes
    plan = dataclasses.replace(free, homework_minutes_per_day=30)
    assert check_plan(plan, PROFILES["binzhou_004"]) == []
    # and so does one running clubs on two days a week
    plan = dataclasses.replace(free, club_days_per_week=2)
    assert check_plan(plan, PROFILES["binzhou_004"]) == []


def test_a_plan_meeting_seed_000_passes():
    profile = with_off_work_time(PROFILES["jiangsu_000"], 18)
    assert check_plan(COMPLIANT_000_PLAN, profile) == []


def test_fixing_seed_002_step_by_step_reaches_no_shortfall():
    # given
    profile = with_off_work_time(PROFILES["jiangsu_000"], 18)
    T = dt.time
    # when the school adds Friday, lengthens its slots and offers extended care
    from kehou.policy_rules import Slot, SlotKind

    fixed = dataclasses.replace(
        SEED_002_PLAN,
        service_weekdays=frozenset(range(5)),
        slots=(
            Slot((1, 2), T(16, 0), T(18, 0)),
            Slot((3, 6), T(16, 20), T(18, 20)),
            Slot((1, 6), T(18, 0), T(19, 0), SlotKind.EXTENDED_CARE),
            Slot((1, 6), T(18, 40), T(20, 0), SlotKind.BOARDING),
        ),
        pay_per_class_hour_yuan=60,
    )
    # then
    assert check_plan(fixed, profile) == []


def test_shortfalls_render_as_json():
    import json

    profile = with_off_work_time(PROFILES["jiangsu_000"], 18)
    rendered = [s.as_dict() for s in check_plan(SEED_002_PLAN, profile)]
    text = json.dumps(rendered, ensure_ascii=False)
    assert '"plan_value": "17:50"' in text
    assert rendered[0]["rule_name"] == "每周服务天数"
    assert rendered[0]["citation"]["seed"] == "000_9a9d0b41bb444542"
