"""The guardian's day, month and walk-home consent on a 390 px phone, in Chinese and
English: nothing scrolls sideways, the pickup code and its QR code are on screen.
Screenshots go to var/screenshots/ for a human to look at."""

import datetime as dt
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from kehou.accounts.models import User
from kehou.attendance.models import Attendance
from kehou.custody import chain, codes
from kehou.org.models import AuthorisedCollector, Region, StudentGuardian
from kehou.testing import factories as f
from tests.browser.test_foundation_journey import CHROMIUM, PHONE, _log_in, _shot, browser, fits  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def test_the_guardian_pages_fit_a_phone(live_server, transactional_db, browser):  # noqa: F811
    # given a mother of two at one school, one child marked present and with her teacher,
    # the other expected later; sittings with long names and rooms
    city = f.RegionFactory(code="320500", name="苏州市", level=Region.Level.CITY)
    county = f.RegionFactory(code="320506", name="吴中区", parent=city)
    school = f.SchoolFactory(code="3205060001", name="吴中区实验小学（本部校区）", region=county)
    today = timezone.localdate()
    term = f.TermFactory(start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=90))
    school_class = f.SchoolClassFactory(school=school, school_year=term.school_year, grade=3)
    plan = f.SchoolPlanFactory(school=school, term=term, status="published")
    teacher = f.StaffFactory(school=school, name="欧阳老师")
    guardian_user = f.UserFactory(phone="13800000004", role=User.Role.GUARDIAN)
    guardian = f.GuardianFactory(user=guardian_user, phone="13800000004", school=school)
    children = [
        f.child(school, school_class, guardian=guardian, name=name)
        for name in ("欧阳小明", "欧阳小红")
    ]
    StudentGuardian.objects.filter(guardian=guardian).update(is_primary=True)
    AuthorisedCollector.objects.create(
        student=children[0], name="邻居张阿姨", relation="邻居", phone="13722223333"
    )
    for child in children:
        f.application(child, term, weekdays=tuple(range(7)))
    sitting = f.SittingFactory(
        plan=plan,
        date=today,
        label="课后服务（基础托管与作业辅导）",
        room="综合楼三层美术教室",
        responsible=teacher,
    )
    marked = timezone.now()
    Attendance.objects.create(
        school=school,
        sitting=sitting,
        day=sitting.date,
        student=children[0],
        status="present",
        marked_by=guardian_user,
        marked_at=marked,
    )
    with transaction.atomic():
        chain.receive(
            students=[children[0]],
            holder=teacher,
            at=marked,
            by=guardian_user,
            school_id=school.pk,
            sitting=sitting,
        )
    base = live_server.url

    for lang in ("zh-hans", "en"):
        context = browser.new_context(viewport=PHONE)
        context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
        page = context.new_page()
        _log_in(page, base, "13800000004", f.TEST_PASSWORD)
        page.wait_for_url(f"{base}/")
        fits(page)
        _shot(page, f"60-phone-guardian-home-{lang}")
        for name, path in (
            ("day", "/attendance/family/"),
            ("child", f"/attendance/family/children/{children[0].pk}/"),
            ("history", f"/attendance/family/children/{children[0].pk}/history/"),
            ("walk-home", f"/attendance/family/children/{children[0].pk}/walk-home/"),
        ):
            assert page.goto(base + path).status == 200
            fits(page)
            _shot(page, f"60-phone-family-{name}-{lang}")
        page.goto(f"{base}/attendance/family/")
        code = page.inner_text(f"#pickup-code-{children[0].pk}")
        assert code == codes.pickup_code(children[0].pk, today)
        qr = page.locator(f"#pickup-qr-{children[0].pk} svg").bounding_box()
        assert qr and 150 <= qr["width"] <= PHONE["width"]
        context.close()
