"""The bill run: standards, lines, waivers, re-runs, withdrawals, cancellations, refunds."""

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from kehou.billing import services
from kehou.billing.models import Bill, BillRun, Refund, SittingCancellation, Waiver
from kehou.billing.selectors import fee_standard_for
from kehou.core.errors import items
from kehou.enrollment.models import Application
from kehou.testing import factories as f
from kehou.testing import snapshots

OCT_1, OCT_31 = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


def _weekdays(first, last):
    return [
        first + dt.timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + dt.timedelta(days=n)).weekday() < 5
    ]


@pytest.fixture
def october(north):
    """North's basic service every weekday of October 2026, the child approved for every
    weekday of the autumn term."""
    term = f.TermFactory()
    plan = f.SchoolPlanFactory(school=north.school, term=term, status="published")
    sittings = f.service_days(north.school, OCT_1, OCT_31, plan=plan)
    app = f.application(north.child, term)
    return term, plan, sittings, app


def _run(north, term, period="month", month=OCT_1):
    run = services.bill_run(
        school=north.school,
        term=term,
        period=period,
        month=month,
        confirmed=True,
        actor=north.admin,
    )
    assert run.status == BillRun.Status.DONE, (run.refusal_message, run.error)
    return run


def _bill(north):
    return Bill.objects.get(student=north.child)


def test_no_standard_refuses_the_run_naming_001(north, october):
    # given no fee standard anywhere up the chain
    term, *_ = october
    before = snapshots.everything()
    # when the admin starts the run
    with pytest.raises(ValidationError) as caught:
        services.bill_run_start(
            school=north.school,
            term=term,
            period="month",
            month=OCT_1,
            confirmed=True,
            actor=north.admin,
        )
    # then it is refused with 001's rule and nothing is written
    [item] = items(caught.value)
    assert item.code == "no_fee_standard"
    assert "课后服务收费标准未出台之前，学校不得向学生收取课后服务费" in item.message
    assert snapshots.everything() == before


def test_the_nearest_standard_up_the_chain_applies(north, city, october):
    city_std = f.fee_standard(city, amount_fen=400)
    assert fee_standard_for(north.school, OCT_1) == city_std
    county_std = f.fee_standard(north.county, amount_fen=600)
    assert fee_standard_for(north.school, OCT_1) == county_std
    newer = f.fee_standard(north.county, amount_fen=700, valid_from=dt.date(2026, 10, 15))
    assert fee_standard_for(north.school, OCT_1) == county_std
    assert fee_standard_for(north.school, dt.date(2026, 10, 20)) == newer
    assert fee_standard_for(north.school, dt.date(2026, 8, 1)) is None


def test_a_bill_per_service_day_equals_the_sum_of_its_lines(north, city, october):
    # given 5.00 yuan per service day
    f.fee_standard(city)
    # when October is billed
    _run(north, october[0])
    # then the bill counts every weekday of October and equals its lines
    bill = _bill(north)
    days = len(_weekdays(OCT_1, OCT_31))
    assert bill.total_fen == days * 500
    assert bill.total_fen == sum(line.amount_fen for line in bill.lines.all())
    [line] = bill.lines.all()
    assert line.units == days and line.unit_fen == 500
    assert len(line.dates) == days and "苏教财〔2020〕2号" in line.description


def test_a_low_income_child_owes_nothing_with_the_basis_shown(north, city, october):
    f.fee_standard(city)
    north.child.low_income_basis = "dibao"
    north.child.save()
    _run(north, october[0])
    bill = _bill(north)
    assert bill.total_fen == 0 and bill.waived
    assert "低保" in bill.waiver_basis
    assert sum(line.amount_fen for line in bill.lines.all()) == 0
    assert bill.lines.get(kind="waiver").amount_fen < 0


def test_a_rerun_with_unchanged_data_changes_nothing(north, city, october):
    f.fee_standard(city)
    _run(north, october[0])
    before = snapshots.rows(Bill, Refund, *[Bill.lines.rel.related_model])
    second = _run(north, october[0])
    assert second.summary["unchanged"] == 1 and second.summary["created"] == 0
    assert second.changes == []
    assert snapshots.rows(Bill, Refund, *[Bill.lines.rel.related_model]) == before


def test_a_withdrawal_on_the_15th_billed_per_service_day(north, city, october):
    # given a bill of October, then the child leaves from the 15th
    term, _plan, _sittings, app = october
    f.fee_standard(city)
    _run(north, term)
    first = _bill(north).total_fen
    Application.objects.filter(pk=app.pk).update(
        status="withdrawn", withdrawn_on=dt.date(2026, 10, 15)
    )
    # when the run is re-run
    run = _run(north, term)
    # then the bill counts the days before the 15th, as a new version, and says so
    bill = _bill(north)
    assert bill.total_fen == len(_weekdays(OCT_1, dt.date(2026, 10, 14))) * 500
    assert bill.version == 2
    assert run.changes == [
        {
            "student": north.child.name,
            "bill": bill.pk,
            "from_fen": first,
            "to_fen": bill.total_fen,
            "version": 2,
        }
    ]


def test_a_withdrawal_on_the_15th_billed_per_term_refunds_the_rest(north, city):
    # given 600 yuan per term, a service of the weekdays of October to December
    term = f.TermFactory()
    plan = f.SchoolPlanFactory(school=north.school, term=term, status="published")
    sittings = f.service_days(north.school, OCT_1, dt.date(2026, 12, 31), plan=plan)
    app = f.application(north.child, term)
    f.fee_standard(city, unit="term", amount_fen=60000)
    Application.objects.filter(pk=app.pk).update(
        status="withdrawn", withdrawn_on=dt.date(2026, 10, 15)
    )
    # when the term is billed
    _run(north, term, period="term", month=None)
    # then the bill is the term's fee, and the sittings from the 15th are refunded
    bill = _bill(north)
    assert bill.total_fen == 60000
    [refund] = bill.refunds.all()
    undelivered = len([s for s in sittings if s.date >= dt.date(2026, 10, 15)])
    assert refund.reason == "withdrawal"
    assert refund.undelivered_units == undelivered and refund.billed_units == len(sittings)
    expected = round(60000 * undelivered / len(sittings))
    assert abs(refund.amount_fen - expected) <= 0  # half up to the fen
    assert "600.00 元 ÷" in refund.arithmetic and "四舍五入到分" in refund.arithmetic
    assert refund.within(paid_fen=10000) == 10000  # never more than was paid


def test_a_cancelled_sitting_refunds_that_day(north, city):
    term = f.TermFactory()
    plan = f.SchoolPlanFactory(school=north.school, term=term, status="published")
    sittings = f.service_days(north.school, OCT_1, dt.date(2026, 10, 30), plan=plan)
    f.application(north.child, term)
    f.fee_standard(city, unit="term", amount_fen=22000)
    services.sitting_cancel(sitting=sittings[3], reason="台风停课", actor=north.admin)
    _run(north, term, period="term", month=None)
    [refund] = _bill(north).refunds.all()
    assert refund.reason == "cancelled" and refund.undelivered_units == 1
    assert refund.dates == [sittings[3].date.isoformat()]
    assert refund.amount_fen == round(22000 / len(sittings))


def test_a_cancelled_sitting_is_not_billed_per_service_day(north, city, october):
    term, _plan, sittings, _app = october
    f.fee_standard(city)
    services.sitting_cancel(sitting=sittings[0], reason="台风停课", actor=north.admin)
    _run(north, term)
    assert _bill(north).total_fen == (len(sittings) - 1) * 500


def test_cancelling_without_a_reason_is_refused(north, october):
    sitting = october[2][0]
    before = snapshots.everything()
    with pytest.raises(ValidationError):
        services.sitting_cancel(sitting=sitting, reason="  ", actor=north.admin)
    assert snapshots.everything() == before


def test_a_waiver_by_the_admin_zeroes_the_bill_and_can_be_revoked(north, city, october):
    term = october[0]
    f.fee_standard(city)
    _run(north, term)
    waiver = services.waiver_record(
        student=north.child, term=term, reason="家庭突发困难", actor=north.admin
    )
    bill = _bill(north)
    assert bill.total_fen == 0 and bill.waived and "家庭突发困难" in bill.waiver_basis
    services.waiver_revoke(waiver=waiver, reason="情况已改善", actor=north.admin)
    bill.refresh_from_db()
    assert bill.total_fen > 0 and not bill.waived and bill.version == 3


def test_a_waiver_without_a_reason_is_refused_and_changes_nothing(north, city, october):
    term = october[0]
    f.fee_standard(city)
    _run(north, term)
    before = snapshots.everything()
    with pytest.raises(ValidationError) as caught:
        services.waiver_record(student=north.child, term=term, reason="", actor=north.admin)
    assert [i.code for i in items(caught.value)] == ["reason_required"]
    assert snapshots.everything() == before
    assert not Waiver.objects.exists()


def test_the_run_is_all_or_nothing(north, city, october):
    # given two children, and a failure while the second bill's lines are written
    term = october[0]
    f.fee_standard(city)
    other = f.child(north.school, north.school_class)
    f.application(other, term)
    run = services.bill_run_start(
        school=north.school,
        term=term,
        period="month",
        month=OCT_1,
        confirmed=True,
        actor=north.admin,
        in_background=False,
    )
    before = snapshots.rows(Bill, Refund)
    with mock.patch(
        "kehou.billing.services.BillLine.objects.bulk_create", side_effect=RuntimeError("disk")
    ):
        with pytest.raises(RuntimeError):
            services.bill_run_execute(run_id=run.pk)
    # then nothing was written and the run says it failed
    assert snapshots.rows(Bill, Refund) == before
    run.refresh_from_db()
    assert run.status == BillRun.Status.FAILED and "disk" in run.error


def test_the_run_needs_confirmation(north, city, october):
    f.fee_standard(city)
    before = snapshots.everything()
    with pytest.raises(ValidationError) as caught:
        services.bill_run_start(
            school=north.school,
            term=october[0],
            period="month",
            month=OCT_1,
            actor=north.admin,
        )
    assert [i.code for i in items(caught.value)] == ["confirmation_required"]
    assert snapshots.everything() == before


def test_a_run_in_the_worker(north, city, october, django_capture_on_commit_callbacks):
    from kehou.testing.worker import run_queued_tasks

    f.fee_standard(city)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.bill_run_start(
            school=north.school,
            term=october[0],
            period="month",
            month=OCT_1,
            confirmed=True,
            actor=north.admin,
        )
    run_queued_tasks()
    run.refresh_from_db()
    assert run.status == BillRun.Status.DONE and run.summary["created"] == 1


def test_long_leave_over_the_profile_threshold_is_refunded(north, city, october):
    from kehou.attendance.models import LeaveRequest

    term = october[0]
    f.fee_standard(city)
    with mock.patch("kehou.billing.compute.leave_threshold", return_value=3):
        LeaveRequest.objects.create(
            school=north.school,
            student=north.child,
            first_day=dt.date(2026, 10, 12),
            last_day=dt.date(2026, 10, 16),
            reason="住院",
            filed_by=north.guardian_user,
        )
        _run(north, term)
    bill = _bill(north)
    [refund] = bill.refunds.all()
    assert refund.reason == "leave" and refund.undelivered_units == 5
    assert refund.amount_fen == 2500
    assert SittingCancellation.objects.count() == 0


def test_a_fee_per_class_hour_counts_each_sittings_class_hours(north, city, october):
    # given 3.00 yuan a class-hour of 45 minutes, and October's 90-minute sittings: each
    # is two class-hours, as the teacher who takes it is paid for two (kehou.money.pay)
    term, _plan, sittings, _app = october
    f.fee_standard(city, unit="class_hour", amount_fen=300, class_hour_minutes=45)
    # when
    _run(north, term)
    # then
    line = _bill(north).lines.get(kind="basic")
    assert line.units == 2 * len(sittings)
    assert line.amount_fen == 300 * 2 * len(sittings)
