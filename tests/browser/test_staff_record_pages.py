"""A teacher opens their own after-school service record on a 390 px phone, in Chinese
and English (R21): the year's sittings, hours, class-hours, duty days and ratings, month
by month, without sideways scrolling. Screenshots go to var/screenshots/."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from kehou.accounts.models import User
from kehou.custody.models import Duty
from kehou.lib.school_calendar import school_year_start
from kehou.org.models import Region
from kehou.testing import factories as f

from .test_foundation_journey import CHROMIUM, PHONE, _log_in, _shot, browser, fits  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def test_a_teacher_reads_their_record_on_a_phone(live_server, transactional_db, browser):  # noqa: F811
    city = f.RegionFactory(code="320500", name="苏州市", level=Region.Level.CITY)
    county = f.RegionFactory(code="320506", name="吴中区", parent=city)
    school = f.SchoolFactory(code="3205060001", name="吴中区实验小学（本部校区）", region=county)
    user = f.UserFactory(phone="13800000002", role=User.Role.TEACHER, school=school)
    teacher = f.StaffFactory(school=school, user=user, phone=user.phone, name="周老师")
    start = dt.date(school_year_start(timezone.localdate()), 9, 1)
    f.pay_rates(school, effective_from=start)
    plan = f.SchoolPlanFactory(school=school, status="published")
    for offset in (7, 8, 14, 35):
        f.taken_sitting(school, teacher, day=start + dt.timedelta(days=offset), plan=plan)
    f.taken_sitting(school, teacher, day=start + dt.timedelta(days=15), plan=plan,
                    cancelled=True)  # fmt: skip
    Duty.objects.create(school=school, staff=teacher, date=start + dt.timedelta(days=9))
    base = live_server.url

    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    _log_in(page, base, user.phone, f.TEST_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/staff-records/mine/")
    main = page.inner_text("main")
    assert "课后服务记录" in main and "周老师" in main
    assert page.inner_text("#total-sittings") == "4"  # the cancelled one is not counted
    assert page.inner_text("#total-hours") == "6.00"
    assert page.inner_text("#duty-days") == "1"
    fits(page)
    sideways = page.evaluate(
        "[...document.querySelectorAll('.table-wrap')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).length"
    )
    assert sideways == 0
    _shot(page, "80-staff-record-phone-zh")
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(f"{base}/staff-records/mine/")
    assert "After-school service record" in page.inner_text("main")
    fits(page)
    assert (
        page.evaluate(
            "[...document.querySelectorAll('.table-wrap')]"
            ".filter(e => e.scrollWidth > e.clientWidth + 1).length"
        )
        == 0
    )
    _shot(page, "81-staff-record-phone-en")
    context.close()
