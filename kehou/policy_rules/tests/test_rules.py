"""Each rule at its boundary (R6). A profile with every rule, a plan exactly on every
boundary, and one step past it for each rule in turn."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from kehou.policy_rules import (
    Category,
    Citation,
    ContentItem,
    ContentModel,
    FeeStandard,
    PlanFacts,
    ProfileRules,
    Rule,
    RuleId,
    Slot,
    SlotKind,
    UrbanTarget,
    check_plan,
    urban_target_share,
)
from kehou.policy_rules.model import BASIC_CATEGORIES

T = dt.time
CITE = Citation("test", "§1", "test rule")
TWO_PLUS_N = ContentModel("2+N", basic=BASIC_CATEGORIES, min_extended=1)

STRICT = ProfileRules(
    key="strict",
    locality="测试",
    service_days_per_week=Rule(5, CITE),
    weekend_days_per_week=Rule(1, CITE),
    min_minutes_per_day=Rule(120, CITE),
    off_work_time=Rule(T(18, 0), CITE),
    extended_care_required=Rule(True, CITE),
    evening_study_max_minutes=Rule(120, CITE),
    evening_study_latest_end=Rule(T(20, 30), CITE),
    vacation_weeks_winter=Rule(1, CITE),
    vacation_weeks_summer=Rule(3, CITE),
    content_models=Rule((TWO_PLUS_N,), CITE),
    urban_target=Rule(
        UrbanTarget(ContentModel("2+3", basic=BASIC_CATEGORIES, min_extended=3), 80), CITE
    ),
    pay_floor_per_class_hour=Rule(Decimal(60), CITE),
    fee_standard=Rule(FeeStandard(Decimal(300)), CITE),
    grade12_no_written_homework=Rule(True, CITE),
    junior_homework_at_school_min_percent=Rule(80, CITE),
)

EDGE = PlanFacts(
    school="边界学校",
    grades=frozenset(range(1, 10)),
    service_weekdays=frozenset({0, 1, 2, 3, 4, 5}),
    slots=(
        Slot((1, 9), T(16, 0), T(18, 0)),  # exactly 120 minutes, ends exactly 18:00
        Slot((1, 9), T(18, 0), T(19, 0), SlotKind.EXTENDED_CARE),
        Slot((7, 9), T(18, 30), T(20, 30), SlotKind.EVENING_STUDY),  # 120 min, ends 20:30
    ),
    content=(
        ContentItem("作业辅导", Category.HOMEWORK),
        ContentItem("体育活动", Category.SPORTS),
        ContentItem("科普", Category.SCIENCE),
    ),
    vacation_weeks_winter=1,
    vacation_weeks_summer=3,
    pay_per_class_hour_yuan=Decimal(60),
    fee_yuan_per_term=Decimal(300),
    grade12_written_homework=False,
    junior_homework_at_school_percent=80,
)


def rules_of(plan, profile=STRICT):
    return [s.rule for s in check_plan(plan, profile)]


def with_slots(*slots):
    return dataclasses.replace(EDGE, slots=slots)


def test_the_plan_on_every_boundary_passes():
    assert check_plan(EDGE, STRICT) == []


def test_no_rule_in_the_profile_means_nothing_is_checked():
    # given a profile that states nothing, and a plan that would fail everything
    empty = ProfileRules(key="empty", locality="无")
    bad = PlanFacts(school="x", grades=frozenset({1, 8}), service_weekdays=frozenset({0}))
    # then
    assert check_plan(bad, empty) == []


def test_a_remembered_check_follows_a_changed_plan_and_a_changed_profile():
    # given a plan checked once, and its result changed by the caller
    first = check_plan(EDGE, STRICT)
    first.append("changed by the caller")
    # then the same plan checks the same, a plan one minute shorter and a stricter profile
    # each get their own answer
    assert check_plan(EDGE, STRICT) == []
    shorter = with_slots(Slot((1, 9), T(16, 0), T(17, 59)), *EDGE.slots[1:])
    assert RuleId.MIN_MINUTES in rules_of(shorter)
    stricter = dataclasses.replace(
        STRICT, min_minutes_per_day=dataclasses.replace(STRICT.min_minutes_per_day, value=121)
    )
    assert rules_of(EDGE, stricter) == [RuleId.MIN_MINUTES]
    assert check_plan(EDGE, STRICT) == []


def test_service_days_four_of_five_fails():
    plan = dataclasses.replace(EDGE, service_weekdays=frozenset({0, 1, 2, 3, 5}))
    shortfalls = check_plan(plan, STRICT)
    assert [s.message for s in shortfalls] == ["每周服务4天,要求5天"]


def test_weekend_day_missing_fails():
    plan = dataclasses.replace(EDGE, service_weekdays=frozenset(range(5)))
    assert rules_of(plan) == [RuleId.WEEKEND_DAYS]


def test_119_minutes_fails_and_names_the_grade_group():
    # given grades 1–2 leave one minute early, so they end before 18:00 too
    plan = with_slots(
        Slot((1, 2), T(16, 0), T(17, 59)),
        Slot((3, 9), T(16, 0), T(18, 0)),
        *EDGE.slots[1:],
    )
    shortfalls = check_plan(plan, STRICT)
    assert [(s.rule, s.scope, s.plan_value) for s in shortfalls] == [
        (RuleId.MIN_MINUTES, "1-2年级", 119),
        (RuleId.END_TIME, "1-2年级", T(17, 59)),
    ]
    assert shortfalls[0].message == "1-2年级每天服务119分钟,要求不少于120分钟"


def test_120_minutes_in_two_overlapping_slots_counts_the_union():
    # 16:00–17:00 and 16:30–18:00 cover 120 minutes, not 150
    plan = with_slots(
        Slot((1, 9), T(16, 0), T(17, 0)), Slot((1, 9), T(16, 30), T(18, 0)), *EDGE.slots[1:]
    )
    assert check_plan(plan, STRICT) == []
    # and 16:00–17:00 with 17:01–18:00 leaves a gap: 119
    plan = with_slots(
        Slot((1, 9), T(16, 0), T(17, 0)), Slot((1, 9), T(17, 1), T(18, 0)), *EDGE.slots[1:]
    )
    assert rules_of(plan) == [RuleId.MIN_MINUTES]


def test_extended_care_and_boarding_do_not_count_towards_the_minimum():
    plan = with_slots(
        Slot((1, 9), T(17, 0), T(18, 0)),
        Slot((1, 9), T(18, 0), T(19, 0), SlotKind.EXTENDED_CARE),
        Slot((1, 9), T(19, 0), T(20, 0), SlotKind.BOARDING),
        EDGE.slots[2],
    )
    assert rules_of(plan) == [RuleId.MIN_MINUTES]


def test_a_short_friday_is_named():
    plan = with_slots(
        Slot((1, 9), T(16, 0), T(18, 0), weekdays=frozenset({0, 1, 2, 3})),
        Slot((1, 9), T(16, 30), T(18, 0), weekdays=frozenset({4})),
        *EDGE.slots[1:],
    )
    [shortfall] = check_plan(plan, STRICT)
    assert shortfall.message == "1-9年级每天服务90分钟(周五),要求不少于120分钟"


def test_grades_without_any_regular_slot_have_zero_minutes():
    plan = with_slots(Slot((1, 6), T(16, 0), T(18, 0)), *EDGE.slots[1:])
    shortfalls = check_plan(plan, STRICT)
    assert [(s.rule, s.scope, s.plan_value) for s in shortfalls] == [
        (RuleId.MIN_MINUTES, "7-9年级", 0)
    ]


def test_end_one_minute_before_off_work_fails_and_exactly_at_it_passes():
    early = with_slots(Slot((1, 9), T(15, 59), T(17, 59)), *EDGE.slots[1:])
    assert [s.message for s in check_plan(early, STRICT)] == [
        "1-9年级结束时间17:59早于当地下班时间18:00"
    ]
    assert check_plan(EDGE, STRICT) == []  # 16:00–18:00


def test_extended_care_missing_fails():
    plan = with_slots(EDGE.slots[0], EDGE.slots[2])
    assert rules_of(plan) == [RuleId.EXTENDED_CARE]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (T(18, 30), T(20, 30), []),
        (T(18, 31), T(20, 31), [RuleId.EVENING_STUDY_END]),
        (T(18, 29), T(20, 30), [RuleId.EVENING_STUDY_DURATION]),
        (T(18, 0), T(20, 31), [RuleId.EVENING_STUDY_DURATION, RuleId.EVENING_STUDY_END]),
    ],
)
def test_evening_study_at_most_two_hours_and_ending_by_2030(start, end, expected):
    plan = with_slots(*EDGE.slots[:2], Slot((7, 9), start, end, SlotKind.EVENING_STUDY))
    assert rules_of(plan) == expected


def test_evening_study_message():
    plan = with_slots(*EDGE.slots[:2], Slot((7, 9), T(18, 31), T(20, 31), SlotKind.EVENING_STUDY))
    [shortfall] = check_plan(plan, STRICT)
    assert shortfall.message == "7-9年级晚自习18:31-20:31结束时间20:31晚于20:30"


@pytest.mark.parametrize(
    ("winter", "summer", "expected"),
    [
        (1, 3, []),
        (0, 3, [RuleId.VACATION_WINTER]),
        (1, 2, [RuleId.VACATION_SUMMER]),
        (None, 3, [RuleId.VACATION_WINTER]),
    ],
)
def test_vacation_opening_weeks(winter, summer, expected):
    plan = dataclasses.replace(EDGE, vacation_weeks_winter=winter, vacation_weeks_summer=summer)
    assert rules_of(plan) == expected


def test_content_2_plus_n_needs_both_basic_services_and_one_extended():
    no_sports = dataclasses.replace(EDGE, content=(EDGE.content[0], EDGE.content[2]))
    assert [s.message for s in check_plan(no_sports, STRICT)] == ["“2+N”的基本服务缺少体育活动"]
    no_extended = dataclasses.replace(EDGE, content=EDGE.content[:2])
    assert [s.message for s in check_plan(no_extended, STRICT)] == [
        "“2+N”要求至少1项拓展服务,方案有0项"
    ]


def test_pay_floor_60_passes_59_99_fails():
    plan = dataclasses.replace(EDGE, pay_per_class_hour_yuan=Decimal("59.99"))
    [shortfall] = check_plan(plan, STRICT)
    assert shortfall.message == "教师每课时报酬59.99元,低于60元"
    assert shortfall.plan_value == Decimal("59.99")


def test_fee_at_the_standard_passes_above_fails():
    plan = dataclasses.replace(EDGE, fee_yuan_per_term=Decimal(301))
    assert [s.message for s in check_plan(plan, STRICT)] == [
        "课后服务费301元/学期,超过收费标准300元"
    ]


def test_no_fee_standard_means_no_fee_may_be_billed():
    # given a locality without a fee standard (001)
    no_standard = dataclasses.replace(STRICT, fee_standard=Rule(FeeStandard(None), CITE))
    # then a free plan passes and any fee fails
    free = dataclasses.replace(EDGE, fee_yuan_per_term=Decimal(0))
    assert check_plan(free, no_standard) == []
    charged = dataclasses.replace(EDGE, fee_yuan_per_term=Decimal("0.01"))
    assert [s.message for s in check_plan(charged, no_standard)] == [
        "收取课后服务费0.01元/学期,但当地尚未出台收费标准,不得收费"
    ]


def test_grade_1_2_written_homework_fails_only_where_grades_1_2_exist():
    plan = dataclasses.replace(EDGE, grade12_written_homework=True)
    assert rules_of(plan) == [RuleId.GRADE12_NO_WRITTEN_HOMEWORK]
    junior_only = dataclasses.replace(
        plan,
        grades=frozenset({7, 8, 9}),
        slots=(Slot((7, 9), T(16, 0), T(18, 0)), *EDGE.slots[1:]),
    )
    assert rules_of(junior_only) == []


def test_junior_homework_80_percent_passes_79_fails_primary_school_is_exempt():
    plan = dataclasses.replace(EDGE, junior_homework_at_school_percent=79)
    assert [s.message for s in check_plan(plan, STRICT)] == [
        "初中学生在校完成书面作业79%,要求至少80%"
    ]
    primary = dataclasses.replace(
        plan,
        grades=frozenset(range(1, 7)),
        slots=(Slot((1, 6), T(16, 0), T(18, 0)), EDGE.slots[1]),
    )
    assert rules_of(primary) == []


def test_unstated_facts_are_reported_as_unknown():
    plan = dataclasses.replace(
        EDGE,
        pay_per_class_hour_yuan=None,
        fee_yuan_per_term=None,
        grade12_written_homework=None,
        junior_homework_at_school_percent=None,
    )
    shortfalls = check_plan(plan, STRICT)
    assert [s.rule for s in shortfalls] == [
        RuleId.PAY_FLOOR,
        RuleId.FEE,
        RuleId.GRADE12_NO_WRITTEN_HOMEWORK,
        RuleId.JUNIOR_HOMEWORK_AT_SCHOOL,
    ]
    assert all(s.unknown and s.plan_value is None for s in shortfalls)


def urban(name, extended, is_urban=True):
    items = tuple(ContentItem(f"拓展{i}", Category.CLUB) for i in range(extended))
    return dataclasses.replace(
        EDGE, school=name, content=EDGE.content[:2] + items, is_urban=is_urban
    )


def test_urban_2_plus_3_exactly_80_percent_meets_the_target():
    # given 4 of 5 urban schools run 2+3; rural and unrecorded schools are not counted
    plans = [urban(f"城区{i}", 3) for i in range(4)] + [
        urban("城区4", 2),
        urban("乡镇", 0, is_urban=False),
        urban("未登记", 0, is_urban=None),
    ]
    # when
    result = urban_target_share(plans, STRICT)
    # then
    assert (result.urban_schools, result.qualifying, result.meets) == (5, 4, True)
    assert result.share_percent == Decimal("80.0")
    assert result.short_schools == ("城区4",)
    assert result.unknown_urban == ("未登记",)
    assert result.message == "城区5所学校中4所实现“2+3”,占80.0%,要求80%以上,达标"


def test_urban_2_plus_3_just_under_80_percent_fails():
    plans = [urban(f"城区{i}", 3) for i in range(3999)] + [urban(f"差{i}", 2) for i in range(1001)]
    result = urban_target_share(plans, STRICT)
    assert result.share_percent == Decimal("80.0")  # rounded for display…
    assert not result.meets  # …but 79.98 % is short


def test_no_urban_target_in_the_profile():
    assert urban_target_share([EDGE], ProfileRules(key="e", locality="e")) is None


def test_bad_slots_are_refused():
    with pytest.raises(ValueError):
        Slot((1, 10), T(16, 0), T(18, 0))
    with pytest.raises(ValueError):
        Slot((1, 2), T(18, 0), T(18, 0))
    with pytest.raises(ValueError):
        PlanFacts(school="x", grades=frozenset(), service_weekdays=frozenset())
