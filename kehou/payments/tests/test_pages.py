"""The payments pages: who sees which (404 for everyone else), the forms, the export, the
family's page, and the queries each page takes."""

import io

import openpyxl
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kehou.org.models import ClassMembership
from kehou.payments import services
from kehou.payments.models import Payment
from kehou.testing import factories as f

from .conftest import TODAY
from .helpers import bill, refund, xlsx


def _admin_pages(north):
    return [
        reverse("payments:school", args=[north.school.pk]),
        reverse("payments:school_xlsx", args=[north.school.pk]),
        reverse("payments:statement_import", args=[north.school.pk]),
        reverse("payments:statement_template", args=[north.school.pk]),
        reverse("payments:child", args=[north.child.pk]),
    ]


def test_the_school_pages_open_for_its_admin_only(client, north, south, city_officer):
    client.force_login(north.admin)
    for url in _admin_pages(north):
        assert client.get(url).status_code == 200, url
    outsiders = (
        south.admin,
        north.teacher,
        north.gate,
        north.guardian_user,
        north.county_officer,
        city_officer,
    )
    for user in outsiders:
        client.force_login(user)
        for url in _admin_pages(north):
            assert client.get(url).status_code == 404, (user, url)


def test_the_family_sees_only_its_own_children(client, north, south):
    # given
    the_bill = bill(north.child, total_fen=30000)
    services.payment_record(
        student=north.child,
        amount_fen=30000,
        paid_on=TODAY,
        channel="wechat",
        reference="W1",
        bill=the_bill,
        actor=north.admin,
    )
    due = refund(the_bill, due_fen=7500)
    client.force_login(north.guardian_user)
    # when
    page = client.get(reverse("payments:family")).content.decode()
    # then: the bills, the payment, the refund with its reason and arithmetic, the balance
    assert "王小北" in page and "300.00" in page and "75.00" in page
    assert due.arithmetic in page and due.get_reason_display() in page
    assert "学校代您保管" in page
    assert client.get(reverse("payments:family_child", args=[north.child.pk])).status_code == 200
    assert client.get(reverse("payments:family_child", args=[south.child.pk])).status_code == 404
    for user in (north.admin, north.teacher, south.guardian_user):
        client.force_login(user)
        url = reverse("payments:family_child", args=[north.child.pk])
        assert client.get(url).status_code == 404, user
    client.force_login(north.admin)
    assert client.get(reverse("payments:family")).status_code == 404


def test_the_admin_records_a_payment_on_the_page(client, north):
    client.force_login(north.admin)
    url = reverse("payments:payment_new", args=[north.child.pk])
    response = client.post(
        url, {"amount_fen": "1,200.50", "paid_on": TODAY.isoformat(), "channel": "cash"}
    )
    assert response.status_code == 302
    assert Payment.objects.get().amount_fen == 120050
    # a refusal goes back on the form, in Chinese, writing nothing
    response = client.post(
        url, {"amount_fen": "0", "paid_on": TODAY.isoformat(), "channel": "cash"}
    )
    assert response.status_code == 400 and "金额必须大于0" in response.content.decode()
    assert Payment.objects.count() == 1


def test_the_statement_page_lists_what_did_not_match(client, north):
    bill(north.child, total_fen=30000)
    client.force_login(north.admin)
    data = xlsx([["2026-10-08", 300, "T1", "王小北家长", ""], ["2026-10-08", 50, "T2", "某人", ""]])
    upload = io.BytesIO(data)
    upload.name = "流水.xlsx"
    response = client.post(
        reverse("payments:statement_import", args=[north.school.pk]),
        {"file": upload, "channel": "platform"},
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "1 行未匹配" in page and "没有账单号、学号或孩子的姓名" in page


def test_the_ledger_xlsx_carries_the_totals(client, north):
    bill(north.child, total_fen=30000)
    services.payment_record(
        student=north.child, amount_fen=10000, paid_on=TODAY, channel="cash", actor=north.admin
    )
    client.force_login(north.admin)
    response = client.get(reverse("payments:school_xlsx", args=[north.school.pk]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = book.worksheets[0]
    rows = [r for r in ws.iter_rows(values_only=True) if r and r[0] == "合计"]
    assert rows and float(rows[0][2]) == 300.0 and float(rows[0][5]) == 100.0
    assert float(rows[0][7]) == 200.0


def _many_children(north, n):
    for i in range(n):
        child = f.StudentFactory(school=north.school, name=f"孩子{i}")
        ClassMembership.objects.create(
            student=child,
            school_class=north.school_class,
            school_year=north.school_class.school_year,
        )
        the_bill = bill(child, total_fen=30000)
        refund(the_bill, due_fen=1000)
        services.payment_record(
            student=child, amount_fen=30000, paid_on=TODAY, channel="cash", actor=north.admin
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_ledger_pages_take_a_bounded_number_of_queries(client, north):
    client.force_login(north.admin)
    school_url = reverse("payments:school", args=[north.school.pk])
    child_url = reverse("payments:child", args=[north.child.pk])
    _many_children(north, 2)
    for month in (9, 10, 11):
        bill(north.child, total_fen=100, month=month)
    few = (_queries(client, school_url), _queries(client, child_url))
    _many_children(north, 20)
    for _i in range(5):
        services.payment_record(
            student=north.child, amount_fen=100, paid_on=TODAY, channel="cash", actor=north.admin
        )
    assert (_queries(client, school_url), _queries(client, child_url)) == few
