"""A pilot school's first term through a browser (issue 8, "Done means").

A new school joins the small demo city. Its admin downloads the roster template, imports
40 students with their guardians and staff (one mother is already a parent at another
school of the city) after a dry run; that family sees nothing new until it adds the child
with the school's code. A teacher from the roster gets a first password and logs in on a
phone. The admin publishes the term's plan after confirming its shortfalls, the menu
refuses an instructor booked twice, the choice window runs (the mother ranks on her
phone), the allocation is confirmed and run in the worker, the instructor downloads the
class list on a phone, and the mother reads why and accepts a seat freed on a waiting
list. Parents and teachers use 390 x 844 screens; screenshots go to var/screenshots/
(90-...).
"""

import dataclasses
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone

from kehou.accounts.models import User
from kehou.catalog import services as catalog
from kehou.catalog.models import Menu, Offering
from kehou.demo.seed import DEMO_PASSWORD, PHONE_GUARDIAN, seed_city
from kehou.enrollment import services as enrollment
from kehou.enrollment.models import Application, Enrollment, WaitlistEntry
from kehou.org.models import Guardian, Region, Staff, Student
from kehou.placement.models import AllocationRun
from kehou.policy import services as policy
from kehou.policy.models import SchoolPlan
from kehou.terms.selectors import current_term
from kehou.testing import factories as f
from kehou.testing.worker import background_worker

from .test_foundation_journey import CHROMIUM, PHONE, SCREENSHOTS, _log_in, _shot, browser, fits  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

T = dt.time
ADMIN_PHONE = "13700009000"
TEACHER_PHONE = "13700000001"  # 王文, head of class 3-1, teaches 书法
TEACHER_PASSWORD = "Beihai-shufa-2026"
SHARED_CHILD = 1  # the child whose mother is also a parent at 滨城区第一实验小学
LEFT_BEHIND = range(2, 7)  # five children of the priority group, all ranking 足球 first
WORDS_FAMILIES_DO_NOT_READ = ("种子", "序列独裁", "正当嫉妒", "优先类别", "tier", "seed")
# a code wall such as "(优先类别1, 抽签号0478)": the lottery number is told in a sentence
CODE_WALL = re.compile(r"[（(][^）)]*(抽签号|优先类别)")


def _phone_context(browser):  # noqa: F811
    return browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, locale="zh-CN"
    )


def _number(n: int) -> str:
    return f"G3371602090{n:04d}"


def _fill_roster(template: bytes, mother_name: str, mother_phone: str = PHONE_GUARDIAN) -> bytes:
    """The downloaded template filled the way a school office fills it, by its headers."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(template))

    def put(sheet_name, rows):
        sheet = book[sheet_name]
        headers = [cell.value for cell in sheet[1]]
        for row in rows:
            unknown = set(row) - set(headers)
            assert not unknown, f"template sheet {sheet_name} lacks columns {unknown}"
            sheet.append([row.get(h) for h in headers])

    put(
        "班级",
        [
            {"年级": 3, "班号": 1, "班主任手机号": TEACHER_PHONE},
            {"年级": 4, "班号": 1, "班主任手机号": "13700000002"},
        ],
    )
    students, guardians = [], []
    for n in range(1, 41):
        students.append(
            {
                "学籍号": _number(n),
                "姓名": f"北海{n:02d}",
                "性别": "男" if n % 2 else "女",
                "年级": 3 if n <= 20 else 4,
                "班号": 1,
                "留守儿童": "是" if n in LEFT_BEHIND else "否",
            }
        )
        guardians.append(
            {
                "学籍号": _number(n),
                "姓名": mother_name if n == SHARED_CHILD else f"家长{n:02d}",
                "关系": "母亲",
                "手机号": mother_phone if n == SHARED_CHILD else f"1390000{n:04d}",
                "主要联系人": "是",
            }
        )
    put("学生", students)
    put("监护人", guardians)
    put(
        "教职工",
        [
            {"姓名": "王文", "手机号": TEACHER_PHONE, "性别": "女", "类别": "本校教师"},
            {"姓名": "李数", "手机号": "13700000002", "性别": "男", "类别": "本校教师"},
            {
                "姓名": "赵教练",
                "手机号": "13700000003",
                "性别": "男",
                "类别": "外聘人员",
                "外聘类型": "教练",
                "资质": "足球教练证",
                "背景审查日期": "2026-03-01",
                "背景审查结果": "通过",
                "协议开始日期": "2026-08-01",
                "协议结束日期": "2027-07-31",
                "课时报酬(元)": 60,
            },
        ],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _workbook(data: bytes):
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(data))


def _cells(book) -> str:
    return "\n".join(
        str(value)
        for sheet in book
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def test_a_pilot_school_runs_its_first_term(
    live_server,
    transactional_db,
    browser,  # noqa: F811
    tmp_path,
):
    # given the small demo city (two schools with their plans; no menus yet) and a new
    # pilot school in 滨城区 with its admin
    seed_city(schools=2, students=200, sessions=False)
    county = Region.objects.get(name="滨城区")
    school = f.SchoolFactory(code="3371602090", name="滨城区北海小学", region=county)
    admin_user = f.UserFactory(
        phone=ADMIN_PHONE, name="孙校长", role=User.Role.SCHOOL_ADMIN, school=school
    )
    other_family = Guardian.objects.select_related("user").get(phone=PHONE_GUARDIAN)
    assert other_family.school_id != school.pk and other_family.user is not None
    term = current_term()
    base = live_server.url
    with background_worker():
        _journey(browser, base, school, admin_user, other_family, term, tmp_path)


def _journey(browser, base, school, admin_user, other_family, term, tmp_path):  # noqa: F811, PLR0915
    mother = other_family.user
    known_children = {
        link.student.name for g in mother.guardian_records.all() for link in g.student_links.all()
    }

    # --- 1. the roster ------------------------------------------------------------------
    admin = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    page = admin.new_page()
    _log_in(page, base, ADMIN_PHONE, f.TEST_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/roster/import/")
    _shot(page, "90-01-import-page")
    with page.expect_download() as download:
        page.click("a[href$='/roster/template/']")
    template = Path(download.value.path()).read_bytes()
    filled = tmp_path / "roster.xlsx"
    filled.write_bytes(_fill_roster(template, other_family.name))
    # the same file where that mother's phone is known nowhere: the dry run must not differ
    unknown = tmp_path / "roster-unknown-phone.xlsx"
    unknown.write_bytes(_fill_roster(template, other_family.name, mother_phone="13900009999"))

    # when the admin checks the file first (nothing written)
    page.set_input_files("#id_file", str(filled))
    page.check("input[name=dry_run]")
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_selector("#report")
    report = page.inner_text("#report")
    assert "文件无误" in report or "未写入" in report, report
    assert not Student.objects.filter(school=school).exists()
    # then the dry run says nothing about the other school's family: it reads the same as
    # for a phone known nowhere
    assert "其他学校" not in report and "账号" not in report, report
    _shot(page, "90-02-import-dry-run")
    page.set_input_files("#id_file", str(unknown))
    page.check("input[name=dry_run]")
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_selector("#report")
    assert page.inner_text("#report") == report

    # when the admin imports for real
    page.set_input_files("#id_file", str(filled))
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_selector("#report")
    report = page.inner_text("#report")
    assert "其他学校" not in report, report
    _shot(page, "90-03-import-done")
    assert Student.objects.filter(school=school).count() == 40
    assert Staff.objects.filter(school=school).count() == 3
    pilot_record = Guardian.objects.get(school=school, phone=PHONE_GUARDIAN)
    other_family.refresh_from_db()
    # then the other school's record of that mother is untouched and not joined to hers
    assert pilot_record.pk != other_family.pk and pilot_record.user_id is None

    # and the school's export lists its own record only, nothing of the other school's
    with page.expect_download() as download:
        page.click("a[href$='/roster/export/']")
    exported = _cells(_workbook(Path(download.value.path()).read_bytes()))
    assert "北海01" in exported and PHONE_GUARDIAN in exported
    for name in known_children:
        assert name not in exported, f"{name} of the other school leaks into the export"
    assert other_family.school.name not in exported

    # and the codes list gives the slip for that mother like for every other guardian
    page.click("a[href$='/roster/guardian-codes/']")
    page.wait_for_selector("#guardian-codes")
    codes = page.inner_text("#guardian-codes")
    assert "账号" not in codes.split("\n", 1)[1], codes  # the table does not tell who has one
    row = page.locator("#guardian-codes tr", has_text=PHONE_GUARDIAN)
    code = row.locator("code").inner_text().strip()
    assert code
    _shot(page, "90-04-guardian-codes")

    # when that mother opens her home page on her phone, she sees nothing new yet
    phone = _phone_context(browser)
    family = phone.new_page()
    _log_in(family, base, PHONE_GUARDIAN, DEMO_PASSWORD)
    family.wait_for_url(f"{base}/")
    home = family.inner_text("main")
    assert "北海01" not in home and school.name not in home, home
    fits(family)
    _shot(family, "90-05-mother-home-before-code")

    # and adds the child with the school's code, confirming
    family.click("#add-child")
    family.wait_for_url("**/roster/link/")
    fits(family)
    family.fill("#id_code", code)
    _shot(family, "90-06-mother-enters-code")
    family.click("main form button[type=submit]")
    family.wait_for_selector("#confirm")
    assert "北海01" in family.inner_text("#pending-children")
    assert school.name in family.inner_text("#confirm")
    fits(family)
    _shot(family, "90-07-mother-confirms-child")
    family.click("#confirm-yes")
    family.wait_for_load_state()
    pilot_record.refresh_from_db()
    assert pilot_record.user_id == mother.pk
    family.goto(f"{base}/")
    assert "北海01" in family.inner_text("main")
    fits(family)
    _shot(family, "90-08-mother-home-after-code")

    # --- 2. staff activate ----------------------------------------------------------------
    teacher = Staff.objects.get(school=school, phone=TEACHER_PHONE)
    assert teacher.user_id is None
    page.goto(f"{base}/schools/{school.pk}/staff/")
    page.click(f"a[href$='/staff/{teacher.pk}/password/']")
    page.wait_for_selector("#confirm")
    _shot(page, "90-09-first-password-confirm")
    page.click("#confirm-yes")
    page.wait_for_selector("#temporary-password")
    temporary = page.inner_text("#temporary-password code").strip()
    _shot(page, "90-10-first-password-shown")

    teacher_phone = _phone_context(browser)
    tpage = teacher_phone.new_page()
    tpage.goto(f"{base}/activate/")
    assert "临时密码" in tpage.inner_text("main")  # where staff learn how to get in
    fits(tpage)
    _shot(tpage, "90-11-activation-page-phone")
    _log_in(tpage, base, TEACHER_PHONE, temporary)
    tpage.wait_for_url("**/account/password/")
    fits(tpage)
    _shot(tpage, "90-12-teacher-chooses-password")
    tpage.fill("#id_current_password", temporary)
    tpage.fill("#id_new_password", TEACHER_PASSWORD)
    tpage.fill("#id_new_password_again", TEACHER_PASSWORD)
    tpage.click("main form button[type=submit]")
    tpage.wait_for_url(f"{base}/")
    teacher_phone.close()
    teacher_phone = _phone_context(browser)
    tpage = teacher_phone.new_page()
    _log_in(tpage, base, TEACHER_PHONE, TEACHER_PASSWORD)
    tpage.wait_for_url(f"{base}/")
    assert "王文" in tpage.inner_text("body")
    fits(tpage)
    _shot(tpage, "90-13-teacher-home-phone")

    # --- 3. the plan, published with its warning -------------------------------------------
    # what the school brought from last year: its neighbour's plan, served Monday to
    # Thursday only (a shortfall of the city's five days)
    source = SchoolPlan.objects.filter(term=term, status=SchoolPlan.Status.PUBLISHED).first()
    data = policy.plan_input_of(source)
    slots = [
        dataclasses.replace(s, weekdays=tuple(d for d in s.weekdays if d < 4) or None)
        if s.weekdays
        else s
        for s in data.slots
        if not s.weekdays or any(d < 4 for d in s.weekdays)
    ]
    data = dataclasses.replace(data, service_weekdays=(0, 1, 2, 3), slots=slots)
    draft = policy.plan_start_draft(school=school, term=term, actor=admin_user)
    policy.plan_update(plan=draft, actor=admin_user, data=data)
    draft.refresh_from_db()
    shortfalls = policy.plan_check(plan=draft)
    assert shortfalls
    page.goto(f"{base}/plans/{draft.pk}/")
    page.click("#publish")
    page.wait_for_selector("#confirm")
    confirm = page.inner_text("#confirm")
    assert str(len(shortfalls)) in confirm, confirm
    for shortfall in shortfalls:
        assert shortfall.as_dict()["rule_name"] in confirm, confirm
    _shot(page, "90-14-plan-publish-confirm")
    page.click("#confirm-yes")
    page.wait_for_load_state()
    draft.refresh_from_db()
    assert draft.status == SchoolPlan.Status.PUBLISHED
    assert len(draft.published_shortfalls) == len(shortfalls)
    page.goto(f"{base}/plans/{draft.pk}/")
    text = page.inner_text("main")
    assert re.search(rf"{len(shortfalls)}\s*项", text), text
    _shot(page, "90-15-plan-published-with-shortfalls")

    # --- 4. the menu refuses a clash ------------------------------------------------------
    # what the school entered before: its safety agreement, the fallback and two groups
    enrollment.agreement_publish(
        school=school, actor=admin_user, title="课后服务安全协议", text="学校与家长约定双方责任。"
    )
    menu = catalog.menu_create(school=school, term=term, actor=admin_user)
    staff = {s.name: s for s in Staff.objects.filter(school=school)}

    def offer(name, category, instructor, capacity, meetings, room, fallback=False):
        activity = catalog.activity_save(
            school=school, actor=admin_user, name=name, category=category
        )
        return catalog.offering_save(
            menu=menu,
            actor=admin_user,
            meetings=meetings,
            activity=activity,
            name=name,
            grade_from=3,
            grade_to=4,
            capacity=capacity,
            instructor=instructor,
            room=room,
            is_fallback=fallback,
        )

    offer(
        "作业辅导",
        "homework",
        staff["李数"],
        40,
        [(d, T(15, 50), T(16, 50)) for d in range(4)],
        "各班教室",
        fallback=True,
    )
    football = offer("足球", "sports", staff["赵教练"], 5, [(1, T(16, 50), T(17, 50))], "操场")
    # 书法 has a seat for every child (the lottery, drawn when the window opens, then decides
    # nothing there); 足球 has five, and sports is a basic service allocated on its own
    calligraphy = offer("书法", "arts", staff["王文"], 40, [(2, T(16, 50), T(17, 50))], "美术室")
    basketball_activity = catalog.activity_save(
        school=school, actor=admin_user, name="篮球", category="sports"
    )
    catalog.menu_settings_save(
        menu=menu,
        actor=admin_user,
        mode="lottery",
        mechanism="da",
        max_extended_per_child=1,
        window_opens_at=None,
        window_closes_at=timezone.now() + dt.timedelta(days=3),
    )

    # when the admin adds 篮球 with the coach on Tuesday at the time of 足球
    page.goto(f"{base}/menu/menus/{menu.pk}/offerings/new/")
    page.select_option("#id_activity", str(basketball_activity.pk))
    page.fill("#id_name", "篮球")
    page.select_option("#id_grade_from", "3")
    page.select_option("#id_grade_to", "4")
    page.fill("#id_capacity", "20")
    page.select_option("#id_instructor", str(staff["赵教练"].pk))
    page.fill("#id_room", "篮球场")
    page.select_option("#id_meetings-0-weekday", "1")
    page.fill("#id_meetings-0-start", "17:00")
    page.fill("#id_meetings-0-end", "17:50")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()

    # then the page refuses it in Chinese, naming the coach, the time and 足球
    errors = page.inner_text("main .errorlist, main .errors")
    assert "赵教练" in errors and "足球" in errors, errors
    assert not Offering.objects.filter(menu=menu, name="篮球").exists()
    _shot(page, "90-16-menu-refuses-clash")

    # when the admin moves it to Thursday, it is saved
    page.select_option("#id_meetings-0-weekday", "3")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/menu/schools/{school.pk}/**")
    basketball = Offering.objects.get(menu=menu, name="篮球")
    _shot(page, "90-17-menu-with-basketball")

    # --- 5. the choice window -------------------------------------------------------------
    page.click("#action-publish")
    page.wait_for_url("**/publish/")
    page.click("#confirm")
    page.wait_for_url(f"**/menu/schools/{school.pk}/**")
    page.click("#action-open")
    page.wait_for_url("**/open/")
    page.click("#confirm")
    page.wait_for_url(f"**/menu/schools/{school.pk}/**")
    menu.refresh_from_db()
    assert menu.status == Menu.Status.WINDOW_OPEN
    assert "选课开放中" in page.inner_text("main")
    _shot(page, "90-18-window-open")

    # when the mother applies for 北海01 on her phone and ranks 足球 then 书法
    child = Student.objects.get(school=school, student_number=_number(SHARED_CHILD))
    family.goto(f"{base}/apply/family/?term={term.code}")
    fits(family)
    _shot(family, "90-19-mother-family-page")
    card = family.locator("main .card", has_text=child.name)
    card.locator(f"a[href*='/children/{child.pk}/apply/']").click()
    family.wait_for_url("**/apply/**")
    fits(family)
    for box in family.locator("input[name=service_weekdays]").all():
        box.check()
    family.check("input[name=has_accident_insurance][value=yes]")
    family.check("#id_sign")
    _shot(family, "90-20-mother-applies")
    family.click("main form button[type=submit]")
    family.wait_for_url("**/apply/family/**")
    application = Application.objects.get(student=child, term=term)
    teacher.refresh_from_db()
    enrollment.application_teacher_review(application=application, actor=teacher.user)
    enrollment.application_approve(application=application, actor=admin_user)
    family.goto(f"{base}/apply/applications/{application.pk}/choices/")
    family.select_option(f"#rank-{football.pk}", "1")
    family.select_option(f"#rank-{calligraphy.pk}", "2")
    fits(family)
    _shot(family, "90-21a-mother-ranks")
    family.click("main form button[type=submit]:not([name=clear])")
    family.wait_for_load_state()
    assert list(application.choices.order_by("rank").values_list("offering_id", flat=True)) == [
        football.pk,
        calligraphy.pk,
    ]
    _shot(family, "90-21-mother-ranked")

    # and the other 39 families rank too: the five left-behind children 足球 first, the
    # others 书法 or 篮球
    for student in Student.objects.filter(school=school).exclude(pk=child.pk).order_by("pk"):
        n = int(student.student_number[-4:])
        first = football if n in LEFT_BEHIND else calligraphy if n % 2 else basketball
        f.application(
            student, term, choices=[first, calligraphy if first != calligraphy else basketball]
        )

    # when the admin closes the window
    page.goto(f"{base}/menu/schools/{school.pk}/")
    page.click("#action-close")
    page.wait_for_url("**/close/")
    page.click("#confirm")
    page.wait_for_url(f"**/menu/schools/{school.pk}/**")
    menu.refresh_from_db()
    assert menu.status == Menu.Status.CLOSED
    _shot(page, "90-22-window-closed")

    # --- 6. the allocation, confirmed and run in the worker -------------------------------
    page.click("#allocation-link")
    page.wait_for_url("**/allocation/menu/**")
    page.click("button[name=action][value=run]")
    page.wait_for_selector("#confirm")
    assert "不可撤销" in page.inner_text("#confirm")
    _shot(page, "90-23-allocation-confirm")
    page.click("#confirm-yes")
    page.wait_for_url("**/progress/")
    page.wait_for_selector("#run-status [data-finished]", timeout=60_000)
    assert "100%" in page.inner_text("#run-status")
    _shot(page, "90-24-allocation-done")
    run = AllocationRun.objects.get(menu=menu, dry_run=False)
    assert run.status == AllocationRun.Status.DONE
    assert Enrollment.objects.filter(offering=football, status="active").count() == 5
    waiting = WaitlistEntry.objects.get(offering=football, student=child)
    assert waiting.status == WaitlistEntry.Status.WAITING
    assert Enrollment.objects.filter(offering=calligraphy, student=child, status="active").exists()

    # --- 7. the instructor's class list, downloaded on a phone ------------------------------
    # (this week's meeting may be over: the group's card links to its next meeting's list)
    tpage.goto(f"{base}/")
    tpage.click(f"#term-groups a[href*='/offerings/{calligraphy.pk}/roster/']")
    tpage.wait_for_url(f"**/offerings/{calligraphy.pk}/roster/**")
    fits(tpage)
    listed = tpage.inner_text("#class-list")
    _shot(tpage, "90-25-teacher-class-list-phone")
    group = list(
        Enrollment.objects.filter(offering=calligraphy, status="active").values_list(
            "student__name", flat=True
        )
    )
    with tpage.expect_download() as download:
        tpage.click("#download")
    roster = _cells(_workbook(Path(download.value.path()).read_bytes()))
    for name in group:
        assert name in roster, f"{name} missing from the downloaded class list"
        assert name in listed
    assert download.value.suggested_filename.endswith(".xlsx")

    # and the external coach, given a first password the same way, sees only 足球's
    # children on a phone and downloads that list
    coach = Staff.objects.get(school=school, phone="13700000003")
    page.goto(f"{base}/schools/{school.pk}/staff/")
    page.click(f"a[href$='/staff/{coach.pk}/password/']")
    page.click("#confirm-yes")
    page.wait_for_selector("#temporary-password")
    coach_temporary = page.inner_text("#temporary-password code").strip()
    coach_phone = _phone_context(browser)
    cpage = coach_phone.new_page()
    _log_in(cpage, base, coach.phone, coach_temporary)
    cpage.wait_for_url("**/account/password/")
    cpage.fill("#id_current_password", coach_temporary)
    cpage.fill("#id_new_password", "Zhao-zuqiu-2026")
    cpage.fill("#id_new_password_again", "Zhao-zuqiu-2026")
    cpage.click("main form button[type=submit]")
    cpage.wait_for_url(f"{base}/")
    fits(cpage)
    _shot(cpage, "90-25a-coach-home-phone")
    cpage.click(f"a[href*='/offerings/{football.pk}/roster/']")
    cpage.wait_for_url(f"**/offerings/{football.pk}/roster/**")
    # this week's Tuesday may have passed before the group began: the coach picks the next
    today = timezone.localdate()
    tuesday = today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)
    cpage.fill("#day", tuesday.isoformat())
    cpage.click("form.filters button[type=submit]")
    cpage.wait_for_url(f"**/roster/?day={tuesday.isoformat()}")
    assert tuesday.isoformat() in cpage.inner_text("#roster-facts")
    fits(cpage)
    _shot(cpage, "90-25b-coach-class-list-phone")
    players = set(
        Enrollment.objects.filter(offering=football, status="active").values_list(
            "student__name", flat=True
        )
    )
    assert len(players) == 5
    with cpage.expect_download() as download:
        cpage.click("#download")
    roster = _cells(_workbook(Path(download.value.path()).read_bytes()))
    assert all(name in roster for name in players), roster
    assert child.name not in roster  # waiting, not in the group: not the coach's to see
    assert child.name not in cpage.inner_text("main")
    assert cpage.goto(f"{base}/apply/offerings/{calligraphy.pk}/roster/").status == 404
    coach_phone.close()

    # --- 8. the mother reads why, and accepts a freed seat ---------------------------------
    family.goto(f"{base}/allocation/mine/")
    card = family.locator("main section.card", has_text=child.name)
    why = card.inner_text()
    # one plain sentence per ranked choice, and the waiting-list place explained
    assert "第1志愿「足球」" in why and "第2志愿「书法」：已录取" in why, why
    assert "候补第1位" in why and "候补顺序" in why, why
    for word in WORDS_FAMILIES_DO_NOT_READ:
        assert word not in why, f"{word!r} on the family's page: {why}"
    assert not CODE_WALL.search(why), why
    fits(family)
    _shot(family, "90-26-mother-reads-why")

    # when a child placed in 足球 leaves it, the seat is offered to the first in line
    leaving = Enrollment.objects.filter(offering=football, status="active").first()
    enrollment.enrollment_withdraw(
        enrollment=leaving, actor=admin_user, on=timezone.localdate(), reason="家长申请退出该项目"
    )
    waiting.refresh_from_db()
    assert waiting.status == WaitlistEntry.Status.OFFERED
    family.goto(f"{base}/allocation/mine/")
    card = family.locator("main section.card", has_text=child.name)
    fits(family)
    _shot(family, "90-27-mother-offer")
    card.locator(f"form[action$='/offer/{waiting.pk}/accept/'] button").click()
    family.wait_for_url("**/allocation/mine/")
    fits(family)
    _shot(family, "90-28-mother-accepted")
    assert Enrollment.objects.filter(
        student=child, offering=football, status=Enrollment.Status.ACTIVE
    ).exists()
    text = family.locator("main section.card", has_text=child.name).inner_text()
    for word in WORDS_FAMILIES_DO_NOT_READ:
        assert word not in text, f"{word!r} on the family's page: {text}"
    assert not CODE_WALL.search(text), text

    # and the other school's children are still hers, untouched
    family.goto(f"{base}/")
    home = family.inner_text("main")
    for name in known_children:
        assert name in home
    phone.close()
    teacher_phone.close()
    admin.close()
