"""Services: what the seeds forbid is refused with the rule and the seed named, and a
refusal writes nothing; the lifecycle goes in order; the seed is committed at opening."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kehou.allocation import seed_commitment
from kehou.catalog import services
from kehou.catalog.models import Activity, Menu, Offering, OfferingMeeting
from kehou.catalog.tests.factories import (
    MON_1600,
    WED_1600,
    ActivityFactory,
    OrganisationFactory,
    external_instructor,
    make_offering,
)
from kehou.org.models import Staff
from kehou.testing import factories as f

pytestmark = pytest.mark.django_db


def _refused(call) -> str:
    with pytest.raises(ValidationError) as info:
        call()
    return " ".join(info.value.messages)


def _counts():
    return (Activity.objects.count(), Offering.objects.count(), OfferingMeeting.objects.count())


def _offering_fields(activity, instructor, **overrides):
    fields = {
        "activity": activity,
        "name": "A班",
        "grade_from": 3,
        "grade_to": 4,
        "capacity": 25,
        "instructor": instructor,
        "room": "302教室",
    }
    fields.update(overrides)
    return fields


# --- activities: what the seeds forbid ---------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "rule_words", "seed"),
    [
        ({"teaches_new_lessons": True}, "学校不得利用课后服务时间讲授新课", "种子000"),
        ({"teaches_new_lessons": True}, "不得组织集体补课和上新课", "种子001"),
        ({"has_commercial_promotion": True}, "严禁开展商业推广性质的活动", "种子001"),
        ({"risk_level": "high"}, "不得组织开展危险性较高的活动", "种子001"),
    ],
)
def test_forbidden_activity_content_is_refused_with_the_rule(north, flags, rule_words, seed):
    # given nothing yet
    before = _counts()
    # when the admin saves a forbidden activity
    message = _refused(
        lambda: services.activity_save(
            school=north.school, actor=north.admin, name="攀岩", category="sports", **flags
        )
    )
    # then the rule is quoted with its seed and nothing is written
    assert rule_words in message and seed in message
    assert _counts() == before


def test_subject_training_by_an_external_organisation_is_refused(north):
    organisation = OrganisationFactory(region=north.county)
    before = _counts()
    message = _refused(
        lambda: services.activity_save(
            school=north.school,
            actor=north.admin,
            name="奥数提高班",
            category="interest_group",
            organisation=organisation,
            is_subject_training=True,
        )
    )
    assert "学科类培训" in message and "种子000" in message
    assert "但不得开展学科类培训" in message
    assert _counts() == before


def test_subject_help_by_the_schools_own_teachers_is_accepted(north):
    activity = services.activity_save(
        school=north.school,
        actor=north.admin,
        name="数学答疑",
        category="homework",
        is_subject_training=True,
    )
    assert activity.pk and activity.school == north.school


def test_an_unvetted_organisation_is_refused(north):
    organisation = OrganisationFactory(region=north.county, is_vetted=False)
    before = _counts()
    message = _refused(
        lambda: services.activity_save(
            school=north.school,
            actor=north.admin,
            name="足球",
            category="sports",
            organisation=organisation,
        )
    )
    assert "未经教育局审核" in message and "种子000" in message
    assert _counts() == before


def test_editing_an_activity_into_forbidden_content_leaves_it_unchanged(north):
    activity = ActivityFactory(school=north.school, name="剪纸")
    _refused(
        lambda: services.activity_save(
            school=north.school, actor=north.admin, activity=activity, teaches_new_lessons=True
        )
    )
    activity.refresh_from_db()
    assert activity.teaches_new_lessons is False


# --- offerings ---------------------------------------------------------------------------


def test_a_valid_offering_is_saved_with_its_meetings(north_menu, north):
    activity = ActivityFactory(school=north.school)
    teacher = f.StaffFactory(school=north.school, name="张老师")
    offering = services.offering_save(
        menu=north_menu,
        actor=north.admin,
        meetings=[WED_1600, MON_1600],
        **_offering_fields(activity, teacher),
    )
    assert offering.capacity == 25 and offering.instructor == teacher
    assert [(m.weekday, m.start) for m in offering.meetings.all()] == [
        (0, dt.time(16)),
        (2, dt.time(16)),
    ]
    assert len(services.meeting_buckets(offering)) == 24  # two hours in 5-minute buckets


@pytest.mark.parametrize(
    ("overrides", "meetings", "expected"),
    [
        ({"capacity": 0}, [MON_1600], "容纳人数：至少为1"),
        ({"grade_from": 5, "grade_to": 8}, [MON_1600], "本校只有1至6年级"),
        ({"grade_from": 5, "grade_to": 3}, [MON_1600], "起始年级不能高于结束年级"),
        ({}, [(0, dt.time(17), dt.time(16))], "应晚于开始时间"),
        ({}, [(7, dt.time(16), dt.time(17))], "星期应为0（周一）到6（周日）"),
        ({}, [], "至少填写一次"),
        (
            {},
            [MON_1600, (0, dt.time(16, 30), dt.time(17, 30))],
            "时间重叠",
        ),
        ({"fee_per_term": Decimal("300")}, [MON_1600], "种子000"),
        ({"is_fallback": True}, [MON_1600], "只有作业辅导项目可以作为保底"),
    ],
)
def test_invalid_offerings_are_refused_and_nothing_written(
    north_menu, north, overrides, meetings, expected
):
    activity = ActivityFactory(school=north.school)
    teacher = f.StaffFactory(school=north.school)
    before = _counts()
    message = _refused(
        lambda: services.offering_save(
            menu=north_menu,
            actor=north.admin,
            meetings=meetings,
            **_offering_fields(activity, teacher, **overrides),
        )
    )
    assert expected in message
    assert _counts() == before


def test_a_fee_is_refused_unless_an_external_organisation_delivers(north_menu, north):
    activity = ActivityFactory(school=north.school)
    teacher = f.StaffFactory(school=north.school)
    message = _refused(
        lambda: services.offering_save(
            menu=north_menu,
            actor=north.admin,
            meetings=[MON_1600],
            **_offering_fields(activity, teacher, fee_per_term=Decimal("200")),
        )
    )
    assert "代收费" in message
    assert "还可采用代收费方式向社会组织和校外专业机构提供课后服务" in message
    assert not Offering.objects.exists()


def test_a_fee_is_accepted_where_an_organisation_delivers(north_menu, north):
    organisation = OrganisationFactory(region=north.county)
    activity = ActivityFactory(school=north.school, organisation=organisation, category="sports")
    coach = external_instructor(north.school, organisation=organisation)
    offering = services.offering_save(
        menu=north_menu,
        actor=north.admin,
        meetings=[MON_1600],
        **_offering_fields(activity, coach, fee_per_term=Decimal("300")),
    )
    assert offering.fee_per_term == Decimal("300")


def test_an_instructor_not_vetted_on_the_first_day_of_term_is_refused(north_menu, north):
    # the agreement starts after the term's first day (2026-09-01)
    coach = external_instructor(north.school, agreement_start=dt.date(2026, 10, 1))
    unchecked = external_instructor(north.school, background_check_result=Staff.CheckResult.PENDING)
    activity = ActivityFactory(school=north.school)
    for instructor, reason in [
        (coach, "协议"),
        (unchecked, "背景审查未通过"),
    ]:
        message = _refused(
            lambda instructor=instructor: services.offering_save(
                menu=north_menu,
                actor=north.admin,
                meetings=[MON_1600],
                **_offering_fields(activity, instructor),
            )
        )
        assert "2026-09-01" in message and reason in message and "种子000" in message
    assert not Offering.objects.exists()


def test_an_instructor_of_another_school_is_refused(north_menu, north, south):
    activity = ActivityFactory(school=north.school)
    south_teacher = f.StaffFactory(school=south.school)
    message = _refused(
        lambda: services.offering_save(
            menu=north_menu,
            actor=north.admin,
            meetings=[MON_1600],
            **_offering_fields(activity, south_teacher),
        )
    )
    assert "本校" in message
    assert not Offering.objects.exists()


def test_another_schools_activity_is_refused(north_menu, north, south):
    south_activity = ActivityFactory(school=south.school)
    teacher = f.StaffFactory(school=north.school)
    message = _refused(
        lambda: services.offering_save(
            menu=north_menu,
            actor=north.admin,
            meetings=[MON_1600],
            **_offering_fields(south_activity, teacher),
        )
    )
    assert "只能选择本校的活动" in message
    assert not Offering.objects.exists()


def test_evening_study_only_for_junior_grades_until_2030(term, north):
    junior = f.SchoolFactory(region=north.county, school_type="junior")
    menu = services.menu_for(school=junior, term=term)
    activity = ActivityFactory(school=junior, category="evening_study", name="晚自习")
    teacher = f.StaffFactory(school=junior)
    late = (0, dt.time(19, 0), dt.time(21, 0))
    message = _refused(
        lambda: services.offering_save(
            menu=menu,
            actor=north.admin,
            meetings=[late],
            **_offering_fields(activity, teacher, grade_from=7, grade_to=9),
        )
    )
    assert "不晚于20:30" in message and "种子001" in message
    assert not Offering.objects.exists()


def test_editing_an_offering_in_draft_replaces_its_meetings(north_menu, north):
    offering = make_offering(north_menu)
    services.offering_save(
        menu=north_menu,
        actor=north.admin,
        offering=offering,
        meetings=[WED_1600],
        grade_from=2,
    )
    offering.refresh_from_db()
    assert offering.grade_from == 2
    assert [m.weekday for m in offering.meetings.all()] == [2]


def _open(menu, admin, closes_later):
    menu.window_closes_at = closes_later
    menu.save()
    services.menu_publish(menu=menu, actor=admin)
    return services.menu_open_window(menu=menu, actor=admin)


def test_after_the_window_opens_only_capacity_increase_and_instructor_change(
    north_menu, north, closes_later
):
    offering = make_offering(north_menu, capacity=20)
    _open(north_menu, north.admin, closes_later)
    meetings = [MON_1600]
    # a grade change is refused
    message = _refused(
        lambda: services.offering_save(
            menu=north_menu, actor=north.admin, offering=offering, meetings=meetings, grade_to=5
        )
    )
    assert "只能增加容纳人数或更换授课人" in message
    # a capacity decrease is refused
    message = _refused(
        lambda: services.offering_save(
            menu=north_menu, actor=north.admin, offering=offering, meetings=meetings, capacity=10
        )
    )
    assert "只能增加" in message
    # a new meeting time is refused
    _refused(
        lambda: services.offering_save(
            menu=north_menu,
            actor=north.admin,
            offering=offering,
            meetings=[MON_1600, WED_1600],
        )
    )
    # a new offering is refused
    _refused(
        lambda: services.offering_save(
            menu=north_menu,
            actor=north.admin,
            meetings=meetings,
            **_offering_fields(offering.activity, offering.instructor),
        )
    )
    offering.refresh_from_db()
    assert (offering.capacity, offering.grade_to, offering.meetings.count()) == (20, 6, 1)
    assert Offering.objects.count() == 1
    # a capacity increase and a new (vetted) instructor are accepted
    substitute = f.StaffFactory(school=north.school, name="代课老师")
    services.offering_save(
        menu=north_menu,
        actor=north.admin,
        offering=offering,
        meetings=meetings,
        capacity=30,
        instructor=substitute,
    )
    offering.refresh_from_db()
    assert (offering.capacity, offering.instructor) == (30, substitute)


def test_a_capacity_increase_after_allocation_refills_the_waiting_list(
    north_menu, north, closes_later, monkeypatch, django_capture_on_commit_callbacks
):
    offering = make_offering(north_menu, capacity=20)
    _open(north_menu, north.admin, closes_later)
    services.menu_close_window(menu=north_menu, actor=north.admin)
    services.menu_mark_allocated(menu=north_menu)
    refilled = []
    monkeypatch.setattr(services, "_refill", refilled.append)
    with django_capture_on_commit_callbacks(execute=True):
        services.offering_save(
            menu=north_menu, actor=north.admin, offering=offering, meetings=[MON_1600], capacity=22
        )
    assert refilled == [offering.pk]


# --- lifecycle ---------------------------------------------------------------------------


def test_the_lifecycle_goes_in_order_and_commits_the_seed(north_menu, north, closes_later):
    make_offering(north_menu)
    north_menu.window_closes_at = closes_later
    north_menu.save()
    services.menu_publish(menu=north_menu, actor=north.admin)
    menu = services.menu_open_window(menu=north_menu, actor=north.admin)
    assert menu.status == Menu.Status.WINDOW_OPEN
    assert len(menu.lottery_seed) == 32
    assert menu.lottery_seed_hash == seed_commitment(menu.lottery_seed)
    assert menu.window_opens_at is not None
    menu = services.menu_close_window(menu=menu, actor=north.admin)
    assert menu.status == Menu.Status.CLOSED
    menu = services.menu_mark_allocated(menu=menu)
    menu = services.menu_mark_allocated(menu=menu)  # idempotent
    menu = services.menu_start_running(menu=menu, actor=north.admin)
    assert menu.status == Menu.Status.RUNNING


@pytest.mark.parametrize(
    ("status", "call", "expected"),
    [
        ("draft", services.menu_open_window, "只有“已发布”的菜单可以开放选课"),
        ("draft", services.menu_close_window, "只有“选课开放中”的菜单可以截止选课"),
        ("published", services.menu_publish, "只有“草稿”的菜单可以发布"),
        ("window_open", services.menu_start_running, "不能开始上课"),
        ("closed", services.menu_open_window, "不能开放选课"),
        ("running", services.menu_close_window, "不能截止选课"),
    ],
)
def test_transitions_out_of_order_are_refused(north_menu, north, status, call, expected):
    Menu.objects.filter(pk=north_menu.pk).update(status=status)
    message = _refused(lambda: call(menu=north_menu, actor=north.admin))
    assert expected in message
    north_menu.refresh_from_db()
    assert north_menu.status == status and north_menu.lottery_seed == ""


def test_mark_allocated_before_the_window_closed_is_refused(north_menu):
    Menu.objects.filter(pk=north_menu.pk).update(status="window_open")
    _refused(lambda: services.menu_mark_allocated(menu=north_menu))
    north_menu.refresh_from_db()
    assert north_menu.status == "window_open"


def test_an_fcfs_menu_runs_straight_after_closing(north_menu, north):
    Menu.objects.filter(pk=north_menu.pk).update(status="closed", mode="fcfs")
    assert services.menu_start_running(menu=north_menu, actor=north.admin).status == "running"


def test_publishing_needs_offerings_with_instructor_and_times(north_menu, north):
    message = _refused(lambda: services.menu_publish(menu=north_menu, actor=north.admin))
    assert "还没有任何项目" in message
    offering = make_offering(north_menu, meetings=())
    Offering.objects.filter(pk=offering.pk).update(instructor=None)
    message = _refused(lambda: services.menu_publish(menu=north_menu, actor=north.admin))
    assert "还没有授课人" in message and "还没有上课时间" in message
    north_menu.refresh_from_db()
    assert north_menu.status == "draft"


def test_publishing_rechecks_an_instructor_whose_vetting_lapsed(north_menu, north):
    coach = external_instructor(north.school)
    make_offering(north_menu, instructor=coach)
    Staff.objects.filter(pk=coach.pk).update(background_check_result=Staff.CheckResult.FAILED)
    message = _refused(lambda: services.menu_publish(menu=north_menu, actor=north.admin))
    assert "背景审查未通过" in message
    north_menu.refresh_from_db()
    assert north_menu.status == "draft"


def test_opening_needs_a_closing_time_in_the_future(north_menu, north):
    make_offering(north_menu)
    services.menu_publish(menu=north_menu, actor=north.admin)
    message = _refused(lambda: services.menu_open_window(menu=north_menu, actor=north.admin))
    assert "选课截止时间" in message
    north_menu.refresh_from_db()
    assert (north_menu.status, north_menu.lottery_seed, north_menu.lottery_seed_hash) == (
        "published",
        "",
        "",
    )


def test_settings_are_checked_and_frozen_once_the_window_opens(north_menu, north, closes_later):
    opens = closes_later
    message = _refused(
        lambda: services.menu_settings_save(
            menu=north_menu,
            actor=north.admin,
            mode="lottery",
            mechanism="rsd",
            max_extended_per_child=0,
            window_opens_at=opens,
            window_closes_at=opens - dt.timedelta(hours=1),
        )
    )
    assert "至少为1" in message and "应晚于开放时间" in message
    north_menu.refresh_from_db()
    assert (north_menu.mechanism, north_menu.max_extended_per_child) == ("da", 1)
    services.menu_settings_save(
        menu=north_menu,
        actor=north.admin,
        mode="lottery",
        mechanism="rsd",
        max_extended_per_child=2,
        window_opens_at=None,
        window_closes_at=closes_later,
    )
    north_menu.refresh_from_db()
    assert (north_menu.mechanism, north_menu.max_extended_per_child) == ("rsd", 2)
    make_offering(north_menu)
    services.menu_publish(menu=north_menu, actor=north.admin)
    services.menu_open_window(menu=north_menu, actor=north.admin)
    message = _refused(
        lambda: services.menu_settings_save(
            menu=north_menu,
            actor=north.admin,
            mode="fcfs",
            mechanism="da",
            max_extended_per_child=2,
            window_opens_at=None,
            window_closes_at=closes_later,
        )
    )
    assert "不能再改" in message
    north_menu.refresh_from_db()
    assert (north_menu.mode, north_menu.mechanism) == ("lottery", "rsd")


def test_eligible_offerings_follow_the_grade(north_menu):
    low = make_offering(north_menu, grade_from=1, grade_to=2)
    high = make_offering(north_menu, grade_from=3, grade_to=6)
    assert list(services.eligible_offerings(menu=north_menu, grade=2)) == [low]
    assert list(services.eligible_offerings(menu=north_menu, grade=4)) == [high]


def test_meeting_buckets_share_a_pair_exactly_when_times_overlap():
    a = services.buckets_of([(0, dt.time(16), dt.time(17))])
    b = services.buckets_of([(0, dt.time(17), dt.time(18))])
    c = services.buckets_of([(0, dt.time(16, 55), dt.time(17, 30))])
    d = services.buckets_of([(1, dt.time(16), dt.time(17))])
    assert not a & b and a & c and not a & d


def test_the_change_log_never_holds_the_secret_seed(north_menu, north, closes_later):
    from auditlog.models import LogEntry

    make_offering(north_menu)
    menu = _open(north_menu, north.admin, closes_later)
    entries = LogEntry.objects.filter(object_pk=str(menu.pk), content_type__model="menu")
    assert entries.exists()
    assert all(menu.lottery_seed not in str(e.changes) for e in entries)
    assert any(menu.lottery_seed_hash in str(e.changes) for e in entries)
