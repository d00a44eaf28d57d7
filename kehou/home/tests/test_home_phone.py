"""The teacher's, the instructor's and the guardian's first pages on a 390 x 844 phone, in
Chinese and English (issue 8 item 13): nothing scrolls sideways, and no Chinese is left
on the English page but the names the school entered. Screenshots go to var/screenshots/
for a human to look at."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from kehou.accounts.models import User
from kehou.org.models import Region
from kehou.testing import factories as f
from tests.browser.test_foundation_journey import CHROMIUM, _log_in, _shot, browser  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

PHONE = {"width": 390, "height": 844}
STORED_NAMES = re.compile(
    r"吴中区实验小学（本部校区）|欧阳教练|王老师|欧阳小明|张小红|北校区操场东侧|足球|"
    r"综合楼三层美术教室|非物质文化遗产传承：黄河口剪纸与民间工艺体验（高年级提高班）|家长|简体中文"
)


def test_teacher_instructor_and_guardian_homes_fit_a_phone_in_both_languages(
    live_server,
    transactional_db,
    browser,  # noqa: F811
):
    # given: a class teacher who also teaches a long-named group, an external coach, and a
    # guardian of two children
    city = f.RegionFactory(code="320500", name="苏州市", level=Region.Level.CITY)
    county = f.RegionFactory(code="320506", name="吴中区", parent=city)
    school = f.SchoolFactory(code="3205060001", name="吴中区实验小学（本部校区）", region=county)
    today = timezone.localdate()
    term = f.TermFactory(start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=90))
    school_class = f.SchoolClassFactory(school=school, school_year=term.school_year, grade=3)
    teacher_user = f.UserFactory(
        phone="13800000002", role=User.Role.TEACHER, school=school, name="王老师"
    )
    teacher = f.StaffFactory(school=school, user=teacher_user, phone="13800000002", name="王老师")
    school_class.head_teacher = teacher
    school_class.save()
    coach_user = f.UserFactory(
        phone="13800000010", role=User.Role.TEACHER, school=school, name="欧阳教练"
    )
    coach = f.external_instructor(school, user=coach_user, name="欧阳教练", phone="13800000010")
    guardian_user = f.UserFactory(phone="13800000004", role=User.Role.GUARDIAN, name="家长")
    guardian = f.GuardianFactory(user=guardian_user, phone="13800000004", name="家长")
    menu = f.menu(school, term=term, status="running")
    every_day = [(day, dt.time(16, 0), dt.time(17, 30)) for day in range(5)]
    football = f.offering(menu, "足球", instructor=coach, room="北校区操场东侧", meetings=every_day)
    crafts = f.offering(
        menu,
        "非物质文化遗产传承：黄河口剪纸与民间工艺体验（高年级提高班）",
        instructor=teacher,
        room="综合楼三层美术教室",
        meetings=every_day,
    )
    for name in ("欧阳小明", "张小红"):
        child = f.child(school, school_class, guardian=guardian, name=name)
        app = f.application(child, term)
        f.enrol(app, football)
        f.enrol(app, crafts)
    base = live_server.url

    personas = (("teacher", "13800000002"), ("coach", "13800000010"), ("guardian", "13800000004"))
    for who, phone in personas:
        for lang in ("zh-hans", "en"):
            context = browser.new_context(viewport=PHONE)
            context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
            page = context.new_page()
            _log_in(page, base, phone, f.TEST_PASSWORD)
            page.wait_for_url(f"{base}/")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{who}'s home in {lang} is {width}px wide"
            _shot(page, f"80-phone-home-{who}-{lang}")
            text = page.inner_text("body")
            if who != "guardian":
                assert ("足球" in text) == (who == "coach")
            if lang == "en":
                left = re.findall(r"[\u4e00-\u9fff]+", STORED_NAMES.sub("", text))
                assert left == [], f"{who}'s English home keeps {left}"
            context.close()
