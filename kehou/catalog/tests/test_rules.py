"""What a menu may hold comes from the school's policy profile: the same offering is refused
under one city's rules and accepted where another's are silent; each refusal quotes the
profile's own citation; a school under no profile is checked for no policy rule."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from kehou.catalog import services
from kehou.core import errors
from kehou.policy_rules import DOCUMENT_TITLES
from kehou.testing import factories as f
from kehou.testing.snapshots import refused

DOC_000, DOC_001 = DOCUMENT_TITLES["000"], DOCUMENT_TITLES["001"]

pytestmark = pytest.mark.django_db

EVENING = (0, dt.time(19, 0), dt.time(21, 0))  # ends after 20:30, lasts 120 minutes
LONG_EVENING = (1, dt.time(18, 0), dt.time(20, 30))  # ends at 20:30, lasts 150 minutes


def codes(error) -> set[tuple[str, str]]:
    return {(item.field, item.code) for item in errors.items(error)}


def text(error) -> str:
    return " ".join(errors.messages(error))


@pytest.fixture
def junior(north, term):
    """A junior school in the north county, its admin, a teacher and its draft menu."""
    school = f.SchoolFactory(region=north.county, school_type="junior", name="吴中实验初中")
    admin = f.UserFactory(school=school)
    menu = services.menu_create(school=school, term=term, actor=admin)
    return school, admin, f.StaffFactory(school=school), menu


def evening_study(school, **flags):
    return f.ActivityFactory(school=school, category="evening_study", name="晚自习", **flags)


def save(menu, admin, activity, instructor, meetings, **fields):
    values = {"name": "", "grade_from": 7, "grade_to": 9, "capacity": 40, "room": "201"}
    values.update(fields)
    return services.offering_save(
        menu=menu,
        actor=admin,
        meetings=meetings,
        activity=activity,
        instructor=instructor,
        **values,
    )


def test_the_same_offering_is_refused_under_changzhi_and_accepted_under_binzhou(adopt, junior):
    school, admin, teacher, menu = junior
    activity = evening_study(school, has_commercial_promotion=True, risk_level="high")
    adopt("changzhi_001")
    error = refused(lambda: save(menu, admin, activity, teacher, [EVENING]))
    assert codes(error) == {
        ("meetings", "evening_study_too_late"),
        ("activity", "commercial_promotion"),
        ("activity", "high_risk_activity"),
    }
    message = text(error)
    assert "不晚于20:30" in message and "到21:00" in message
    assert f"依据{DOC_001}：“严禁开展商业推广性质的活动”" in message
    assert f"依据{DOC_001}：“不得组织开展危险性较高的活动”" in message
    adopt("binzhou_004")  # the city's profile now follows seed 004, silent on all three
    offering = save(menu, admin, activity, teacher, [EVENING])
    assert offering.pk and offering.meetings.count() == 1


def test_activity_content_follows_the_profile(adopt, north):
    def save_activity():
        return services.activity_save(
            school=north.school,
            actor=north.admin,
            name="攀岩",
            category="sports",
            risk_level="high",
            has_commercial_promotion=True,
        )

    adopt("changzhi_001")
    error = refused(save_activity)
    assert codes(error) == {
        ("risk_level", "high_risk_activity"),
        ("has_commercial_promotion", "commercial_promotion"),
    }
    adopt("jiangsu_000")  # seed 000 states neither rule
    assert save_activity().pk


def test_a_rule_only_one_profile_states_is_checked_only_there(adopt, junior):
    """Seed 000 limits evening study to two hours; seed 001 gives only its latest end."""
    school, admin, teacher, menu = junior
    activity = evening_study(school)
    adopt("jiangsu_000")
    error = refused(lambda: save(menu, admin, activity, teacher, [LONG_EVENING]))
    assert codes(error) == {("meetings", "evening_study_too_long")}
    assert "150" in text(error) and f"依据{DOC_000}" in text(error)
    adopt("changzhi_001")
    assert save(menu, admin, activity, teacher, [LONG_EVENING]).pk


def test_evening_study_on_a_weekend_is_refused_where_the_profile_says_weekdays(adopt, junior):
    school, admin, teacher, menu = junior
    saturday = (5, dt.time(18, 30), dt.time(20, 0))
    activity = evening_study(school)
    adopt("changzhi_001")
    error = refused(lambda: save(menu, admin, activity, teacher, [saturday]))
    assert codes(error) == {("meetings", "evening_study_weekend")}
    assert "初中学校可探索在工作日晚上开设自习班" in text(error)


def test_each_profile_quotes_its_own_citation(adopt, north):
    def new_lessons():
        return services.activity_save(
            school=north.school,
            actor=north.admin,
            name="数学新课",
            category="homework",
            teaches_new_lessons=True,
        )

    adopt("jiangsu_000")
    assert f"依据{DOC_000}：“学校不得利用课后服务时间讲授新课。”" in text(refused(new_lessons))
    adopt("changzhi_001")
    assert f"依据{DOC_001}：“不得组织集体补课和上新课。”" in text(refused(new_lessons))
    adopt("binzhou_004")
    assert "違規補課" in text(refused(new_lessons))


def test_a_county_profile_comes_before_the_citys(adopt, north, south):
    adopt("jiangsu_000")
    adopt("binzhou_004", region=north.county)

    def commercial(persona):
        return services.activity_save(
            school=persona.school,
            actor=persona.admin,
            name="品牌体验课",
            category="interest_group",
            has_commercial_promotion=True,
        )

    assert commercial(north).pk  # north's county follows 004: silent
    assert commercial(south).pk  # the city follows 000: silent too
    adopt("changzhi_001", region=south.county)
    assert codes(refused(lambda: commercial(south))) == {
        ("has_commercial_promotion", "commercial_promotion")
    }


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("changzhi_001", "课后服务收费标准未出台之前，学校不得向学生收取课后服务费。"),
        ("binzhou_004", "制定收費標準,報本級人民政府審定後執行"),
    ],
)
def test_no_fee_before_a_fee_standard_is_issued(adopt, north, north_menu, template, words):
    """Even where an external organisation delivers (an agency fee, 代收费)."""
    adopt(template)
    organisation = f.OrganisationFactory(region=north.county)
    activity = f.ActivityFactory(school=north.school, organisation=organisation, category="sports")
    coach = f.external_instructor(north.school, organisation=organisation)
    error = refused(
        lambda: services.offering_save(
            menu=north_menu,
            actor=north.admin,
            meetings=[f.MON_1600],
            activity=activity,
            name="",
            grade_from=3,
            grade_to=4,
            capacity=20,
            instructor=coach,
            fee_per_term=Decimal("300"),
        )
    )
    assert codes(error) == {("fee_per_term", "fee_without_standard")}
    assert "尚未出台课后服务收费标准" in text(error)
    assert words in text(error)


def test_a_school_under_no_profile_is_checked_for_no_policy_rule(north, north_menu):
    activity = services.activity_save(
        school=north.school,
        actor=north.admin,
        name="数学新课",
        category="homework",
        teaches_new_lessons=True,
        risk_level="high",
    )
    unchecked = f.external_instructor(north.school, background_check_result="failed")

    def save_offering(capacity):
        return services.offering_save(
            menu=north_menu,
            actor=north.admin,
            meetings=[f.MON_1600],
            activity=activity,
            name="",
            grade_from=3,
            grade_to=4,
            capacity=capacity,
            instructor=unchecked,
            fee_per_term=Decimal("100"),
        )

    # what is not policy is still checked
    assert codes(refused(lambda: save_offering(0))) == {("capacity", "capacity_too_small")}
    assert save_offering(20).fee_per_term == Decimal("100")


def test_english_pages_read_english_with_the_quote_in_chinese(adopt, north):
    adopt("jiangsu_000")
    error = refused(
        lambda: services.activity_save(
            school=north.school,
            actor=north.admin,
            name="数学新课",
            category="homework",
            teaches_new_lessons=True,
        )
    )
    with translation.override("en"):
        message = text(error)
    assert message == (
        "Activity “数学新课” teaches new lessons: not saved. "
        f"Under {DOC_000}: "
        "“学校不得利用课后服务时间讲授新课。”"
    )
