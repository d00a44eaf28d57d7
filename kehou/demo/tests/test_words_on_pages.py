"""The demo city as its users read it (issue 8, items 7, 8 and 12): every plan went out
with its record of shortfalls, no meeting lies outside the plan's slots, no external
instructor tutors homework, and the users' pages name documents by their title, in plain
words - no "种子", no "序列独裁" or "正当嫉妒", no raw document ids."""

import re

import pytest
from django.urls import reverse

from kehou.accounts.models import User
from kehou.catalog.models import Category, Menu, Offering
from kehou.demo import seed as demo
from kehou.policy.models import PolicyProfile, SchoolPlan

pytestmark = pytest.mark.django_db

# "种子" for a policy text ("种子000", "种子未规定"); the lottery seed (抽签种子) is a real
# thing of the allocation and keeps its name.
FORBIDDEN = re.compile(r"(?<!抽签)种子|序列独裁|正当嫉妒|00[0-9]_[0-9a-f]{16}")


@pytest.fixture
def city(db):
    # 12 schools: every kind, the complete middle school with senior grades among them
    return demo.seed_city(schools=12, students=600, sessions=True)


def _pages(client, phone, urls):
    client.force_login(User.objects.get(phone=phone))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        yield url, response.content.decode()


def _offences(body: str) -> list[str]:
    return [body[max(0, m.start() - 30) : m.end() + 30] for m in FORBIDDEN.finditer(body)]


def test_the_demo_as_its_users_read_it(client, city):
    """One seeded city for every check (seeding is the slow part)."""
    plans = SchoolPlan.objects.filter(status=SchoolPlan.Status.PUBLISHED)
    assert plans.exists()
    assert not plans.filter(published_shortfalls__isnull=True).exists()
    assert not Offering.objects.filter(
        activity__category=Category.HOMEWORK, instructor__kind="external"
    ).exists()
    for menu in Menu.objects.select_related("school"):
        body = client.get(reverse("public:school", args=[menu.school.code])).content.decode()
        assert "不在已公布方案的任何服务时段内" not in body, menu.school
    menu = Menu.objects.get(school__name="滨城区第一实验小学")
    plan = SchoolPlan.objects.get(school=menu.school, status=SchoolPlan.Status.PUBLISHED)
    offences = {}
    for phone, urls in (
        (
            demo.PHONE_SCHOOL_ADMIN,
            [
                reverse("catalog:settings", args=[menu.pk]),
                reverse("catalog:menu", args=[menu.school.pk]),
                reverse("policy:detail", args=[plan.pk]),
                reverse("policy:check", args=[plan.pk]),
            ],
        ),
        (
            demo.PHONE_CITY_OFFICER,
            [
                reverse("policy:table"),
                reverse("policy:check", args=[plan.pk]),
                reverse("policy:profiles"),
                *(reverse("policy:profile", args=[p.pk]) for p in PolicyProfile.objects.all()),
            ],
        ),
        (demo.PHONE_GUARDIAN, [reverse("catalog:family"), reverse("enrollment:family")]),
    ):
        for url, body in _pages(client, phone, urls):
            if found := _offences(body):
                offences[url] = found
    assert offences == {}
