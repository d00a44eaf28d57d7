"""The first journey through a browser (SPEC R1, R2, R3, R26).

A school admin logs in by phone, imports a roster workbook and sees the students; a
guardian from that workbook activates an account, logs in on a phone-sized screen and
sees their own child only. Screenshots go to var/screenshots/ for a human to look at.
"""

import io
from pathlib import Path

import pytest

from kehou.accounts.models import User
from kehou.org.models import Region
from kehou.testing import factories as f

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
GUARDIAN_PASSWORD = "Qiuyue-2026-safe"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

# Rows keyed by the Chinese headers of the roster template: the headers are the contract
# schools see, so the test does not depend on the importer's internals.
ROSTER = {
    "班级": [{"年级": 3, "班号": 1, "班主任手机号": "13800000002"}],
    "学生": [
        {"学籍号": "G320506201601010001", "姓名": "张一", "性别": "男", "年级": 3, "班号": 1},
        {"学籍号": "G320506201601010002", "姓名": "李二", "性别": "女", "年级": 3, "班号": 1},
    ],
    "监护人": [
        {
            "学籍号": "G320506201601010001",
            "姓名": "张父",
            "关系": "父亲",
            "手机号": "13900001111",
            "主要联系人": "是",
        },
        {
            "学籍号": "G320506201601010002",
            "姓名": "李母",
            "关系": "母亲",
            "手机号": "13900002222",
            "主要联系人": "是",
        },
    ],
    "教职工": [{"姓名": "王老师", "手机号": "13800000002", "类别": "本校教师", "任教学科": "语文"}],
}


def _filled_workbook() -> bytes:
    import openpyxl

    from kehou.roster.services import roster_template

    book = openpyxl.load_workbook(io.BytesIO(roster_template()))
    for sheet_name, rows in ROSTER.items():
        sheet = book[sheet_name]
        headers = [cell.value for cell in sheet[1]]
        for row in rows:
            unknown = set(row) - set(headers)
            assert not unknown, f"template sheet {sheet_name} lacks columns {unknown}"
            sheet.append([row.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; Django would refuse the ORM.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs the test inside a greenlet with its own context, and
    # Django keeps connections per context: close them on both sides of the switch, or
    # PostgreSQL refuses to drop the test database at the end (an orphaned session).
    connections.close_all()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            # --lang: the browser's own widgets (date, time, file pickers) speak Chinese in
            # the screenshots, as on a family's phone.
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--lang=zh-CN",
            ],
        )
        yield browser
        browser.close()
        connections.close_all()


PHONE = {"width": 390, "height": 844}  # the phone parents and teachers hold


def fits(page) -> None:
    """Nothing on the page scrolls sideways at the viewport's width.

    Waits for the page to finish loading: measured while a navigation replaces the
    document, there is no documentElement to measure."""
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} is {width}px wide on a {viewport}px screen"


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _log_in(page, base: str, phone: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", phone)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")


def test_admin_imports_roster_and_guardian_sees_only_own_child(
    live_server, transactional_db, browser
):
    # given: a school and its admin
    city = f.RegionFactory(code="320500", name="苏州市", level=Region.Level.CITY)
    county = f.RegionFactory(code="320506", name="吴中区", parent=city)
    school = f.SchoolFactory(code="3205060001", name="吴中实验小学", region=county)
    f.UserFactory(phone="13800000001", name="陈校长", role=User.Role.SCHOOL_ADMIN, school=school)
    base = live_server.url

    # when: the admin logs in by phone
    admin = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = admin.new_page()
    page.goto(f"{base}/login/")
    assert "手机号" in page.content()
    _shot(page, "01-login")
    _log_in(page, base, "138 0000 0001", f.TEST_PASSWORD)
    assert "吴中实验小学" in page.inner_text("main")
    _shot(page, "01b-admin-home")

    # and imports the roster workbook
    page.goto(f"{base}/roster/import/")
    page.set_input_files(
        "input[name=file]",
        files=[
            {
                "name": "花名册.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": _filled_workbook(),
            }
        ],
    )
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_load_state()
    _shot(page, "02-roster-imported")
    report = page.inner_text("main")
    assert page.locator("#report").count() == 1, report

    # then: the students are in the student list
    page.goto(f"{base}/schools/{school.pk}/students/")
    students = page.inner_text("main")
    assert "张一" in students and "李二" in students
    assert "三年级1班" in students
    _shot(page, "03-admin-student-list")
    # and the same page in English after switching language
    page.click("header button[value=en]")
    page.wait_for_load_state()
    assert page.inner_text("h1").startswith("Students")
    english = page.inner_text("main")
    assert "Grade 3, class 1" in english and "三年级" not in english
    _shot(page, "03b-admin-student-list-en")
    admin.close()

    # when: a guardian from the workbook activates their account on a phone
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        locale="zh-CN",
    )
    page = phone.new_page()
    page.goto(f"{base}/activate/")
    page.fill("#id_phone", "13900001111")
    page.fill("#id_student_number", "G320506201601010001")
    page.fill("#id_child_name", "张一")
    page.fill("#id_password", GUARDIAN_PASSWORD)
    page.fill("#id_password_again", GUARDIAN_PASSWORD)
    _shot(page, "04-activate")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/login/")
    assert "账号已激活" in page.content()

    # and logs in
    _log_in(page, base, "13900001111", GUARDIAN_PASSWORD)
    page.wait_for_url(f"{base}/")

    # then: only their own child
    home = page.inner_text("main")
    assert "张一" in home
    assert "李二" not in home
    assert "吴中实验小学" in home
    _shot(page, "05-guardian-home")
    page.click("text=张一")
    page.wait_for_url("**/students/**")
    detail = page.inner_text("main")
    assert "张父" in detail and "李母" not in detail
    _shot(page, "06-guardian-child")
    # the other child stays out of reach
    other = (
        User.objects.get(phone="13900001111").guardian_records.get().student_links.get().student_id
    )
    response = page.goto(f"{base}/students/{other + 1}/")
    assert response.status == 404
    phone.close()
