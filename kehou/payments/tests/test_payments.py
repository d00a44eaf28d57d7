"""Recording and voiding payments: validated, the child of the school, never twice."""

import datetime as dt

import pytest
from auditlog.models import LogEntry

from kehou.core.errors import items
from kehou.org.access import OutOfScope
from kehou.payments import services
from kehou.payments.models import Payment
from kehou.testing import snapshots

from .conftest import TODAY
from .helpers import bill


def _record(north, **overrides):
    values = {
        "student": north.child,
        "amount_fen": 30000,
        "paid_on": TODAY,
        "channel": "wechat",
        "reference": "4200001234",
        "actor": north.admin,
    } | overrides
    return services.payment_record(**values)


def _codes(error) -> set[str]:
    return {item.code for item in items(error)}


def test_the_school_admin_records_a_payment_and_it_is_audited(north):
    from auditlog.context import set_actor

    # when (a page sets the actor for the history; the row records who by itself)
    with set_actor(north.admin):
        payment = _record(north)
    # then
    assert payment.amount_fen == 30000 and payment.school == north.school
    assert payment.recorded_by == north.admin
    entry = LogEntry.objects.get_for_object(payment).get()
    assert entry.actor == north.admin


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"paid_on": TODAY + dt.timedelta(days=1)}, "in_the_future"),
        ({"amount_fen": 0}, "amount_not_positive"),
        ({"amount_fen": -100}, "amount_not_positive"),
        ({"amount_fen": 10**12}, "amount_too_large"),
        ({"amount_fen": None}, "amount_missing"),
        ({"paid_on": None}, "date_missing"),
        ({"channel": "bitcoin"}, "unknown_channel"),
        ({"reference": "x" * 201}, "text_too_long"),
    ],
)
def test_a_bad_payment_is_refused_and_nothing_changes(north, overrides, code):
    error = snapshots.refused(lambda: _record(north, **overrides))
    assert code in _codes(error)


def test_a_future_payment_is_refused_in_chinese(north):
    error = snapshots.refused(lambda: _record(north, paid_on=TODAY + dt.timedelta(days=3)))
    assert "尚未到来" in items(error)[0].message or "还没到" in items(error)[0].message


def test_a_child_of_another_school_is_refused_and_nothing_changes(north, south):
    before = snapshots.everything()
    with pytest.raises(OutOfScope):
        _record(north, student=south.child)
    assert snapshots.everything() == before


def test_a_bill_of_another_child_is_refused(north, south):
    other = bill(south.child, total_fen=10000)
    error = snapshots.refused(lambda: _record(north, bill=other))
    assert "bill_of_another_child" in _codes(error)


def test_the_same_transaction_is_not_recorded_twice(north):
    # given
    _record(north)
    # when / then
    error = snapshots.refused(lambda: _record(north, amount_fen=100))
    assert "already_recorded" in _codes(error)
    # another channel's reference is another transaction
    _record(north, channel="alipay")
    assert Payment.objects.count() == 2


def test_payments_without_a_reference_are_not_duplicates(north):
    _record(north, reference="", channel="cash")
    _record(north, reference="", channel="cash")
    assert Payment.objects.count() == 2


def test_a_mistaken_payment_is_voided_with_a_reason_never_deleted(north):
    # given
    payment = _record(north)
    # when: no reason
    error = snapshots.refused(
        lambda: services.payment_void(payment=payment, reason=" ", actor=north.admin)
    )
    assert "reason_missing" in _codes(error)
    # when
    services.payment_void(payment=payment, reason="录错了孩子", actor=north.admin)
    # then: kept, voided, and the transaction may be recorded again (for the right child)
    payment.refresh_from_db()
    assert payment.voided_at is not None and payment.void_reason == "录错了孩子"
    assert payment.voided_by == north.admin
    again = _record(north)
    assert again.pk != payment.pk
    error = snapshots.refused(
        lambda: services.payment_void(payment=payment, reason="again", actor=north.admin)
    )
    assert "already_voided" in _codes(error)
