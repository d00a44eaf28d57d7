"""Plan versions, publication, validation and profiles (SPEC R4, R5)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kehou.core import errors
from kehou.org.access import SYSTEM
from kehou.policy import services
from kehou.policy.models import PolicyProfile, PolicyProfileVersion, SchoolPlan
from kehou.policy_rules import RuleId
from kehou.testing import factories as f
from kehou.testing.snapshots import everything

T = dt.time


def seed_002_input(**changes) -> services.PlanInput:
    data = services.PlanInput(
        term_start=dt.date(2026, 9, 1),
        term_end=dt.date(2027, 1, 22),
        service_weekdays=(0, 1, 2, 3),
        slots=[
            services.SlotInput(1, 2, T(17, 0), T(17, 50), label="1-2年级"),
            services.SlotInput(3, 6, T(17, 45), T(18, 20), label="3-6年级"),
            services.SlotInput(1, 6, T(18, 40), T(20, 0), "boarding", label="住宿生"),
        ],
        content=[
            services.ContentInput("学科作业辅导", "homework"),
            services.ContentInput("音美社团活动", "club"),
        ],
    )
    return services.PlanInput(**{**vars(data), **changes})


@pytest.fixture
def term(db):
    return f.TermFactory()


def test_templates_are_installed_by_the_migration_and_install_is_idempotent(db):
    # given the migrated database
    keys = set(PolicyProfile.objects.filter(region=None).values_list("key", flat=True))
    # when
    created = services.profile_templates_install(actor=SYSTEM)
    # then
    assert keys == {"jiangsu_000", "changzhi_001", "anxi_003", "binzhou_004"}
    assert created == 0
    assert PolicyProfile.objects.filter(region=None).count() == 4


def test_templates_install_recreates_a_missing_template(db):
    PolicyProfile.objects.filter(key="anxi_003").delete()
    assert services.profile_templates_install(actor=SYSTEM) == 1
    assert PolicyProfile.objects.get(key="anxi_003").versions.count() == 1


def test_start_draft_creates_an_empty_version_1_then_returns_it(north, term):
    # when
    plan = services.plan_start_draft(school=north.school, term=term, actor=north.admin)
    again = services.plan_start_draft(school=north.school, term=term, actor=north.admin)
    # then
    assert (plan.version, plan.status, plan.service_weekdays) == (1, "draft", [0, 1, 2, 3, 4])
    assert (plan.term_start, plan.term_end) == (term.start, term.end)
    assert again.pk == plan.pk


def test_publish_then_new_version_copies_everything_and_publishing_supersedes(north, term):
    # given a published version 1 with slots, content, a vacation week and a make-up day
    v1 = services.plan_start_draft(school=north.school, term=term, actor=north.admin)
    services.plan_update(
        plan=v1,
        actor=north.admin,
        data=seed_002_input(
            vacation_weeks=[
                services.VacationWeekInput("winter", dt.date(2027, 1, 25), dt.date(2027, 1, 29))
            ],
            makeup_days=[services.MakeupDayInput(dt.date(2026, 9, 27), 4)],
        ),
    )
    services.plan_publish(plan=v1, actor=north.admin)
    # when
    v2 = services.plan_start_draft(school=north.school, term=term, actor=north.admin)
    # then the draft is a full copy
    assert (v2.version, v2.status) == (2, "draft")
    assert v2.service_weekdays == [0, 1, 2, 3]
    assert [(s.grade_from, s.start) for s in v2.slots.order_by("start")] == [
        (1, T(17, 0)),
        (3, T(17, 45)),
        (1, T(18, 40)),
    ]
    assert v2.content.count() == 2 and v2.vacation_weeks.count() == 1
    assert v2.makeup_days.get().follows_weekday == 4
    assert services.current_plan(school=north.school, term=term).pk == v1.pk
    # when version 2 is published
    services.plan_publish(plan=v2, actor=north.admin)
    # then version 1 is superseded and version 2 is current
    v1.refresh_from_db()
    assert v1.status == "superseded"
    assert services.current_plan(school=north.school, term=term).pk == v2.pk


def test_a_published_plan_is_never_edited_in_place(north, term):
    plan = services.plan_start_draft(school=north.school, term=term, actor=north.admin)
    services.plan_update(plan=plan, actor=north.admin, data=seed_002_input())
    services.plan_publish(plan=plan, actor=north.admin)
    # when
    with pytest.raises(ValidationError) as error:
        services.plan_update(
            plan=plan, actor=north.admin, data=seed_002_input(service_weekdays=(0, 1, 2, 3, 4))
        )
    # then
    assert errors.codes(error.value) == {"plan_not_editable"}
    assert "开始新版本" in errors.messages(error.value)[0]
    plan.refresh_from_db()
    assert plan.service_weekdays == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("changes", "problem", "message"),
    [
        (
            {"slots": [services.SlotInput(1, 2, T(17, 50), T(17, 0))]},
            ("slots", "slot_ends_before_start", 1),
            "时段第1行:结束时间17:00应晚于开始时间17:50",
        ),
        (
            {"slots": [services.SlotInput(5, 9, T(16, 0), T(18, 0))]},
            ("slots", "slot_grades_not_taught", 1),
            "时段第1行:年级5-9超出本校年级(1-6年级)",
        ),
        (
            {"slots": [services.SlotInput(1, 2, T(16, 0), T(18, 0), weekdays=(5,))]},
            ("slots", "slot_weekday_not_served", 1),
            "时段第1行:周六不是本方案的服务日",
        ),
        (
            {"service_weekdays": ()},
            ("service_weekdays", "no_service_days", None),
            "服务日:至少选择一天",
        ),
        (
            {"term_end": dt.date(2026, 8, 1)},
            ("term_end", "term_dates_reversed", None),
            "服务结束日期2026-08-01应晚于开始日期2026-09-01",
        ),
        (
            {"homework_minutes_per_day": 700},
            ("homework_minutes_per_day", "value_out_of_range", None),
            "每天作业辅导时长(分钟)应在0到600之间",
        ),
        (
            {
                "vacation_weeks": [
                    services.VacationWeekInput("summer", dt.date(2027, 1, 25), dt.date(2027, 1, 29))
                ]
            },
            ("vacation_weeks", "vacation_outside_season", 1),
            "寒暑假开放第1行:2027-01-25至2027-01-29不在暑假(7-8月)内",
        ),
        (
            {
                "vacation_weeks": [
                    services.VacationWeekInput("winter", dt.date(2027, 2, 1), dt.date(2027, 2, 5)),
                    services.VacationWeekInput("winter", dt.date(2027, 2, 3), dt.date(2027, 2, 9)),
                ]
            },
            ("vacation_weeks", "vacation_rows_overlap", 2),
            "寒暑假开放第2行:与第1行的日期重叠",
        ),
        (
            {"makeup_days": [services.MakeupDayInput(dt.date(2027, 3, 1), 0)]},
            ("makeup_days", "makeup_day_outside_term", 1),
            "调休上班日第1行:2027-03-01不在学期服务日期内",
        ),
    ],
)
def test_bad_plan_data_is_refused_with_a_message_naming_the_field_and_nothing_changes(
    north, term, changes, problem, message
):
    # given a draft with seed 002's data
    plan = services.plan_start_draft(school=north.school, term=term, actor=north.admin)
    services.plan_update(plan=plan, actor=north.admin, data=seed_002_input())
    before = everything()
    # when
    with pytest.raises(ValidationError) as error:
        services.plan_update(plan=plan, actor=north.admin, data=seed_002_input(**changes))
    # then
    found = [
        (i.field, i.code, (i.error.params or {}).get("row")) for i in errors.items(error.value)
    ]
    assert problem in found
    assert message in errors.messages(error.value)
    assert everything() == before


def test_every_problem_is_reported_at_once_and_in_english_on_english_pages(north, term):
    plan = services.plan_start_draft(school=north.school, term=term, actor=north.admin)
    data = seed_002_input(
        service_weekdays=(),
        slots=[services.SlotInput(1, 2, T(17, 50), T(17, 0))],
        content=[services.ContentInput(" ", "homework")],
    )
    with pytest.raises(ValidationError) as error:
        services.plan_update(plan=plan, actor=north.admin, data=data)
    assert errors.codes(error.value) == {
        "no_service_days",
        "slot_ends_before_start",
        "content_name_missing",
    }
    with translation.override("en"):
        assert "Time slot row 1: the end 17:00 must come after the start 17:50." in (
            errors.messages(error.value)
        )


def test_publish_refuses_a_plan_without_slots(north, term):
    plan = services.plan_start_draft(school=north.school, term=term, actor=north.admin)
    with pytest.raises(ValidationError) as error:
        services.plan_publish(plan=plan, actor=north.admin)
    assert errors.codes(error.value) == {"plan_without_slots"}
    plan.refresh_from_db()
    assert plan.status == "draft" and plan.published_at is None


def test_profile_for_school_takes_the_nearest_region(north, south, city):
    # given the city adopts 000 and north's county adopts 003
    city_profile = services.profile_adopt(template_key="jiangsu_000", region=city, actor=SYSTEM)
    county_profile = services.profile_adopt(
        template_key="anxi_003", region=north.county, actor=SYSTEM
    )
    # then
    assert services.profile_for_school(north.school).pk == county_profile.pk
    assert services.profile_for_school(south.school).pk == city_profile.pk


def test_adopt_again_keeps_the_old_rules_in_the_history(city, city_officer):
    first = services.profile_adopt(template_key="jiangsu_000", region=city, actor=city_officer)
    second = services.profile_adopt(template_key="changzhi_001", region=city, actor=city_officer)
    assert first.pk == second.pk and second.version == 2
    history = list(second.versions.order_by("version"))
    assert [v.rules["key"] for v in history] == ["jiangsu_000", "changzhi_001"]
    assert history[1].changed_by == city_officer and "采用模板" in history[1].note


def test_adopting_an_unknown_template_changes_nothing(city):
    with pytest.raises(ValidationError) as error:
        services.profile_adopt(template_key="nowhere", region=city, actor=SYSTEM)
    assert errors.codes(error.value) == {"template_unknown"}
    assert not PolicyProfile.objects.filter(region=city).exists()


def test_profile_update_sets_the_off_work_time_and_appends_a_version(city, city_officer, north):
    # given the city follows seed 000, whose off-work time is still to be entered
    profile = services.profile_adopt(template_key="jiangsu_000", region=city, actor=city_officer)
    values = services.profile_values_of(services.profile_rules(profile))
    assert values.off_work_time is None and values.min_minutes_per_day == 120
    # when
    updated = services.profile_update(
        profile=profile,
        actor=city_officer,
        values=services.ProfileValues(**{**vars(values), "off_work_time": T(18, 0)}),
        note="依据市人社局作息时间通知",
    )
    # then
    rules = services.profile_rules(updated)
    assert rules.off_work_time.value == T(18, 0)
    assert rules.off_work_time.cite.seed == "000_9a9d0b41bb444542"
    assert "依据市人社局作息时间通知" in rules.off_work_time.cite.note
    assert rules.min_minutes_per_day.cite.note == ""  # unchanged rules keep their citation
    assert updated.version == 2
    latest = PolicyProfileVersion.objects.filter(profile=updated).order_by("-version").first()
    assert (latest.version, latest.changed_by, latest.note) == (
        2,
        city_officer,
        "依据市人社局作息时间通知",
    )


def test_profile_update_with_a_new_rule_cites_the_bureau_and_bad_values_change_nothing(
    city, city_officer
):
    profile = services.profile_adopt(template_key="jiangsu_000", region=city, actor=city_officer)
    values = services.profile_values_of(services.profile_rules(profile))
    # when a fee rule "no standard yet" is added
    services.profile_update(
        profile=profile,
        actor=city_officer,
        values=services.ProfileValues(**{**vars(values), "fee_mode": "none"}),
        note="收费标准尚未出台",
    )
    profile.refresh_from_db()
    fee = services.profile_rules(profile).fee_standard
    assert fee.value.max_yuan_per_term is None and fee.cite.seed == "bureau"
    # when a bad value is entered
    with pytest.raises(ValidationError) as error:
        services.profile_update(
            profile=profile,
            actor=city_officer,
            values=services.ProfileValues(**{**vars(values), "service_days_per_week": 7}),
            note="x",
        )
    [item] = errors.items(error.value)
    assert (item.field, item.code) == ("service_days_per_week", "value_out_of_range")
    assert item.message == "每周服务天数(周一至周五)应在1到5之间"
    profile.refresh_from_db()
    assert profile.version == 2


def test_plan_check_against_the_county_profile(north, city, term):
    # given seed 002's plan at north, whose county follows seed 003
    services.profile_adopt(template_key="anxi_003", region=north.county, actor=SYSTEM)
    plan = services.plan_start_draft(school=north.school, term=term, actor=north.admin)
    plan = services.plan_update(plan=plan, actor=north.admin, data=seed_002_input())
    # when
    rules = [s.rule for s in services.plan_check(plan=plan)]
    # then
    assert rules == [
        RuleId.SERVICE_DAYS,
        RuleId.MIN_MINUTES,
        RuleId.MIN_MINUTES,
        RuleId.CONTENT_MODEL,
    ]


def test_plan_check_without_any_profile_says_so(north, term):
    plan = f.SchoolPlanFactory(school=north.school, term=term)
    with pytest.raises(PolicyProfile.DoesNotExist):
        services.plan_check(plan=plan)


def test_current_plan_is_none_without_a_plan(north, term):
    assert services.current_plan(school=north.school, term=term) is None
    assert SchoolPlan.objects.count() == 0


def test_the_bureau_switches_menu_rules_on_and_off(city, city_officer):
    # given the city follows seed 004, which states only "no new lessons" for a menu
    profile = services.profile_adopt(template_key="binzhou_004", region=city, actor=city_officer)
    values = services.profile_values_of(services.profile_rules(profile))
    assert values.no_new_lessons and not values.instructors_vetted
    # when the bureau switches vetting on and "no new lessons" off
    services.profile_update(
        profile=profile,
        actor=city_officer,
        values=services.ProfileValues(
            **{**vars(values), "instructors_vetted": True, "no_new_lessons": False}
        ),
        note="依据滨教发〔2026〕3号",
    )
    # then vetting is a rule citing the bureau's entry, and "no new lessons" is gone
    profile.refresh_from_db()
    rules = services.profile_rules(profile)
    assert rules.instructors_vetted.value is True
    assert rules.instructors_vetted.cite.seed == "bureau"
    assert rules.instructors_vetted.cite.quote == "依据滨教发〔2026〕3号"
    assert rules.no_new_lessons is None
    assert rules.no_commercial_promotion is None  # neither seed nor bureau states it
    assert services.profile_values_of(rules).instructors_vetted
    assert profile.versions.count() == 2


def test_a_profile_update_without_a_note_or_a_change_is_refused(city, city_officer):
    profile = services.profile_adopt(template_key="binzhou_004", region=city, actor=city_officer)
    values = services.profile_values_of(services.profile_rules(profile))
    before = everything()
    with pytest.raises(ValidationError) as error:
        services.profile_update(profile=profile, actor=city_officer, values=values, note=" ")
    assert [(i.field, i.code) for i in errors.items(error.value)] == [("note", "note_missing")]
    with pytest.raises(ValidationError) as error:
        services.profile_update(profile=profile, actor=city_officer, values=values, note="无变化")
    assert errors.codes(error.value) == {"profile_unchanged"}
    assert everything() == before
