"""The ledger: balance = billed − waived − refunded − paid + paid back (what the family
still owes; negative: the school holds the family's money); a refund never exceeds what
was paid."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from kehou.core.errors import items
from kehou.money import ledger as pure
from kehou.payments import ledger, services
from kehou.testing import snapshots

from .conftest import TODAY
from .helpers import bill, refund


def _pay(north, amount_fen, reference, *, the_bill=None, student=None):
    return services.payment_record(
        student=student or north.child,
        amount_fen=amount_fen,
        paid_on=TODAY - dt.timedelta(days=3),
        channel="wechat",
        reference=reference,
        bill=the_bill,
        actor=north.admin,
    )


def test_the_balance_is_billed_less_waived_refunded_paid_plus_paid_back(north):
    # given: September 300.00 paid; October 300.00 waived (低保); November 400.00 of which
    # 100.00 is refunded (withdrawal) and 250.00 paid
    september = bill(north.child, total_fen=30000, month=9)
    bill(north.child, total_fen=0, charged_fen=30000, month=10, basis="低保")
    november = bill(north.child, total_fen=40000, month=11)
    due = refund(november, due_fen=10000)
    _pay(north, 30000, "P1", the_bill=september)
    _pay(north, 25000, "P2")
    # when
    book = ledger.child_ledger(north.child)
    # then
    f = book.figures
    assert (f.billed, f.waived, f.refunded, f.paid, f.paid_back) == (100000, 30000, 10000, 55000, 0)
    assert f.owed == 100000 - 30000 - 10000 - 55000 + 0 == 5000
    assert book.lines[-1].balance_fen == book.balance_fen == 5000
    # each line traceable, in date order
    kinds = [line.kind for line in book.lines]
    assert kinds.count("bill") == 3 and "waiver" in kinds and "refund" in kinds
    days = [line.day for line in book.lines]
    assert days == sorted(days)
    # and November's refund only lowers what is owed: 250.00 paid is less than the
    # 300.00 the service delivered, so nothing can be paid back in cash
    assert f.refund_open[due.pk] == 0
    snapshots.refused(
        lambda: services.payout_record(
            refund=due, amount_fen=1, paid_on=TODAY, channel="cash", actor=north.admin
        )
    )


def test_a_refund_lowers_an_unpaid_bill_and_is_paid_back_only_from_what_was_paid(north):
    # given: a bill of 400.00 with 100.00 due back (service not delivered), 50.00 paid
    november = bill(north.child, total_fen=40000, month=11)
    due = refund(november, due_fen=10000)
    _pay(north, 5000, "P1", the_bill=november)
    # then the family owes for what it got, less what it paid: 400 - 100 - 50
    figures = ledger.child_figures(north.child)
    assert figures.refund_granted[due.pk] == 10000
    assert figures.owed == 25000
    assert figures.refund_open[due.pk] == 0
    # when it pays the rest of what the service cost, and 60.00 more by mistake
    _pay(north, 31000, "P2", the_bill=november)
    figures = ledger.child_figures(north.child)
    # then 60.00 (never more than was paid beyond the 300.00 delivered) may go back
    assert figures.owed == -6000
    assert figures.refund_open[due.pk] == 6000
    error = snapshots.refused(
        lambda: services.payout_record(
            refund=due, amount_fen=6001, paid_on=TODAY, channel="cash", actor=north.admin
        )
    )
    assert "more_than_refundable" in {i.code for i in items(error)}
    services.payout_record(
        refund=due, amount_fen=6000, paid_on=TODAY, channel="cash", actor=north.admin
    )
    assert ledger.child_figures(north.child).owed == 0


def test_a_voided_payment_does_not_count(north):
    bill(north.child, total_fen=30000)
    payment = _pay(north, 30000, "P1")
    services.payment_void(payment=payment, reason="重复登记", actor=north.admin)
    book = ledger.child_ledger(north.child)
    assert book.balance_fen == 30000
    assert next(line for line in book.lines if line.kind == "payment").voided


amounts = st.integers(min_value=0, max_value=200_000)


@settings(max_examples=300, deadline=None)
@given(
    bills=st.lists(st.tuples(amounts, st.booleans()), min_size=1, max_size=5),
    payments=st.lists(
        st.tuples(st.integers(1, 200_000), st.one_of(st.none(), st.integers(0, 4))), max_size=6
    ),
    refunds=st.lists(st.tuples(st.integers(0, 4), amounts), max_size=6),
)
def test_refunds_never_exceed_what_was_paid(bills, payments, refunds):
    bill_rows = [
        pure.BillIn(
            i, dt.date(2026, 9, 1) + dt.timedelta(days=30 * i), charged, 0 if w else charged
        )
        for i, (charged, w) in enumerate(bills)
    ]
    payment_rows = [
        pure.PaymentIn(i, dt.date(2026, 9, 1) + dt.timedelta(days=i), amount, b)
        for i, (amount, b) in enumerate(payments)
    ]
    refund_rows = [pure.RefundIn(i, b % len(bills), due) for i, (b, due) in enumerate(refunds)]
    f = pure.figures(bill_rows, payment_rows, refund_rows)
    # what can go back in cash is never more than what was paid
    assert 0 <= sum(f.refund_open.values()) <= f.paid
    for bill_key, paid in f.paid_to_bill.items():
        total = next(b.total_fen for b in bill_rows if b.key == bill_key)
        granted = sum(f.refund_granted[r.key] for r in refund_rows if r.bill_key == bill_key)
        cash = sum(f.refund_open[r.key] for r in refund_rows if r.bill_key == bill_key)
        assert granted <= total and paid <= total
        assert cash <= paid and cash <= max(0, paid - (total - granted))
    for r in refund_rows:
        assert 0 <= f.refund_granted[r.key] <= r.due_fen
    assert sum(f.paid_to_bill.values()) <= f.paid
    assert f.owed == f.billed - f.waived - f.refunded - f.paid + f.paid_back
