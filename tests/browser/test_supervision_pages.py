"""Supervision in the browser (R24): a county officer records a mid-term check item by
item on a desktop, a score over an item's maximum comes back beside the item, the review
is finalised after a confirmation; the school admin submits the rectification and
proposes an exemplary case on a phone; the public reads a published case at 390×844.
Screenshots go to var/screenshots/."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from kehou.accounts.models import User
from kehou.org.models import Region
from kehou.supervision.models import ExemplaryCase, Finding, Review
from kehou.testing import factories as f

from .test_foundation_journey import CHROMIUM, PHONE, _log_in, _shot, browser, fits  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 820, "height": 1180}


def test_a_midterm_check_its_rectification_and_a_public_case(
    live_server,
    transactional_db,
    browser,  # noqa: F811
):
    city = f.RegionFactory(code="140400", name="长治市", level=Region.Level.CITY)
    county = f.RegionFactory(code="140403", name="潞州区", parent=city)
    school = f.SchoolFactory(code="1404030001", name="潞州区实验小学", region=county)
    officer = f.UserFactory(
        phone="13800000009", role=User.Role.BUREAU, region=county, name="王督学"
    )
    admin = f.UserFactory(phone="13800000001", role=User.Role.SCHOOL_ADMIN, school=school)
    today = timezone.localdate()
    term = f.TermFactory(start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=90))
    sheet = f.scoring_sheet(county, excellent_from=27, good_from=24, pass_from=18)
    first, second, third = sheet.items.all()
    f.exemplary_case(
        school,
        status="published",
        title="“5+2”课后服务全覆盖：潞州区实验小学的做法",
        summary="学校统筹校内外资源，开设体育、艺术、科普等社团课程，课后服务实现全覆盖。",
        body="一、基本做法\n学校每周五天开展课后服务，每天不少于2小时。\n二、主要成效\n家长满意度达98%。",
    )
    base = live_server.url

    # The officer scores the mid-term check on a desktop.
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    _log_in(page, base, officer.phone, f.TEST_PASSWORD)
    page.goto(base + "/supervision/overview/")
    fits(page)
    _shot(page, "supervision_overview_empty")
    page.click(f"a[href='/supervision/schools/{school.pk}/record/midterm/?term={term.code}']")
    page.fill(f"#points-{first.pk}", "9")
    page.fill(f"#points-{second.pk}", "8.5")
    page.fill(f"#points-{third.pk}", "10")
    page.fill(f"[name=note-{third.pk}]", "家长问卷满意率98%")
    assert page.text_content("#running-total") == "27.5"
    page.fill("[name=finding-text-1]", "课后服务签到记录不全")
    page.fill("[name=finding-text-2]", "部分社团活动场地安全提示缺失")
    page.select_option("[name=finding-severity-2]", "major")
    page.check("[name=requires_rectification]")
    page.fill("#rectification_due", (today + dt.timedelta(days=14)).isoformat())
    # Over the maximum: the browser's own check is bypassed to see the server's answer.
    page.fill(f"#points-{first.pk}", "11")
    page.eval_on_selector("#review-form", "f => f.noValidate = true")
    page.click("#review-form button[type=submit]")
    assert "“课后服务覆盖保障”：11 超出 0–10 分的范围。" in page.text_content(f"#row-{first.pk}")
    assert Review.objects.count() == 0
    _shot(page, "supervision_record_refused")
    page.fill(f"#points-{first.pk}", "9")
    page.click("#review-form button[type=submit]")
    assert "督导记录已保存为草稿" in page.text_content("body")
    assert "27.5" in page.text_content("#review-total") and "优秀" in page.text_content("main")
    page.click("#finalise-form button")
    assert page.is_visible("#confirm")
    page.click("#confirm-yes")
    assert "已定稿" in page.text_content("#review-facts")
    fits(page)
    _shot(page, "supervision_review_final")
    page.goto(base + "/supervision/overview/")
    assert "27.5" in page.text_content("#supervision-overview")
    _shot(page, "supervision_overview")
    context.close()

    # The annual assessment's form on a tablet, one row per item.
    f.scoring_sheet(
        county,
        kind="annual",
        name="课后服务年度考核评分表",
        items=[
            ("课后服务覆盖保障：服务时间、覆盖学生比例", 20),
            ("质量内容：作业辅导、社团课程、校外资源", 30),
            ("安全管理：考勤、交接、放学护送", 20),
            ("学生及家长满意度", 30),
        ],
    )
    context = browser.new_context(viewport=TABLET, locale="zh-CN")
    page = context.new_page()
    _log_in(page, base, officer.phone, f.TEST_PASSWORD)
    page.goto(base + f"/supervision/schools/{school.pk}/record/annual/?term={term.code}")
    fits(page)
    assert page.locator(".score-row").count() == 4
    _shot(page, "supervision_record_tablet")
    context.close()

    # The school admin submits the rectification of the first finding on a phone.
    review = Review.objects.get()
    finding = review.findings.get(order=1)
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    _log_in(page, base, admin.phone, f.TEST_PASSWORD)
    page.goto(base + f"/supervision/reviews/{review.pk}/")
    fits(page)
    _shot(page, "supervision_review_school")
    page.click(f"a[href='/supervision/findings/{finding.pk}/rectify/']")
    page.fill("#id_action", "已补全9月以来的签到记录，并指定专人每日核对。")
    fits(page)
    _shot(page, "supervision_rectify")
    page.click("#rectify-form button[type=submit]")
    assert "整改情况已提交教育局" in page.text_content("body")
    finding.refresh_from_db()
    assert finding.status == Finding.Status.SUBMITTED

    # ... and proposes one of the school's own practices as an exemplary case.
    page.goto(base + f"/supervision/schools/{school.pk}/")
    with page.expect_navigation():
        page.click("#own-cases")
    page.fill("#id_title", "课后服务“一校一案”")
    page.fill("#id_summary", "按年级设计课程菜单，学生自主选择。")
    page.fill("#id_body", "一、做法\n每学期初开展需求调查。\n二、成效\n参与率九成以上。")
    with page.expect_navigation():
        page.click("#case-form button[type=submit]")
    assert "案例已报送教育局" in page.text_content("body")
    assert page.locator("#case-waiting").count() == 1
    fits(page)
    _shot(page, "supervision_case_proposed")
    context.close()
    proposed = ExemplaryCase.objects.get(title="课后服务“一校一案”")
    assert proposed.status == "proposed" and proposed.school == school

    # Anyone reads the published case on a phone, from the public index.
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(base + "/public/")
    with page.expect_navigation():
        page.click("a[href='/supervision/cases/']")
    fits(page)
    _shot(page, "supervision_public_cases")
    with page.expect_navigation():
        page.click("#public-cases a")
    assert "家长满意度达98%" in page.text_content("#public-case")
    fits(page)
    _shot(page, "supervision_public_case")
    context.close()
