"""Publishing with eyes open (issue 8, item 8) and shortfalls in the page's language
(item 13): a plan with shortfalls goes out only once the admin confirms, and says so."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from kehou.core import errors
from kehou.org.access import SYSTEM
from kehou.policy import services
from kehou.policy.models import SchoolPlan
from kehou.testing import factories as f
from kehou.testing.snapshots import everything

from .test_services import seed_002_input


@pytest.fixture
def term(db):
    return f.TermFactory()


@pytest.fixture
def short_plan(north, term):
    """Seed 002's plan under seed 003's profile: four shortfalls."""
    services.profile_adopt(template_key="anxi_003", region=north.county, actor=SYSTEM)
    plan = services.plan_start_draft(school=north.school, term=term, actor=SYSTEM)
    return services.plan_update(plan=plan, actor=SYSTEM, data=seed_002_input())


def test_a_plan_with_shortfalls_is_published_only_once_confirmed(north, short_plan):
    before = everything()
    with pytest.raises(ValidationError) as refused:
        services.plan_publish(plan=short_plan, actor=north.admin)
    assert errors.codes(refused.value) == {"confirmation_required"}
    assert "4处不符合" in errors.messages(refused.value)[0]
    assert everything() == before
    # when confirmed, it goes out and keeps what it went out with
    services.plan_publish(plan=short_plan, actor=north.admin, confirmed=True)
    short_plan.refresh_from_db()
    assert short_plan.status == SchoolPlan.Status.PUBLISHED
    assert [s["rule"] for s in short_plan.published_shortfalls] == [
        "service_days",
        "min_minutes",
        "min_minutes",
        "content_model",
    ]


def test_a_compliant_plan_needs_no_confirmation(north, term):
    services.profile_adopt(template_key="anxi_003", region=north.county, actor=SYSTEM)
    plan = services.plan_start_draft(school=north.school, term=term, actor=SYSTEM)
    data = seed_002_input(
        service_weekdays=(0, 1, 2, 3, 4),
        slots=[services.SlotInput(1, 6, dt.time(16), dt.time(18, 30))],
        content=[
            services.ContentInput("作业辅导", "homework"),
            services.ContentInput("跳绳", "sports"),
            services.ContentInput("合唱", "arts"),
            services.ContentInput("科学", "science"),
            services.ContentInput("阅读", "reading"),
        ],
        pay_per_class_hour=Decimal(60),
        fee_per_term=Decimal(0),
        grade12_written_homework=False,
    )
    services.plan_update(plan=plan, actor=SYSTEM, data=data)
    assert services.plan_check(plan=plan) == []
    published = services.plan_publish(plan=plan, actor=north.admin)
    assert published.published_shortfalls == []


def test_the_page_lists_the_shortfalls_before_publishing_and_says_so_after(
    client, north, short_plan, city_officer
):
    client.force_login(north.admin)
    url = reverse("policy:publish", args=[short_plan.pk])
    before = everything()
    # when the admin presses publish
    response = client.post(url)
    # then a confirmation lists each shortfall and nothing is published
    page = response.content.decode()
    assert response.status_code == 200 and 'id="confirm"' in page
    assert "每周服务天数:每周服务4天,要求5天" in page
    assert "“2+N”的基本服务缺少体育活动" in page
    assert 'name="confirmed" value="1"' in page
    assert everything() == before
    # when confirmed
    response = client.post(url, {"confirmed": "1"})
    assert response.status_code == 302
    short_plan.refresh_from_db()
    assert short_plan.status == SchoolPlan.Status.PUBLISHED
    # then the plan page says it went out with 4 shortfalls, naming them
    page = client.get(reverse("policy:detail", args=[short_plan.pk])).content.decode()
    assert "发布时有4项不符合规定" in page and "每周服务4天,要求5天" in page
    # and so does the bureau's table
    client.force_login(north.county_officer)
    page = client.get(reverse("policy:table")).content.decode()
    assert "发布时有4项不符合" in page


def test_english_pages_show_shortfalls_in_english(client, north, short_plan):
    client.force_login(north.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("policy:check", args=[short_plan.pk])).content.decode()
    assert "4 service days a week, 5 required" in page
    assert "Service days a week" in page
    assert "The basic services of “2+N” lack " in page
    assert "Grades 1–2: 50 minutes of service a day, at least 120 required" in page
    for chinese in ("每周服务4天", "要求5天", "缺少", "每周服务天数", "年级", "未说明"):
        assert chinese not in page


def test_the_plan_pages_switch_terms(client, north, short_plan):
    spring = f.TermFactory(
        school_year=short_plan.term.school_year,
        semester=2,
        start=dt.date(2027, 2, 20),
        end=dt.date(2027, 7, 1),
    )
    client.force_login(north.admin)
    url = reverse("policy:school_plans", args=[north.school.pk])
    page = client.get(url).content.decode()
    assert f'href="?term={spring.code}"' in page
    assert f'id="term-{short_plan.term.code}"' in page
    page = client.get(url, {"term": spring.code}).content.decode()
    assert f'id="term-{spring.code}"' in page and "v1" not in page
    detail = reverse("policy:detail", args=[short_plan.pk])
    assert f'href="?term={spring.code}"' in client.get(detail).content.decode()
    response = client.get(detail, {"term": spring.code})
    assert response.url == f"{url}?term={spring.code}"
    assert client.get(url, {"term": "1999-1"}).status_code == 404
