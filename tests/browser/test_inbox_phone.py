"""The inbox, one notification and the channel page on a 390 px phone, in Chinese and
English: nothing scrolls sideways, the unread count is in the navigation, marking read
works by tapping. Screenshots go to var/screenshots/ for a human to look at."""

from pathlib import Path

import pytest

from kehou.accounts.models import User
from kehou.notifications.models import Notification
from kehou.notifications.services import notify
from kehou.org.models import Region
from kehou.testing import factories as f

from .test_foundation_journey import CHROMIUM, PHONE, _log_in, _shot, browser, fits  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def test_the_inbox_fits_a_phone(live_server, transactional_db, browser):  # noqa: F811
    city = f.RegionFactory(code="320500", name="苏州市", level=Region.Level.CITY)
    county = f.RegionFactory(code="320506", name="吴中区", parent=city)
    school = f.SchoolFactory(code="3205060001", name="吴中区实验小学（本部校区）", region=county)
    guardian = f.UserFactory(phone="13800000004", role=User.Role.GUARDIAN, name="欧阳妈妈")
    notices = [
        (
            "seat_offer",
            "“非物质文化遗产传承：黄河口剪纸与民间工艺体验（高年级提高班）”有一个名额递补给欧阳小明",
            "有名额空出，您的孩子排在候补首位。请在 2026-09-03 18:00 前到结果页面接受或放弃；"
            "逾期名额将递补给下一位孩子。",
            "/allocation/mine/",
        ),
        (
            "application",
            "欧阳小明的报名已获批准",
            "学校已批准2026—2027学年 第一学期的课后服务报名，孩子自 2026-09-01 起参加。",
            "/apply/family/",
        ),
        ("absence", "欧阳小明今天课后服务未到", "16:10 点名时未到，也没有请假。请联系班主任。", ""),
    ]
    for n, (kind, title, body, link) in enumerate(notices):
        notify(
            recipients=[guardian],
            kind=kind,
            title=title,
            body=body,
            link=link,
            key=f"phone:{n}",
            school=school,
        )
    base = live_server.url
    for lang in ("zh-hans", "en"):
        Notification.objects.update(read_at=None)
        context = browser.new_context(viewport=PHONE)
        context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
        page = context.new_page()
        _log_in(page, base, "13800000004", f.TEST_PASSWORD)
        page.wait_for_url(f"{base}/")
        assert page.inner_text(".nav-inbox").strip().endswith("3")
        page.goto(f"{base}/inbox/")
        fits(page)
        _shot(page, f"60-phone-inbox-{lang}")
        with page.expect_navigation():
            page.click(".inbox li:first-child .inbox-open")
        fits(page)
        _shot(page, f"61-phone-notification-{lang}")
        with page.expect_navigation():
            page.click("form[action$='/read/'] button")
        assert page.locator("form[action$='/read/']").count() == 0
        assert page.inner_text(".nav-inbox").strip().endswith("2")
        page.goto(f"{base}/inbox/channels/")
        fits(page)
        _shot(page, f"62-phone-channels-{lang}")
        page.goto(f"{base}/inbox/")
        page.click("form[action$='/read-all/'] button")
        page.wait_for_url(f"{base}/inbox/")
        assert page.locator(".nav-inbox .tag").count() == 0
        context.close()
