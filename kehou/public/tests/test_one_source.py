"""The public page takes its times from one source (issue 8, item 8): the plan's slots,
with the menu's meetings placed inside them; a guide activity outside every slot is shown
apart, never as if inside (the fault: "1-2年级 15:30–17:00" above activities until 18:20).
Also the term switcher (item 11) and the phone layout (item 13)."""

import datetime

import pytest
from django.urls import reverse

from kehou.catalog.models import Activity, Menu, Offering, OfferingMeeting
from kehou.policy.models import SchoolPlan
from kehou.public import selectors
from kehou.testing import factories as f

from .test_public import _published_plan

pytestmark = pytest.mark.django_db
T = datetime.time


def _offering(menu, name, grades, *meetings):
    activity = Activity.objects.create(school=menu.school, name=name, category="sports")
    offering = Offering.objects.create(
        menu=menu,
        activity=activity,
        name=name,
        grade_from=grades[0],
        grade_to=grades[1],
        capacity=20,
    )
    for weekday, start, end in meetings:
        OfferingMeeting.objects.create(offering=offering, weekday=weekday, start=start, end=end)
    return offering


@pytest.fixture
def guide(north):
    """The plan's slots: 1-2 Mon-Fri 15:30-17:30, 3-6 Mon-Fri 15:40-17:40, extended care
    1-6 17:40-18:30 on the plan's days (Mon-Sat)."""
    plan = _published_plan(north.school)
    menu = Menu.objects.create(school=north.school, term=plan.term, status="published")
    _offering(menu, "跳绳", (1, 2), (1, T(15, 40), T(17, 10)))
    _offering(menu, "晚场足球", (1, 2), (1, T(17, 0), T(18, 20)))  # past 17:30
    _offering(menu, "全校合唱", (1, 6), (2, T(15, 40), T(17, 20)))  # both grade slots
    _offering(menu, "周日书法", (3, 6), (6, T(15, 40), T(17, 0)))  # Sunday: no slot
    _offering(menu, "缝隙手工", (1, 6), (3, T(17, 35), T(18, 0)))  # between slots
    return plan


def _page(code):
    page = selectors.public_school_page(code)
    inside = {
        (slot.grades, slot.start): [e.offering.content for e in slot.guide]
        for slot in page.plan.slots
    }
    return page, inside, [e.offering.content for e in page.outside]


def test_meetings_are_listed_under_the_slot_that_holds_them(north, guide):
    _page_, inside, outside = _page(north.school.code)
    assert sorted(inside[("1–2年级", T(15, 30))]) == sorted(["跳绳", "全校合唱"])
    assert inside[("3–6年级", T(15, 40))] == ["全校合唱"]
    assert inside[("1–6年级", T(17, 40))] == []
    assert sorted(outside) == sorted(["晚场足球", "周日书法", "缝隙手工"])


def test_an_activity_outside_the_plans_slots_is_not_shown_as_if_inside(client, north, guide):
    text = client.get(reverse("public:school", args=[north.school.code])).content.decode()
    apart = text[text.index('id="guide-outside"') :]
    slots = text[text.index('id="service-guide"') : text.index('id="guide-outside"')]
    for name in ("晚场足球", "周日书法", "缝隙手工"):
        assert name in apart and name not in slots
    assert "周二 17:00–18:20" in apart
    assert "不在方案的服务时段内" in apart
    assert "跳绳" in slots and "周二 15:40–17:10" in slots


def test_the_page_shows_another_terms_plan_through_the_switcher(client, north, guide):
    spring = f.TermFactory(
        school_year=guide.term.school_year,
        semester=2,
        start=datetime.date(2027, 2, 20),
        end=datetime.date(2027, 7, 1),
    )
    spring_plan = _published_plan(north.school, term=spring)
    spring_plan.slots.filter(grade_from=1, grade_to=2).update(start=T(16, 5))
    url = reverse("public:school", args=[north.school.code])
    text = client.get(url).content.decode()
    assert f'href="?term={spring.code}"' in text and "15:30–17:30" in text
    text = client.get(url, {"term": spring.code}).content.decode()
    assert "16:05–17:30" in text and "晚场足球" not in text
    assert f'href="?term={guide.term.code}"' in text
    assert client.get(url, {"term": "2099-1"}).status_code == 404


def test_a_parent_reads_the_page_without_a_wide_table(client, north, guide):
    text = client.get(reverse("public:school", args=[north.school.code])).content.decode()
    assert "<table" not in text
    assert SchoolPlan.objects.filter(school=north.school).count() == 1
    assert "<table" not in client.get(reverse("public:index")).content.decode()
