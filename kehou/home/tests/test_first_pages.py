"""Each role's first page shows what needs them (issue 8 items 10 and 14): a teacher's own
week with their groups' rosters, the bureau's open matters and the allocations across its
schools, the school admin's term at a glance."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kehou.accounts.models import User
from kehou.enrollment.models import Application, WaitlistEntry
from kehou.org.access import SYSTEM
from kehou.placement.models import AllocationRun
from kehou.policy.services import profile_adopt
from kehou.testing import factories as f
from kehou.testing.clock import freeze_now

# Wednesday 14 October 2026, inside the factories' autumn term.
WEDNESDAY = timezone.make_aware(dt.datetime(2026, 10, 14, 9, 0))
MONDAY = dt.date(2026, 10, 12)


@pytest.fixture(autouse=True)
def _wednesday():
    with freeze_now(WEDNESDAY):
        yield


def _home(client, user):
    client.force_login(user)
    return client.get(reverse("home:index"))


@pytest.fixture
def football(north):
    """north.teacher's football group, Monday and Wednesday 16:00-17:00 on the sports
    field: north.child from the start of term, a second child joining on Tuesday."""
    menu = f.menu(north.school, status="running")
    group = f.offering(
        menu,
        "足球",
        category="sports",
        instructor=north.teacher.staff,
        room="操场",
        meetings=[
            (0, dt.time(16, 0), dt.time(17, 0)),
            (2, dt.time(16, 0), dt.time(17, 0)),
        ],
    )
    f.enrol(f.application(north.child, menu.term), group)
    joiner = f.child(north.school, north.school_class, name="周小加")
    f.enrol(f.application(joiner, menu.term), group, starts_on=dt.date(2026, 10, 13))
    return group


# --- a teacher's week ------------------------------------------------------------------------


def test_teacher_home_shows_this_weeks_meetings_with_roster_counts_and_links(
    client, north, football
):
    response = _home(client, north.teacher)
    week = response.context["week"]
    assert (week.monday, week.sunday) == (MONDAY, dt.date(2026, 10, 18))
    assert [(m.date, m.start, m.room, m.roster) for m in week.meetings] == [
        (MONDAY, dt.time(16, 0), "操场", 1),
        (dt.date(2026, 10, 14), dt.time(16, 0), "操场", 2),
    ]
    assert [m.is_today for m in week.meetings] == [False, True]
    body = response.content.decode()
    assert "足球" in body and "操场" in body and "16:00–17:00" in body
    assert f"{reverse('enrollment:roster', args=[football.pk])}?day=2026-10-14" in body
    assert not week.from_sittings


def test_teacher_week_follows_the_generated_sittings_where_they_exist(client, north, football):
    # given: the school generated its sittings; Monday's meeting fell on a holiday
    plan = f.published_plan(north.school)
    f.SittingFactory(
        plan=plan,
        offering=football,
        kind="offering",
        date=dt.date(2026, 10, 14),
        start=dt.time(16, 0),
        end=dt.time(17, 0),
        room="体育馆",
    )
    # when
    week = _home(client, north.teacher).context["week"]
    # then
    assert week.from_sittings
    assert [(m.date, m.room, m.roster) for m in week.meetings] == [
        (dt.date(2026, 10, 14), "体育馆", 2)
    ]


def test_each_group_this_term_links_to_its_next_meetings_class_list(client, north, football):
    """The fault: the cards of "本学期我任教的项目" led nowhere."""
    chess = f.offering(football.menu, "象棋", weekday=0, instructor=north.teacher.staff)
    response = _home(client, north.teacher)
    by_pk = {o.pk: o for o in response.context["week"].offerings}
    roster = reverse("enrollment:roster", args=[chess.pk])
    # Monday's chess already met this week: its next meeting is next Monday
    assert by_pk[chess.pk].class_list_url == f"{roster}?day=2026-10-19"
    body = response.content.decode()
    term_cards = body.split("本学期我任教的项目")[1]
    assert f'href="{roster}?day=2026-10-19"' in term_cards
    football_roster = reverse("enrollment:roster", args=[football.pk])
    assert f'href="{football_roster}?day=2026-10-14"' in term_cards  # it meets today


def test_a_group_with_no_meeting_left_links_to_its_class_list_without_a_day(
    client, north, football
):
    # given: the school generated its sittings, the last of them before today
    plan = f.published_plan(north.school)
    f.SittingFactory(
        plan=plan,
        offering=football,
        kind="offering",
        date=dt.date(2026, 10, 12),
        start=dt.time(16, 0),
        end=dt.time(17, 0),
    )
    [offering] = _home(client, north.teacher).context["week"].offerings
    assert offering.next_meeting is None
    assert offering.class_list_url == reverse("enrollment:roster", args=[football.pk])


def test_teacher_without_a_group_is_told_so(client, north):
    response = _home(client, north.teacher)
    assert response.context["week"].meetings == []
    assert "本学期您没有任教的项目" in response.content.decode()


def test_external_instructor_home_shows_only_their_group(client, north, football):
    # given: a coach with a login, teaching a basketball group of one child
    coach = f.external_instructor(north.school, name="赵教练")
    coach.user = f.UserFactory(phone=coach.phone, role=User.Role.TEACHER, school=north.school)
    coach.save()
    pupil = f.child(north.school, north.school_class, name="陈小篮")
    basketball = f.offering(football.menu, "篮球", category="sports", weekday=3, instructor=coach)
    f.enrol(f.application(pupil, football.menu.term), basketball)
    # when
    response = _home(client, coach.user)
    # then
    week = response.context["week"]
    assert [m.offering for m in week.meetings] == [basketball]
    assert week.is_external and week.classes == []
    body = response.content.decode()
    assert "篮球" in body and "足球" not in body
    assert reverse("org:class_list", args=[north.school.pk]) not in body


# --- the bureau ------------------------------------------------------------------------------


def test_bureau_home_counts_what_needs_attention_with_links(client, north, south):
    # given: north's plan falls short (three service days), south has none; one refusal;
    # north's choice window has closed without an allocation; 2027 is not entered
    term = f.TermFactory()
    profile_adopt(template_key="jiangsu_000", region=north.county.parent, actor=SYSTEM)
    f.published_plan(north.school, weekdays=(0, 1, 2))
    f.menu(north.school, term=term, status="closed")
    f.application(north.child, term, status=Application.Status.REFUSED, refusal_reason="名额已满")
    # when
    response = _home(client, north.county_officer)
    # then
    attention = response.context["attention"]
    assert attention.term == term
    assert attention.plans_failing == 1
    assert attention.without_plan == 0  # the county officer sees north only
    assert attention.refusals == 1
    assert attention.missing_years == [2027]
    assert attention.allocations_pending == 1
    body = response.content.decode()
    for url in (
        reverse("policy:table"),
        reverse("enrollment:refusals"),
        reverse("terms:calendar_year", args=[2027]),
        reverse("home:allocations"),
    ):
        assert url in body


def test_city_officer_sees_schools_without_a_plan(client, north, south, city_officer):
    f.TermFactory()
    attention = _home(client, city_officer).context["attention"]
    assert (attention.schools, attention.without_plan) == (2, 2)


def test_a_known_next_year_is_not_missing(client, north):
    f.enter_2027(SYSTEM)
    assert _home(client, north.county_officer).context["attention"].missing_years == []


def test_allocation_overview_lists_each_school_with_its_stage_and_counts(
    client, north, south, city_officer, football
):
    # given: north allocated (a done run, two children placed, one waiting); south's
    # window still open
    run = AllocationRun.objects.create(
        menu=football.menu,
        mechanism="da",
        max_extended_per_child=1,
        seed=f.LOTTERY_SEED,
        seed_hash="x",
        status=AllocationRun.Status.DONE,
        finished_at=timezone.now(),
    )
    waiting = f.child(north.school, north.school_class)
    WaitlistEntry.objects.create(
        offering=football,
        student=waiting,
        application=f.application(waiting, football.menu.term),
        tier=1,
        lottery_number=7,
    )
    f.menu(south.school, term=football.menu.term)
    # when
    client.force_login(city_officer)
    response = client.get(reverse("home:allocations"), {"term": football.menu.term.code})
    # then
    rows = {row.school: row for row in response.context["rows"]}
    north_row = rows[north.school]
    assert (north_row.stage, north_row.placed, north_row.waiting) == ("done", 2, 1)
    assert rows[north.school].run == run
    assert rows[south.school].stage == "window_open"
    body = response.content.decode()
    assert reverse("placement:metrics", args=[run.pk]) in body
    assert south.school.name in body


def test_allocation_stages_follow_the_dates_and_the_last_run(client, north, city_officer):
    # given: a window whose closing time has passed (not yet closed by the school), a
    # closed menu whose run failed, a first-come-first-served menu
    term = f.TermFactory()
    passed = f.menu(north.school, term=term, closes_in=dt.timedelta(hours=-1))
    failed_school = f.SchoolFactory(region=north.county)
    failed = f.menu(failed_school, term=term, status="closed")
    AllocationRun.objects.create(
        menu=failed,
        mechanism="da",
        max_extended_per_child=1,
        seed=f.LOTTERY_SEED,
        seed_hash="x",
        status=AllocationRun.Status.FAILED,
    )
    fcfs_school = f.SchoolFactory(region=north.county)
    f.menu(fcfs_school, term=term, mode="fcfs")
    # when
    client.force_login(city_officer)
    rows = client.get(reverse("home:allocations")).context["rows"]
    # then
    stages = {row.school: row.stage for row in rows}
    assert stages[passed.school] == "to_run"
    assert stages[failed_school] == "failed"
    assert stages[fcfs_school] == "fcfs"
    assert sum(row.needs_attention for row in rows) == 2


def test_allocation_overview_stays_in_the_officers_county(client, north, south, football):
    client.force_login(north.county_officer)
    rows = client.get(reverse("home:allocations")).context["rows"]
    assert [row.school for row in rows] == [north.school]


@pytest.mark.parametrize("persona", ["admin", "teacher", "guardian_user", "gate"])
def test_allocation_overview_is_the_bureaus_only(client, north, persona):
    client.force_login(getattr(north, persona))
    assert client.get(reverse("home:allocations")).status_code == 404


# --- the school admin --------------------------------------------------------------------------


def test_school_admin_home_shows_the_terms_plan_menu_allocation_and_applications(
    client, north, football
):
    # given: no plan yet; one application waiting for a decision; two guardians without
    # a login (the joiner's and this child's)
    other = f.child(north.school, north.school_class)
    f.application(other, football.menu.term, status=Application.Status.SUBMITTED)
    # when
    response = _home(client, north.admin)
    # then
    attention = response.context["attention"]
    assert attention.plan is None
    assert attention.menu == football.menu
    assert attention.allocation.placed == 2
    assert attention.applications_to_decide == 1
    assert attention.guardians_without_login == 2
    body = response.content.decode()
    assert "本学期尚无方案" in body
    for url in (
        reverse("catalog:menu", args=[north.school.pk]),
        reverse("placement:run", args=[football.menu.pk]),
        reverse("enrollment:school"),
        reverse("public:school", args=[north.school.code]),
    ):
        assert url in body


def test_school_admin_home_says_the_window_closed_once_its_time_has_passed(client, north):
    f.menu(north.school, closes_in=dt.timedelta(hours=-1))
    response = _home(client, north.admin)
    assert response.context["attention"].window == "closed"
    assert "选课已截止" in response.content.decode()
    assert "选课开放中" not in response.content.decode()


def test_school_admin_home_counts_the_plans_shortfalls(client, north):
    profile_adopt(template_key="jiangsu_000", region=north.county.parent, actor=SYSTEM)
    plan = f.published_plan(north.school, weekdays=(0, 1, 2))
    attention = _home(client, north.admin).context["attention"]
    assert attention.plan == plan and attention.shortfalls >= 1


@pytest.mark.parametrize("persona", ["admin", "teacher", "county_officer"])
def test_first_pages_render_in_english(client, north, football, persona):
    client.force_login(getattr(north, persona))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("home:index")).content.decode()
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in _chrome_free(body, north))


def _chrome_free(body: str, north) -> str:
    """The page without the names kehou stores in Chinese (schools, people, groups) and
    the language switch, which names Chinese in Chinese."""
    for name in (
        "简体中文",
        north.school.name,
        north.county.name,
        north.school_class.name,
        "足球",
        "操场",
        north.teacher.name,
        north.admin.name,
        north.county_officer.name,
        north.child.name,
    ):
        body = body.replace(name, "")
    return body


def _queries(client, user, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_bureau_pages_read_a_fixed_number_of_queries(client, north, city_officer, football):
    # given: the queries for the city's two schools
    f.menu(f.SchoolFactory(region=north.county), term=football.menu.term)
    before = [
        _queries(client, city_officer, reverse("home:index")),
        _queries(client, city_officer, reverse("home:allocations")),
    ]
    # when: four more schools, each with a menu and a placed child
    for _ in range(4):
        school = f.SchoolFactory(region=north.county)
        group = f.offering(f.menu(school, term=football.menu.term, status="running"), "书法")
        pupil = f.child(school, f.SchoolClassFactory(school=school))
        f.enrol(f.application(pupil, football.menu.term), group)
    # then
    assert [
        _queries(client, city_officer, reverse("home:index")),
        _queries(client, city_officer, reverse("home:allocations")),
    ] == before


def test_teacher_home_reads_a_fixed_number_of_queries(client, north, football):
    before = _queries(client, north.teacher, reverse("home:index"))
    for weekday in (1, 3, 4):
        group = f.offering(
            football.menu, f"篮球{weekday}", weekday=weekday, instructor=north.teacher.staff
        )
        f.enrol(north.child.applications.get(), group)
    assert _queries(client, north.teacher, reverse("home:index")) == before
