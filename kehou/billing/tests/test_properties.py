"""Properties of the bill run through the database (issue 10, item 7), on random months:
random fee standards, children with random days, late starts, withdrawals, cancelled
sittings, low-income families and waivers, and random payments.

- a stored bill equals the sum of its stored lines, and its charge the sum of the lines
  before the waiver;
- a waived bill (建档立卡/低保, or the school's waiver) is 0, refunds nothing, and shows
  its basis;
- a re-run with the same data changes no bill, line or refund;
- refunds: a line's refunds never exceed the line, a bill's never its charge, and what is
  paid back (the ledger's `refund_open`, `Refund.within`) never exceeds what was paid.

Each example builds its data inside a savepoint rolled back at its end, so examples do not
see each other's rows.

The statements of a bill run do not grow with the number of children (found by
bench/money.py: one SELECT per new bill, for its name in the audit log).
"""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehou.billing import services
from kehou.billing.models import Bill, BillLine, BillRun, Refund, SittingCancellation
from kehou.testing import factories as f

pytestmark = pytest.mark.django_db

OCT_1, OCT_31 = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
OCTOBER_DAYS = [
    OCT_1 + dt.timedelta(days=n) for n in range(31) if (OCT_1 + dt.timedelta(days=n)).weekday() < 5
]
PROPERTY = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class _Rollback(Exception):
    pass


def _rolled_back(body):
    """Run `body()` in a savepoint that is always rolled back."""
    try:
        with transaction.atomic():
            body()
            raise _Rollback
    except _Rollback:
        pass


children = st.lists(
    st.fixed_dictionaries(
        {
            "weekdays": st.sets(st.integers(0, 4), min_size=1).map(sorted),
            "starts": st.sampled_from([None, dt.date(2026, 10, 12)]),
            "withdrawn": st.sampled_from([None, dt.date(2026, 10, 15), dt.date(2026, 10, 28)]),
            "low_income": st.sampled_from(["", "", "", "dibao", "poverty_file"]),
            "waiver": st.booleans(),
            "paid_fen": st.integers(0, 60_000),
        }
    ),
    min_size=1,
    max_size=4,
)
standards = st.fixed_dictionaries(
    {
        "unit": st.sampled_from(["service_day", "class_hour", "month", "term"]),
        "amount_fen": st.integers(0, 40_000),
    }
)
cancelled = st.sets(st.integers(0, len(OCTOBER_DAYS) - 1), max_size=4)


def _month(north, standard, kids, cancelled_days):
    """October's sittings, the standard and the children; returns (term, students)."""
    term = f.TermFactory()
    plan = f.SchoolPlanFactory(school=north.school, term=term, status="published")
    sittings = f.service_days(north.school, OCT_1, OCT_31, plan=plan)
    for i in cancelled_days:
        SittingCancellation.objects.create(sitting=sittings[i], reason="暴雨")
    f.fee_standard(north.county, **standard)
    students = []
    for kid in kids:
        student = f.child(north.school, north.school_class, low_income_basis=kid["low_income"])
        status = "withdrawn" if kid["withdrawn"] else "approved"
        app = f.application(
            student,
            term,
            weekdays=kid["weekdays"],
            starts_on=kid["starts"] or term.start,
        )
        if kid["withdrawn"]:
            app.status, app.withdrawn_on = status, kid["withdrawn"]
            app.save(update_fields=["status", "withdrawn_on"])
        if kid["waiver"] and not kid["low_income"]:
            services.waiver_record(
                student=student, term=term, reason="家庭突发困难", actor=north.admin
            )
        students.append(student)
    return term, students


def _run(north, term):
    run = services.bill_run(
        school=north.school,
        term=term,
        period="month",
        month=OCT_1,
        confirmed=True,
        actor=north.admin,
    )
    assert run.status == BillRun.Status.DONE, (run.refusal_message, run.error)
    return run


def _stored(students):
    ids = [s.pk for s in students]
    return (
        sorted(Bill.objects.filter(student_id__in=ids).values_list()),
        sorted(BillLine.objects.filter(bill__student_id__in=ids).values_list()),
        sorted(Refund.objects.filter(student_id__in=ids).values_list()),
    )


@PROPERTY
@given(standard=standards, kids=children, cancelled_days=cancelled)
def test_a_bill_is_the_sum_of_its_lines_and_a_waiver_zeroes_it(
    north, standard, kids, cancelled_days
):
    def body():
        # given a random October
        term, students = _month(north, standard, kids, cancelled_days)
        # when the bills are run
        _run(north, term)
        # then every bill is the sum of its lines; a waived one is 0 and refunds nothing
        for student, kid in zip(students, kids, strict=True):
            bill = Bill.objects.filter(student=student).first()
            if bill is None:
                continue
            lines = list(bill.lines.all())
            assert bill.total_fen == sum(ln.amount_fen for ln in lines)
            assert bill.charged_fen == sum(ln.amount_fen for ln in lines if ln.kind != "waiver")
            if kid["low_income"] or kid["waiver"]:
                assert bill.waived and bill.total_fen == 0
                assert bill.waiver_basis
                assert sum(r.amount_fen for r in bill.refunds.all()) == 0
                if bill.charged_fen:
                    assert [ln.kind for ln in lines][-1] == "waiver"
            else:
                assert not bill.waived and bill.total_fen == bill.charged_fen

    _rolled_back(body)


@PROPERTY
@given(standard=standards, kids=children, cancelled_days=cancelled)
def test_a_rerun_with_the_same_data_changes_nothing(north, standard, kids, cancelled_days):
    def body():
        # given a random October billed once
        term, students = _month(north, standard, kids, cancelled_days)
        _run(north, term)
        before = _stored(students)
        # when the bills are run again
        again = _run(north, term)
        # then no bill, line or refund changed and the run says so
        assert _stored(students) == before
        assert again.summary["created"] == again.summary["updated"] == 0
        assert again.changes == []

    _rolled_back(body)


@PROPERTY
@given(standard=standards, kids=children, cancelled_days=cancelled)
def test_refunds_never_exceed_the_line_the_bill_nor_what_was_paid(
    north, standard, kids, cancelled_days
):
    from kehou.payments import ledger
    from kehou.payments import services as payments

    def body():
        # given a random October billed, and each family paying a random amount
        term, students = _month(north, standard, kids, cancelled_days)
        _run(north, term)
        for n, (student, kid) in enumerate(zip(students, kids, strict=True)):
            bill = Bill.objects.filter(student=student).first()
            # then a line's refunds never exceed it, nor a bill's its charge
            if bill is not None:
                by_line: dict[str, int] = {}
                for r in bill.refunds.all():
                    by_line[r.line_key] = by_line.get(r.line_key, 0) + r.amount_fen
                    assert 0 <= r.amount_fen <= r.billed_fen
                    # and what is paid back on a refund never exceeds what was paid
                    assert 0 <= r.within(kid["paid_fen"]) <= kid["paid_fen"]
                lines = {ln.key: ln.amount_fen for ln in bill.lines.all()}
                for key, refunded in by_line.items():
                    assert refunded <= lines[key]
                assert sum(by_line.values()) <= bill.charged_fen
            if kid["paid_fen"]:
                payments.payment_record(
                    student=student,
                    amount_fen=kid["paid_fen"],
                    paid_on=dt.date(2026, 10, 20),
                    channel="wechat",
                    reference=f"P{n}",
                    bill=bill,
                    actor=north.admin,
                )
            figures = ledger.child_figures(student)
            # the ledger pays back in cash at most what was paid towards the bill
            assert sum(figures.refund_open.values()) <= figures.paid
            if bill is not None:
                open_on_bill = sum(figures.refund_open.get(r.pk, 0) for r in bill.refunds.all())
                assert open_on_bill <= figures.paid_to_bill.get(bill.pk, 0)

    _rolled_back(body)


def _statements_of_a_run(north, count):
    term = f.TermFactory()
    plan = f.SchoolPlanFactory(school=north.school, term=term, status="published")
    f.service_days(north.school, OCT_1, OCT_31, plan=plan)
    f.fee_standard(north.county, unit="month", amount_fen=15000)
    for n in range(count):
        student = f.child(north.school, north.school_class)
        app = f.application(student, term)
        if n % 2:  # half withdraw: bills with refunds
            app.status, app.withdrawn_on = "withdrawn", dt.date(2026, 10, 15)
            app.save(update_fields=["status", "withdrawn_on"])
    with CaptureQueriesContext(connection) as captured:
        _run(north, term)
    return len(captured.captured_queries)


def test_the_statements_of_a_bill_run_do_not_grow_with_the_children(north):
    # given one school billed with 2 children, and another time with 8 (after a first run
    # that fills the caches a process keeps: content types)
    _rolled_back(lambda: _statements_of_a_run(north, 2))
    few = []
    _rolled_back(lambda: few.append(_statements_of_a_run(north, 2)))
    many = []
    _rolled_back(lambda: many.append(_statements_of_a_run(north, 8)))
    # then the run takes as many statements for 8 children as for 2
    assert many[0] == few[0]
