"""A parent files a complaint from the school's public page on a phone (390 x 844), keeps
the code, the school admin takes it through to a reply, and the parent reads the reply
with the code, in Chinese and in English. Screenshots go to var/screenshots/."""

import re
from pathlib import Path

import pytest

from kehou.accounts.models import User
from kehou.complaints.models import Complaint
from kehou.org.models import Region
from kehou.testing import factories as f
from tests.browser.test_foundation_journey import (  # noqa: F401
    CHROMIUM,
    PHONE,
    SCREENSHOTS,
    _log_in,
    _shot,
    browser,
    fits,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def _phone(chromium, base: str, lang: str):
    context = chromium.new_context(viewport=PHONE)
    context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    return context.new_page()


def test_a_parent_follows_a_complaint_from_the_public_page_to_the_reply(
    live_server,
    transactional_db,
    browser,  # noqa: F811
):
    city = f.RegionFactory(code="320500", name="苏州市", level=Region.Level.CITY)
    county = f.RegionFactory(code="320506", name="吴中区", parent=city)
    school = f.SchoolFactory(code="3205060001", name="吴中区实验小学（本部校区）", region=county)
    f.UserFactory(phone="13800000001", role=User.Role.SCHOOL_ADMIN, school=school, name="欧阳校长")
    f.UserFactory(phone="13800000002", role=User.Role.TEACHER, school=school, name="王老师")
    f.UserFactory(phone="13800000005", role=User.Role.BUREAU, region=county, name="吴中督学")
    base = live_server.url
    codes = {}
    for lang in ("zh-hans", "en"):
        # The parent, without a login, from the school's public page.
        parent = _phone(browser, base, lang)
        parent.goto(f"{base}/public/schools/{school.code}/")
        parent.locator("#file-complaint").scroll_into_view_if_needed()
        parent.screenshot(path=str(SCREENSHOTS / f"94-complaint-public-page-{lang}.png"))
        parent.click("#file-complaint")
        parent.wait_for_url(re.compile(r"/complaints/new/"))
        fits(parent)
        parent.check("#id_kind_0")
        parent.select_option("#id_topic", "fees")
        parent.fill("#id_text", "课后服务要求另交材料费每人200元，没有公示。")
        parent.fill("#id_phone", "139123")  # a wrong number first
        _shot(parent, f"95-complaint-form-{lang}")
        parent.click("#complaint-form button[type=submit]")
        assert parent.locator(".errorlist").count() >= 1
        assert Complaint.objects.count() == len(codes)
        parent.fill("#id_phone", "13912345678")
        parent.click("#complaint-form button[type=submit]")
        parent.wait_for_url(re.compile(r"/complaints/done/$"))
        fits(parent)
        code = parent.inner_text("#new-code").strip()
        assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
        _shot(parent, f"96-complaint-code-{lang}")
        codes[lang] = code
        complaint = Complaint.objects.get(code=code.replace("-", ""))
        assert complaint.escalation == "fees"  # fees: the bureau is told at once

        # The school admin assigns, records the handling and replies.
        admin = _phone(browser, base, lang)
        _log_in(admin, base, "13800000001", f.TEST_PASSWORD)
        admin.wait_for_url(f"{base}/")
        admin.goto(f"{base}/complaints/schools/{school.pk}/")
        fits(admin)
        _shot(admin, f"97-complaint-list-{lang}")
        admin.goto(f"{base}/complaints/{complaint.pk}/")
        admin.select_option(
            "#id_assignee",
            label="王老师 · " + ("教师/指导老师" if lang == "zh-hans" else "Teacher / instructor"),
        )
        admin.click("#assign-form button[type=submit]")
        admin.fill("#id_handling", "经核实，材料费系个别班级自行收取，已责令退还。")
        admin.click("#handle-form button[type=submit]")
        admin.fill("#id_reply", "您反映的材料费问题属实，已全部退还，并在全校通报整改。")
        admin.click("#reply-form button[type=submit]")
        admin.wait_for_selector("#reply")
        fits(admin)
        _shot(admin, f"98-complaint-replied-{lang}")
        admin.context.close()

        # The parent reads the reply with the code, no login.
        parent.goto(f"{base}/complaints/follow/")
        parent.fill("#id_code", "WRONG-CODE-0000")
        parent.click("#follow-form button[type=submit]")
        assert parent.locator("#not-found").is_visible()
        parent.fill("#id_code", code.lower())
        parent.click("#follow-form button[type=submit]")
        found = parent.inner_text("#found")
        assert "已全部退还" in found
        assert "责令" not in found  # the handling stays with the school
        fits(parent)
        _shot(parent, f"99-complaint-followed-{lang}")
        parent.context.close()
    assert codes["zh-hans"] != codes["en"]
