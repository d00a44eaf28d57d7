"""What the bureau oversees in the demo city through a browser (issue 11, "Done means").

The small demo city is seeded on a Wednesday in November with kehou's clock running from
09:00 that day (the live server's thread reads the same clock). The main school's admin
submits October's report (due the 24th, so on time) and its figures are frozen as shown;
the city officer sees the region's table with every school submitted and its sum, the
school that never sent September's report on the late list, and downloads 003's form
(urban schools only, the sum last); the officer opens the dashboard, every chart drawn
on a desktop and on a phone, and drills into a school; a parent on a phone files a
complaint from the school's public page, the admin takes it to a reply and the parent
reads the reply with the code; the demo guardian answers the needs survey from the inbox
on a phone and the admin sees its charts. Screenshots go to var/screenshots/ (70-79).
"""

import datetime as dt
import io
import re
from pathlib import Path
from unittest import mock

import openpyxl
import pytest
from django.utils import timezone

from kehou.complaints.models import Complaint
from kehou.demo.seed import (
    DEMO_PASSWORD,
    PHONE_CITY_OFFICER,
    PHONE_GUARDIAN,
    PHONE_SCHOOL_ADMIN,
    seed_city,
)
from kehou.lib.school_calendar import school_year_start
from kehou.org.models import School
from kehou.reports.models import MonthlyReport, SchoolMonth
from kehou.surveys.models import Response, Survey

from .test_dashboard_pages import _watch
from .test_foundation_journey import CHROMIUM, PHONE, _log_in, _shot, browser, fits  # noqa: F401
from .test_money_journey import DESK, Clock, _context

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

NEEDS_TITLE = "下学期课后服务需求调查（告家长一封信）"
ENGLISH = re.compile(
    r"\b(Report|report|Submitted|Late|School|Complaint|Survey|Chart|Month|Region|None)\b"
)


def _november_morning() -> dt.datetime:
    year = school_year_start(timezone.localdate())
    return timezone.make_aware(dt.datetime(year, 11, 18, 9, 0))


def _no_english(page) -> None:
    found = ENGLISH.search(page.inner_text("main"))
    assert found is None, f"{page.url} shows English: {found.group(0)!r}"


def _charts_drawn(page) -> int:
    """Every chart container on the page holds a canvas; returns how many there are."""
    page.wait_for_selector(".chart canvas")
    charts = page.locator(".chart")
    count = charts.count()
    for n in range(count):
        chart = charts.nth(n)
        assert chart.locator("canvas").count() >= 1, f"{chart.get_attribute('id')} drew nothing"
    page.wait_for_timeout(1500)  # ECharts' animations end before a screenshot
    return count


def _number(text: str) -> int:
    return int(text.replace(",", "").strip())


def test_what_the_bureau_oversees(live_server, transactional_db, browser):  # noqa: F811
    clock = Clock(_november_morning())
    with mock.patch.object(timezone, "now", side_effect=clock.now):
        _journey(browser, live_server.url)


def _journey(browser, base):  # noqa: F811, PLR0915
    seed_city(schools=3, students=600, sessions=True)
    main = School.objects.get(name="滨城区第一实验小学")
    schools = list(School.objects.order_by("pk"))
    assert len(schools) == 3
    year = school_year_start(timezone.localdate())
    october, september = dt.date(year, 10, 1), dt.date(year, 9, 1)
    assert not MonthlyReport.objects.filter(school=main, month=october).exists()

    # --- 1. the admin submits October's report ------------------------------------------
    admin = _context(browser, DESK)
    page = admin.new_page()
    _log_in(page, base, PHONE_SCHOOL_ADMIN, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/reports/")
    page.wait_for_url(f"{base}/reports/schools/{main.pk}/")
    _shot(page, "70-oversight-admin-report-months")
    page.click(f"a[href='/reports/schools/{main.pk}/{year}-10/']")
    page.wait_for_url(f"{base}/reports/schools/{main.pk}/{year}-10/")
    computed = SchoolMonth.objects.get(school=main, month=october)
    shown = page.inner_text("#figures .figures li:nth-child(3) .n").strip()
    assert shown == f"{computed.students_taking_part}/{computed.students_in_school}"
    assert _number(page.inner_text("#figures .figures li:nth-child(1) .n")) == (
        computed.service_days
    )
    assert computed.students_taking_part > 0
    _no_english(page)
    page.fill("#submit [name=remark]", "十月课后服务按方案开展，社团活动增加一项科技类。")
    page.click("#submit button[type=submit]")
    page.wait_for_selector("#confirm")
    assert not MonthlyReport.objects.filter(school=main, month=october).exists()
    _shot(page, "71-oversight-admin-report-confirm")
    page.click("#confirm-yes")
    page.wait_for_selector("#versions")
    report = MonthlyReport.objects.get(school=main, month=october)
    assert report.version == 1 and not report.is_late
    assert report.remark.startswith("十月课后服务")
    frozen = report.figures
    assert page.inner_text("#figures .figures li:nth-child(3) .n").strip() == (
        f"{frozen['students_taking_part']}/{frozen['students_in_school']}"
    )
    assert (frozen["students_taking_part"], frozen["students_in_school"]) == (
        computed.students_taking_part,
        computed.students_in_school,
    )
    assert "v1" in page.inner_text("#versions")
    assert "已提交" in page.inner_text("#state") or "按时" in page.inner_text("#state")
    _shot(page, "72-oversight-admin-report-submitted")
    _no_english(page)
    admin.close()

    # --- 2. the officer's region table, the late list, 003's form -------------------------
    officer = _context(browser, DESK)
    page = officer.new_page()
    errors = _watch(page)
    _log_in(page, base, PHONE_CITY_OFFICER, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/reports/region/?month={year}-10")
    rows = page.locator("#region-reports tbody tr")
    assert rows.count() == 3
    assert page.locator("#region-reports tbody tr.state-on_time").count() == 3
    total = sum(
        m.students_in_school for m in SchoolMonth.objects.filter(month=october, school__in=schools)
    )
    assert _number(page.inner_text("#region-sum th:nth-child(5)")) == total
    assert page.locator("ul#late-list").count() == 0
    _shot(page, "73-oversight-officer-region-october")
    _no_english(page)
    page.select_option("#month", f"{year}-09")
    page.click("#month-selector button[type=submit]")
    page.wait_for_url(f"**/reports/region/?month={year}-09")
    late = page.inner_text("#late-list")
    assert schools[-1].name in late and main.name not in late
    assert not MonthlyReport.objects.filter(school=schools[-1], month=september).exists()
    assert page.locator("#region-reports tbody tr.state-late").count() == 1
    _shot(page, "74-oversight-officer-region-september-late")
    page.goto(f"{base}/reports/region/?month={year}-10")
    with page.expect_download() as download:
        page.click("#export")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    table = list(book.active.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(table) if r[0] == "序号")
    header = table[at]
    assert header[1] == "城区学校名称" and any("“2+N”" in (h or "") for h in header)
    sum_at = next(i for i, r in enumerate(table) if r[1] == "合计")
    body = table[at + 1 : sum_at]
    urban = [s for s in schools if s.is_urban]
    assert sorted(r[1] for r in body) == sorted(s.name for s in urban)
    assert table[sum_at][3] == sum(r[3] for r in body)
    assert table[sum_at][4] == sum(r[4] for r in body)

    # --- 3. the dashboard, and a school's page ------------------------------------------
    page.goto(f"{base}/dashboard/")
    drawn = _charts_drawn(page)
    assert drawn >= 5
    _shot(page, "75-oversight-dashboard")
    link = page.locator("#school-table tbody a").first
    name = link.inner_text().strip()
    link.click()
    page.wait_for_url(re.compile(r"/dashboard/schools/\d+/"))
    school = School.objects.get(name=name)
    assert f"/dashboard/schools/{school.pk}/" in page.url
    assert name in page.inner_text("h1")
    assert _charts_drawn(page) >= 3
    _shot(page, "76-oversight-dashboard-school")
    _no_english(page)
    assert errors == [], errors
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/dashboard/")
    _charts_drawn(page)
    fits(page)
    _shot(page, "75-oversight-dashboard-phone")
    assert errors == [], errors
    officer.close()

    # --- 4. a parent's complaint from the public page to the reply ----------------------
    parent = _context(browser, PHONE)
    phone = parent.new_page()
    phone.goto(f"{base}/public/schools/{main.code}/")
    fits(phone)
    phone.click("#file-complaint")
    phone.wait_for_url(re.compile(r"/complaints/new/"))
    fits(phone)
    phone.check("#id_kind_0")
    phone.select_option("#id_topic", index=1)
    phone.fill("#id_text", "课后服务结束时间提前到17:00，与家长下班时间不衔接，希望调整。")
    phone.fill("#id_phone", "13912340000")
    _shot(phone, "77-oversight-parent-complaint-form")
    phone.click("#complaint-form button[type=submit]")
    phone.wait_for_url(re.compile(r"/complaints/done/$"))
    fits(phone)
    code = phone.inner_text("#new-code").strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    complaint = Complaint.objects.get(code=code.replace("-", ""))
    assert complaint.school_id == main.pk
    _no_english(phone)

    admin = _context(browser, DESK)
    page = admin.new_page()
    _log_in(page, base, PHONE_SCHOOL_ADMIN, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/complaints/schools/{main.pk}/")
    page.click(f"main a[href='/complaints/{complaint.pk}/']")
    page.wait_for_url(f"{base}/complaints/{complaint.pk}/")
    page.select_option("#id_assignee", index=1)
    page.click("#assign-form button[type=submit]")
    page.fill("#id_handling", "经核实，本周起课后服务恢复至18:00结束。")
    page.click("#handle-form button[type=submit]")
    page.fill("#id_reply", "感谢反映，学校已于本周起将课后服务结束时间调整为18:00。")
    page.click("#reply-form button[type=submit]")
    page.wait_for_selector("#reply")
    _shot(page, "78-oversight-admin-complaint-replied")
    _no_english(page)
    page.goto(f"{base}/complaints/schools/{main.pk}/")
    with page.expect_download() as download:
        page.click("#ledger")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    ledger = list(book.active.iter_rows(values_only=True))
    header = ledger[3]
    row = next(r for r in ledger[4:] if "调整为18:00" in (r[header.index("答复")] or ""))
    assert row[header.index("状态")] == "已答复"
    admin.close()

    phone.goto(f"{base}/complaints/follow/")
    phone.fill("#id_code", code)
    phone.click("#follow-form button[type=submit]")
    found = phone.inner_text("#found")
    assert "调整为18:00" in found and "恢复至" not in found
    fits(phone)
    _shot(phone, "78-oversight-parent-complaint-followed")
    parent.close()

    # --- 5. the needs survey: answered from the inbox, its charts -----------------------
    needs = Survey.objects.get(title=NEEDS_TITLE)
    assert not Response.objects.filter(survey=needs, by__phone=PHONE_GUARDIAN).exists()
    guardian = _context(browser, PHONE)
    phone = guardian.new_page()
    _log_in(phone, base, PHONE_GUARDIAN, DEMO_PASSWORD)
    phone.wait_for_url(f"{base}/")
    phone.goto(f"{base}/inbox/")
    fits(phone)
    phone.locator(".inbox li", has_text=NEEDS_TITLE).first.locator(".inbox-open").click()
    with phone.expect_navigation():
        phone.click("form[action$='/open/'] button")
    assert f"/surveys/{needs.pk}/" in phone.url
    assert "尊敬的家长" in phone.inner_text(".letter")
    fits(phone)
    _shot(phone, "79-oversight-guardian-needs-survey")
    questions = phone.locator("#answer-form fieldset.question")
    for n in range(questions.count()):
        choice = questions.nth(n).locator("input[type=radio], input[type=checkbox]")
        if choice.count():
            choice.first.check()
    with phone.expect_navigation():
        phone.click("#submit-answer")
    assert phone.locator("#answered").count() == 1
    fits(phone)
    _shot(phone, "79-oversight-guardian-needs-thanks")
    _no_english(phone)
    assert Response.objects.filter(survey=needs, by__phone=PHONE_GUARDIAN).exists()
    guardian.close()

    admin = _context(browser, DESK)
    page = admin.new_page()
    errors = _watch(page)
    _log_in(page, base, PHONE_SCHOOL_ADMIN, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/surveys/{needs.pk}/results/")
    assert _charts_drawn(page) >= 4
    assert _number(page.inner_text("#response-count")) >= 1
    _shot(page, "79-oversight-needs-results")
    _no_english(page)
    assert errors == [], errors
    admin.close()
