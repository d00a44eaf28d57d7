"""The dashboard's figures: summed from SchoolMonth rows in the database, scoped, in a
fixed number of queries; the models from the compliance table; complaints and
satisfaction from their apps."""

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from kehou.dashboard import selectors
from kehou.org.access import SYSTEM
from kehou.policy import services as policy_services
from kehou.testing import factories as f

from .conftest import NOW, OCTOBER, SEPTEMBER, TODAY


@pytest.fixture
def world(north, south):
    south.school.is_urban = False
    south.school.save()
    f.school_month(
        north.school,
        OCTOBER,
        service_days=20,
        students_in_school=200,
        students_taking_part=150,
        by_grade={3: (120, 100), 4: (80, 50)},
        by_priority={"left_behind": (10, 9), "low_income": (4, 1)},
        satisfaction_answers=10,
        satisfaction_satisfied=8,
        complaints=2,
        billed_fen=1_000_00,
        collected_fen=800_00,
        waived_fen=50_00,
        meets_two_plus_n=True,
        offerings_by_category={"sports": 3, "homework": 2},
        extended_items=["科技", "书法"],
    )
    f.school_month(
        south.school,
        OCTOBER,
        service_days=18,
        students_in_school=100,
        students_taking_part=40,
        by_grade={3: (60, 30), 10: (40, 10), "none": (5, 2)},
        by_priority={"left_behind": (20, 5)},
        satisfaction_answers=5,
        satisfaction_satisfied=1,
        complaints=1,
        billed_fen=500_00,
        collected_fen=100_00,
    )
    f.school_month(
        north.school, SEPTEMBER, service_days=15, students_in_school=200, students_taking_part=100
    )
    return north, south


def test_the_month_is_summed_with_its_grades_and_priority_groups(world, city_officer):
    o = selectors.overview(city_officer, today=TODAY)
    assert o.month == OCTOBER
    assert o.months == [OCTOBER, SEPTEMBER]
    assert o.schools == 2
    fig = o.figures
    assert (fig.running, fig.students_in_school, fig.students_taking_part) == (2, 300, 190)
    assert fig.students.percent == round(100 * 190 / 300, 1)
    # grade keys are numbers in the JSON: summed per grade, not read as array indexes
    # in grade order, the children in no class last
    assert [(g, p.in_school, p.taking_part) for g, p in fig.by_grade.items()] == [
        ("3", 180, 130),
        ("4", 80, 50),
        ("10", 40, 10),
        ("none", 5, 2),
    ]
    assert {g: (p.in_school, p.taking_part) for g, p in fig.by_priority.items()} == {
        "left_behind": (30, 14),
        "low_income": (4, 1),
    }
    assert (o.urban.students_in_school, o.rural.students_in_school) == (200, 100)
    assert (o.urban_schools, o.rural_schools) == (1, 1)
    assert (fig.billed_fen, fig.collected_fen, fig.waived_fen) == (1_500_00, 900_00, 50_00)
    assert fig.satisfaction_percent == round(100 * 9 / 15, 1)
    assert fig.complaints == 3


def test_coverage_counts_schools_without_figures_or_service_days_as_not_running(
    world, city_officer, city
):
    county = world[0].county
    idle = f.SchoolFactory(region=county)
    f.school_month(idle, OCTOBER, service_days=0, students_in_school=50)
    f.SchoolFactory(region=county)  # no figures at all
    o = selectors.overview(city_officer, today=TODAY)
    assert (o.figures.running, o.schools) == (2, 4)
    assert o.coverage_percent == 50.0
    lowest = [line.name for line in o.lowest]
    # no figures first, then no participation, then the lowest share
    assert lowest[-2:] == [world[1].school.name, world[0].school.name]
    assert lowest.index(idle.name) < lowest.index(world[1].school.name)


def test_another_month_and_the_trend(world, city_officer):
    o = selectors.overview(city_officer, month=SEPTEMBER, today=TODAY)
    assert (o.figures.running, o.figures.students_taking_part) == (1, 100)
    october = selectors.overview(city_officer, today=TODAY)
    assert len(october.trend) == 12
    assert october.trend[-1].month == OCTOBER
    assert october.trend[-2].figures.students_taking_part == 100
    assert october.trend[-1].figures.students_taking_part == 190
    assert october.trend[0].month == dt.date(2025, 11, 1)
    assert october.trend[0].figures.rows == 0


def test_a_county_officer_sees_only_the_county(world):
    north, south = world
    o = selectors.overview(north.county_officer, today=TODAY)
    assert o.schools == 1
    assert o.figures.students_in_school == 200
    assert [line.pk for line in o.lowest] == [north.school.pk]
    with pytest.raises(Http404):
        selectors.access_school_dashboard(north.county_officer, south.school.pk)


def test_a_school_admin_sees_only_their_school(world):
    north, south = world
    assert list(selectors.schools_in_scope(north.admin)) == [north.school]
    assert not selectors.sees_region(north.admin)
    d = selectors.school_dashboard(north.admin, north.school, today=TODAY)
    assert d.row.students_taking_part == 150
    assert [p.month for p in d.points] == [SEPTEMBER, OCTOBER]
    assert d.offerings == [("sports", 3), ("homework", 2)]
    assert d.by_grade["3"].taking_part == 100
    with pytest.raises(Http404):
        selectors.access_school_dashboard(north.admin, south.school.pk)


def test_teachers_gate_staff_and_guardians_have_no_dashboard(world):
    north, _south = world
    for user in (north.teacher, north.gate, north.guardian_user):
        with pytest.raises(Http404):
            selectors.overview(user, today=TODAY)
        with pytest.raises(Http404):
            selectors.access_school_dashboard(user, north.school.pk)


def test_bad_months_are_a_404():
    assert selectors.month_asked("2026-10") == OCTOBER
    assert selectors.month_asked("") is None
    for raw in ("2026-13", "october", "2026-10-01", "-"):
        with pytest.raises(Http404):
            selectors.month_asked(raw)


def test_5_plus_2_and_2_plus_n_from_the_compliance_table(world, city_officer, city):
    north, south = world
    policy_services.profile_adopt(template_key="anxi_003", region=city, actor=SYSTEM)
    f.published_plan(north.school)  # Monday–Friday 16:00–18:00: 5+2, but no 2+N content
    o = selectors.overview(city_officer, today=TODAY)
    rates = {r.code: (r.meeting, r.applicable) for r in o.rates}
    assert rates["5+2"] == (1, 2)  # south has no plan
    assert rates["content"] == (0, 2)
    assert rates["content_month"] == (1, 2)  # north's October ran 2+N
    assert "5+2+1" not in rates  # 003 asks for no weekend day
    [target] = o.targets
    assert (target.model, target.required_percent) == ("2+3", 80)
    assert (target.urban_schools, target.qualifying, target.meets) == (1, 0, False)


def test_5_plus_2_plus_1_where_the_profile_asks_for_it(world, city_officer, city):
    north, _south = world
    policy_services.profile_adopt(template_key="changzhi_001", region=city, actor=SYSTEM)
    f.published_plan(north.school)
    rates = {r.code: r for r in selectors.overview(city_officer, today=TODAY).rates}
    assert rates["5+2+1"].applicable == 2
    assert rates["5+2+1"].meeting == 0  # no weekend day in the plan


def test_complaints_by_state_and_satisfaction_of_the_term(world, city_officer):
    north, south = world
    f.complaint(north.school, state="received")
    f.complaint(north.school, state="closed")
    f.complaint(south.school, state="received")
    survey = f.survey(north.school)
    question = f.survey_question(survey, is_overall_satisfaction=True)
    f.survey_response(
        survey,
        north.guardian_user,
        [north.child],
        {question: 5},
        submitted_at=NOW - dt.timedelta(days=20),
    )
    o = selectors.overview(city_officer, today=TODAY)
    assert o.complaints_by_state["received"] == 2
    assert o.complaints_by_state["closed"] == 1
    assert (o.satisfaction.in_school, o.satisfaction.taking_part) == (1, 1)
    mine = selectors.overview(south.county_officer, today=TODAY)
    assert mine.complaints_by_state["received"] == 1
    assert mine.complaints_by_state["closed"] == 0
    assert mine.satisfaction.in_school == 0
    d = selectors.school_dashboard(north.admin, north.school, today=TODAY)
    assert d.complaints_by_state["received"] == 1
    assert d.satisfaction.in_school == 1


def _queries(user) -> int:
    with CaptureQueriesContext(connection) as captured:
        selectors.overview(user, today=TODAY)
    return len(captured.captured_queries)


def test_the_overview_takes_the_same_queries_for_2_and_6_schools(world, city_officer, city):
    policy_services.profile_adopt(template_key="anxi_003", region=city, actor=SYSTEM)
    f.published_plan(world[0].school)
    f.complaint(world[0].school)
    selectors.overview(city_officer, today=TODAY)  # warm caches (content types, profiles)
    two = _queries(city_officer)
    for n in range(4):
        school = f.SchoolFactory(region=world[n % 2].county, is_urban=bool(n % 2))
        f.school_month(
            school,
            OCTOBER,
            service_days=10,
            students_in_school=10 + n,
            students_taking_part=n,
            by_grade={1: (10, n)},
        )
        f.school_month(school, SEPTEMBER, service_days=10)
        f.published_plan(school)
        f.complaint(school)
    assert selectors.overview(city_officer, today=TODAY).schools == 6
    assert _queries(city_officer) == two
