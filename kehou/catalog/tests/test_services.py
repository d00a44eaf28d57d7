"""Services: every refusal carries a stable code and the field it concerns and writes
nothing; the lifecycle goes in order; the seed is committed at opening. The persona city
follows the Jiangsu template (seed 000) here; kehou/catalog/tests/test_rules.py compares
the profiles."""

import datetime as dt
from decimal import Decimal

import pytest

from kehou.allocation import seed_commitment
from kehou.catalog import selectors, services
from kehou.catalog.models import Menu, Offering
from kehou.core import errors
from kehou.core.errors import WHOLE
from kehou.org.models import Staff
from kehou.policy_rules import DOCUMENT_TITLES
from kehou.testing import factories as f
from kehou.testing.snapshots import refused

DOC_000, DOC_001 = DOCUMENT_TITLES["000"], DOCUMENT_TITLES["001"]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jiangsu")]

MON_1600, WED_1600 = f.MON_1600, f.WED_1600


def pairs(error) -> set[tuple[str, str]]:
    return {(item.field, item.code) for item in errors.items(error)}


def text(error) -> str:
    return " ".join(errors.messages(error))


@pytest.fixture
def staff(north):
    return f.StaffFactory(school=north.school, name="张老师")


@pytest.fixture
def activity(north):
    return f.ActivityFactory(school=north.school)


def offering_fields(chosen, instructor, **overrides):
    """The fields of an offering of the `chosen` activity (overrides may replace it)."""
    fields = {
        "activity": chosen,
        "name": "A班",
        "grade_from": 3,
        "grade_to": 4,
        "capacity": 25,
        "instructor": instructor,
        "room": "302教室",
    }
    fields.update(overrides)
    return fields


def save_offering(menu, actor, chosen, instructor, meetings=(MON_1600,), **overrides):
    return services.offering_save(
        menu=menu,
        actor=actor,
        meetings=list(meetings),
        **offering_fields(chosen, instructor, **overrides),
    )


# --- the menu of a term --------------------------------------------------------------------


def test_menu_create_is_idempotent(north, term):
    first = services.menu_create(school=north.school, term=term, actor=north.admin)
    again = services.menu_create(school=north.school, term=term, actor=north.admin)
    assert first == again and first.status == Menu.Status.DRAFT
    assert Menu.objects.count() == 1
    assert selectors.school_menu(school=north.school, term=term) == first


def test_the_menu_read_creates_nothing(north, term):
    assert selectors.school_menu(school=north.school, term=term) is None
    assert not Menu.objects.exists()


# --- activities ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": " "}, ("name", "name_required")),
        ({"category": "chess"}, ("category", "category_invalid")),
        ({"risk_level": "extreme"}, ("risk_level", "risk_level_invalid")),
        ({"teaches_new_lessons": True}, ("teaches_new_lessons", "new_lessons")),
    ],
)
def test_an_activity_refusal_names_its_code_and_field(north, fields, expected):
    values = {"name": "攀岩", "category": "sports", **fields}
    error = refused(
        lambda: services.activity_save(school=north.school, actor=north.admin, **values)
    )
    assert pairs(error) == {expected}


def test_new_lessons_are_refused_quoting_the_profile(north):
    error = refused(
        lambda: services.activity_save(
            school=north.school,
            actor=north.admin,
            name="数学新课",
            category="homework",
            teaches_new_lessons=True,
        )
    )
    assert "讲新课，不予保存" in text(error)
    assert f"依据{DOC_000}：“学校不得利用课后服务时间讲授新课。”" in text(error)
    assert "种子" not in text(error)


def test_subject_training_by_an_external_organisation_is_refused(north):
    organisation = f.OrganisationFactory(region=north.county)
    error = refused(
        lambda: services.activity_save(
            school=north.school,
            actor=north.admin,
            name="奥数提高班",
            category="interest_group",
            organisation=organisation,
            is_subject_training=True,
        )
    )
    assert pairs(error) == {("is_subject_training", "subject_training_by_organisation")}
    assert "学科类培训" in text(error) and DOC_000 in text(error)
    assert "但不得开展学科类培训" in text(error)


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
    organisation = f.OrganisationFactory(region=north.county, status="pending")
    error = refused(
        lambda: services.activity_save(
            school=north.school,
            actor=north.admin,
            name="足球",
            category="sports",
            organisation=organisation,
        )
    )
    assert pairs(error) == {("organisation", "organisation_not_vetted")}
    assert "未经教育局审核" in text(error) and DOC_000 in text(error)


def test_editing_an_activity_into_forbidden_content_leaves_it_unchanged(north, activity):
    refused(
        lambda: services.activity_save(
            school=north.school, actor=north.admin, activity=activity, teaches_new_lessons=True
        )
    )
    activity.refresh_from_db()
    assert activity.teaches_new_lessons is False


def test_the_category_is_frozen_once_a_window_opened(north, north_menu, closes_later):
    offering = f.offering(north_menu, instructor=f.StaffFactory(school=north.school))
    open_window(north_menu, north.admin, closes_later)
    error = refused(
        lambda: services.activity_save(
            school=north.school, actor=north.admin, activity=offering.activity, category="sports"
        )
    )
    assert pairs(error) == {("category", "category_frozen")}


# --- offerings -----------------------------------------------------------------------------


def test_a_valid_offering_is_saved_with_its_meetings(north_menu, north, activity, staff):
    offering = save_offering(north_menu, north.admin, activity, staff, [WED_1600, MON_1600])
    assert offering.capacity == 25 and offering.instructor == staff
    assert [(m.weekday, m.start) for m in offering.meetings.all()] == [
        (0, dt.time(16)),
        (2, dt.time(16)),
    ]
    assert len(services.meeting_buckets(offering)) == 24  # two hours in 5-minute buckets


@pytest.mark.parametrize(
    ("overrides", "meetings", "field", "code", "words"),
    [
        ({"capacity": 0}, [MON_1600], "capacity", "capacity_too_small", "容纳人数：至少为1"),
        (
            {"grade_from": 5, "grade_to": 8},
            [MON_1600],
            "grade_from",
            "grades_outside_school",
            "本校只有1至6年级",
        ),
        (
            {"grade_from": 5, "grade_to": 3},
            [MON_1600],
            "grade_to",
            "grades_reversed",
            "起始年级不能高于结束年级",
        ),
        (
            {},
            [(0, dt.time(17), dt.time(16))],
            "meetings",
            "meeting_ends_before_start",
            "应晚于开始时间",
        ),
        (
            {},
            [(7, dt.time(16), dt.time(17))],
            "meetings",
            "meeting_weekday_invalid",
            "星期应为0（周一）到6（周日）",
        ),
        ({}, [(0, None, dt.time(17))], "meetings", "meeting_time_missing", "请填写开始和结束时间"),
        ({}, [(0, dt.time(16))], "meetings", "meeting_malformed", "第1行"),
        ({}, [], "meetings", "meetings_missing", "至少填写一次"),
        (
            {},
            [MON_1600, (0, dt.time(16, 30), dt.time(17, 30))],
            "meetings",
            "meetings_overlap",
            "时间重叠",
        ),
        ({"fee_per_term": Decimal("-1")}, [MON_1600], "fee_per_term", "fee_negative", "负数"),
        (
            {"fee_per_term": Decimal("300")},
            [MON_1600],
            "fee_per_term",
            "fee_not_external",
            DOC_000,
        ),
        (
            {"is_fallback": True},
            [MON_1600],
            "is_fallback",
            "fallback_not_homework",
            "只有作业辅导项目可以作为保底",
        ),
        ({"activity": None}, [MON_1600], "activity", "activity_required", "活动"),
    ],
)
def test_an_offering_refusal_names_its_code_and_field(
    north_menu, north, activity, staff, overrides, meetings, field, code, words
):
    error = refused(
        lambda: save_offering(north_menu, north.admin, activity, staff, meetings, **overrides)
    )
    assert pairs(error) == {(field, code)}
    assert words in text(error)


def test_every_problem_is_reported_at_once(north_menu, north, activity, staff):
    error = refused(
        lambda: save_offering(
            north_menu, north.admin, activity, staff, [], capacity=0, is_fallback=True
        )
    )
    assert {code for _field, code in pairs(error)} == {
        "meetings_missing",
        "capacity_too_small",
        "fallback_not_homework",
    }


def test_a_fee_is_refused_unless_an_external_organisation_delivers(
    north_menu, north, activity, staff
):
    error = refused(
        lambda: save_offering(north_menu, north.admin, activity, staff, fee_per_term=Decimal("200"))
    )
    assert pairs(error) == {("fee_per_term", "fee_not_external")}
    assert "还可采用代收费方式向社会组织和校外专业机构提供课后服务" in text(error)


def test_a_fee_is_accepted_where_an_organisation_delivers(north_menu, north):
    organisation = f.OrganisationFactory(region=north.county)
    activity = f.ActivityFactory(school=north.school, organisation=organisation, category="sports")
    coach = f.external_instructor(north.school, organisation=organisation)
    offering = save_offering(north_menu, north.admin, activity, coach, fee_per_term=Decimal("300"))
    assert offering.fee_per_term == Decimal("300")


def test_an_instructor_not_vetted_on_the_first_day_of_term_is_refused(north_menu, north, activity):
    # the agreement starts after the term's first day (2026-09-01)
    late = f.external_instructor(north.school, agreement_start=dt.date(2026, 10, 1))
    unchecked = f.external_instructor(
        north.school, background_check_result=Staff.CheckResult.PENDING
    )
    for instructor, reason in [(late, "协议"), (unchecked, "背景审查未通过")]:
        error = refused(
            lambda instructor=instructor: save_offering(
                north_menu, north.admin, activity, instructor
            )
        )
        assert pairs(error) == {("instructor", "instructor_not_vetted")}
        assert "2026-09-01" in text(error) and reason in text(error) and DOC_000 in text(error)


def test_an_instructor_of_another_school_is_refused(north_menu, north, south, activity):
    south_teacher = f.StaffFactory(school=south.school)
    error = refused(lambda: save_offering(north_menu, north.admin, activity, south_teacher))
    assert pairs(error) == {("instructor", "instructor_other_school")}
    assert "本校" in text(error)


def test_an_instructor_who_left_is_refused(north_menu, north, activity):
    gone = f.StaffFactory(school=north.school, is_active=False)
    error = refused(lambda: save_offering(north_menu, north.admin, activity, gone))
    assert pairs(error) == {("instructor", "instructor_inactive")}


def test_another_schools_activity_is_refused(north_menu, north, south, staff):
    south_activity = f.ActivityFactory(school=south.school)
    error = refused(lambda: save_offering(north_menu, north.admin, south_activity, staff))
    assert pairs(error) == {("activity", "activity_other_school")}
    assert "只能选择本校的活动" in text(error)


def test_an_offering_of_another_menu_of_the_school_is_refused(north, north_menu, staff):
    spring = f.TermFactory(semester=2, start=dt.date(2027, 2, 22), end=dt.date(2027, 7, 2))
    other = services.menu_create(school=north.school, term=spring, actor=north.admin)
    offering = f.offering(other, instructor=staff)
    error = refused(
        lambda: services.offering_save(
            menu=north_menu, actor=north.admin, offering=offering, meetings=[MON_1600]
        )
    )
    assert pairs(error) == {(WHOLE, "offering_other_menu")}


def test_evening_study_is_for_junior_grades_only(term, north):
    junior = f.SchoolFactory(region=north.county, school_type="nine_year")
    admin = f.UserFactory(school=junior)
    menu = services.menu_create(school=junior, term=term, actor=admin)
    activity = f.ActivityFactory(school=junior, category="evening_study", name="晚自习")
    teacher = f.StaffFactory(school=junior)
    evening = [(0, dt.time(18, 30), dt.time(20, 0))]
    error = refused(
        lambda: save_offering(menu, admin, activity, teacher, evening, grade_from=6, grade_to=9)
    )
    assert pairs(error) == {("grade_from", "evening_study_junior_only")}
    save_offering(menu, admin, activity, teacher, evening, grade_from=7, grade_to=9)


def test_editing_an_offering_in_draft_replaces_its_meetings(north_menu, north, staff):
    offering = f.offering(north_menu, instructor=staff)
    services.offering_save(
        menu=north_menu, actor=north.admin, offering=offering, meetings=[WED_1600], grade_from=2
    )
    offering.refresh_from_db()
    assert offering.grade_from == 2
    assert [m.weekday for m in offering.meetings.all()] == [2]


def test_an_offering_is_deleted_only_before_the_window_opens(
    north_menu, north, staff, closes_later
):
    gone = f.offering(north_menu, "剪纸", instructor=staff)
    services.offering_delete(offering=gone, actor=north.admin)
    assert not Offering.objects.filter(pk=gone.pk).exists()
    kept = f.offering(north_menu, "足球", instructor=staff)
    open_window(north_menu, north.admin, closes_later)
    error = refused(lambda: services.offering_delete(offering=kept, actor=north.admin))
    assert pairs(error) == {(WHOLE, "menu_closed_to_deletions")}
    assert "选课开放中" in text(error)


def open_window(menu, admin, closes_later):
    f.ready_to_open(menu)
    menu.window_closes_at = closes_later
    menu.save()
    services.menu_publish(menu=menu, actor=admin)
    return services.menu_open_window(menu=menu, actor=admin)


def test_after_the_window_opens_only_capacity_increase_and_instructor_change(
    north_menu, north, staff, closes_later
):
    offering = f.offering(north_menu, capacity=20, instructor=staff)
    open_window(north_menu, north.admin, closes_later)

    def change(meetings=(MON_1600,), **fields):
        return services.offering_save(
            menu=north_menu, actor=north.admin, offering=offering, meetings=list(meetings), **fields
        )

    error = refused(lambda: change(grade_to=5))
    assert pairs(error) == {(WHOLE, "offering_frozen")}
    assert "只能增加容纳人数或更换授课人" in text(error)
    error = refused(lambda: change(capacity=10))
    assert pairs(error) == {("capacity", "capacity_decrease")}
    assert "不能从20减少到10" in text(error)
    error = refused(lambda: change(meetings=[MON_1600, WED_1600]))
    assert pairs(error) == {(WHOLE, "offering_frozen")}
    error = refused(lambda: save_offering(north_menu, north.admin, offering.activity, staff))
    assert pairs(error) == {(WHOLE, "menu_closed_to_new_offerings")}
    # a capacity increase and a new (vetted) instructor are accepted
    substitute = f.StaffFactory(school=north.school, name="代课老师")
    change(capacity=30, instructor=substitute)
    offering.refresh_from_db()
    assert (offering.capacity, offering.instructor) == (30, substitute)


def test_a_capacity_increase_after_allocation_is_saved(north_menu, north, staff, closes_later):
    """The waiting-list sweep (kehou.enrollment.tasks) offers the new seats."""
    offering = f.offering(north_menu, capacity=20, instructor=staff)
    open_window(north_menu, north.admin, closes_later)
    services.menu_close_window(menu=north_menu, actor=north.admin)
    services.menu_mark_allocated(menu=north_menu, actor=north.admin)
    services.offering_save(
        menu=north_menu, actor=north.admin, offering=offering, meetings=[MON_1600], capacity=22
    )
    offering.refresh_from_db()
    assert offering.capacity == 22 and offering.meetings.count() == 1


# --- lifecycle -----------------------------------------------------------------------------


def test_the_lifecycle_goes_in_order_and_commits_the_seed(north_menu, north, staff, closes_later):
    f.offering(north_menu, instructor=staff)
    menu = open_window(north_menu, north.admin, closes_later)
    assert menu.status == Menu.Status.WINDOW_OPEN
    assert len(menu.lottery_seed) == 32
    assert menu.lottery_seed_hash == seed_commitment(menu.lottery_seed)
    assert menu.window_opens_at is not None
    menu = services.menu_close_window(menu=menu, actor=north.admin)
    assert menu.status == Menu.Status.CLOSED
    menu = services.menu_mark_allocated(menu=menu, actor=north.admin)
    menu = services.menu_mark_allocated(menu=menu, actor=north.admin)  # idempotent
    menu = services.menu_start_running(menu=menu, actor=north.admin)
    assert menu.status == Menu.Status.RUNNING


@pytest.mark.parametrize(
    ("status", "call", "expected"),
    [
        ("draft", services.menu_open_window, "只有“已发布”的菜单可以开放选课"),
        ("draft", services.menu_close_window, "只有“选课开放中”的菜单可以截止选课"),
        ("published", services.menu_publish, "只有“草稿”的菜单可以发布"),
        ("window_open", services.menu_start_running, "不能开始上课"),
        ("window_open", services.menu_mark_allocated, "只有“选课已截止”或“已分配”的菜单"),
        ("closed", services.menu_open_window, "不能开放选课"),
        ("running", services.menu_close_window, "不能截止选课"),
    ],
)
def test_transitions_out_of_order_are_refused(north_menu, north, status, call, expected):
    Menu.objects.filter(pk=north_menu.pk).update(status=status)
    error = refused(lambda: call(menu=north_menu, actor=north.admin))
    assert pairs(error) == {(WHOLE, "menu_status_wrong")}
    assert expected in text(error)


def test_an_fcfs_menu_runs_straight_after_closing(north_menu, north):
    Menu.objects.filter(pk=north_menu.pk).update(status="closed", mode="fcfs")
    assert services.menu_start_running(menu=north_menu, actor=north.admin).status == "running"


def test_publishing_needs_offerings_with_instructor_and_times(north_menu, north):
    error = refused(lambda: services.menu_publish(menu=north_menu, actor=north.admin))
    assert pairs(error) == {(WHOLE, "menu_empty")}
    assert "还没有任何项目" in text(error)
    f.offering(north_menu, "足球A班", meetings=())
    error = refused(lambda: services.menu_publish(menu=north_menu, actor=north.admin))
    assert pairs(error) == {
        (WHOLE, "offering_without_instructor"),
        (WHOLE, "offering_without_meetings"),
    }
    assert "项目“足球A班”：还没有授课人" in text(error) and "还没有上课时间" in text(error)


def test_publishing_rechecks_an_instructor_whose_vetting_lapsed(north_menu, north):
    coach = f.external_instructor(north.school, name="李教练")
    f.offering(north_menu, "足球A班", instructor=coach)
    Staff.objects.filter(pk=coach.pk).update(background_check_result=Staff.CheckResult.FAILED)
    error = refused(lambda: services.menu_publish(menu=north_menu, actor=north.admin))
    assert pairs(error) == {(WHOLE, "instructor_not_vetted")}
    assert "项目“足球A班”：授课人“李教练”" in text(error) and "背景审查未通过" in text(error)


def test_publishing_rechecks_what_the_profile_forbids(north_menu, north, staff):
    activity = f.ActivityFactory(school=north.school, name="数学新课", teaches_new_lessons=True)
    f.offering(north_menu, "数学新课A班", activity=activity, instructor=staff)
    error = refused(lambda: services.menu_publish(menu=north_menu, actor=north.admin))
    assert pairs(error) == {(WHOLE, "new_lessons")}
    assert "项目“数学新课A班”：活动“数学新课”讲新课" in text(error)


def test_opening_needs_a_closing_time_in_the_future(north_menu, north, staff):
    f.offering(north_menu, instructor=staff)
    f.ready_to_open(north_menu)
    services.menu_publish(menu=north_menu, actor=north.admin)
    error = refused(lambda: services.menu_open_window(menu=north_menu, actor=north.admin))
    assert pairs(error) == {("window_closes_at", "window_close_missing")}
    assert "选课截止时间" in text(error)


def settings_of(**overrides):
    values = {
        "mode": "lottery",
        "mechanism": "rsd",
        "max_extended_per_child": 2,
        "window_opens_at": None,
        "window_closes_at": None,
    }
    values.update(overrides)
    return values


def test_settings_are_checked(north_menu, north, closes_later):
    error = refused(
        lambda: services.menu_settings_save(
            menu=north_menu,
            actor=north.admin,
            **settings_of(
                mode="raffle",
                mechanism="boston",
                max_extended_per_child=0,
                window_opens_at=closes_later,
                window_closes_at=closes_later - dt.timedelta(hours=1),
            ),
        )
    )
    assert pairs(error) == {
        ("mode", "mode_invalid"),
        ("mechanism", "mechanism_invalid"),
        ("max_extended_per_child", "max_extended_too_small"),
        ("window_closes_at", "window_closes_before_opening"),
    }
    assert "至少为1" in text(error) and "应晚于开放时间" in text(error)


def test_settings_are_frozen_once_the_window_opens(north_menu, north, staff, closes_later):
    services.menu_settings_save(
        menu=north_menu, actor=north.admin, **settings_of(window_closes_at=closes_later)
    )
    north_menu.refresh_from_db()
    assert (north_menu.mechanism, north_menu.max_extended_per_child) == ("rsd", 2)
    f.offering(north_menu, instructor=staff)
    f.ready_to_open(north_menu)
    services.menu_publish(menu=north_menu, actor=north.admin)
    services.menu_open_window(menu=north_menu, actor=north.admin)
    error = refused(
        lambda: services.menu_settings_save(
            menu=north_menu,
            actor=north.admin,
            **settings_of(mode="fcfs", window_closes_at=closes_later),
        )
    )
    assert pairs(error) == {(WHOLE, "settings_frozen")}
    assert "不能再改" in text(error)


def test_eligible_offerings_follow_the_grade(north_menu):
    low = f.offering(north_menu, "绘本", grades=(1, 2))
    high = f.offering(north_menu, "足球", grades=(3, 6))
    assert list(selectors.eligible_offerings(menu=north_menu, grade=2)) == [low]
    assert list(selectors.eligible_offerings(menu=north_menu, grade=4)) == [high]


def test_meeting_buckets_share_a_pair_exactly_when_times_overlap():
    a = services.buckets_of([(0, dt.time(16), dt.time(17))])
    b = services.buckets_of([(0, dt.time(17), dt.time(18))])
    c = services.buckets_of([(0, dt.time(16, 55), dt.time(17, 30))])
    d = services.buckets_of([(1, dt.time(16), dt.time(17))])
    assert not a & b and a & c and not a & d


def test_the_change_log_never_holds_the_secret_seed(north_menu, north, staff, closes_later):
    from auditlog.models import LogEntry

    f.offering(north_menu, instructor=staff)
    menu = open_window(north_menu, north.admin, closes_later)
    entries = LogEntry.objects.filter(object_pk=str(menu.pk), content_type__model="menu")
    assert entries.exists()
    assert all(menu.lottery_seed not in str(e.changes) for e in entries)
    assert any(menu.lottery_seed_hash in str(e.changes) for e in entries)
