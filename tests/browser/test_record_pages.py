"""The record pages on a 390 px phone, in Chinese and English (issue 8, items 9, 13, 14):
the school admin edits a child and a guardian's phone, a taken phone is refused in
Chinese; the bureau registers and approves an organisation and the school sees it; the
student, staff, school and organisation lists do not scroll sideways. Screenshots go to
var/screenshots/ for a human to look at."""

from pathlib import Path

import pytest

from kehou.accounts.models import User
from kehou.org.models import ExternalOrganisation, Guardian, Region, StudentGuardian
from kehou.testing import factories as f

from .test_foundation_journey import CHROMIUM, PHONE, _log_in, _shot, browser, fits  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def _fits(page) -> None:
    """The page fits, and no table in it scrolls sideways in its box either."""
    fits(page)
    sideways = page.evaluate(
        "[...document.querySelectorAll('.table-wrap')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).length"
    )
    assert sideways == 0, f"{page.url}: {sideways} table(s) scroll sideways"


def test_records_and_organisations_in_the_pages_on_a_phone(
    live_server,
    transactional_db,
    browser,  # noqa: F811
):
    city = f.RegionFactory(code="320500", name="苏州市", level=Region.Level.CITY)
    county = f.RegionFactory(code="320506", name="吴中区", parent=city)
    school = f.SchoolFactory(code="3205060001", name="吴中区实验小学（本部校区）", region=county)
    school_class = f.SchoolClassFactory(school=school, grade=3, number=1)
    f.SchoolClassFactory(school=school, school_year=school_class.school_year, grade=3, number=2)
    password = f.TEST_PASSWORD
    admin = f.UserFactory(phone="13800000001", role=User.Role.SCHOOL_ADMIN, school=school)
    officer = f.UserFactory(phone="13800000009", role=User.Role.BUREAU, region=county)
    teacher_user = f.UserFactory(phone="13800000002", role=User.Role.TEACHER, school=school)
    f.StaffFactory(school=school, user=teacher_user, phone=teacher_user.phone, name="周老师")
    f.external_instructor(school, name="欧阳教练", phone="13800000010")
    guardian_user = f.UserFactory(phone="13800000004", role=User.Role.GUARDIAN)
    guardian = f.GuardianFactory(
        user=guardian_user, phone="13800000004", school=school, name="欧阳丽"
    )
    child = f.child(school, school_class, guardian=guardian, name="欧阳小明")
    StudentGuardian.objects.filter(student=child).update(is_primary=True)
    for n in range(5):
        f.child(school, school_class, name=f"同学{n:02d}", low_income_basis="dibao")
    base = live_server.url

    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    _log_in(page, base, admin.phone, password)
    for name, url in (
        ("records_students", f"/schools/{school.pk}/students/"),
        ("records_student", f"/students/{child.pk}/"),
        ("records_staff", f"/schools/{school.pk}/staff/"),
        ("records_school", f"/schools/{school.pk}/"),
    ):
        page.goto(base + url)
        _fits(page)
        _shot(page, name)
    assert "筛选" in page.goto(base + f"/schools/{school.pk}/students/").text()

    # The child moves to class 2 and becomes a boarder.
    page.goto(base + f"/students/{child.pk}/")
    page.click("text=编辑学生信息")
    page.select_option("#id_school_class", label="三年级2班")
    page.check("#id_is_boarder")
    _fits(page)
    page.click("#student-form button[type=submit]")
    assert "学生信息已保存" in page.text_content("body")
    assert "三年级2班" in page.text_content("main")

    # A guardian's phone: a number that is someone's login is refused, saying nothing of whom.
    page.click(f"a[href='/students/{child.pk}/guardians/{guardian.pk}/edit/']")
    page.fill("#id_phone", teacher_user.phone)
    page.click("#guardian-form button[type=submit]")
    body = page.text_content("main")
    assert "此号码不能在这里使用" in body and "周老师" not in body
    _fits(page)
    _shot(page, "records_guardian_refused")
    page.fill("#id_phone", "１３９ １２３４ ５６７８")
    page.click("#guardian-form button[type=submit]")
    assert "监护人信息已保存" in page.text_content("body")
    guardian.refresh_from_db()
    guardian_user.refresh_from_db()
    assert guardian.phone == guardian_user.phone == "13912345678"
    page.goto(base + f"/students/{child.pk}/history/")
    _shot(page, "records_history")
    assert "139****5678" in page.text_content("main")
    context.close()

    # The bureau registers and approves an organisation; the school then sees it.
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    _log_in(page, base, officer.phone, password)
    page.goto(base + "/organisations/new/")
    page.fill("#id_name", "吴中区青少年体育俱乐部")
    page.fill("#id_credit_code", "91320506MA1ABCDE1T")
    page.fill("#id_licence_number", "体字2026001")
    page.fill("#id_licence_valid_until", "2030-12-31")
    page.check("input[name=offers][value=sports]")
    _fits(page)
    _shot(page, "records_organisation_new")
    page.click("#organisation-form button[type=submit]")
    assert "等待准入审查" in page.text_content("body")
    page.check("input[name=status][value=approved]")
    page.click("#vet-form button[type=submit]")
    assert "审查结论已记录" in page.text_content("body")
    _fits(page)
    _shot(page, "records_organisation_approved")
    page.goto(base + "/organisations/")
    _fits(page)
    _shot(page, "records_organisations_bureau")
    page.goto(base + f"/schools/{school.pk}/")
    _fits(page)
    context.close()
    assert ExternalOrganisation.objects.get().status == "approved"

    # English: the same pages, complete.
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    _log_in(page, base, admin.phone, password)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(base + "/organisations/")
    text = page.text_content("main")
    assert "吴中区青少年体育俱乐部" in text and "Sports" in text and "Filter" in text
    _fits(page)
    _shot(page, "records_organisations_school_en")
    page.goto(base + f"/students/{child.pk}/edit/")
    assert "Low-income basis" in page.text_content("main")
    _fits(page)
    _shot(page, "records_student_edit_en")
    context.close()
    assert Guardian.objects.filter(phone="13912345678").count() == 1
