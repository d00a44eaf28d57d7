"""The plan journey through a browser (SPEC R5, R6).

A school admin writes the plan on its page, the check shows a shortfall, the admin fixes
it, the check passes, the plan is published, and the county officer's compliance table
follows each step. Screenshots go to var/screenshots/ for a human to look at.
"""

import datetime as dt
from pathlib import Path

import pytest

from kehou.accounts.models import User
from kehou.org.access import SYSTEM
from kehou.org.models import Region
from kehou.policy import services
from kehou.testing import factories as f

from .test_foundation_journey import CHROMIUM, _log_in, _shot, browser  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def _city_following_seed_000(city):
    """The city adopts seed 000's profile and enters 18:00 as the local off-work time."""
    profile = services.profile_adopt(template_key="jiangsu_000", region=city, actor=SYSTEM)
    values = services.profile_values_of(services.profile_rules(profile))
    services.profile_update(
        profile=profile,
        actor=SYSTEM,
        values=services.ProfileValues(**{**vars(values), "off_work_time": dt.time(18)}),
        note="本市机关下班时间18:00",
    )


def test_admin_fixes_a_shortfall_and_the_bureau_table_follows(
    live_server,
    transactional_db,
    browser,  # noqa: F811
):
    # given a city following seed 000, a school, its admin, the county officer and a term
    city = f.RegionFactory(code="320500", name="苏州市", level=Region.Level.CITY)
    county = f.RegionFactory(code="320506", name="吴中区", parent=city)
    school = f.SchoolFactory(code="3205060001", name="吴中实验小学", region=county)
    f.UserFactory(phone="13800000001", name="陈校长", role=User.Role.SCHOOL_ADMIN, school=school)
    f.UserFactory(phone="13800000005", name="吴督学", role=User.Role.BUREAU, region=county)
    f.TermFactory()
    services.profile_templates_install(actor=SYSTEM)
    _city_following_seed_000(city)
    base = live_server.url

    admin = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = admin.new_page()
    _log_in(page, base, "13800000001", f.TEST_PASSWORD)
    page.wait_for_url(f"{base}/")

    # when the admin writes the plan: Monday to Thursday only (as seed 002 does)
    page.goto(f"{base}/plans/")
    assert "课后服务实施方案" in page.inner_text("h1")
    page.click("text=编写方案")
    page.wait_for_url("**/edit/")
    page.uncheck("#id_service_weekdays_4")
    page.select_option("#id_service_mode", "flexible_leaving")
    page.fill("#id_pay_per_class_hour", "60")
    page.fill("#id_fee_per_term", "0")
    page.select_option("#id_grade12_written_homework", "no")
    page.fill("#id_safety_measures", "班主任清点人数,家长凭接送卡接孩子")
    page.fill("#id_complaint_channel", "0512-66000000")
    for row, (grade_from, grade_to, start, end, kind, label) in enumerate(
        [
            ("1", "6", "16:00", "18:00", "regular", "作业辅导与社团"),
            ("1", "6", "18:00", "19:00", "extended_care", "延时托管"),
        ]
    ):
        page.select_option(f"#id_slots-{row}-grade_from", grade_from)
        page.select_option(f"#id_slots-{row}-grade_to", grade_to)
        page.fill(f"#id_slots-{row}-start", start)
        page.fill(f"#id_slots-{row}-end", end)
        page.select_option(f"#id_slots-{row}-kind", kind)
        page.fill(f"#id_slots-{row}-label", label)
    page.fill("#id_content-0-name", "作业辅导")
    page.select_option("#id_content-0-category", "homework")
    page.fill("#id_content-1-name", "篮球")
    page.select_option("#id_content-1-category", "sports")
    _shot(page, "10-plan-edit")
    page.click("#save-and-check")
    page.wait_for_url("**/check/")

    # then the check names the shortfall with its source
    check = page.inner_text("main")
    assert "1项不符合" in check, check
    assert "每周服务4天,要求5天" in check
    assert "推行课后服务“5+2”模式" in check
    _shot(page, "11-plan-check-shortfall")

    # and the county officer's table shows it
    bureau = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    officer = bureau.new_page()
    _log_in(officer, base, "13800000005", f.TEST_PASSWORD)
    officer.wait_for_url(f"{base}/")
    officer.goto(f"{base}/plans/table/")
    row = officer.inner_text("#compliance-table tr[data-school='3205060001']")
    assert "每周服务4天,要求5天" in row and "草稿" in row
    _shot(officer, "12-bureau-table-shortfall")

    # when the admin adds Friday and checks again
    page.click("text=编辑草稿")
    page.wait_for_url("**/edit/")
    page.check("#id_service_weekdays_4")
    page.click("#save-and-check")
    page.wait_for_url("**/check/")

    # then the plan passes
    assert "本方案符合所有规定" in page.inner_text("#verdict")
    _shot(page, "13-plan-check-passes")

    # and once published, the table shows the published version meeting every rule
    page.click("text=返回方案")
    page.click("#publish")
    page.wait_for_load_state()
    assert "已发布" in page.inner_text("#plan-status")
    _shot(page, "14-plan-published")
    officer.reload()
    row = officer.inner_text("#compliance-table tr[data-school='3205060001']")
    assert "符合所有规定" in row and "已发布" in row
    assert officer.inner_text("#compliant-count") == "1"
    _shot(officer, "15-bureau-table-compliant")

    # and the city's profile, with its sources and history, is one click away
    officer.click("text=课后服务政策: 苏州市课后服务政策")
    rules = officer.inner_text("#rules")
    assert "18:00" in rules and "推行课后服务“5+2”模式" in rules
    assert "本市机关下班时间18:00" in officer.inner_text("#history")
    _shot(officer, "16-profile")
    officer.goto(f"{base}/plans/profiles/")
    _shot(officer, "17-profile-list")
    admin.close()
    bureau.close()
