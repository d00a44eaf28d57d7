"""The inspector walks the school with a phone (390 x 844): the checklist fits without
sideways scrolling in Chinese and English, one tap marks an item, a defect is saved with
what, who and by when. Screenshots go to var/screenshots/ for a human to look at."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from kehou.accounts.models import User
from kehou.org.models import Region
from kehou.safety.models import Defect, Inspection
from kehou.testing import factories as f
from tests.browser.test_foundation_journey import (  # noqa: F401
    CHROMIUM,
    PHONE,
    SCREENSHOTS,
    _log_in,
    _shot,
    browser,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

STORED_NAMES = re.compile(r"吴中区实验小学（本部校区）|王老师|欧阳校长|攀岩墙保护垫完好|简体中文")


def test_the_inspection_checklist_works_on_a_phone(live_server, transactional_db, browser):  # noqa: F811
    # given: a teacher of a school with one item of its own on the checklist
    city = f.RegionFactory(code="320500", name="苏州市", level=Region.Level.CITY)
    county = f.RegionFactory(code="320506", name="吴中区", parent=city)
    school = f.SchoolFactory(code="3205060001", name="吴中区实验小学（本部校区）", region=county)
    user = f.UserFactory(phone="13800000002", role=User.Role.TEACHER, school=school, name="王老师")
    f.StaffFactory(school=school, user=user, phone="13800000002", name="王老师")
    f.StaffFactory(school=school, phone="13800000009", name="欧阳校长")
    admin = f.UserFactory(phone="13800000001", role=User.Role.SCHOOL_ADMIN, school=school)
    from kehou.safety.services import checklist_item_add

    checklist_item_add(school=school, area="venues", text="攀岩墙保护垫完好", actor=admin)
    base = live_server.url
    for lang in ("zh-hans", "en"):
        context = browser.new_context(viewport=PHONE)
        context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
        page = context.new_page()
        _log_in(page, base, "13800000002", f.TEST_PASSWORD)
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/safety/schools/{school.pk}/inspections/new/")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the checklist in {lang} is {width}px wide"
        # one tap marks an item: the whole half-row is the target, at least 44px high
        ok = page.locator("#check-d\\:fire\\.extinguishers label.ok")
        box = ok.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 140
        ok.click()
        page.locator("#check-d\\:fire\\.exits label.defect").click()
        page.locator("#check-d\\:fire\\.exits summary").click()
        page.fill("#desc-d\\:fire\\.exits", "二楼东侧安全出口堆放杂物")
        page.select_option("#resp-d\\:fire\\.exits", label="欧阳校长")
        due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
        page.fill("#due-d\\:fire\\.exits", due)
        _shot(page, f"90-phone-inspection-{lang}")
        page.locator("#area-fire legend").scroll_into_view_if_needed()
        page.evaluate("document.querySelector('#area-fire').scrollIntoView()")
        page.screenshot(path=str(SCREENSHOTS / f"90-phone-inspection-fire-{lang}.png"))
        text = page.inner_text("main")
        if lang == "en":
            left = re.findall(r"[\u4e00-\u9fff]+", STORED_NAMES.sub("", text))
            assert left == [], f"the English checklist keeps {left}"
        else:
            assert "消防" in text and "饮用水" in text and "攀岩墙保护垫完好" in text
        page.click(".sticky-save button")
        page.wait_for_url(re.compile(r"/safety/inspections/\d+/$"))
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        _shot(page, f"91-phone-inspection-saved-{lang}")
        assert "二楼东侧安全出口堆放杂物" in page.inner_text("main")
        context.close()
    assert Inspection.objects.count() == 2
    assert Defect.objects.filter(responsible__name="欧阳校长").count() == 2
