"""Pay pages: who sees what (404 for everyone else), the .xlsx, a teacher's own month."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from kehou.payroll import services
from kehou.payroll.models import PaySheet
from kehou.payroll.tests.conftest import plan_sitting
from kehou.testing import factories as f
from kehou.testing import snapshots

pytestmark = pytest.mark.django_db


def _october(north, plan):
    f.pay_rates(north.school)
    teacher = north.teacher.staff
    coach = f.external_instructor(north.school, name="赵教练", pay_per_class_hour=Decimal("100"))
    plan_sitting(plan, dt.date(2026, 10, 12), responsible=teacher)
    plan_sitting(plan, dt.date(2026, 10, 13), responsible=teacher)
    plan_sitting(plan, dt.date(2026, 10, 14), responsible=coach)
    sheet, _ = services.pay_sheet_compute(school=north.school, month="2026-10", actor=north.admin)
    return sheet


def test_the_admin_sees_the_school_sheet_and_a_line_opens_its_sittings(client, north, floor, plan):
    sheet = _october(north, plan)
    client.force_login(north.admin)
    page = client.get(reverse("payroll:school", args=[north.school.pk]))
    assert page.status_code == 200 and "2026-10" in page.content.decode()
    page = client.get(reverse("payroll:sheet", args=[sheet.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "绩效工资增量" in body and "赵教练" in body
    line = sheet.lines.get(staff=north.teacher.staff)
    page = client.get(reverse("payroll:line", args=[line.pk]))
    assert page.status_code == 200
    assert page.content.decode().count("2026-10-1") == 2  # the two sittings


def test_another_school_and_other_roles_get_404(client, north, south, city_officer, floor, plan):
    sheet = _october(north, plan)
    line = sheet.lines.first()
    urls = [
        reverse("payroll:school", args=[north.school.pk]),
        reverse("payroll:rates", args=[north.school.pk]),
        reverse("payroll:sheet", args=[sheet.pk]),
        reverse("payroll:sheet_xlsx", args=[sheet.pk]),
        reverse("payroll:line", args=[line.pk]),
    ]
    for user in (south.admin, north.teacher, north.gate, north.guardian_user, city_officer):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)


def test_posts_of_another_school_are_404_and_change_nothing(client, north, south, floor, plan):
    sheet = _october(north, plan)
    client.force_login(south.admin)
    before = snapshots.everything()
    assert (
        client.post(
            reverse("payroll:compute", args=[north.school.pk]), {"month": "2026-10"}
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("payroll:finalise", args=[sheet.pk]), {"confirmed": "1"}).status_code
        == 404
    )
    assert snapshots.everything() == before


def test_the_xlsx_opens_and_carries_the_right_totals(client, north, floor, plan):
    sheet = _october(north, plan)
    client.force_login(north.admin)
    response = client.get(reverse("payroll:sheet_xlsx", args=[sheet.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = book.active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert north.school.name in rows[0][0] and "2026年10月" in rows[1][0]
    header = next(i for i, r in enumerate(rows) if r[0] == "序号")
    headers = rows[header]
    assert "签字" in headers and "日期" in headers
    total_col = headers.index("合计")
    people = rows[header + 1 : header + 3]
    totals = rows[header + 3]
    assert totals[0] == "合计"
    assert sum(Decimal(str(r[total_col])) for r in people) == Decimal(str(totals[total_col]))
    assert Decimal(str(totals[total_col])) == Decimal("440.00")  # 2×120 + 200
    increment = next(i for i, h in enumerate(headers) if "绩效工资增量" in h)
    assert Decimal(str(totals[increment])) == Decimal("240.00")
    footer = " ".join(str(r[0]) for r in rows[header + 4 :] if r[0])
    assert "经办人" in footer and "审核人" in footer and "负责人" in footer


def test_the_finalise_button_asks_first(client, north, floor, plan):
    sheet = _october(north, plan)
    client.force_login(north.admin)
    page = client.post(reverse("payroll:finalise", args=[sheet.pk]))
    assert page.status_code == 200 and 'id="confirm"' in page.content.decode()
    assert PaySheet.objects.get(pk=sheet.pk).status == "draft"
    client.post(reverse("payroll:finalise", args=[sheet.pk]), {"confirmed": "1"})
    assert PaySheet.objects.get(pk=sheet.pk).status == "final"


def test_a_teacher_sees_their_own_month_and_nobody_elses(client, north, south, floor, plan):
    _october(north, plan)
    client.force_login(north.teacher)
    page = client.get(reverse("payroll:own") + "?month=2026-10")
    body = page.content.decode()
    assert page.status_code == 200
    assert "240.00" in body and "200.00" not in body  # not the coach's line
    assert "month-before" in body
    # south's teacher has nothing in north's month and cannot open north's pages
    client.force_login(south.teacher)
    body = client.get(reverse("payroll:own") + "?month=2026-10").content.decode()
    assert "240.00" not in body
    assert client.get(reverse("payroll:school", args=[north.school.pk])).status_code == 404


def test_a_teacher_reads_a_final_sheet_frozen(client, north, floor, plan):
    sheet = _october(north, plan)
    services.pay_sheet_finalise(sheet=sheet, confirmed=True, actor=north.admin)
    plan_sitting(plan, dt.date(2026, 10, 15), responsible=north.teacher.staff)
    client.force_login(north.teacher)
    body = client.get(reverse("payroll:own") + "?month=2026-10").content.decode()
    assert "240.00" in body and "360.00" not in body


def test_a_login_without_a_staff_record_has_no_own_page(client, north):
    client.force_login(north.admin)
    assert client.get(reverse("payroll:own")).status_code == 404
    client.force_login(north.guardian_user)
    assert client.get(reverse("payroll:own")).status_code == 404


def test_the_rates_page_refuses_below_the_floor_on_the_form(client, north, floor):
    client.force_login(north.admin)
    page = client.post(
        reverse("payroll:rates", args=[north.school.pk]),
        {
            "effective_from": "2026-09-01",
            "per_class_hour": "50",
            "per_tutoring_hour": "60",
            "per_club_session": "80",
            "per_duty_day": "50",
            "class_hour_minutes": "40",
        },
    )
    assert page.status_code == 200 and "每课时不低于60元" in page.content.decode()


def test_english_pages_work(client, north, floor, plan):
    sheet = _october(north, plan)
    client.force_login(north.admin)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("payroll:sheet", args=[sheet.pk])).content.decode()
    assert "After-school increment" in body
