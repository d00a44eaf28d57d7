"""sittings_generate: plan × calendar, refusals before writing, regeneration."""

import pytest
from django.utils import timezone

from kehou.lib.school_calendar import CalendarUnknown
from kehou.policy.models import PlanMakeupDay, PlanVacationWeek, SchoolPlan
from kehou.sittings import services
from kehou.sittings.models import Sitting
from kehou.terms.tests.helpers import D, T, enter_2027, published_plan, snapshot
from kehou.testing import factories as f


def _dates(plan=None, **filters):
    qs = Sitting.objects.filter(**filters)
    if plan is not None:
        qs = qs.filter(plan=plan)
    return sorted(qs.values_list("date", flat=True))


def test_2026_holidays_have_no_session_and_makeup_workdays_do(north):
    # given a Monday-Friday plan for autumn 2026 with one slot every day
    plan = published_plan(north.school)
    # when
    report = services.sittings_generate(plan=plan)
    # then: nothing in the National Day week (10-01 … 10-07) nor on Mid-autumn 09-25
    dates = set(_dates(plan))
    for day in range(1, 8):
        assert D(2026, 10, day) not in dates
    assert D(2026, 9, 25) not in dates
    # a session on the 调休 workdays Sunday 09-20 (Tuesday's timetable) and Saturday 10-10
    # (Wednesday's), flagged as make-up days
    sunday = Sitting.objects.get(plan=plan, date=D(2026, 9, 20))
    assert (sunday.timetable_weekday, sunday.is_makeup_day) == (1, True)
    saturday = Sitting.objects.get(plan=plan, date=D(2026, 10, 10))
    assert (saturday.timetable_weekday, saturday.is_makeup_day) == (2, True)
    # plain weekends have none; an ordinary day has one, not a make-up day
    assert D(2026, 9, 19) not in dates and D(2026, 10, 11) not in dates
    ordinary = Sitting.objects.get(plan=plan, date=D(2026, 9, 1))
    assert (ordinary.timetable_weekday, ordinary.is_makeup_day, ordinary.in_vacation) == (
        1,
        False,
        False,
    )
    assert report.created == len(dates) == report.total
    assert report.service_days == len(dates)
    assert (report.kept, report.removed, report.unchanged) == (0, 0, 0)


def test_makeup_day_follows_only_planned_timetable_weekdays(north):
    # given a slot on Tuesdays only and one on Wednesdays only
    plan = published_plan(
        north.school,
        slots=[
            {"weekdays": [1], "start": T(16, 0), "label": "周二"},
            {"weekdays": [2], "start": T(17, 0), "label": "周三"},
        ],
    )
    # when
    services.sittings_generate(plan=plan)
    # then Sunday 09-20 runs Tuesday's slot, Saturday 10-10 Wednesday's
    assert list(Sitting.objects.filter(date=D(2026, 9, 20)).values_list("label", flat=True)) == [
        "周二"
    ]
    assert list(Sitting.objects.filter(date=D(2026, 10, 10)).values_list("label", flat=True)) == [
        "周三"
    ]
    # and a plain Tuesday has only the Tuesday slot
    assert Sitting.objects.filter(date=D(2026, 9, 8)).count() == 1


def test_school_choice_of_makeup_timetable_wins(north):
    # given the school decides Saturday 10-10 follows Monday's timetable
    plan = published_plan(north.school, slots=[{"weekdays": [0]}])
    PlanMakeupDay.objects.create(plan=plan, date=D(2026, 10, 10), follows_weekday=0)
    # when
    services.sittings_generate(plan=plan)
    # then the Monday-only slot runs on 10-10; Sunday 09-20 (Tuesday's) has none
    session = Sitting.objects.get(date=D(2026, 10, 10))
    assert session.timetable_weekday == 0
    assert not Sitting.objects.filter(date=D(2026, 9, 20)).exists()


def test_term_into_unentered_2027_generates_2026_and_says_2027_is_unknown(north, city_officer):
    # given a plan for the whole autumn term, which ends in January 2027
    plan = published_plan(north.school, end=D(2027, 1, 22))
    # when
    report = services.sittings_generate(plan=plan)
    # then 2026 runs, nothing is guessed for 2027, and the report and the plan say why
    dates = _dates(plan)
    assert D(2026, 12, 31) in dates
    assert not [d for d in dates if d.year == 2027]
    assert report.pending_years == [2027]
    assert "2027年的法定节假日安排尚未录入" in report.summary()
    assert services.plan_calendar_problems(plan) == [str(CalendarUnknown(2027))]


def test_term_entirely_in_an_unentered_year_is_refused_and_writes_nothing(north):
    plan = published_plan(north.school, start=D(2027, 2, 22), end=D(2027, 7, 2))
    before = snapshot()
    with pytest.raises(services.CalendarNotReady) as refused:
        services.sittings_generate(plan=plan)
    assert "2027年的法定节假日安排尚未录入" in refused.value.messages[0]
    assert snapshot() == before


def test_after_bureau_enters_2027_the_term_generates(north, city_officer):
    # given the bureau entered 2027 (with a make-up Saturday 01-02 whose timetable the
    # notice leaves open)
    plan = published_plan(north.school, end=D(2027, 1, 22))
    enter_2027(city_officer)
    problems = services.plan_calendar_problems(plan)
    assert problems == ["2027-01-02为调休上班日,但未确定按星期几的课表上课,请学校选择"]
    with pytest.raises(services.CalendarNotReady):
        services.sittings_generate(plan=plan)
    assert not Sitting.objects.exists()
    # when the school chooses Friday's timetable for it
    PlanMakeupDay.objects.create(plan=plan, date=D(2027, 1, 2), follows_weekday=4)
    assert services.plan_calendar_problems(plan) == []
    report = services.sittings_generate(plan=plan)
    # then sessions run into January 2027, not on the entered New Year's Day holiday
    dates = set(_dates(plan))
    assert D(2027, 1, 1) not in dates
    assert D(2027, 1, 2) in dates and D(2027, 1, 22) in dates
    assert report.created == len(dates)


def test_vacation_weeks_generate_sessions_inside_the_vacation(north):
    # given a summer opening week before the term
    plan = published_plan(north.school)
    PlanVacationWeek.objects.create(
        plan=plan, season="summer", start=D(2026, 8, 17), end=D(2026, 8, 23)
    )
    # when
    services.sittings_generate(plan=plan)
    # then Monday-Friday of that week have sessions marked in_vacation, the weekend none
    vacation = _dates(plan, in_vacation=True)
    assert vacation == [D(2026, 8, d) for d in range(17, 22)]
    assert not Sitting.objects.filter(date=D(2026, 8, 24)).exists()  # summer, not opened


def test_weekend_day_of_5_2_1(north):
    # given a plan that adds Saturday (5+2+1)
    plan = published_plan(north.school, weekdays=(0, 1, 2, 3, 4, 5))
    # when
    services.sittings_generate(plan=plan)
    # then plain Saturdays have sessions, the holiday Saturday 10-03 none
    dates = set(_dates(plan))
    assert D(2026, 9, 5) in dates and D(2026, 10, 3) not in dates


def test_draft_plan_is_refused(north):
    plan = published_plan(north.school, status=SchoolPlan.Status.DRAFT)
    before = snapshot()
    with pytest.raises(services.PlanNotPublished) as refused:
        services.sittings_generate(plan=plan)
    assert "发布" in refused.value.messages[0]
    assert snapshot() == before


def _new_version(plan, *, slots):
    """Supersede `plan` with a published version 2 carrying `slots`."""
    plan.status = SchoolPlan.Status.SUPERSEDED
    plan.save()
    return published_plan(
        plan.school,
        term=plan.term,
        version=plan.version + 1,
        start=plan.term_start,
        end=plan.term_end,
        slots=slots,
    )


def test_regeneration_keeps_roll_taken_and_replaces_untouched(north):
    # given version 1 with two slots, generated, and the roll taken on two sessions
    v1 = published_plan(
        north.school,
        slots=[
            {"grade_from": 1, "grade_to": 2, "start": T(16, 0), "end": T(16, 50)},
            {"grade_from": 3, "grade_to": 6, "start": T(16, 0), "end": T(17, 30)},
        ],
    )
    first = services.sittings_generate(plan=v1)
    taken_at = timezone.now()
    low = Sitting.objects.get(date=D(2026, 9, 1), grade_from=1)
    high = Sitting.objects.get(date=D(2026, 9, 1), grade_from=3)
    Sitting.objects.filter(pk__in=[low.pk, high.pk]).update(roll_taken_at=taken_at)
    unchanged_id = Sitting.objects.get(date=D(2026, 9, 2), grade_from=1).pk
    # when version 2 drops the grades 3-6 slot, keeps grades 1-2 and adds grades 3-6 at 17:00
    v2 = _new_version(
        v1,
        slots=[
            {"grade_from": 1, "grade_to": 2, "start": T(16, 0), "end": T(16, 50)},
            {"grade_from": 3, "grade_to": 6, "start": T(17, 0), "end": T(18, 0)},
        ],
    )
    report = services.sittings_generate(plan=v2)
    # then both roll-taken sessions are kept as they were; the dropped one is reported
    assert report.kept == 2
    assert [s.pk for s in report.kept_not_in_plan] == [high.pk]
    high.refresh_from_db()
    assert (high.plan_id, high.start, high.roll_taken_at) == (v1.pk, T(16, 0), taken_at)
    # the untouched grades 1-2 sessions stay with their ids, now belonging to version 2
    days = first.service_days
    assert report.unchanged == days - 1
    assert Sitting.objects.get(pk=unchanged_id).plan_id == v2.pk
    # the untouched grades 3-6 16:00 sessions of version 1 are gone, 17:00 ones created
    assert report.removed == days - 1
    assert report.created == days
    assert not Sitting.objects.filter(plan=v1).exclude(pk__in=[low.pk, high.pk]).exists()
    assert Sitting.objects.filter(plan=v2, start=T(17, 0)).count() == days
    # and the 09-01 grades 1-2 session with its roll stays as it is (still in the plan)
    low.refresh_from_db()
    assert low.plan_id == v1.pk and low.roll_taken_at == taken_at


def test_regeneration_after_shortening_the_term(north):
    # given a generated plan and a roll taken in December
    plan = published_plan(north.school)
    services.sittings_generate(plan=plan)
    december_days = Sitting.objects.filter(date__gte=D(2026, 12, 1)).count()
    december = Sitting.objects.get(date=D(2026, 12, 1))
    december.roll_taken_at = timezone.now()
    december.save()
    # when the same plan's term is cut to November and regenerated
    SchoolPlan.objects.filter(pk=plan.pk).update(term_end=D(2026, 11, 30))
    plan.refresh_from_db()
    report = services.sittings_generate(plan=plan)
    # then December's untouched sessions are removed, the one with a roll is kept
    assert list(Sitting.objects.filter(date__gte=D(2026, 12, 1))) == [december]
    assert report.kept_not_in_plan == [december]
    assert report.created == 0
    assert report.removed == december_days - 1


def test_regenerating_an_unchanged_plan_changes_nothing(north):
    plan = published_plan(north.school)
    services.sittings_generate(plan=plan)
    before = snapshot()
    report = services.sittings_generate(plan=plan)
    assert (report.created, report.removed, report.kept) == (0, 0, 0)
    assert report.unchanged == report.service_days
    assert snapshot() == before


def test_a_slot_change_of_end_time_keeps_the_ids(north):
    plan = published_plan(north.school)
    services.sittings_generate(plan=plan)
    ids = set(Sitting.objects.values_list("pk", flat=True))
    plan.slots.update(end=T(18, 30), label="延时")
    report = services.sittings_generate(plan=plan)
    assert set(Sitting.objects.values_list("pk", flat=True)) == ids
    assert report.unchanged == len(ids) and report.created == 0
    assert set(Sitting.objects.values_list("end", "label")) == {(T(18, 30), "延时")}


def test_other_terms_and_schools_are_left_alone(north, south):
    # given south generated and north's spring plan generated
    south_plan = published_plan(south.school)
    services.sittings_generate(plan=south_plan)
    spring = f.TermFactory(semester=2, start=D(2027, 2, 22), end=D(2027, 7, 2))
    spring_plan = published_plan(north.school, term=spring, start=D(2026, 3, 2), end=D(2026, 6, 30))
    services.sittings_generate(plan=spring_plan)
    south_before = _dates(school=south.school)
    spring_before = _dates(spring_plan)
    # when north generates autumn
    services.sittings_generate(plan=published_plan(north.school))
    # then
    assert _dates(school=south.school) == south_before
    assert _dates(spring_plan) == spring_before


def test_overlapping_terms_are_refused(north):
    # given the spring plan (dates chosen to overlap autumn's) already generated
    spring = f.TermFactory(semester=2, start=D(2027, 2, 22), end=D(2027, 7, 2))
    services.sittings_generate(
        plan=published_plan(north.school, term=spring, start=D(2026, 12, 1), end=D(2026, 12, 31))
    )
    before = snapshot()
    # when autumn would put sessions on the same December days
    with pytest.raises(services.SittingConflict) as refused:
        services.sittings_generate(plan=published_plan(north.school))
    assert "2026-2" in refused.value.messages[0]
    assert snapshot() == before


def test_slot_without_weekdays_runs_every_service_day_and_empty_list_never(north):
    plan = published_plan(
        north.school,
        slots=[{"weekdays": None, "start": T(16, 0)}, {"weekdays": [], "start": T(17, 0)}],
    )
    services.sittings_generate(plan=plan)
    assert not Sitting.objects.filter(start=T(17, 0)).exists()
    assert Sitting.objects.filter(start=T(16, 0)).count() > 80


def test_term_for_code(north):
    term = f.TermFactory()
    assert services.term_for_code("2026-1") == term
    for bad in ("2026-2", "2026", "abc", "", "2026-3"):
        with pytest.raises(type(term).DoesNotExist):
            services.term_for_code(bad)


def test_one_school_term_is_a_handful_of_queries(north, django_assert_max_num_queries):
    plan = published_plan(
        north.school,
        slots=[
            {"grade_from": 1, "grade_to": 2, "start": T(17, 0), "end": T(17, 50)},
            {"grade_from": 3, "grade_to": 6, "start": T(17, 45), "end": T(18, 20)},
            {
                "grade_from": 1,
                "grade_to": 6,
                "start": T(18, 40),
                "end": T(20, 0),
                "kind": "boarding",
            },
        ],
        end=D(2026, 12, 31),
    )
    with django_assert_max_num_queries(15):
        report = services.sittings_generate(plan=plan)
    assert report.created == 3 * report.service_days
    assert str(report.created) in report.summary()
