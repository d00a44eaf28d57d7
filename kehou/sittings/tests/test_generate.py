"""sittings_generate: plan slots and offering meetings × the calendar, refusals before
writing, regeneration keeping attended sittings and stable ids."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from kehou.catalog.models import OfferingMeeting
from kehou.core.errors import codes, messages
from kehou.org.access import SYSTEM, OutOfScope
from kehou.policy.models import PlanMakeupDay, PlanVacationWeek, SchoolPlan
from kehou.sittings import selectors, services
from kehou.sittings.models import Sitting
from kehou.testing import factories as f
from kehou.testing import snapshots

D, T = dt.date, dt.time
BOARDING = {"kind": "boarding"}
MON_TO_FRI = [(d, T(16, 40), T(17, 30)) for d in range(5)]


def _generate(plan, actor=SYSTEM):
    return services.sittings_generate(school=plan.school, term=plan.term, actor=actor)


def _dates(**filters):
    return sorted(Sitting.objects.filter(**filters).values_list("date", flat=True))


# --- plan slots × the calendar ---------------------------------------------------------


def test_holidays_have_no_sitting_and_make_up_workdays_do(north):
    # given a Monday-Friday plan for autumn 2026 with one slot every day
    plan = f.published_plan(north.school)
    # when the school's admin generates
    report = _generate(plan, actor=north.admin)
    # then nothing in the National Day week (10-01 … 10-07) nor on Mid-autumn 09-25
    dates = set(_dates(plan=plan))
    for day in range(1, 8):
        assert D(2026, 10, day) not in dates
    assert D(2026, 9, 25) not in dates
    # a sitting on the 调休 workdays Sunday 09-20 (Tuesday's timetable) and Saturday 10-10
    # (Wednesday's), flagged as make-up days
    sunday = Sitting.objects.get(plan=plan, date=D(2026, 9, 20))
    assert (sunday.timetable_weekday, sunday.is_makeup_day) == (1, True)
    saturday = Sitting.objects.get(plan=plan, date=D(2026, 10, 10))
    assert (saturday.timetable_weekday, saturday.is_makeup_day) == (2, True)
    # plain weekends have none; an ordinary day has one, of the slot's kind and grades
    assert D(2026, 9, 19) not in dates and D(2026, 10, 11) not in dates
    ordinary = Sitting.objects.get(plan=plan, date=D(2026, 9, 1))
    assert (ordinary.timetable_weekday, ordinary.is_makeup_day, ordinary.in_vacation) == (
        1,
        False,
        False,
    )
    assert (ordinary.kind, ordinary.grade_from, ordinary.grade_to, ordinary.offering) == (
        "regular",
        1,
        6,
        None,
    )
    assert report.created == len(dates) == report.total == report.service_days
    assert (report.kept, report.removed, report.unchanged, report.updated) == (0, 0, 0, 0)


def test_make_up_day_follows_only_planned_timetable_weekdays(north):
    plan = f.published_plan(
        north.school,
        slots=[
            {"weekdays": [1], "start": T(16, 0), "label": "周二"},
            {"weekdays": [2], "start": T(17, 0), "end": T(18, 30), "label": "周三"},
        ],
    )
    _generate(plan)
    assert list(Sitting.objects.filter(date=D(2026, 9, 20)).values_list("label", flat=True)) == [
        "周二"
    ]
    assert list(Sitting.objects.filter(date=D(2026, 10, 10)).values_list("label", flat=True)) == [
        "周三"
    ]
    assert Sitting.objects.filter(date=D(2026, 9, 8)).count() == 1


def test_the_schools_choice_of_a_make_up_timetable_wins(north):
    plan = f.published_plan(north.school, slots=[{"weekdays": [0]}])
    PlanMakeupDay.objects.create(plan=plan, date=D(2026, 10, 10), follows_weekday=0)
    _generate(plan)
    assert Sitting.objects.get(date=D(2026, 10, 10)).timetable_weekday == 0
    assert not Sitting.objects.filter(date=D(2026, 9, 20)).exists()


def test_a_term_into_an_unknown_2027_generates_2026_and_names_2027(north):
    plan = f.published_plan(north.school, end=D(2027, 1, 22))
    report = _generate(plan)
    dates = _dates(plan=plan)
    assert D(2026, 12, 31) in dates
    assert not [d for d in dates if d.year == 2027]
    assert report.pending_years == [2027]
    assert "2027年的法定节假日安排尚未录入" in report.summary()
    assert selectors.calendar_problems(plan) == [
        "2027年的法定节假日安排尚未录入,无法确定该年的上课日(请教育局先录入该年放假通知)"
    ]


def test_after_the_bureau_enters_2027_the_term_generates(north, city_officer):
    # given the bureau entered 2027, with a make-up Saturday 01-02 whose timetable the
    # notice leaves open
    plan = f.published_plan(north.school, end=D(2027, 1, 22))
    f.enter_2027(city_officer)
    assert selectors.calendar_problems(plan) == [
        "2027-01-02为调休上班日,但未确定按星期几的课表上课,请学校选择"
    ]
    before = snapshots.everything()
    with pytest.raises(services.CalendarNotReady) as refused:
        _generate(plan)
    assert codes(refused.value) == {"makeup_timetable_missing"}
    assert snapshots.everything() == before
    # when the school chooses Friday's timetable for it
    PlanMakeupDay.objects.create(plan=plan, date=D(2027, 1, 2), follows_weekday=4)
    report = _generate(plan)
    # then sittings run into January 2027, not on the New Year's Day holiday
    dates = set(_dates(plan=plan))
    assert D(2027, 1, 1) not in dates
    assert D(2027, 1, 2) in dates and D(2027, 1, 22) in dates
    assert report.created == len(dates) and report.pending_years == []


def test_vacation_weeks_have_sittings(north):
    plan = f.published_plan(north.school)
    PlanVacationWeek.objects.create(
        plan=plan, season="summer", start=D(2026, 8, 17), end=D(2026, 8, 23)
    )
    _generate(plan)
    assert _dates(in_vacation=True) == [D(2026, 8, d) for d in range(17, 22)]
    assert not Sitting.objects.filter(date=D(2026, 8, 24)).exists()


def test_the_weekend_day_of_5_2_1(north):
    plan = f.published_plan(north.school, weekdays=(0, 1, 2, 3, 4, 5))
    _generate(plan)
    dates = set(_dates(plan=plan))
    assert D(2026, 9, 5) in dates and D(2026, 10, 3) not in dates


def test_a_slot_without_weekdays_runs_every_service_day_and_an_empty_list_never(north):
    plan = f.published_plan(
        north.school,
        slots=[{"weekdays": None, "start": T(16, 0)}, {"weekdays": [], "start": T(17, 0)}],
    )
    _generate(plan)
    assert not Sitting.objects.filter(start=T(17, 0)).exists()
    assert Sitting.objects.filter(start=T(16, 0)).count() > 80


# --- offering meetings -------------------------------------------------------------------


def test_each_offering_meeting_is_a_sitting_on_the_days_its_timetable_runs(north):
    # given the published plan and a published menu: 足球 on Mondays and Wednesdays, in a
    # room with its coach, and 博物馆研学 off campus on Tuesdays
    plan = f.published_plan(north.school)
    menu = f.menu(north.school, term=plan.term, status="published")
    coach = f.external_instructor(north.school, name="赵教练")
    football = f.offering(
        menu,
        "足球（3-4年级）",
        category="sports",
        grades=(3, 4),
        meetings=[(0, T(16, 40), T(17, 30)), (2, T(16, 40), T(17, 30))],
        instructor=coach,
        room="操场",
    )
    museum = f.offering(
        menu, "博物馆研学", meetings=[(1, T(15, 30), T(17, 0))], off_campus_venue="市博物馆"
    )
    # when
    _generate(plan)
    # then 足球 meets every service Monday and Wednesday, and on Saturday 10-10 (调休 with
    # Wednesday's timetable), with its grades, room, coach and name
    days = _dates(offering=football)
    assert D(2026, 9, 7) in days and D(2026, 9, 9) in days and D(2026, 10, 10) in days
    assert D(2026, 9, 8) not in days and D(2026, 10, 5) not in days  # Tuesday; a holiday
    assert {d.weekday() for d in days} == {0, 2, 5}
    sitting = Sitting.objects.get(offering=football, date=D(2026, 9, 7))
    assert (sitting.kind, sitting.start, sitting.end) == ("offering", T(16, 40), T(17, 30))
    assert (sitting.grade_from, sitting.grade_to, sitting.label) == (3, 4, "足球（3-4年级）")
    assert (sitting.room, sitting.responsible, sitting.plan) == ("操场", coach, plan)
    # the off-campus venue stands for the room; Sunday 09-20 runs Tuesday's timetable
    trip = Sitting.objects.get(offering=museum, date=D(2026, 9, 20))
    assert (trip.room, trip.timetable_weekday, trip.is_makeup_day) == ("市博物馆", 1, True)
    # and the plan slot's sittings are there as before
    assert Sitting.objects.filter(offering__isnull=True, date=D(2026, 9, 7)).count() == 1


def test_a_draft_menu_has_no_sittings_yet(north):
    plan = f.published_plan(north.school)
    f.offering(f.menu(north.school, term=plan.term, status="draft"), meetings=MON_TO_FRI)
    _generate(plan)
    assert not Sitting.objects.filter(kind="offering").exists()
    assert Sitting.objects.exists()


# --- regeneration ------------------------------------------------------------------------


def _new_version(plan, *, slots):
    """Supersede `plan` with a published version 2 carrying `slots`."""
    SchoolPlan.objects.filter(pk=plan.pk).update(status=SchoolPlan.Status.SUPERSEDED)
    return f.published_plan(
        plan.school,
        term=plan.term,
        version=plan.version + 1,
        start=plan.term_start,
        end=plan.term_end,
        slots=slots,
    )


def test_regeneration_keeps_attended_sittings_and_replaces_the_rest(north):
    # given version 1 with two slots, generated, and the roll taken on two sittings
    v1 = f.published_plan(
        north.school,
        slots=[
            {"grade_from": 1, "grade_to": 2, "start": T(16, 0), "end": T(16, 50)},
            {"grade_from": 3, "grade_to": 6, "start": T(16, 0), "end": T(17, 30)},
        ],
    )
    first = _generate(v1)
    taken_at = timezone.now()
    low = Sitting.objects.get(date=D(2026, 9, 1), grade_from=1)
    high = Sitting.objects.get(date=D(2026, 9, 1), grade_from=3)
    Sitting.objects.filter(pk__in=[low.pk, high.pk]).update(roll_taken_at=taken_at)
    unchanged_id = Sitting.objects.get(date=D(2026, 9, 2), grade_from=1).pk
    # when version 2 drops grades 3-6 at 16:00, keeps grades 1-2 and adds grades 3-6 at 17:00
    v2 = _new_version(
        v1,
        slots=[
            {"grade_from": 1, "grade_to": 2, "start": T(16, 0), "end": T(16, 50)},
            {"grade_from": 3, "grade_to": 6, "start": T(17, 0), "end": T(18, 0)},
        ],
    )
    report = _generate(v2)
    # then both attended sittings are kept as they were; the dropped one is reported
    assert report.kept == 2
    assert [s.pk for s in report.kept_not_wanted] == [high.pk]
    high.refresh_from_db()
    assert (high.plan_id, high.start, high.roll_taken_at) == (v1.pk, T(16, 0), taken_at)
    # the grades 1-2 sittings stay with their ids, now belonging to version 2
    days = first.service_days
    assert report.updated == days - 1 and report.unchanged == 0
    assert Sitting.objects.get(pk=unchanged_id).plan_id == v2.pk
    # the unattended grades 3-6 16:00 sittings are gone, the 17:00 ones created
    assert report.removed == days - 1
    assert report.created == days
    assert not Sitting.objects.filter(plan=v1).exclude(pk__in=[low.pk, high.pk]).exists()
    assert Sitting.objects.filter(plan=v2, start=T(17, 0)).count() == days
    low.refresh_from_db()
    assert low.plan_id == v1.pk and low.roll_taken_at == taken_at


def test_regeneration_after_shortening_the_term(north):
    plan = f.published_plan(north.school)
    _generate(plan)
    december_days = Sitting.objects.filter(date__gte=D(2026, 12, 1)).count()
    december = Sitting.objects.get(date=D(2026, 12, 1))
    Sitting.objects.filter(pk=december.pk).update(roll_taken_at=timezone.now())
    SchoolPlan.objects.filter(pk=plan.pk).update(term_end=D(2026, 11, 30))
    report = _generate(plan)
    assert list(Sitting.objects.filter(date__gte=D(2026, 12, 1))) == [december]
    assert report.kept_not_wanted == [december]
    assert report.created == 0
    assert report.removed == december_days - 1


def test_regenerating_unchanged_facts_changes_nothing(north):
    plan = f.published_plan(north.school)
    f.offering(f.menu(north.school, term=plan.term), meetings=MON_TO_FRI)
    _generate(plan)
    before = snapshots.everything()
    report = _generate(plan)
    assert (report.created, report.updated, report.removed, report.kept) == (0, 0, 0, 0)
    assert report.unchanged == Sitting.objects.count()
    assert snapshots.everything() == before


def test_changed_facts_are_updated_in_place(north):
    # given generated sittings of a slot and of an offering
    plan = f.published_plan(north.school)
    menu = f.menu(north.school, term=plan.term)
    club = f.offering(menu, "围棋", meetings=MON_TO_FRI, room="活动室1")
    _generate(plan)
    ids = set(Sitting.objects.values_list("pk", flat=True))
    # when the slot ends later, the club moves room, gets a coach and its grades narrow
    plan.slots.update(end=T(18, 30), label="延时")
    coach = f.external_instructor(north.school)
    type(club).objects.filter(pk=club.pk).update(
        room="活动室2", instructor=coach, grade_from=3, grade_to=4
    )
    report = _generate(plan)
    # then the same sittings carry the new facts
    assert set(Sitting.objects.values_list("pk", flat=True)) == ids
    assert report.updated == len(ids) and report.created == report.removed == 0
    assert set(Sitting.objects.filter(offering=None).values_list("end", "label")) == {
        (T(18, 30), "延时")
    }
    assert set(
        Sitting.objects.filter(offering=club).values_list(
            "room", "responsible", "grade_from", "grade_to"
        )
    ) == {("活动室2", coach.pk, 3, 4)}


def test_a_moved_meeting_replaces_its_unattended_sittings(north):
    plan = f.published_plan(north.school)
    menu = f.menu(north.school, term=plan.term)
    club = f.offering(menu, "书法", meetings=[(0, T(16, 40), T(17, 30))])
    _generate(plan)
    attended = Sitting.objects.get(offering=club, date=D(2026, 9, 7))
    Sitting.objects.filter(pk=attended.pk).update(roll_taken_at=timezone.now())
    mondays = Sitting.objects.filter(offering=club).count()
    # when the club moves from Monday to Thursday
    club.meetings.update(weekday=3)
    report = _generate(plan)
    # then the Monday sittings are gone but the attended one, the Thursdays are created
    assert set(Sitting.objects.filter(offering=club, date__week_day=2)) == {attended}
    assert report.removed == mondays - 1 and report.kept_not_wanted == [attended]
    assert Sitting.objects.filter(offering=club, date__week_day=5).count() == report.created > 0


def test_other_terms_and_schools_are_left_alone(north, south):
    services.sittings_generate(
        school=south.school, term=f.published_plan(south.school).term, actor=SYSTEM
    )
    spring = f.TermFactory(semester=2, start=D(2027, 2, 22), end=D(2027, 7, 2))
    spring_plan = f.published_plan(
        north.school, term=spring, start=D(2026, 3, 2), end=D(2026, 6, 30)
    )
    _generate(spring_plan)
    south_before = _dates(school=south.school)
    spring_before = _dates(plan=spring_plan)
    _generate(f.published_plan(north.school))
    assert _dates(school=south.school) == south_before
    assert _dates(plan=spring_plan) == spring_before


# --- refusals -----------------------------------------------------------------------------


def test_a_draft_plan_is_refused_and_nothing_written(north):
    plan = f.published_plan(north.school, status=SchoolPlan.Status.DRAFT)
    before = snapshots.everything()
    with pytest.raises(services.PlanNotPublished) as refused:
        _generate(plan)
    assert codes(refused.value) == {"plan_not_published"}
    assert "发布" in messages(refused.value)[0]
    assert snapshots.everything() == before


def test_a_term_without_any_plan_is_refused(north):
    term = f.TermFactory()
    before = snapshots.everything()
    with pytest.raises(services.PlanNotPublished) as refused:
        services.sittings_generate(school=north.school, term=term, actor=SYSTEM)
    assert codes(refused.value) == {"no_published_plan"}
    assert snapshots.everything() == before


def test_a_term_entirely_in_an_unknown_year_is_refused_and_nothing_written(north):
    plan = f.published_plan(north.school, start=D(2027, 2, 22), end=D(2027, 7, 2))
    f.offering(f.menu(north.school, term=plan.term), meetings=MON_TO_FRI)
    before = snapshots.everything()
    with pytest.raises(services.CalendarNotReady) as refused:
        _generate(plan)
    assert codes(refused.value) == {"calendar_year_unknown"}
    assert "2027年的法定节假日安排尚未录入" in messages(refused.value)[0]
    assert snapshots.everything() == before


def test_overlapping_terms_are_refused_and_nothing_written(north):
    spring = f.TermFactory(semester=2, start=D(2027, 2, 22), end=D(2027, 7, 2))
    december = f.published_plan(
        north.school, term=spring, start=D(2026, 12, 1), end=D(2026, 12, 31)
    )
    _generate(december)
    autumn = f.published_plan(north.school)
    before = snapshots.everything()
    with pytest.raises(services.SittingConflict) as refused:
        _generate(autumn)
    assert codes(refused.value) == {"sittings_conflict"}
    assert "2026-2" in messages(refused.value)[0]
    assert snapshots.everything() == before


@pytest.mark.parametrize("who", ["teacher", "south_admin", "guardian", "officer"])
def test_only_the_schools_admin_or_kehou_generates(north, south, city_officer, who):
    plan = f.published_plan(north.school)
    actor = {
        "teacher": north.teacher,
        "south_admin": south.admin,
        "guardian": north.guardian_user,
        "officer": city_officer,
    }[who]
    before = snapshots.everything()
    with pytest.raises(OutOfScope):
        _generate(plan, actor=actor)
    assert snapshots.everything() == before


def test_refusals_are_translated(north):
    plan = f.published_plan(north.school, status=SchoolPlan.Status.DRAFT)
    with translation.override("en"), pytest.raises(services.PlanNotPublished) as refused:
        _generate(plan)
    with translation.override("en"):
        assert messages(refused.value) == [
            "Version 1 of the plan is not published: publish it before generating sittings."
        ]


# --- knowing when to regenerate -----------------------------------------------------------


def test_the_page_knows_when_the_plan_menu_or_calendar_changed(north, city_officer):
    # given generated sittings of a plan into 2027 and of a menu
    plan = f.published_plan(north.school, end=D(2027, 1, 22))
    menu = f.menu(north.school, term=plan.term)
    club = f.offering(menu, "围棋", meetings=[(0, T(16, 40), T(17, 30))])
    assert selectors.outdated(north.school, plan.term) is None  # nothing generated yet
    _generate(plan)
    assert selectors.outdated(north.school, plan.term) is None
    # when the menu gains a meeting
    OfferingMeeting.objects.create(offering=club, weekday=2, start=T(16, 40), end=T(17, 30))
    changed = selectors.outdated(north.school, plan.term)
    assert changed is not None and changed.create > 0 and changed.remove == 0
    _generate(plan)
    assert selectors.outdated(north.school, plan.term) is None
    # when the plan's slot changes
    plan.slots.update(end=T(17, 50))
    assert selectors.outdated(north.school, plan.term).update > 0
    _generate(plan)
    # when the bureau enters 2027: its make-up day has no timetable yet, so the page says
    # why the sittings cannot follow
    f.enter_2027(city_officer)
    refused = selectors.outdated(north.school, plan.term)
    assert refused.refused == ["2027-01-02为调休上班日,但未确定按星期几的课表上课,请学校选择"]
    PlanMakeupDay.objects.create(plan=plan, date=D(2027, 1, 2), follows_weekday=4)
    assert selectors.outdated(north.school, plan.term).create > 0
    # a roll taken on a sitting is no change
    _generate(plan)
    Sitting.objects.filter(date=D(2026, 9, 7)).update(roll_taken_at=timezone.now())
    assert selectors.outdated(north.school, plan.term) is None


def test_one_school_term_is_a_handful_of_queries(north):
    plan = f.published_plan(
        north.school,
        slots=[
            {"grade_from": 1, "grade_to": 2, "start": T(17, 0), "end": T(17, 50)},
            {"grade_from": 3, "grade_to": 6, "start": T(17, 45), "end": T(18, 20)},
            {"grade_from": 1, "grade_to": 6, "start": T(18, 40), "end": T(20, 0), **BOARDING},
        ],
    )
    menu = f.menu(north.school, term=plan.term)
    for n in range(5):
        f.offering(menu, f"社团{n}", meetings=[(n, T(16, 0), T(16, 50))])
    with CaptureQueriesContext(connection) as captured:
        report = _generate(plan)
    # a few reads, whatever the number of days; the inserts come in batches
    assert len([q for q in captured if not q["sql"].startswith("INSERT")]) <= 16
    assert report.created == Sitting.objects.count()
    assert Sitting.objects.filter(kind="boarding").count() == report.service_days
    assert Sitting.objects.filter(kind="offering").count() > 5 * 15
    assert str(report.created) in report.summary()
