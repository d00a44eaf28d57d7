"""The money pages: who sees what (404 outside the scope), the run's confirmation, the
family's bill with the refund's arithmetic, the workbook, the query count."""

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kehou.billing import services
from kehou.billing.models import Bill, BillRun
from kehou.testing import factories as f

OCT_1, OCT_31 = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


def _login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def billed(north, south, city):
    """October billed at north and at south."""
    term = f.TermFactory()
    f.fee_standard(city)
    for side in (north, south):
        plan = f.SchoolPlanFactory(school=side.school, term=term, status="published")
        f.service_days(side.school, OCT_1, OCT_31, plan=plan)
        f.application(side.child, term)
        services.bill_run(
            school=side.school,
            term=term,
            period="month",
            month=OCT_1,
            confirmed=True,
            actor=side.admin,
        )
    return term


def _period_url(side, term):
    return reverse("billing:period", args=[side.school.pk, term.pk, "month", "2026-10-01"])


def test_the_admin_sees_the_bills_of_the_period_and_south_does_not(client, north, south, billed):
    url = _period_url(north, billed)
    page = _login(client, north.admin).get(url)
    assert page.status_code == 200 and north.child.name in page.content.decode()
    for outsider in (south.admin, north.teacher, north.gate, south.guardian_user):
        assert _login(client, outsider).get(url).status_code == 404


def test_a_bill_page_is_the_schools_and_the_familys_only(client, north, south, billed):
    bill = Bill.objects.get(student=north.child)
    url = reverse("billing:bill", args=[bill.pk])
    assert _login(client, north.admin).get(url).status_code == 200
    assert _login(client, north.guardian_user).get(url).status_code == 200
    assert _login(client, north.county_officer).get(url).status_code == 200
    for outsider in (south.admin, south.guardian_user, north.teacher, south.county_officer):
        assert _login(client, outsider).get(url).status_code == 404


def test_the_guardian_sees_only_their_own_childs_bills(client, north, south, billed):
    page = _login(client, north.guardian_user).get(reverse("billing:family"))
    text = page.content.decode()
    assert page.status_code == 200 and north.child.name in text
    assert south.child.name not in text
    assert _login(client, north.teacher).get(reverse("billing:family")).status_code == 404


def test_the_run_is_confirmed_first(client, north, south, billed):
    url = reverse("billing:school", args=[north.school.pk])
    runs = BillRun.objects.count()
    page = _login(client, north.admin).post(
        url, {"term": billed.code, "period": "month", "month": "2026-10"}
    )
    assert page.status_code == 200 and 'id="confirm"' in page.content.decode()
    assert BillRun.objects.count() == runs
    done = client.post(
        url, {"term": billed.code, "period": "month", "month": "2026-10", "confirmed": "1"}
    )
    assert done.status_code == 302 and BillRun.objects.count() == runs + 1
    assert _login(client, south.admin).get(url).status_code == 404
    assert _login(client, north.teacher).get(url).status_code == 404


def test_the_workbook_carries_the_total(client, north, billed):
    url = reverse("billing:period_xlsx", args=[north.school.pk, billed.pk, "month", "2026-10-01"])
    response = _login(client, north.admin).get(url)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    values = [c.value for row in book.active.iter_rows() for c in row]
    total = Bill.objects.get(student=north.child).total_fen
    assert any(str(v) == f"{total / 100:.2f}" or v == total / 100 for v in values)


def test_the_bills_page_makes_a_bounded_number_of_queries(client, north, billed):
    url = _period_url(north, billed)
    _login(client, north.admin)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        other = f.child(north.school, north.school_class)
        f.application(other, billed)
    services.bill_run(
        school=north.school,
        term=billed,
        period="month",
        month=OCT_1,
        confirmed=True,
        actor=north.admin,
    )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_family_sees_a_refund_with_its_arithmetic(client, north, city):
    from kehou.enrollment.models import Application

    term = f.TermFactory()
    plan = f.SchoolPlanFactory(school=north.school, term=term, status="published")
    f.service_days(north.school, OCT_1, dt.date(2026, 12, 31), plan=plan)
    app = f.application(north.child, term)
    f.fee_standard(city, unit="term", amount_fen=60000)
    Application.objects.filter(pk=app.pk).update(
        status="withdrawn", withdrawn_on=dt.date(2026, 10, 15)
    )
    services.bill_run(
        school=north.school, term=term, period="term", confirmed=True, actor=north.admin
    )
    text = _login(client, north.guardian_user).get(reverse("billing:family")).content.decode()
    assert "600.00" in text and "四舍五入到分" in text


def test_the_bureau_enters_a_standard_for_its_region_only(client, north, south, city_officer):
    url = reverse("billing:standards")
    page = _login(client, north.county_officer).post(
        url,
        {
            "covers": "basic",
            "funding_mode": "service_fee",
            "unit": "service_day",
            "amount_yuan": "5",
            "document_title": "关于进一步做好中小学课后服务工作的通知",
            "document_number": "苏教财〔2020〕2号",
            "valid_from": "2026-09-01",
        },
    )
    assert page.status_code == 302
    assert north.county.fee_standards.get().amount_fen == 500
    assert _login(client, north.admin).get(url).status_code == 404
    assert _login(client, north.guardian_user).get(url).status_code == 404


def test_the_familys_bill_says_when_the_child_left_and_computes_each_line_once(client, north, city):
    # given October billed per service day for a child who left on the 15th
    from kehou.enrollment.models import Application

    term = f.TermFactory()
    plan = f.SchoolPlanFactory(school=north.school, term=term, status="published")
    f.service_days(north.school, OCT_1, OCT_31, plan=plan)
    app = f.application(north.child, term)
    f.fee_standard(city)
    Application.objects.filter(pk=app.pk).update(
        status="withdrawn", withdrawn_on=dt.date(2026, 10, 15)
    )
    services.bill_run(
        school=north.school,
        term=term,
        period="month",
        month=OCT_1,
        confirmed=True,
        actor=north.admin,
    )
    # when the guardian opens the bills
    text = _login(client, north.guardian_user).get(reverse("billing:family")).content.decode()
    # then the leaving day is said, and the line's arithmetic is written once
    assert "已于2026-10-15退出课后服务" in text
    line = Bill.objects.get(student=north.child).lines.get()
    assert text.count(line.arithmetic) == 1 and f"× {line.arithmetic}" not in text
    assert text.count(" × ") == 1  # the arithmetic's own, no second "units × unit" before it
