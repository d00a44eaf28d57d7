"""The demo's money story (kehou.demo.money, issue 10): October's bills, payments and pay
of the main school, and the budget of the next term."""

import datetime
import io

import pytest
from django.utils import timezone

from kehou.billing.models import Bill, FeeStandard, Waiver
from kehou.demo import seed as demo
from kehou.enrollment.models import Application
from kehou.lib.school_calendar import school_year_start
from kehou.org.models import School, Staff
from kehou.payments.models import Payment, Statement, StatementRow
from kehou.payroll import budgeting
from kehou.payroll.models import PayLine, PayRates, PaySheet
from kehou.payroll.selectors import floor_of
from kehou.sittings.models import Sitting
from kehou.terms.models import Term
from kehou.testing.clock import freeze_now

from .test_seed import _enter_unknown_years

pytestmark = pytest.mark.django_db


def _in_november() -> datetime.datetime:
    year = school_year_start(timezone.localdate())
    return timezone.make_aware(datetime.datetime(year, 11, 18, 7))


@pytest.fixture
def seeded():
    _enter_unknown_years()
    out = io.StringIO()
    with freeze_now(_in_november()):
        summary = demo.seed_city(schools=2, students=400, sessions=True, stdout=out)
    return summary, out.getvalue()


def test_the_city_has_a_demo_fee_standard_and_the_school_rates_above_the_floor(seeded):
    summary, out = seeded
    standard = FeeStandard.objects.get()
    # then the standard is a service fee per service day, named as demo data
    assert standard.funding_mode == "service_fee" and standard.unit == "service_day"
    assert standard.amount_fen == 500 and "演示数据" in standard.document
    assert "苏教财〔2020〕2号" in standard.document_title
    assert "演示数据" in out and "5.00" in out
    main = School.objects.get(name="滨城区第一实验小学")
    rates = PayRates.objects.get(school=main)
    floor = floor_of(main).fen
    assert rates.per_class_hour_fen >= floor and rates.per_tutoring_hour_fen >= floor


def test_octobers_bills_waive_the_poor_and_the_hardship_child_and_bill_the_leaver_less(seeded):
    summary, _out = seeded
    story = summary.money
    main = School.objects.get(name="滨城区第一实验小学")
    october = Bill.objects.filter(school=main, period="month", period_start__month=10)
    assert october.count() == story.bills > 0
    assert sum(b.total_fen for b in october) == story.billed_fen
    # every bill is the sum of its lines
    for bill in october.prefetch_related("lines"):
        assert bill.total_fen == sum(line.amount_fen for line in bill.lines.all())
    # children of 建档立卡/低保 families owe nothing, the basis shown
    poor = october.filter(student__low_income_basis__gt="")
    assert poor.exists() and all(b.total_fen == 0 and b.waiver_basis for b in poor)
    # the child the school waived owes nothing either
    waiver = Waiver.objects.get(school=main)
    waived = october.get(student=waiver.student)
    assert waived.total_fen == 0 and waived.waived and waiver.reason in waived.waiver_basis
    # the child who left on 15 October is billed only the service days before it
    leaver = story.withdrawn
    app = Application.objects.get(student=leaver, term__semester=Term.Semester.FIRST)
    assert app.withdrawn_on == datetime.date(app.term.start.year, 10, 15)
    days = {
        s.date
        for s in Sitting.objects.filter(
            school=main,
            offering__isnull=True,
            kind__in=["regular", "evening_study"],
            date__gte=datetime.date(app.term.start.year, 10, 1),
            date__lt=app.withdrawn_on,
            timetable_weekday__in=app.service_weekdays,
            grade_from__lte=leaver.memberships.get().school_class.grade,
            grade_to__gte=leaver.memberships.get().school_class.grade,
        )
    }
    bill = october.get(student=leaver)
    assert 0 < bill.total_fen == len(days) * 500
    assert f"{len(days)} 服务日" in bill.lines.get(key="basic").arithmetic


def test_payments_in_cash_and_a_statement_with_rows_to_match_by_hand(seeded):
    summary, _out = seeded
    assert Payment.objects.filter(channel="cash").count() == summary.money.cash == 3
    statement = Statement.objects.get()
    rows = StatementRow.objects.filter(statement=statement)
    assert rows.filter(status="unmatched").count() == summary.money.unmatched == 2
    assert rows.filter(status="matched").count() == summary.money.matched > 0
    assert Payment.objects.filter(statement_row__isnull=False).count() == summary.money.matched


def test_octobers_pay_sheet_and_the_next_terms_budget(seeded):
    summary, _out = seeded
    main = School.objects.get(name="滨城区第一实验小学")
    sheet = PaySheet.objects.get(school=main)
    lines = PayLine.objects.filter(sheet=sheet)
    assert lines.count() == summary.money.pay_lines > 0
    assert sum(line.total_fen for line in lines) == summary.money.pay_fen > 0
    # a line counts the sittings its person was responsible for in October
    line = lines.filter(class_count__gt=0).first() or lines.first()
    taken = Sitting.objects.filter(
        school=main, responsible=line.staff, date__month=10, cancellation__isnull=True
    ).count()
    assert line.class_count + line.tutoring_count + line.club_sessions == taken
    # the spring term's budget is priced from its draft plan
    spring = Term.objects.get(semester=Term.Semester.SECOND)
    budget = budgeting.term_budget(main, spring)
    assert not budget.problems and budget.source == "planned" and budget.result is not None
    assert Staff.objects.filter(pk=line.staff_id).exists()


def test_seeded_before_october_is_over_the_money_is_left_out():
    _enter_unknown_years()
    year = school_year_start(timezone.localdate())
    out = io.StringIO()
    with freeze_now(timezone.make_aware(datetime.datetime(year, 11, 4, 7))):
        summary = demo.seed_city(schools=2, students=200, sessions=True, stdout=out)
    assert summary.money.skipped and not Bill.objects.exists()
    assert not FeeStandard.objects.exists() and summary.money.withdrawn is None
