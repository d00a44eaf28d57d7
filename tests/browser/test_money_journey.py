"""October's money in the demo city through a browser (issue 10, "Done means").

The small demo city is seeded on a Wednesday in November with kehou's clock running from
09:00 that day (the live server's thread reads the same clock). The school admin runs
October's bills (the confirm page, then the run in the worker) and sees the totals; a
low-income child and the child the school waived owe nothing; the child who left the
service on 15 October is billed only the days before it, the arithmetic shown; a payment
platform's statement is imported and matched, the rows that did not match listed; the
admin computes October's pay sheet and downloads the .xlsx, whose totals row is the sum
of its lines; a teacher sees their own October on a phone, matching the sittings they
took; a guardian sees their child's bill on a phone; the next term's budget shows.
Screenshots go to var/screenshots/ (97-...).
"""

import datetime as dt
import io
import time
from decimal import Decimal
from pathlib import Path
from unittest import mock

import openpyxl
import pytest
from django.utils import timezone

from kehou.billing.models import Bill, BillRun, Waiver
from kehou.demo.money import STATEMENT_FILE, _statement
from kehou.demo.seed import DEMO_PASSWORD, PHONE_GUARDIAN, PHONE_SCHOOL_ADMIN, seed_city
from kehou.lib.school_calendar import school_year_start
from kehou.org.models import School, StudentGuardian
from kehou.payments.models import StatementRow
from kehou.payroll.models import PayLine, PaySheet
from kehou.sittings.models import Sitting
from kehou.testing.worker import run_queued_tasks

from .test_foundation_journey import CHROMIUM, PHONE, _log_in, _shot, browser, fits  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

DESK = {"width": 1280, "height": 900}


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.start, self.began = start, time.monotonic()

    def now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=time.monotonic() - self.began)


def _november_morning() -> dt.datetime:
    year = school_year_start(timezone.localdate())
    return timezone.make_aware(dt.datetime(year, 11, 18, 9, 0))


def _context(browser, viewport):  # noqa: F811
    return browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=viewport == PHONE)


def _no_english(page) -> None:
    text = page.inner_text("main")
    for word in ("Bill", "bills", "yuan", "Total", "Run the", "Matched", "budget"):
        assert word not in text, f"{page.url} shows English: {word!r}"


def test_octobers_money(live_server, transactional_db, browser):  # noqa: F811
    clock = Clock(_november_morning())
    with mock.patch.object(timezone, "now", side_effect=clock.now):
        _journey(browser, live_server.url)


def _journey(browser, base):  # noqa: F811, PLR0915
    # given the small demo city with its October
    summary = seed_city(schools=2, students=500, sessions=True)
    story = summary.money
    assert not story.skipped
    main = School.objects.get(name="滨城区第一实验小学")
    year = school_year_start(timezone.localdate())
    october = dt.date(year, 10, 1)

    # --- 1. the admin runs October's bills: confirm, then the worker ---------------------
    admin = _context(browser, DESK)
    page = admin.new_page()
    _log_in(page, base, PHONE_SCHOOL_ADMIN, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/billing/school/{main.pk}/")
    page.select_option("#run-form select[name=period]", "month")
    page.select_option("#run-form select[name=month]", f"{year}-10")
    page.click("#run-form button[type=submit]")
    page.wait_for_selector("#confirm")
    _shot(page, "97-01-admin-confirm-bill-run")
    _no_english(page)
    page.click("#confirm-yes")
    page.wait_for_url(f"{base}/billing/run/**")
    run = BillRun.objects.filter(school=main).order_by("-pk").first()
    assert run.status == BillRun.Status.QUEUED
    assert run_queued_tasks() >= 1
    page.reload()
    run.refresh_from_db()
    assert run.status == BillRun.Status.DONE
    bills = Bill.objects.filter(school=main, period_start=october)
    total = sum(b.total_fen for b in bills)
    assert run.summary["bills"] == bills.count() and run.summary["total_fen"] == total
    status = page.inner_text("#run-status")
    assert f"{total / 100:,.2f}" in status and str(bills.count()) in status
    _shot(page, "97-02-admin-bill-run-done")
    _no_english(page)

    # the period's bills, by class
    page.goto(f"{base}/billing/school/{main.pk}/bills/{run.term_id}/month/{october}/")
    assert f"{total / 100:,.2f}" in page.inner_text("main")
    _shot(page, "97-03-admin-october-bills")

    # --- 2. a low-income child and the waived child owe nothing --------------------------
    poor = bills.filter(student__low_income_basis__gt="").select_related("student").first()
    assert poor is not None and poor.total_fen == 0
    page.goto(f"{base}/billing/bill/{poor.pk}/")
    text = page.inner_text("main")
    assert poor.waiver_basis in text and "0.00" in text
    _shot(page, "97-04-admin-low-income-bill")
    waiver = Waiver.objects.get(school=main)
    waived = bills.get(student=waiver.student)
    page.goto(f"{base}/billing/bill/{waived.pk}/")
    assert waiver.reason in page.inner_text("main") and waived.total_fen == 0

    # --- 3. the child who left on 15 October: the days before it, the arithmetic ---------
    leaver = bills.get(student=story.withdrawn)
    line = leaver.lines.get(key="basic")
    page.goto(f"{base}/billing/bill/{leaver.pk}/")
    text = page.inner_text("main")
    assert line.arithmetic in text and leaver.total_fen == line.amount_fen > 0
    days = len(line.dates)
    assert all(dt.date.fromisoformat(d) < dt.date(year, 10, 15) for d in line.dates)
    assert leaver.total_fen == days * 500
    _shot(page, "97-05-admin-leaver-bill")

    # --- 4. a statement imported and matched, the unmatched listed -----------------------
    unpaid = list(
        Bill.objects.filter(
            school=main, period_start=october, total_fen__gt=0, payments__isnull=True
        )
        .select_related("student")
        .order_by("-pk")[:4]
    )
    data = _statement(unpaid, year)
    page.goto(f"{base}/payments/schools/{main.pk}/statements/")
    page.set_input_files(
        "#id_file",
        files=[
            {
                "name": "11月第二批-" + STATEMENT_FILE,
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": data,
            }
        ],
    )
    page.uncheck("input[name=dry_run]")
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_url(f"{base}/payments/statements/**")
    rows = StatementRow.objects.filter(statement__file_name__startswith="11月第二批")
    assert rows.filter(status="matched").count() == len(unpaid)
    assert rows.filter(status="unmatched").count() == 2
    unmatched = page.inner_text("#unmatched")
    assert "王建国" in unmatched and "KH999999" in unmatched
    _shot(page, "97-06-admin-statement-matched")
    _no_english(page)

    # --- 5. October's pay sheet, and its .xlsx ------------------------------------------
    page.goto(f"{base}/pay/schools/{main.pk}/")
    page.fill("#compute-form [name=month]", f"{year}-10")
    page.click("#compute-form button[type=submit]")
    page.wait_for_url(f"{base}/pay/sheets/**")
    sheet = PaySheet.objects.get(school=main, month=october)
    lines = list(PayLine.objects.filter(sheet=sheet))
    _shot(page, "97-07-admin-pay-sheet")
    _no_english(page)
    with page.expect_download() as download:
        page.click("#sheet-xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    ws = book.active
    table = [r for r in ws.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(table) if r[0] == "序号")
    total_at = next(i for i, r in enumerate(table) if r[0] == "合计")
    body = table[header + 1 : total_at]
    column = table[header].index("合计")
    assert len(body) == len(lines) > 0
    assert Decimal(str(table[total_at][column])) == sum(Decimal(str(r[column])) for r in body)
    assert Decimal(str(table[total_at][column])) * 100 == sum(ln.total_fen for ln in lines)
    admin.close()

    # --- 6. a teacher's own October on a phone matches the sittings they took -----------
    line = max(lines, key=lambda ln: ln.class_count + ln.tutoring_count + ln.club_sessions)
    taken = Sitting.objects.filter(
        school=main, responsible=line.staff, date__year=year, date__month=10
    ).count()
    assert line.class_count + line.tutoring_count + line.club_sessions == taken > 0
    assert line.staff.user_id is not None
    teacher = _context(browser, PHONE)
    page = teacher.new_page()
    _log_in(page, base, line.staff.user.phone, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/pay/mine/?month={year}-10")
    text = page.inner_text("main")
    assert f"{line.total_fen / 100:,.2f}" in text
    fits(page)
    _shot(page, "97-08-teacher-own-october")
    teacher.close()

    # --- 7. the guardian sees their child's bill on a phone -----------------------------
    family = StudentGuardian.objects.filter(guardian__phone=PHONE_GUARDIAN).values("student_id")
    theirs = Bill.objects.filter(student_id__in=family, period_start=october).first()
    assert theirs is not None
    guardian = _context(browser, PHONE)
    page = guardian.new_page()
    _log_in(page, base, PHONE_GUARDIAN, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/billing/family/")
    assert f"{theirs.total_fen / 100:,.2f}" in page.inner_text("main")
    fits(page)
    _shot(page, "97-09-guardian-bills")
    page.goto(f"{base}/billing/bill/{theirs.pk}/")
    fits(page)
    _shot(page, "97-10-guardian-bill")
    guardian.close()

    # --- 8. the next term's budget -------------------------------------------------------
    admin = _context(browser, DESK)
    page = admin.new_page()
    _log_in(page, base, PHONE_SCHOOL_ADMIN, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/pay/schools/{main.pk}/budget/")
    text = page.inner_text("main")
    assert "第二学期" in text or "春" in text
    assert "尚未录入" not in text
    _shot(page, "97-11-admin-spring-budget")
    _no_english(page)
    admin.close()
