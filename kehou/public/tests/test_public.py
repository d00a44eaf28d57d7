"""The public page per school and the index, no login (SPEC R7)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from kehou.catalog.models import Activity, Menu, Offering, OfferingMeeting
from kehou.org.models import LeadershipMember, Staff
from kehou.policy.models import PlanContentItem, PlanSlot, PlanVacationWeek, SchoolPlan
from kehou.public import selectors
from kehou.testing import factories as f

pytestmark = pytest.mark.django_db

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _published_plan(school, **kw) -> SchoolPlan:
    fields = {
        "school": school,
        "status": SchoolPlan.Status.PUBLISHED,
        "service_weekdays": [0, 1, 2, 3, 4, 5],
        "service_mode": SchoolPlan.ServiceMode.FLEXIBLE_LEAVING,
        "service_method": "学生自愿参加，家长申请、学校审核。",
        "safety_measures": "放学前清点人数，家长凭接送卡接孩子。",
        "complaint_channel": "学校监督电话 0543-3212345",
        "fee_per_term": Decimal(0),
        "homework_minutes_per_day": 40,
        "grade12_written_homework": False,
    }
    fields.update(kw)
    plan = f.SchoolPlanFactory(**fields)
    f.PlanSlotFactory(
        plan=plan,
        grade_from=1,
        grade_to=2,
        start=datetime.time(15, 30),
        end=datetime.time(17, 30),
        weekdays=[0, 1, 2, 3, 4],
    )
    f.PlanSlotFactory(
        plan=plan,
        grade_from=3,
        grade_to=6,
        start=datetime.time(15, 40),
        end=datetime.time(17, 40),
        weekdays=[0, 1, 2, 3, 4],
    )
    f.PlanSlotFactory(
        plan=plan,
        grade_from=1,
        grade_to=6,
        start=datetime.time(17, 40),
        end=datetime.time(18, 30),
        kind=PlanSlot.Kind.EXTENDED_CARE,
    )
    for name, category in [
        ("作业辅导", "homework"),
        ("跳绳", "sports"),
        ("书法", "arts"),
        ("科学小实验", "science"),
    ]:
        PlanContentItem.objects.create(plan=plan, name=name, category=category)
    PlanVacationWeek.objects.create(
        plan=plan,
        season="winter",
        start=datetime.date(2027, 1, 25),
        end=datetime.date(2027, 1, 29),
    )
    return plan


@pytest.fixture
def published(north):
    LeadershipMember.objects.create(
        school=north.school, name="赵校长", post="校长", group_role="head"
    )
    return _published_plan(north.school)


def test_anonymous_visitor_sees_the_published_plan(client, north, published):
    # when
    response = client.get(reverse("public:school", args=[north.school.code]))
    # then
    assert response.status_code == 200
    text = response.content.decode()
    assert north.school.name in text
    for expected in [
        "15:30–17:30",
        "15:40–17:40",
        "17:40–18:30",  # slots
        "1–2年级",
        "3–6年级",
        "周一至周五",
        "周六",  # grades, days
        "作业辅导",
        "跳绳",
        "书法",
        "科学小实验",  # content
        "弹性离校",
        "学生自愿参加",
        "放学前清点人数",  # method, safety
        "学校监督电话 0543-3212345",  # complaint channel
        "赵校长",
        "延时托管",
        "寒假",
        "2027-01-25",
        "课后服务指南",
        "打印",
    ]:
        assert expected in text, expected
    assert "免费" in text


def test_the_page_is_chinese_and_links_the_print_stylesheet(client, north, published):
    response = client.get(reverse("public:school", args=[north.school.code]))
    text = response.content.decode()
    assert '<html lang="zh-hans">' in text
    assert "public/print.css" in text
    assert "window.print()" in text


def test_no_children_no_guardians_no_phones_on_the_public_page(client, north, published):
    # given: the school has a child, a guardian, a teacher with a mobile number
    staff = Staff.objects.filter(school=north.school)
    assert staff.exists() and north.child.name
    # when
    text = client.get(reverse("public:school", args=[north.school.code])).content.decode()
    # then
    assert north.child.name not in text
    assert north.guardian.name not in text
    assert north.guardian.phone not in text
    assert not MOBILE.findall(text)
    for member in staff:
        assert member.phone not in text


def test_unknown_school_code_is_404(client, north):
    assert client.get(reverse("public:school", args=["9999999999"])).status_code == 404
    assert client.get("/public/schools/not-a-code/").status_code == 404


def test_a_school_without_a_published_plan_shows_a_notice(client, north):
    # given: only a draft
    f.SchoolPlanFactory(school=north.school, status=SchoolPlan.Status.DRAFT)
    # when
    response = client.get(reverse("public:school", args=[north.school.code]))
    # then
    assert response.status_code == 200
    text = response.content.decode()
    assert "尚未公布" in text
    assert "课后服务指南" not in text


def test_a_school_with_no_term_at_all_shows_a_notice(client, north):
    response = client.get(reverse("public:school", args=[north.school.code]))
    assert response.status_code == 200
    assert "尚未公布" in response.content.decode()


def test_fee_texts(north):
    # given a plan with a fee, a free one, and the no-standard wording via the profile
    from kehou.policy.models import PolicyProfile
    from kehou.policy_rules.profiles import PROFILES
    from kehou.policy_rules.serialise import profile_to_dict

    plan = _published_plan(north.school, fee_per_term=Decimal("300.00"))
    page = selectors.public_school_page(north.school.code)
    assert page.plan.fee == "每生每学期300元"
    plan.fee_per_term = Decimal(0)
    plan.save()
    assert selectors.public_school_page(north.school.code).plan.fee == "免费"
    plan.fee_per_term = None
    plan.save()
    assert selectors.public_school_page(north.school.code).plan.fee == "未说明"
    data = profile_to_dict(PROFILES["changzhi_001"])
    PolicyProfile.objects.create(key="city", name="市规定", region=north.county.parent, rules=data)
    assert selectors.public_school_page(north.school.code).plan.fee == "收费标准未出台，不收费"


def test_current_term_prefers_today_then_upcoming_then_latest(db):
    year = f.SchoolYearFactory(start_year=2026)
    autumn = f.TermFactory(school_year=year, semester=1)
    spring = f.TermFactory(
        school_year=year,
        semester=2,
        start=datetime.date(2027, 2, 22),
        end=datetime.date(2027, 7, 2),
    )
    assert selectors.current_term(datetime.date(2026, 11, 23)) == autumn
    assert selectors.current_term(datetime.date(2027, 2, 1)) == spring  # the next to start
    assert selectors.current_term(datetime.date(2027, 3, 1)) == spring
    assert selectors.current_term(datetime.date(2027, 8, 1)) == spring  # the latest
    assert selectors.current_term(datetime.date(2026, 8, 1)) == autumn


def test_only_the_published_version_is_shown(client, north, published):
    # given a newer draft with other times
    draft = f.SchoolPlanFactory(
        school=north.school, term=published.term, version=2, status=SchoolPlan.Status.DRAFT
    )
    f.PlanSlotFactory(plan=draft, start=datetime.time(16, 5), end=datetime.time(18, 5))
    # when
    text = client.get(reverse("public:school", args=[north.school.code])).content.decode()
    # then
    assert "16:05" not in text
    assert "15:30–17:30" in text


def test_the_service_guide_lists_offerings_once_the_menu_is_published(client, north, published):
    # given: a published menu with an offering taught by a teacher with a mobile number
    teacher = Staff.objects.get(user=north.teacher)
    activity = Activity.objects.create(
        school=north.school, name="足球", category="sports", description="基本技术与小场比赛"
    )
    menu = Menu.objects.create(school=north.school, term=published.term, status="published")
    offering = Offering.objects.create(
        menu=menu,
        activity=activity,
        name="足球A班",
        grade_from=3,
        grade_to=4,
        capacity=30,
        instructor=teacher,
        fee_per_term=Decimal("150.00"),
    )
    OfferingMeeting.objects.create(
        offering=offering, weekday=1, start=datetime.time(15, 40), end=datetime.time(17, 10)
    )
    # when
    text = client.get(reverse("public:school", args=[north.school.code])).content.decode()
    # then: kind, content, instructor's name, grades, capacity, schedule — not the phone
    for expected in [
        "体育",
        "足球A班",
        "基本技术与小场比赛",
        teacher.name,
        "3–4年级",
        "30",
        "周二 15:40–17:10",
        "代收费：每学期150元",
    ]:
        assert expected in text, expected
    assert teacher.phone not in text


def test_a_draft_menu_is_not_shown(client, north, published):
    activity = Activity.objects.create(school=north.school, name="机器人", category="science")
    menu = Menu.objects.create(school=north.school, term=published.term)
    Offering.objects.create(menu=menu, activity=activity, grade_from=3, grade_to=6, capacity=20)
    text = client.get(reverse("public:school", args=[north.school.code])).content.decode()
    assert "机器人" not in text
    assert "选课开放后" in text or "报名" in text


def test_index_lists_schools_by_county_with_links(client, north, south, published):
    # when
    response = client.get(reverse("public:index"))
    # then
    assert response.status_code == 200
    text = response.content.decode()
    assert north.county.name in text and south.county.name in text
    assert reverse("public:school", args=[north.school.code]) in text
    assert reverse("public:school", args=[south.school.code]) in text
    assert "已公布" in text and "未公布" in text
    assert north.child.name not in text


def test_public_pages_take_a_fixed_number_of_queries(
    client, north, published, django_assert_max_num_queries
):
    for _ in range(5):
        f.SchoolFactory(region=north.county)
    with django_assert_max_num_queries(12):
        client.get(reverse("public:school", args=[north.school.code]))
    with django_assert_max_num_queries(6):
        client.get(reverse("public:index"))


def test_public_pages_refuse_writes(client, north, published):
    response = client.post(reverse("public:school", args=[north.school.code]))
    assert response.status_code == 405


def test_english_on_request(client, north, published):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # the middleware activates English in this thread: restore the language afterwards
    with translation.override(settings.LANGUAGE_CODE):
        text = client.get(reverse("public:school", args=[north.school.code])).content.decode()
    assert "Service times" in text and "Grades 1–2" in text and "Mon to Fri" in text
