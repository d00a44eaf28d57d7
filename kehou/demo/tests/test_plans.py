"""The demo city's terms, policy profile and plans (issue 3: "the demo city has plans for
every school, some compliant and some not")."""

import datetime
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from kehou.demo import plans as demo_plans
from kehou.demo import seed as demo
from kehou.lib import school_calendar
from kehou.lib.school_calendar import school_year_start
from kehou.org.models import School, SchoolYear
from kehou.policy.models import PolicyProfile, SchoolPlan
from kehou.policy.selectors import plan_check, profile_for_school, profile_rules
from kehou.sittings.models import Sitting
from kehou.terms.models import CalendarYear, SpecialDay, Term

pytestmark = pytest.mark.django_db


@pytest.fixture
def city12():
    return demo.seed_city(schools=12, students=400)


def this_year() -> SchoolYear:
    return SchoolYear.objects.get(start_year=school_year_start(timezone.localdate()))


def test_two_terms_of_the_current_school_year(city12):
    year = this_year()
    y = year.start_year
    autumn = Term.objects.get(school_year=year, semester=1)
    spring = Term.objects.get(school_year=year, semester=2)
    assert (autumn.start, autumn.end) == (datetime.date(y, 9, 1), datetime.date(y + 1, 1, 22))
    assert (spring.start, spring.end) == (datetime.date(y + 1, 2, 22), datetime.date(y + 1, 7, 2))
    assert autumn.code == f"{y}-1"


def test_the_city_adopts_its_seed_and_enters_its_own_rules(city12):
    # then: the city follows seed 004, with what 004 states citing 004
    profile = PolicyProfile.objects.get(region__code="371600")
    assert profile.name == "滨州市课后服务政策"
    rules = profile_rules(profile)
    assert [m.name for m in rules.content_models.value] == ["30+X", "每周1-2天社团"]
    assert rules.content_models.cite.seed.startswith("004_")
    assert rules.fee_standard.value.max_yuan_per_term is None
    assert rules.no_new_lessons.cite.seed.startswith("004_")
    # and the rules the bureau entered cite its own notice, in version 2
    entered = {
        "service_days_per_week": 5,
        "min_minutes_per_day": 120,
        "off_work_time": datetime.time(17, 30),
        "extended_care_required": True,
        "evening_study_latest_end": datetime.time(20, 30),
        "pay_floor_per_class_hour": 60,
    }
    for name, value in entered.items():
        rule = getattr(rules, name)
        assert rule.value == value, name
        assert rule.cite.seed == "bureau" and rule.cite.quote == demo_plans.LOCAL_NOTICE
    versions = profile.versions.order_by("version")
    assert list(versions.values_list("version", flat=True)) == [1, 2]
    assert versions.last().note == demo_plans.LOCAL_NOTICE
    assert versions.last().changed_by.region == profile.region
    # what neither 004 nor the bureau states stays absent: not checked
    assert rules.weekend_days_per_week is None and rules.vacation_weeks_summer is None
    assert rules.no_commercial_promotion is None and rules.instructors_vetted is None
    # the four templates stay templates
    assert PolicyProfile.objects.filter(region__isnull=True).count() == 4
    # every school follows it
    for school in School.objects.all():
        assert profile_for_school(school) == profile


def test_every_school_has_one_published_plan_for_the_autumn_term(city12):
    autumn = Term.objects.get(school_year=this_year(), semester=1)
    assert city12.plans.plans == 12 == School.objects.count()
    per_school = Counter(
        SchoolPlan.objects.filter(term=autumn, status="published").values_list(
            "school_id", flat=True
        )
    )
    assert set(per_school.values()) == {1} and len(per_school) == 12
    for plan in SchoolPlan.objects.select_related("school"):
        assert plan.published_by is not None and plan.published_by.school_id == plan.school_id
        assert (plan.term_start, plan.term_end) == (autumn.start, autumn.end)
        assert plan.safety_measures and plan.complaint_channel and plan.service_method
        assert plan.school.phone in plan.complaint_channel


def test_slots_fit_the_school_type(city12):
    for plan in SchoolPlan.objects.select_related("school").prefetch_related("slots"):
        school = plan.school
        regular = [s for s in plan.slots.all() if s.kind == "regular" and s.weekdays != [5]]
        groups = {(s.grade_from, s.grade_to) for s in regular}
        kinds = {s.kind for s in plan.slots.all()}
        grades = set(g for g in school.grades if g <= 9)
        covered = {g for lo, hi in groups for g in range(lo, hi + 1)}
        assert covered == grades, school.name
        if 1 in grades:
            assert (1, 2) in groups
        if 7 in grades:
            assert (7, 9) in groups
        assert "extended_care" in kinds
        if school.is_boarding and 7 in grades:
            study = [s for s in plan.slots.all() if s.kind == "evening_study"]
            assert study and all(s.end <= datetime.time(20, 30) for s in study)
        if school.is_boarding and 1 in grades:
            assert "boarding" in kinds
        if not school.is_boarding:
            assert not kinds & {"evening_study", "boarding"}
        assert 5 in plan.service_weekdays  # the weekend day of 5+2+1
        assert {"homework"} <= set(plan.content.values_list("category", flat=True))


def test_most_plans_comply_and_the_others_fall_short_as_intended(city12):
    # when
    found = {
        plan.school_id: {str(s.rule) for s in plan_check(plan=plan)}
        for plan in SchoolPlan.objects.select_related("school")
    }
    # then
    compliant = [k for k, rules in found.items() if not rules]
    assert len(compliant) == city12.plans.compliant == 8
    short = Counter(rule for rules in found.values() for rule in rules)
    assert set(short) == {"service_days", "min_minutes", "end_not_before_off_work", "content_model"}
    # each short plan misses exactly the one thing it was built to miss
    assert all(len(rules) == 1 for rules in found.values() if rules)
    assert city12.plans.variants == {
        "compliant": 8, "four_days": 1, "too_short": 1, "ends_early": 1, "short_homework": 1,
    }  # fmt: skip


def test_the_public_page_of_a_demo_school(city12, client):
    school = School.objects.order_by("code").first()
    response = client.get(f"/public/schools/{school.code}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "作业辅导" in text and "收费标准未出台，不收费" in text


def test_in_a_larger_city_the_variants_are_drawn_and_checked_as_built():
    # given: beyond the first twelve schools the variant is drawn at random
    summary = demo.seed_city(schools=40, students=400)
    # then
    assert summary.plans.plans == 40
    assert 20 <= summary.plans.compliant <= 38
    passing = [p for p in SchoolPlan.objects.select_related("school") if not plan_check(plan=p)]
    assert len(passing) == summary.plans.compliant


def test_unknown_calendar_days_are_left_out_with_the_reason():
    # given: a year of the term the library does not know and nobody entered
    year = school_year_start(timezone.localdate())
    unknown = [y for y in (year, year + 1) if not school_calendar.is_covered(y)]
    if not unknown:
        pytest.skip("the calendar library covers the whole school year")
    out = io.StringIO()
    # when
    call_command("seed", "--schools", "2", "--students", "40", stdout=out)
    # then: sessions only on known days, and the command says what is left out and why
    assert not Sitting.objects.filter(date__year__in=unknown).exists()
    assert Sitting.objects.exists() == (year not in unknown)
    assert "录入" in out.getvalue()
    assert SchoolPlan.objects.filter(status="published").count() == 2  # and a spring draft


def test_sessions_are_generated_once_the_bureau_entered_the_missing_year():
    # given: the bureau entered every year of the school year the library lacks
    year = school_year_start(timezone.localdate())
    for y in (year, year + 1):
        if not school_calendar.is_covered(y):
            entered = CalendarYear.objects.create(year=y, source="演示")
            SpecialDay.objects.create(
                calendar_year=entered, date=datetime.date(y, 1, 1), kind="holiday", name="元旦"
            )
    # when
    summary = demo.seed_city(schools=2, students=40, sessions=True)
    # then
    assert summary.plans.sessions_skipped == ""
    assert summary.plans.sessions == Sitting.objects.count() > 0
    assert not Sitting.objects.filter(date=datetime.date(year + 1, 1, 1)).exists()
    assert Sitting.objects.filter(date__week_day=7, kind="regular").exists()  # Saturdays
    assert Sitting.objects.filter(in_vacation=True).exists()


def test_flush_replaces_plans_and_the_city_profile(city12):
    # when
    demo.seed_city(schools=3, students=60, flush=True)
    # then
    assert SchoolPlan.objects.count() == 3
    assert PolicyProfile.objects.filter(region__isnull=False).count() == 1
    assert Term.objects.count() == 2


def test_small_demo_has_one_menu_running_and_one_ready_to_close():
    from kehou.catalog.models import Menu
    from kehou.enrollment.models import Application, Choice

    # when
    summary = demo.seed_city(schools=2, students=80, sessions=True)
    # then the main school allocated before term and runs; the other school's choice window
    # has just passed its closing time, every child ranked, ready to allocate from the page
    assert Menu.objects.filter(status=Menu.Status.RUNNING).count() == 1
    assert Menu.objects.filter(status=Menu.Status.WINDOW_OPEN).count() == 1
    assert summary.menus.applications == Application.objects.count() > 0
    assert Choice.objects.count() == summary.menus.choices
    closing = Menu.objects.filter(
        status=Menu.Status.WINDOW_OPEN, window_closes_at__lt=timezone.now()
    )
    assert [m.school.name for m in closing] == [summary.menus.closing_school]
    assert Menu.objects.filter(lottery_seed_hash="").count() == 0
