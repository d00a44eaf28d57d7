"""The menu checked against the school plan and the profile (issue 8, item 7): meetings
only on the plan's service days and inside its slots for the offering's grades; no
instructor and no room booked twice at the same time, even when two admins save at once;
no fee where the profile has no fee standard, rechecked when the menu goes out; subject
training by what an activity is; no choice window without a published plan and the
fallback offering. Also the bounds of the numbers a form sends (item 5)."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kehou.catalog import services
from kehou.catalog.models import Activity, Menu, Offering
from kehou.core import errors
from kehou.org.access import SYSTEM
from kehou.policy import services as policy
from kehou.testing import factories as f
from kehou.testing.snapshots import everything, refused

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jiangsu")]

T = dt.time


def pairs(error) -> set[tuple[str, str]]:
    return {(item.field, item.code) for item in errors.items(error)}


def text(error) -> str:
    return " ".join(errors.messages(error))


@pytest.fixture
def plan(north, term):
    """Seed 002's shape: grades 1-2 15:30-17:30, grades 3-6 15:50-17:50, Monday-Thursday."""
    return f.published_plan(
        north.school,
        term=term,
        weekdays=(0, 1, 2, 3),
        slots=[
            {"grade_from": 1, "grade_to": 2, "start": T(15, 30), "end": T(17, 30)},
            {"grade_from": 3, "grade_to": 6, "start": T(15, 50), "end": T(17, 50)},
        ],
    )


@pytest.fixture(autouse=True)
def paper_cutting(north):
    """The activity `save` offers unless told otherwise (made before any refusal is
    watched, so a refused save changes nothing)."""
    return f.ActivityFactory(school=north.school, name="剪纸", category="arts")


def save(menu, actor, *, meetings, instructor=None, activity=None, **fields):
    values = {
        "activity": activity or Activity.objects.get(school=menu.school, name="剪纸"),
        "name": fields.pop("name", "A班"),
        "grade_from": 1,
        "grade_to": 2,
        "capacity": 20,
        "instructor": instructor,
        "room": "",
    }
    values.update(fields)
    return services.offering_save(menu=menu, actor=actor, meetings=list(meetings), **values)


# --- the plan's days and slots -------------------------------------------------------------


def test_a_primary_offering_late_at_night_is_refused_naming_the_plans_slots(
    north_menu, north, plan
):
    error = refused(lambda: save(north_menu, north.admin, meetings=[(0, T(21, 0), T(23, 30))]))
    assert pairs(error) == {("meetings", "meeting_outside_plan_slots")}
    assert "21:00–23:30" in text(error) and "1–2年级 15:30–17:30" in text(error)


def test_a_sunday_meeting_is_refused_naming_the_plans_service_days(north_menu, north, plan):
    error = refused(lambda: save(north_menu, north.admin, meetings=[(6, T(16, 0), T(17, 0))]))
    assert pairs(error) == {("meetings", "meeting_not_service_day")}
    assert "周日" in text(error) and "周一至周四" in text(error)
    # Friday is not one of this plan's days either (Monday-Thursday, as in seed 002)
    friday = refused(lambda: save(north_menu, north.admin, meetings=[(4, T(16, 0), T(17, 0))]))
    assert pairs(friday) == {("meetings", "meeting_not_service_day")}


def test_an_offering_across_grade_groups_meets_inside_the_slots_of_every_grade(
    north_menu, north, plan
):
    # 15:30-16:20 is inside grades 1-2's slot but starts before grades 3-6's (15:50)
    error = refused(
        lambda: save(north_menu, north.admin, grade_to=4, meetings=[(1, T(15, 30), T(16, 20))])
    )
    assert pairs(error) == {("meetings", "meeting_outside_plan_slots")}
    assert "3–4年级" in text(error) and "3–6年级 15:50–17:50" in text(error)
    assert save(north_menu, north.admin, grade_to=4, meetings=[(1, T(16, 0), T(17, 0))]).pk


def test_evening_study_meets_only_in_the_plans_evening_study_slot(term, south):
    junior = f.SchoolFactory(region=south.county, school_type="junior")
    admin = f.UserFactory(role="school_admin", school=junior)
    menu = services.menu_create(school=junior, term=term, actor=admin)
    f.published_plan(
        junior,
        term=term,
        slots=[
            {"grade_from": 7, "grade_to": 9, "start": T(16, 0), "end": T(18, 0)},
            {
                "grade_from": 7,
                "grade_to": 9,
                "start": T(19, 0),
                "end": T(20, 30),
                "kind": "evening_study",
            },
        ],
    )
    study = f.ActivityFactory(school=junior, name="晚自习", category="evening_study")
    error = refused(
        lambda: save(
            menu, admin, activity=study, grade_from=7, grade_to=9,
            meetings=[(0, T(16, 0), T(17, 30))],
        )
    )  # fmt: skip
    assert pairs(error) == {("meetings", "meeting_outside_plan_slots")}
    assert save(
        menu, admin, activity=study, grade_from=7, grade_to=9, meetings=[(0, T(19, 0), T(20, 30))]
    ).pk


def test_publishing_rechecks_the_meetings_against_the_plan(north_menu, north, plan):
    f.offering(
        north_menu, "夜间剪纸", grades=(1, 2), instructor=f.StaffFactory(school=north.school),
        weekday=0, start=T(21, 0), end=T(23, 30),
    )  # fmt: skip
    error = refused(lambda: services.menu_publish(menu=north_menu, actor=north.admin))
    assert ("__all__", "meeting_outside_plan_slots") in pairs(error)
    assert "夜间剪纸" in text(error)


# --- nobody and no room booked twice -------------------------------------------------------


def test_an_instructor_is_not_booked_twice_at_the_same_time(north_menu, north, plan):
    teacher = f.StaffFactory(school=north.school, name="刘老师")
    save(north_menu, north.admin, name="书法", instructor=teacher,
         meetings=[(0, T(16, 0), T(17, 0))])  # fmt: skip
    error = refused(
        lambda: save(
            north_menu, north.admin, name="绘画", instructor=teacher,
            meetings=[(2, T(16, 0), T(17, 0)), (0, T(16, 30), T(17, 20))],
        )
    )  # fmt: skip
    assert pairs(error) == {("instructor", "instructor_double_booked")}
    assert "刘老师" in text(error) and "书法" in text(error) and "第2行" in text(error)
    # back to back, or on another day, is fine
    assert save(north_menu, north.admin, name="绘画", instructor=teacher,
                meetings=[(0, T(17, 0), T(17, 30)), (1, T(16, 0), T(17, 0))]).pk  # fmt: skip


def test_a_room_is_not_booked_twice_at_the_same_time(north_menu, north, plan):
    first = f.StaffFactory(school=north.school)
    save(north_menu, north.admin, name="书法", room="302教室", instructor=first,
         meetings=[(0, T(16, 0), T(17, 0))])  # fmt: skip
    second = f.StaffFactory(school=north.school)
    error = refused(
        lambda: save(
            north_menu, north.admin, name="绘画", room=" 302 教室", grade_from=3, grade_to=4,
            instructor=second, meetings=[(0, T(16, 30), T(17, 30))],
        )
    )  # fmt: skip
    assert pairs(error) == {("room", "room_double_booked")}
    assert "302教室" in text(error)


def test_a_late_instructor_change_cannot_double_book(north_menu, north, plan, closes_later):
    busy = f.StaffFactory(school=north.school, name="忙老师")
    save(north_menu, north.admin, name="书法", instructor=busy, meetings=[(0, T(16, 0), T(17, 0))])
    other = save(
        north_menu, north.admin, name="绘画", grade_from=3, grade_to=4,
        instructor=f.StaffFactory(school=north.school), meetings=[(0, T(16, 0), T(17, 0))],
    )  # fmt: skip
    f.ready_to_open(north_menu)
    north_menu.window_closes_at = closes_later
    north_menu.save()
    services.menu_publish(menu=north_menu, actor=north.admin)
    services.menu_open_window(menu=north_menu, actor=north.admin)
    error = refused(
        lambda: services.offering_save(
            menu=north_menu, actor=north.admin, offering=other,
            meetings=[(0, T(16, 0), T(17, 0))], instructor=busy,
        )
    )  # fmt: skip
    assert pairs(error) == {("instructor", "instructor_double_booked")}


@pytest.mark.django_db(transaction=True)
def test_two_admins_saving_at_once_cannot_both_book_one_instructor(north, term):
    """Both saves start together on their own connections; the menu's row lock puts them
    one after the other, so the second sees the first and is refused."""
    policy.profile_templates_install(actor=SYSTEM)
    menu = services.menu_create(school=north.school, term=term, actor=north.admin)
    teacher = f.StaffFactory(school=north.school)
    activities = [f.ActivityFactory(school=north.school) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes, lock = [], threading.Lock()

    def one(index):
        try:
            barrier.wait(timeout=30)
            save(menu, north.admin, name=f"班{index}", activity=activities[index],
                 instructor=teacher, meetings=[(0, T(16, 0), T(17, 0))])  # fmt: skip
            result = "saved"
        except Exception as error:  # noqa: BLE001 - a refusal is one of the two outcomes
            result = sorted(errors.codes(error)) if hasattr(error, "error_dict") else repr(error)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, outcomes)) == sorted(["saved", str(["instructor_double_booked"])])
    assert Offering.objects.filter(menu=menu, instructor=teacher).count() == 1


# --- fees ------------------------------------------------------------------------------------


def test_a_fee_saved_before_the_profile_said_no_standard_stops_the_menu_going_out(
    adopt, north, north_menu, plan
):
    """The agency fee was accepted under seed 000 (which allows 代收费); then the city adopts
    seed 001 ("收费标准未出台之前…不得…收取"): the menu cannot be published with it."""
    organisation = f.OrganisationFactory(region=north.county)
    activity = f.ActivityFactory(school=north.school, organisation=organisation, category="sports")
    coach = f.external_instructor(north.school, organisation=organisation)
    save(north_menu, north.admin, activity=activity, instructor=coach,
         fee_per_term=Decimal("300"), meetings=[(0, T(16, 0), T(17, 0))])  # fmt: skip
    adopt("changzhi_001")
    error = refused(lambda: services.menu_publish(menu=north_menu, actor=north.admin))
    assert ("__all__", "fee_without_standard") in pairs(error)
    assert "300" not in text(error) or "收费标准" in text(error)
    assert Menu.objects.get(pk=north_menu.pk).status == Menu.Status.DRAFT


# --- subject training by what the activity is ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "category", "field"),
    [
        ("作业辅导", "homework", "category"),  # by the category: school subject work
        ("英语口语角", "interest_group", "name"),  # by the subject its name names
    ],
)
def test_subject_training_by_an_organisation_is_refused_without_the_box_ticked(
    north, name, category, field
):
    organisation = f.OrganisationFactory(region=north.county)
    error = refused(
        lambda: services.activity_save(
            school=north.school, actor=north.admin, name=name, category=category,
            organisation=organisation, is_subject_training=False,
        )
    )  # fmt: skip
    assert pairs(error) == {(field, "subject_training_by_organisation")}
    assert "学科类培训" in text(error)
    # the school's own teachers may help with homework
    assert services.activity_save(
        school=north.school, actor=north.admin, name=name, category=category
    ).pk


def test_an_organisations_coach_may_not_take_the_homework_offering(north_menu, north, plan):
    homework = f.ActivityFactory(school=north.school, name="作业辅导", category="homework")
    coach = f.external_instructor(north.school, organisation=f.OrganisationFactory())
    error = refused(
        lambda: save(
            north_menu,
            north.admin,
            activity=homework,
            instructor=coach,
            meetings=[(0, T(16, 0), T(17, 0))],
        )  # fmt: skip
    )
    assert ("activity", "subject_training_by_organisation") in pairs(error)


def test_football_by_an_organisation_is_not_subject_training(north):
    organisation = f.OrganisationFactory(region=north.county)
    assert services.activity_save(
        school=north.school, actor=north.admin, name="足球", category="sports",
        organisation=organisation,
    ).pk  # fmt: skip


# --- opening the window ----------------------------------------------------------------------


def _ready_menu(north_menu, north, closes_later):
    f.offering(north_menu, "书法课", grades=(1, 6), instructor=f.StaffFactory(school=north.school))
    north_menu.window_closes_at = closes_later
    north_menu.save()
    services.menu_publish(menu=north_menu, actor=north.admin)
    return north_menu


def test_no_window_without_a_published_plan(north_menu, north, term, closes_later):
    menu = _ready_menu(north_menu, north, closes_later)
    f.homework(menu, capacity=50)
    f.published_plan(north.school, term=term, status="draft")  # a draft is not enough
    error = refused(lambda: services.menu_open_window(menu=menu, actor=north.admin))
    assert pairs(error) == {("__all__", "plan_not_published")}
    assert "方案" in text(error)


def test_no_window_without_the_fallback_offering(north_menu, north, term, closes_later):
    menu = _ready_menu(north_menu, north, closes_later)
    f.published_plan(north.school, term=term)
    error = refused(lambda: services.menu_open_window(menu=menu, actor=north.admin))
    assert pairs(error) == {("__all__", "fallback_missing")}
    f.offering(menu, "托管（1-2年级）", category="homework", grades=(1, 2), fallback=True,
               weekday=4, instructor=f.StaffFactory(school=north.school))  # fmt: skip
    error = refused(lambda: services.menu_open_window(menu=menu, actor=north.admin))
    assert pairs(error) == {("__all__", "fallback_missing_for_grades")}
    assert "3–6年级" in text(error)
    f.offering(menu, "托管（3-6年级）", category="homework", grades=(3, 6), fallback=True,
               weekday=4, instructor=f.StaffFactory(school=north.school))  # fmt: skip
    assert services.menu_open_window(menu=menu, actor=north.admin).status == "window_open"


# --- the numbers a form sends (item 5) -------------------------------------------------------


def test_a_capacity_beyond_any_integer_column_is_a_message_not_a_500(client, north_menu, north):
    activity = f.ActivityFactory(school=north.school)
    client.force_login(north.admin)
    before = everything()
    response = client.post(
        reverse("catalog:offering_create", args=[north_menu.pk]),
        {
            "activity": activity.pk,
            "name": "大班",
            "grade_from": 1,
            "grade_to": 2,
            "capacity": "2147483648",
            "fee_per_term": "",
            "meetings-TOTAL_FORMS": "1",
            "meetings-INITIAL_FORMS": "0",
            "meetings-MIN_NUM_FORMS": "0",
            "meetings-MAX_NUM_FORMS": "14",
            "meetings-0-weekday": "0",
            "meetings-0-start": "16:00",
            "meetings-0-end": "17:00",
        },
    )
    assert response.status_code == 200
    assert "容纳人数" in response.content.decode() and "2000" in response.content.decode()
    assert everything() == before


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"capacity": 2_147_483_648}, "capacity_too_large"),
        ({"fee_per_term": Decimal("12345678901")}, "fee_out_of_range"),
        ({"fee_per_term": Decimal("10.005")}, "fee_out_of_range"),
    ],
)
def test_numbers_out_of_range_are_refused_by_the_service(north_menu, north, fields, code):
    error = refused(
        lambda: save(north_menu, north.admin, meetings=[(0, T(16, 0), T(17, 0))], **fields)
    )
    assert code in errors.codes(error)


def test_settings_bound_the_extended_offerings_per_child(north_menu, north):
    error = refused(
        lambda: services.menu_settings_save(
            menu=north_menu, actor=north.admin, mode="lottery", mechanism="da",
            max_extended_per_child=2_147_483_648, window_opens_at=None,
            window_closes_at=timezone.now() + dt.timedelta(days=3),
        )
    )  # fmt: skip
    assert pairs(error) == {("max_extended_per_child", "max_extended_too_large")}


# --- the organisation the bureau vetted ----------------------------------------------------


def organisation_activity(north, organisation, category="sports"):
    return services.activity_save(
        school=north.school, actor=north.admin, name="俱乐部课", category=category,
        organisation=organisation,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "code"),
    [("pending", "organisation_not_vetted"), ("suspended", "organisation_not_vetted")],
)
def test_an_organisation_the_bureau_has_not_approved_is_refused(north, status, code):
    organisation = f.OrganisationFactory(region=north.county, status=status)
    error = refused(lambda: organisation_activity(north, organisation))
    assert pairs(error) == {("organisation", code)}


def test_without_a_vetting_rule_a_non_approved_organisation_is_still_refused(north, adopt):
    adopt("binzhou_004")  # silent on vetting
    organisation = f.OrganisationFactory(region=north.county, status="refused")
    error = refused(lambda: organisation_activity(north, organisation))
    assert pairs(error) == {("organisation", "organisation_not_approved")}


def test_an_organisation_of_another_region_is_refused(north, south):
    organisation = f.OrganisationFactory(region=south.county)
    error = refused(lambda: organisation_activity(north, organisation))
    assert pairs(error) == {("organisation", "organisation_other_region")}
    # one registered with the city serves every county under it
    assert organisation_activity(north, f.OrganisationFactory(region=north.county.parent)).pk


def test_an_organisation_delivers_only_what_the_bureau_registered_it_for(north):
    organisation = f.OrganisationFactory(region=north.county, offers=["sports"])
    error = refused(lambda: organisation_activity(north, organisation, category="arts"))
    assert pairs(error) == {("category", "organisation_not_registered_for_category")}


def test_publishing_refuses_an_organisation_suspended_since(north_menu, north, plan):
    organisation = f.OrganisationFactory(region=north.county)
    activity = organisation_activity(north, organisation)
    coach = f.external_instructor(north.school, organisation=organisation)
    save(north_menu, north.admin, activity=activity, instructor=coach,
         meetings=[(0, T(16, 0), T(17, 0))])  # fmt: skip
    type(organisation).objects.filter(pk=organisation.pk).update(status="suspended")
    error = refused(lambda: services.menu_publish(menu=north_menu, actor=north.admin))
    assert ("__all__", "organisation_not_vetted") in pairs(error)


def test_a_malformed_meeting_row_is_named_without_shifting_the_others(north_menu, north, plan):
    error = refused(
        lambda: save(
            north_menu, north.admin,
            meetings=[(0, T(17, 0), T(16, 0)), (6, T(16, 0), T(17, 0))],
        )
    )  # fmt: skip
    # row 1 is reported; row 2 (a Sunday) is not reported as "row 1"
    assert pairs(error) == {("meetings", "meeting_ends_before_start")}
    assert "第1行" in text(error)
