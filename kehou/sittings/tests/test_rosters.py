"""Rosters derived from the dated enrolments and applications, never copied (R14)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kehou.enrollment import seats
from kehou.enrollment import services as enrollment
from kehou.org.access import SYSTEM
from kehou.sittings import selectors, services
from kehou.sittings.models import Sitting
from kehou.testing import factories as f

D, T = dt.date, dt.time
CARE, BOARDING = {"kind": "extended_care"}, {"kind": "boarding"}
WEEKDAYS_1640 = [(d, T(16, 40), T(17, 30)) for d in range(5)]


def _school_term(north, *, slots=None):
    """North's published plan (basic service for grades 1-4 15:50-17:50, extended care
    17:50-18:30, boarders 18:40-20:00) and a menu with 足球 every weekday 16:40-17:30."""
    plan = f.published_plan(
        north.school,
        slots=slots
        or [
            {"grade_from": 1, "grade_to": 4, "start": T(15, 50), "end": T(17, 50)},
            {"grade_from": 1, "grade_to": 6, "start": T(17, 50), "end": T(18, 30), **CARE},
            {"grade_from": 1, "grade_to": 6, "start": T(18, 40), "end": T(20, 0), **BOARDING},
        ],
    )
    menu = f.menu(north.school, term=plan.term, status="running")
    football = f.offering(menu, "足球", category="sports", meetings=WEEKDAYS_1640, capacity=30)
    return plan, football


def _generate(plan):
    services.sittings_generate(school=plan.school, term=plan.term, actor=SYSTEM)


def _roster(day: dt.date, **which) -> set[str]:
    sitting = Sitting.objects.get(date=day, **which)
    return {entry.student.name for entry in selectors.sitting_roster(sitting).entries}


def _kid(north, name: str, **facts):
    return f.child(north.school, north.school_class, name=name, **facts)


def test_an_offering_roster_follows_a_join_and_a_withdrawal_by_date(north):
    # given 甲 joins 足球 from Wednesday 10-14 and 乙, in it from the start, leaves from
    # Wednesday 10-21 (the school records it through the seat path)
    plan, football = _school_term(north)
    term = plan.term
    joiner = f.application(_kid(north, "甲"), term)
    f.enrol(joiner, football, starts_on=D(2026, 10, 14))
    leaver = f.application(_kid(north, "乙"), term)
    seat = f.enrol(leaver, football)
    enrollment.enrollment_withdraw(enrollment=seat, actor=north.admin, on=D(2026, 10, 21))
    # when
    _generate(plan)
    # then the roster of each 足球 sitting is who is in the group that day
    days = (13, 14, 15, 20, 21, 22)
    rosters = {day: _roster(D(2026, 10, day), offering=football) for day in days}
    assert rosters == {
        13: {"乙"},
        14: {"甲", "乙"},
        15: {"甲", "乙"},
        20: {"甲", "乙"},
        21: {"甲"},
        22: {"甲"},
    }


def test_a_leaving_day_ahead_counts_before_the_seat_is_released(north):
    # given 丙 leaves 足球 a week from today: the seat is still active until then
    plan, football = _school_term(north)
    app = f.application(_kid(north, "丙"), plan.term)
    seat = f.enrol(app, football)
    leaving = timezone.localdate() + dt.timedelta(days=7)
    with transaction.atomic():
        seats.lock_application(app.pk)
        seats.end([seat], on=leaving, actor=SYSTEM, reason="家长申请")
    seat.refresh_from_db()
    assert seat.status == "active" and seat.ends_on == leaving
    # then the sittings the day before and on the leaving day say so
    before = f.SittingFactory(
        plan=plan, offering=football, kind="offering", date=leaving - dt.timedelta(days=1)
    )
    on_the_day = f.SittingFactory(plan=plan, offering=football, kind="offering", date=leaving)
    assert [e.student.name for e in selectors.sitting_roster(before).entries] == ["丙"]
    assert selectors.sitting_roster(on_the_day).entries == []


def test_basic_service_follows_weekdays_grades_extended_care_and_boarding(north, south):
    # given approved applications: 周一三 comes on Mondays and Wednesdays only, 全周 every
    # weekday and wants extended care, 寄宿 is a boarder; 五年级 is in grade 5 (the basic
    # service slot is for grades 1-4); 待审 and 被拒 are not approved; south's child is
    # another school's
    plan, _football = _school_term(north)
    term = plan.term
    f.application(_kid(north, "周一三"), term, weekdays=(0, 2))
    f.application(_kid(north, "全周"), term, wants_extended_care=True)
    f.application(_kid(north, "寄宿", is_boarder=True), term)
    grade5 = f.SchoolClassFactory(school=north.school, grade=5, number=1)
    f.application(f.child(north.school, grade5, name="五年级"), term, wants_extended_care=True)
    f.application(_kid(north, "待审"), term, status="submitted")
    f.application(_kid(north, "被拒"), term, status="refused", refusal_reason="名额已满")
    f.application(south.child, term, guardian=south.guardian)
    # when
    _generate(plan)
    # then Monday's basic service has the three grades 1-4 children, Tuesday's two
    regular = {"kind": "regular"}
    assert _roster(D(2026, 9, 7), **regular) == {"周一三", "全周", "寄宿"}
    assert _roster(D(2026, 9, 8), **regular) == {"全周", "寄宿"}
    # on 调休 days the timetable weekday decides: Sunday 09-20 runs Tuesday's, Saturday
    # 10-10 Wednesday's
    assert _roster(D(2026, 9, 20), **regular) == {"全周", "寄宿"}
    assert _roster(D(2026, 10, 10), **regular) == {"周一三", "全周", "寄宿"}
    # extended care is for those who asked (of grades 1-6), the boarders' service for boarders
    assert _roster(D(2026, 9, 8), kind="extended_care") == {"全周", "五年级"}
    assert _roster(D(2026, 9, 8), kind="boarding") == {"寄宿"}


def test_basic_service_follows_an_applications_dates(north):
    # given 丁 takes part from Wednesday 10-14 and withdraws from Wednesday 10-21
    plan, _football = _school_term(north)
    app = f.application(_kid(north, "丁"), plan.term, starts_on=D(2026, 10, 14))
    f.application(_kid(north, "戊"), plan.term)
    enrollment.application_withdraw(application=app, actor=north.admin, on=D(2026, 10, 21))
    # when
    _generate(plan)
    # then
    rosters = {day: _roster(D(2026, 10, day), kind="regular") for day in (13, 14, 15, 20, 21, 22)}
    assert rosters == {
        13: {"戊"},
        14: {"丁", "戊"},
        15: {"丁", "戊"},
        20: {"丁", "戊"},
        21: {"戊"},
        22: {"戊"},
    }


def test_a_child_at_an_overlapping_offering_is_shown_there(north):
    # given 己 is in 足球 (16:40-17:30) from 10-14, during the basic service (15:50-17:50)
    plan, football = _school_term(north)
    app = f.application(_kid(north, "己"), plan.term, wants_extended_care=True)
    f.enrol(app, football, starts_on=D(2026, 10, 14))
    _generate(plan)

    def entry(day, kind):
        sitting = Sitting.objects.get(date=day, kind=kind)
        (only,) = selectors.sitting_roster(sitting).entries
        return only

    # then on 10-14 the basic-service roster says where 己 is, the day before not
    at_football = entry(D(2026, 10, 14), "regular")
    assert [o.offering_id for o in at_football.elsewhere] == [football.pk]
    assert (at_football.elsewhere[0].start, at_football.elsewhere[0].end) == (T(16, 40), T(17, 30))
    assert entry(D(2026, 10, 13), "regular").elsewhere == ()
    # extended care (17:50-18:30) does not overlap 足球; the class is the child's
    assert entry(D(2026, 10, 14), "extended_care").elsewhere == ()
    assert at_football.school_class == north.school_class


def test_a_whole_day_in_a_few_queries_matches_each_sittings_roster(
    north, django_assert_max_num_queries
):
    # given a day with the plan's sittings and eight offerings, and children in them
    plan, football = _school_term(north)
    menu = football.menu
    clubs = [
        f.offering(menu, f"社团{n}", meetings=[(1, T(16, 40), T(17, 30))], capacity=5)
        for n in range(8)
    ]
    for n in range(12):
        app = f.application(
            _kid(north, f"孩子{n}", is_boarder=n % 4 == 0),
            plan.term,
            wants_extended_care=n % 3 == 0,
            weekdays=(1, 2) if n % 2 else (0, 1, 2, 3, 4),
        )
        f.enrol(app, clubs[n % 8] if n % 5 else football, starts_on=D(2026, 9, 1 + n))
    _generate(plan)
    day = D(2026, 9, 15)  # a Tuesday
    # when the day is read at once
    with django_assert_max_num_queries(6):
        rosters = selectors.day_rosters(north.school, day)
    # then it has every sitting of the day, in order, each with its own roster
    in_order = Sitting.objects.filter(date=day).order_by("start", "grade_from", "kind", "label")
    assert [r.sitting.pk for r in rosters] == [s.pk for s in in_order]
    assert len(rosters) == 3 + 1 + 8
    for roster in rosters:
        alone = selectors.sitting_roster(roster.sitting)
        assert [(e.student.pk, e.school_class, e.elsewhere) for e in roster.entries] == [
            (e.student.pk, e.school_class, e.elsewhere) for e in alone.entries
        ]
    assert sum(len(r) for r in rosters) > 12
