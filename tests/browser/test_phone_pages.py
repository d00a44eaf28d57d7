"""A family's enrollment pages and an instructor's class list on a 390 px phone, in
Chinese and English (issue 8, items 6 and 13): nothing scrolls sideways, the class list
downloads as a workbook. Screenshots go to var/screenshots/ for a human to look at."""

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone

from kehou.accounts.models import User
from kehou.org.models import Region, StudentGuardian
from kehou.testing import factories as f

from .test_foundation_journey import CHROMIUM, PHONE, _log_in, _shot, browser, fits  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def test_family_pages_and_the_class_list_fit_a_phone(
    live_server,
    transactional_db,
    browser,  # noqa: F811
):
    city = f.RegionFactory(code="320500", name="苏州市", level=Region.Level.CITY)
    county = f.RegionFactory(code="320506", name="吴中区", parent=city)
    school = f.SchoolFactory(code="3205060001", name="吴中区实验小学（本部校区）", region=county)
    today = timezone.localdate()
    term = f.TermFactory(start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=90))
    school_class = f.SchoolClassFactory(school=school, school_year=term.school_year, grade=3)
    coach_user = f.UserFactory(phone="13800000010", role=User.Role.TEACHER, school=school)
    coach = f.external_instructor(school, user=coach_user, name="欧阳教练", phone="13800000010")
    guardian_user = f.UserFactory(phone="13800000004", role=User.Role.GUARDIAN)
    guardian = f.GuardianFactory(user=guardian_user, phone="13800000004")
    child = f.child(school, school_class, guardian=guardian, name="欧阳小明")
    StudentGuardian.objects.filter(student=child).update(is_primary=True)
    f.agreement(school)
    menu = f.menu(school, term=term, status="running")
    long_name = "非物质文化遗产传承：黄河口剪纸与民间工艺体验（高年级提高班）"
    football = f.offering(menu, "足球", capacity=20, instructor=coach, room="北校区操场东侧")
    crafts = f.offering(menu, long_name, weekday=2, room="综合楼三层美术教室")
    app = f.application(child, term)
    f.enrol(app, football)
    f.enrol(app, crafts)
    for n in range(12):
        other = f.child(school, school_class, name=f"同学{n:02d}")
        f.enrol(f.application(other, term), football)
    base = live_server.url

    for lang in ("zh-hans", "en"):
        context = browser.new_context(viewport=PHONE)
        context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
        page = context.new_page()
        _log_in(page, base, "13800000004", f.TEST_PASSWORD)
        page.wait_for_url(f"{base}/")
        for name, path in (
            ("family", f"/apply/family/?term={term.code}"),
            ("apply", f"/apply/children/{child.pk}/apply/?term={term.code}"),
            ("choices", f"/apply/applications/{app.pk}/choices/"),
            ("withdraw", f"/apply/applications/{app.pk}/withdraw/"),
            ("drop", f"/apply/enrolments/{football.enrollments.get(student=child).pk}/withdraw/"),
        ):
            assert page.goto(base + path).status == 200
            fits(page)
            _shot(page, f"50-phone-{name}-{lang}")
        family = page.goto(f"{base}/apply/family/?term={term.code}")
        assert family.status == 200
        text = page.inner_text("main")
        if lang == "en":
            assert "Drop this activity" in text and "Leave the after-school service" in text
        else:
            assert "退选该项目" in text and "退出课后服务" in text
        context.close()

    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    _log_in(page, base, "13800000010", f.TEST_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/apply/rosters/?term={term.code}")
    fits(page)
    assert long_name not in page.inner_text("main")  # not theirs
    page.click(f"a[href='/apply/offerings/{football.pk}/roster/']")
    page.wait_for_url(f"**/offerings/{football.pk}/roster/")
    fits(page)
    assert "欧阳小明" in page.inner_text("#class-list") and "13800000004" in page.inner_text(
        "#class-list"
    )
    _shot(page, "51-phone-instructor-class-list")
    with page.expect_download() as download:
        page.click("#download")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    names = [row[1] for row in book.worksheets[0].iter_rows(values_only=True)]
    assert "欧阳小明" in names and len([n for n in names if n and "同学" in n]) == 12
    page.emulate_media(media="print")
    _shot(page, "52-class-list-printed")
    assert not page.is_visible("#waiting-list") and not page.is_visible(".site-nav")
    context.close()
