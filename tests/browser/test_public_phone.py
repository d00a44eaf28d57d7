"""The public school page and the plan pages on a 390 px phone, in Chinese and English
(issue 8, items 8 and 13): nothing scrolls sideways, the guide lists an activity outside
the plan's times apart, and the publish confirmation names the shortfalls. Screenshots go
to var/screenshots/ for a human to look at."""

import datetime as dt
from pathlib import Path

import pytest

from kehou.catalog.models import Activity, Menu, Offering, OfferingMeeting
from kehou.org.access import SYSTEM
from kehou.policy import services
from kehou.policy.models import SchoolPlan
from kehou.public.tests.test_public import _published_plan
from kehou.testing import factories as f

from .test_foundation_journey import CHROMIUM, PHONE, _log_in, _shot, browser, fits  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

T = dt.time


def test_the_public_page_and_the_plan_pages_fit_a_phone(
    live_server,
    transactional_db,
    north,
    browser,  # noqa: F811
):
    plan = _published_plan(north.school)
    menu = Menu.objects.create(school=north.school, term=plan.term, status="published")
    for name, grades, (weekday, start, end) in (
        ("非物质文化遗产传承：黄河口剪纸与民间工艺体验", (1, 2), (1, T(15, 40), T(17, 10))),
        ("晚场足球", (1, 2), (1, T(17, 0), T(18, 20))),
    ):
        activity = Activity.objects.create(school=north.school, name=name, category="arts")
        offering = Offering.objects.create(
            menu=menu, activity=activity, grade_from=grades[0], grade_to=grades[1], capacity=20
        )
        OfferingMeeting.objects.create(offering=offering, weekday=weekday, start=start, end=end)
    # the templates come with a migration, which a transactional test before this one
    # may have flushed
    services.profile_templates_install(actor=SYSTEM)
    services.profile_adopt(template_key="anxi_003", region=north.county, actor=SYSTEM)
    draft = services.plan_start_draft(school=north.school, term=plan.term, actor=SYSTEM)
    SchoolPlan.objects.filter(pk=draft.pk).update(service_weekdays=[0, 1, 2, 3])  # short
    draft.refresh_from_db()
    assert services.plan_check(plan=draft)
    base = live_server.url

    for lang in ("zh-hans", "en"):
        context = browser.new_context(viewport=PHONE)
        context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
        page = context.new_page()
        assert page.goto(f"{base}/public/schools/{north.school.code}/").status == 200
        fits(page)
        outside = page.inner_text("#guide-outside")
        assert "晚场足球" in outside and "剪纸" not in outside
        _shot(page, f"60-public-school-{lang}")
        _log_in(page, base, north.admin.phone, f.TEST_PASSWORD)
        page.wait_for_url(f"{base}/")
        for name, path in (
            ("plans", f"/plans/schools/{north.school.pk}/"),
            ("plan", f"/plans/{draft.pk}/"),
            ("check", f"/plans/{draft.pk}/check/"),
        ):
            assert page.goto(base + path).status == 200
            fits(page)
            _shot(page, f"60-plan-{name}-{lang}")
        page.goto(f"{base}/plans/{draft.pk}/")
        page.click("#publish")
        page.wait_for_selector("#confirm")
        fits(page)
        text = page.inner_text("#confirm")
        assert ("每周服务天数" if lang == "zh-hans" else "Service days a week") in text
        _shot(page, f"60-plan-publish-confirm-{lang}")
        context.close()
