"""A teacher reads their hours and pay on a phone (390 x 844), month by month, in Chinese
and English, with nothing scrolling sideways. Screenshots go to var/screenshots/."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from kehou.accounts.models import User
from kehou.org.models import Region
from kehou.testing import factories as f
from tests.browser.test_foundation_journey import (  # noqa: F401
    CHROMIUM,
    PHONE,
    _log_in,
    _shot,
    browser,
    fits,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def test_a_teacher_reads_their_pay_on_a_phone(live_server, transactional_db, browser):  # noqa: F811
    # given: a teacher who took three sittings of the basic service and one duty day last
    # month, at 60 yuan a 40-minute class-hour and 50 a duty day
    city = f.RegionFactory(code="320500", name="苏州市", level=Region.Level.CITY)
    county = f.RegionFactory(code="320506", name="吴中区", parent=city)
    school = f.SchoolFactory(code="3205060001", name="吴中区实验小学（本部校区）", region=county)
    user = f.UserFactory(phone="13800000002", role=User.Role.TEACHER, school=school, name="王老师")
    staff = f.StaffFactory(school=school, user=user, phone="13800000002", name="王老师")
    f.pay_rates(school, effective_from=dt.date(2020, 1, 1))
    plan = f.SchoolPlanFactory(school=school, status="published")
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for day in (3, 4, 5):
        f.SittingFactory(
            plan=plan,
            date=last_month.replace(day=day),
            start=dt.time(16, 0),
            end=dt.time(17, 20),
            responsible=staff,
            label="一至六年级课后服务（作业辅导与托管看护）",
        )
    from kehou.custody.models import Duty

    Duty.objects.create(school=school, date=last_month.replace(day=6), staff=staff)
    base = live_server.url
    for lang in ("zh-hans", "en"):
        context = browser.new_context(viewport=PHONE)
        context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
        page = context.new_page()
        _log_in(page, base, "13800000002", f.TEST_PASSWORD)
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/pay/mine/")
        fits(page)
        # when: the teacher goes back a month
        page.locator("#month-before").click()
        page.wait_for_url(f"**/pay/mine/?month={last_month:%Y-%m}")
        # then: 6 tutoring hours (360.00) and a duty day (50.00), 410.00 in all
        assert page.locator("#own-total").inner_text() == "410.00"
        assert page.locator("#pay-items p.card").count() == 4
        box = page.locator("#month-before").bounding_box()
        assert box["height"] >= 40
        fits(page)
        _shot(page, f"payroll-own-{lang}")
        context.close()
