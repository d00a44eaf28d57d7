"""The plan, compliance, table and profile pages, with scoping (SPEC R4, R5, R6, R26)."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from kehou.org.access import SYSTEM
from kehou.org.models import LeadershipMember
from kehou.policy import services
from kehou.policy.models import PolicyProfile, SchoolPlan
from kehou.policy_rules import DOCUMENT_TITLES
from kehou.testing import factories as f
from kehou.testing.snapshots import everything

from .helpers import COMPLIANT_000, SEED_002, plan_post, with_rows


@pytest.fixture
def term(db):
    return f.TermFactory()


def _enter_plan(client, admin, school, term, plan: dict) -> SchoolPlan:
    """The school admin writes the plan through the pages and saves it."""
    client.force_login(admin)
    response = client.post(reverse("policy:start", args=[school.pk, term.pk]))
    draft = SchoolPlan.objects.get(school=school, term=term, status="draft")
    assert response.url == reverse("policy:edit", args=[draft.pk])
    response = client.post(reverse("policy:edit", args=[draft.pk]), plan_post(plan))
    assert response.status_code == 302, response.content.decode()
    return draft


def _adopt(client, officer, template_key):
    client.force_login(officer)
    response = client.post(reverse("policy:profile_adopt"), {"template": template_key})
    assert response.status_code == 302
    return PolicyProfile.objects.get(region=officer.region)


def _set_off_work_time(client, officer, profile, value="18:00"):
    client.force_login(officer)
    values = services.profile_values_of(services.profile_rules(profile))
    data = {k: v for k, v in vars(values).items() if v not in (None, False, "")}
    data.update({"off_work_time": value, "note": "依据本市作息时间"})
    data = {k: (v.strftime("%H:%M") if isinstance(v, dt.time) else v) for k, v in data.items()}
    response = client.post(reverse("policy:profile_edit", args=[profile.pk]), data)
    assert response.status_code == 302, response.content.decode()


def _check_page(client, user, plan) -> str:
    client.force_login(user)
    response = client.get(reverse("policy:check", args=[plan.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_seed_002_entered_through_the_pages_against_seed_000(
    client, north, city, city_officer, term
):
    # given the city adopts seed 000 and enters 18:00 as the local off-work time
    profile = _adopt(client, city_officer, "jiangsu_000")
    _set_off_work_time(client, city_officer, profile)
    # and north's admin enters seed 002's plan on the pages
    plan = _enter_plan(client, north.admin, north.school, term, SEED_002)
    # when the county officer opens the compliance page
    page = _check_page(client, north.county_officer, plan)
    # then each shortfall a bureau officer would name is there, with plan value,
    # required value and the seed's words
    for text in (
        "每周服务4天,要求5天",
        "1–2年级每天服务50分钟,要求不少于120分钟",
        "3–6年级每天服务35分钟,要求不少于120分钟",
        "1–2年级结束时间17:50早于当地下班时间18:00",
        "未提供延时托管服务",
        "方案未说明教师每课时报酬,要求不低于60元",
        DOCUMENT_TITLES["000"],  # the document by its title, never its file id
        "推行课后服务“5+2”模式",
        "每周服务天数",
    ):
        assert text in page, text
    assert "000_9a9d0b41bb444542" not in page
    assert "本方案符合所有规定" not in page
    assert "5项不符合" in page and "1项未说明" in page


def test_seed_000_without_the_off_work_time_shows_the_gap(client, north, city, city_officer, term):
    _adopt(client, city_officer, "jiangsu_000")
    plan = _enter_plan(client, north.admin, north.school, term, SEED_002)
    page = _check_page(client, north.admin, plan)
    assert "当地正常下班时间未录入" in page
    assert "结束时间17:50早于" not in page
    # seed 000 is silent on 10 of the 22 rules: the page says they are not checked
    assert "有10项规则本地文件未规定,不检查。" in page


def test_seed_002_against_seed_003_adopted_by_north_county(client, north, city, term):
    # given north's county adopts seed 003
    _adopt(client, north.county_officer, "anxi_003")
    plan = _enter_plan(client, north.admin, north.school, term, SEED_002)
    # when
    page = _check_page(client, north.admin, plan)
    # then
    for text in (
        "每周服务4天,要求5天",
        "1–2年级每天服务50分钟,要求不少于120分钟",
        "“2+N”的基本服务缺少体育活动",
        DOCUMENT_TITLES["003"],
    ):
        assert text in page, text
    assert "003_56a495717f389d57" not in page


def test_a_plan_meeting_seed_000_passes(client, north, city, city_officer, term):
    profile = _adopt(client, city_officer, "jiangsu_000")
    _set_off_work_time(client, city_officer, profile)
    plan = _enter_plan(client, north.admin, north.school, term, COMPLIANT_000)
    page = _check_page(client, north.admin, plan)
    assert "本方案符合所有规定" in page
    assert services.plan_check(plan=SchoolPlan.objects.get(pk=plan.pk)) == []


def test_plan_page_errors_name_the_row_and_nothing_is_saved(client, north, term):
    # given a saved draft
    plan = _enter_plan(client, north.admin, north.school, term, SEED_002)
    bad_slots = [
        {**SEED_002["slots"][0], "start": "17:50", "end": "17:00"},
        {**SEED_002["slots"][1], "grade_to": 9},
    ]
    # when the admin posts a slot that ends before it starts and grades the school lacks
    response = client.post(
        reverse("policy:edit", args=[plan.pk]), plan_post(with_rows(SEED_002, "slots", bad_slots))
    )
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "时段第1行:结束时间17:00应晚于开始时间17:50" in page
    assert "时段第2行:年级3-9超出本校年级(1-6年级)" in page
    assert plan.slots.count() == 3  # nothing changed


def test_published_plan_edit_page_offers_a_new_version(client, north, term):
    plan = _enter_plan(client, north.admin, north.school, term, SEED_002)
    client.post(reverse("policy:publish", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == "published"
    # when
    response = client.get(reverse("policy:edit", args=[plan.pk]))
    # then
    assert "开始新版本" in response.content.decode()
    response = client.post(reverse("policy:edit", args=[plan.pk]), plan_post(COMPLIANT_000))
    plan.refresh_from_db()
    assert plan.service_weekdays == [0, 1, 2, 3]
    # and starting a new version copies it
    response = client.post(reverse("policy:start", args=[north.school.pk, plan.term.pk]))
    v2 = SchoolPlan.objects.get(school=north.school, version=2)
    assert v2.slots.count() == 3 and v2.status == "draft"


def test_other_school_admin_gets_404_and_nothing_changes(client, north, south, term):
    plan = _enter_plan(client, north.admin, north.school, term, SEED_002)
    client.force_login(south.admin)
    for name in ("detail", "check", "edit"):
        assert client.get(reverse(f"policy:{name}", args=[plan.pk])).status_code == 404
    assert (
        client.post(reverse("policy:edit", args=[plan.pk]), plan_post(COMPLIANT_000)).status_code
        == 404
    )
    assert client.post(reverse("policy:publish", args=[plan.pk])).status_code == 404
    start = reverse("policy:start", args=[north.school.pk, term.pk])
    assert client.post(start).status_code == 404
    plan.refresh_from_db()
    assert plan.status == "draft" and plan.service_weekdays == [0, 1, 2, 3]
    assert SchoolPlan.objects.count() == 1


def test_bureau_reads_plans_of_its_region_but_never_writes_them(client, north, south, term):
    plan = _enter_plan(client, north.admin, north.school, term, SEED_002)
    # the north county officer reads north's plan
    client.force_login(north.county_officer)
    assert client.get(reverse("policy:detail", args=[plan.pk])).status_code == 200
    assert client.get(reverse("policy:check", args=[plan.pk])).status_code == 200
    # but may not edit or publish it
    assert (
        client.post(reverse("policy:edit", args=[plan.pk]), plan_post(COMPLIANT_000)).status_code
        == 404
    )
    assert client.post(reverse("policy:publish", args=[plan.pk])).status_code == 404
    # and the south officer may not even read it
    client.force_login(south.county_officer)
    assert client.get(reverse("policy:check", args=[plan.pk])).status_code == 404
    plan.refresh_from_db()
    assert plan.status == "draft" and plan.service_weekdays == [0, 1, 2, 3]


def test_guardian_and_teacher_cannot_write(client, north, term):
    plan = _enter_plan(client, north.admin, north.school, term, SEED_002)
    client.force_login(north.guardian_user)
    assert client.get(reverse("policy:detail", args=[plan.pk])).status_code == 404
    client.force_login(north.teacher)
    assert client.get(reverse("policy:detail", args=[plan.pk])).status_code == 200
    assert client.post(reverse("policy:publish", args=[plan.pk])).status_code == 404
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_bureau_table_scoping(client, north, south, city_officer, term):
    # given both schools have a plan and the city follows seed 003
    services.profile_adopt(template_key="anxi_003", region=north.county.parent, actor=SYSTEM)
    _enter_plan(client, north.admin, north.school, term, SEED_002)
    _enter_plan(client, south.admin, south.school, term, COMPLIANT_000)
    # then north's county officer sees north only
    client.force_login(north.county_officer)
    page = client.get(reverse("policy:table")).content.decode()
    assert "吴中实验小学" in page and "相城实验小学" not in page
    assert "每周服务4天,要求5天" in page
    # and the city officer sees both, and the urban 2+3 share
    client.force_login(city_officer)
    page = client.get(reverse("policy:table")).content.decode()
    assert "吴中实验小学" in page and "相城实验小学" in page
    assert "城区2所学校中1所实现“2+3”" in page
    # filtering by rule leaves only the school short of it
    page = client.get(reverse("policy:table"), {"term": term.code, "rule": "service_days"})
    page = page.content.decode()
    assert "吴中实验小学" in page and "相城实验小学" not in page
    # and by county
    page = client.get(reverse("policy:table"), {"term": term.code, "county": south.county.code})
    page = page.content.decode()
    assert "相城实验小学" in page and "吴中实验小学" not in page


def test_table_lists_schools_without_a_plan(client, north, south, city_officer, term):
    services.profile_adopt(template_key="jiangsu_000", region=north.county.parent, actor=SYSTEM)
    _enter_plan(client, north.admin, north.school, term, SEED_002)
    client.force_login(city_officer)
    page = client.get(reverse("policy:table")).content.decode()
    assert "本学期尚无方案" in page


def test_table_queries_do_not_grow_with_the_schools(
    client, city, city_officer, term, django_assert_max_num_queries
):
    # given 40 schools with plans (slots, content, vacation weeks) under one profile
    services.profile_adopt(template_key="anxi_003", region=city, actor=SYSTEM)
    county = f.RegionFactory(code="320508", name="姑苏区", parent=city)
    for n in range(40):
        school = f.SchoolFactory(region=county, name=f"姑苏第{n}小学")
        plan = f.SchoolPlanFactory(school=school, term=term)
        f.PlanSlotFactory(plan=plan)
        plan.content.create(name="作业辅导", category="homework")
        plan.vacation_weeks.create(
            season="summer", start=dt.date(2026, 7, 6), end=dt.date(2026, 7, 10)
        )
    client.force_login(city_officer)
    # when / then
    with django_assert_max_num_queries(16):
        response = client.get(reverse("policy:table"), {"term": term.code})
    assert response.content.decode().count("姑苏第") == 40


def test_profile_edit_is_for_the_regions_own_officer(client, north, south, city, city_officer):
    profile = services.profile_adopt(template_key="jiangsu_000", region=city, actor=city_officer)
    # a county officer may read the city's profile but not edit it
    client.force_login(north.county_officer)
    assert client.get(reverse("policy:profile", args=[profile.pk])).status_code == 200
    response = client.post(
        reverse("policy:profile_edit", args=[profile.pk]),
        {"service_days_per_week": "4", "note": "x"},
    )
    assert response.status_code == 404
    profile.refresh_from_db()
    assert profile.version == 1
    # the city officer edits it; the history shows who and why
    _set_off_work_time(client, city_officer, profile, "17:30")
    page = client.get(reverse("policy:profile", args=[profile.pk])).content.decode()
    assert "17:30" in page and "依据本市作息时间" in page and "市局督学" in page
    assert "推行课后服务“5+2”模式" in page


def test_county_officer_adopts_for_own_county_only(client, north, south):
    _adopt(client, north.county_officer, "anxi_003")
    assert PolicyProfile.objects.filter(region=north.county).exists()
    assert not PolicyProfile.objects.filter(region=south.county).exists()
    client.force_login(north.admin)
    response = client.post(reverse("policy:profile_adopt"), {"template": "anxi_003"})
    assert response.status_code == 404
    assert PolicyProfile.objects.filter(region__isnull=False).count() == 1


def test_leading_group_is_edited_on_its_page(client, north, south):
    client.force_login(north.admin)
    url = reverse("policy:leadership", args=[north.school.pk])
    data = {
        "leaders-TOTAL_FORMS": "2",
        "leaders-INITIAL_FORMS": "0",
        "leaders-0-name": "陈校长",
        "leaders-0-post": "校长",
        "leaders-0-group_role": "head",
        "leaders-1-name": "李副校长",
        "leaders-1-post": "业务副校长",
        "leaders-1-group_role": "deputy",
    }
    response = client.post(f"{url}?next=https://evil.example/", data)
    assert response.url == reverse("policy:school_plans", args=[north.school.pk])
    assert list(LeadershipMember.objects.values_list("name", "group_role")) == [
        ("陈校长", "head"),
        ("李副校长", "deputy"),
    ]
    # two heads are refused, nothing changes
    data["leaders-1-group_role"] = "head"
    page = client.post(url, data).content.decode()
    assert "应有且只有一名组长" in page
    assert LeadershipMember.objects.filter(group_role="head").count() == 1
    # a teacher of the school, another school's admin and the county officer cannot
    for user in (north.teacher, south.admin, north.county_officer):
        client.force_login(user)
        assert client.post(url, data).status_code == 404
    assert LeadershipMember.objects.count() == 2


def test_plan_home_sends_each_role_to_its_page(client, north):
    client.force_login(north.admin)
    assert client.get(reverse("policy:home")).url == reverse(
        "policy:school_plans", args=[north.school.pk]
    )
    client.force_login(north.county_officer)
    assert client.get(reverse("policy:home")).url == reverse("policy:table")


def test_profile_page_lists_every_rule_stated_or_not(client, city, city_officer):
    # given the city follows seed 004, a news report silent on most rules
    profile = _adopt(client, city_officer, "binzhou_004")
    # when
    page = client.get(reverse("policy:profile", args=[profile.pk])).content.decode()
    # then the rules it states are shown with their citation
    assert "课后服务不得讲授新课" in page and "堅決禁止違規補課" in page
    assert "尚无收费标准,不得收费" in page
    # and every rule it does not state says so, for the plan and for the menu
    assert page.count("未规定：不检查") == 19 + 1  # and the leave refund's days
    # and the bureau's own deadlines say what their absence means
    assert "未规定：月报不设截止日" in page and "未规定：投诉不设办理时限" in page
    for label in (
        "每周服务天数(周一至周五)",
        "校外机构不得开展学科类培训",
        "外聘人员须具备资质并经背景审查",
    ):
        assert label in page


def test_the_bureau_switches_a_menu_rule_on_and_the_page_cites_it(client, city, city_officer):
    profile = _adopt(client, city_officer, "binzhou_004")
    values = services.profile_values_of(services.profile_rules(profile))
    data = {k: v for k, v in vars(values).items() if v not in (None, False, "")}
    data.update({"no_high_risk_activities": "on", "note": "依据滨州市课后服务安全通知"})
    response = client.post(reverse("policy:profile_edit", args=[profile.pk]), data)
    assert response.status_code == 302, response.content.decode()
    page = client.get(reverse("policy:profile", args=[profile.pk])).content.decode()
    assert "苏州市教育局录入(第2版)" in page and "bureau · " not in page
    assert "依据滨州市课后服务安全通知" in page
    assert page.count("未规定：不检查") == 18 + 1  # and the leave refund's days


def test_profile_edit_shows_the_refusal_beside_its_field(client, city, city_officer):
    profile = _adopt(client, city_officer, "binzhou_004")
    values = services.profile_values_of(services.profile_rules(profile))
    data = {k: v for k, v in vars(values).items() if v not in (None, False, "")}
    data.update({"fee_mode": "max", "note": "收费标准"})
    before = everything()
    page = client.post(reverse("policy:profile_edit", args=[profile.pk]), data).content.decode()
    assert "收费标准:请填写每生每学期收费上限(元)" in page
    assert everything() == before


def test_english_profile_page_reads_english(client, city, city_officer):
    profile = _adopt(client, city_officer, "binzhou_004")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("policy:profile", args=[profile.pk])).content.decode()
    assert "No new lessons during the service" in page
    assert "Not stated: not checked" in page
    assert "No fee standard yet, no fee may be charged" in page
    assert "未规定：不检查" not in page and "课后服务不得讲授新课" not in page
