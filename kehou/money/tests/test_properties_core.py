"""More properties of the pure money core (test_money.py has split adding up and refund_of
within what was paid): the rounding rule against exact arithmetic, shares and refunds
monotone and bounded, a line's refunds rounded once, the ledger's allocation within what
was paid and asked."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from kehou.money import bills, ledger, refund_of, share, split, times

fen = st.integers(0, 10**8)
units = st.integers(1, 400)


@given(fen, st.decimals(min_value=0, max_value=1000, places=2))
def test_times_is_the_exact_product_rounded_half_up(unit_fen, count):
    exact = Decimal(unit_fen) * count
    assert times(unit_fen, count) == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert abs(times(unit_fen, count) - exact) <= Decimal("0.5")


@given(fen, units, st.data())
def test_a_share_is_bounded_and_grows_with_its_part(total, whole, data):
    a = data.draw(st.integers(0, whole))
    b = data.draw(st.integers(a, whole))
    assert 0 <= share(total, a, whole) <= share(total, b, whole) <= total
    assert share(total, whole, whole) == total and share(total, 0, whole) == 0


@given(fen, st.lists(st.integers(0, 1000), min_size=1, max_size=30).filter(sum))
def test_split_is_within_a_fen_of_each_exact_share(total, weights):
    parts = split(total, weights)
    whole = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - Decimal(total) * weight / whole) < 1
        if weight == 0:
            assert part == 0


@given(fen, fen, units, st.data())
def test_a_refund_grows_with_the_service_not_delivered_and_with_what_was_paid(
    paid, billed, billed_units, data
):
    less = data.draw(st.integers(0, billed_units))
    more = data.draw(st.integers(less, billed_units))
    low = refund_of(paid=paid, billed=billed, undelivered=less, billed_units=billed_units)
    high = refund_of(paid=paid, billed=billed, undelivered=more, billed_units=billed_units)
    assert 0 <= low <= high <= min(paid, billed)
    richer = refund_of(paid=paid + 100, billed=billed, undelivered=more, billed_units=billed_units)
    assert high <= richer


@given(fen, units, st.data())
def test_a_lines_refunds_are_rounded_once(amount, billed_units, data):
    counts = data.draw(
        st.lists(st.integers(0, billed_units), min_size=1, max_size=4).filter(
            lambda c: sum(c) <= billed_units
        )
    )
    parts = bills.refund_parts(amount, billed_units, counts)
    assert all(p >= 0 for p in parts)
    assert sum(parts) == share(amount, sum(counts), billed_units) <= amount


DAY = dt.date(2026, 9, 1)
ledger_bills = st.lists(
    st.tuples(st.integers(0, 50_000), st.booleans(), st.integers(0, 5)),
    min_size=1,
    max_size=5,
)
ledger_payments = st.lists(
    st.tuples(st.integers(1, 60_000), st.integers(0, 60), st.integers(-1, 5)), max_size=6
)


@given(ledger_bills, ledger_payments, st.data())
def test_the_ledger_pays_bills_only_what_was_paid_and_asked(rows, pays, data):
    bill_ins = [
        ledger.BillIn(i, DAY.replace(month=9 + m % 4), charged, 0 if waived else charged)
        for i, (charged, waived, m) in enumerate(rows)
    ]
    payment_ins = [
        ledger.PaymentIn(100 + i, DAY + dt.timedelta(days=d), amount, b if b < len(rows) else None)
        for i, (amount, d, b) in enumerate(pays)
    ]
    refund_ins = [
        ledger.RefundIn(200 + i, b.key, data.draw(st.integers(0, b.charged_fen + 10)))
        for i, b in enumerate(bill_ins)
        if data.draw(st.booleans())
    ]
    out = ledger.figures(bill_ins, payment_ins, refund_ins)
    # what goes to the bills is what was paid, at most, and no bill gets more than it asks
    assert sum(out.paid_to_bill.values()) <= out.paid == sum(p.amount_fen for p in payment_ins)
    for b in bill_ins:
        assert 0 <= out.paid_to_bill[b.key] <= b.total_fen
    # a bill's refunds never exceed it, and the cash paid back never what was paid towards it
    for b in bill_ins:
        granted = [out.refund_granted[r.key] for r in refund_ins if r.bill_key == b.key]
        assert sum(granted) <= b.total_fen
        cash = [out.refund_open[r.key] for r in refund_ins if r.bill_key == b.key]
        assert sum(cash) <= out.paid_to_bill[b.key]
    # the balance identity
    assert out.owed == out.billed - out.waived - out.refunded - out.paid + out.paid_back
    assert out.credit == max(0, -out.owed)
