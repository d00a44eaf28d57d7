"""Properties of the bill arithmetic (kehou.money.bills): a bill equals the sum of its
lines, a waiver zeroes it, refunds never exceed the line nor what was paid, the same
inputs give the same bill."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kehou import money
from kehou.money import bills

START = dt.date(2026, 9, 1)


@st.composite
def seats(draw):
    n = draw(st.integers(min_value=1, max_value=60))
    return tuple(
        bills.Seat(
            sitting=i,
            date=START + dt.timedelta(days=i // draw(st.sampled_from([1, 2]))),
            cancelled=draw(st.booleans()),
            after_leaving=draw(st.booleans()),
            on_long_leave=draw(st.booleans()),
        )
        for i in range(n)
    )


@st.composite
def specs(draw):
    out = []
    for i in range(draw(st.integers(min_value=1, max_value=3))):
        s = draw(seats())
        out.append(
            bills.LineInput(
                key=f"l{i}",
                kind="basic",
                description="",
                unit=draw(st.sampled_from([bills.CLASS_HOUR, bills.SERVICE_DAY, bills.TERM])),
                unit_fen=draw(st.integers(min_value=0, max_value=200_000)),
                seats=s,
                full_units=draw(st.integers(min_value=0, max_value=80)),
            )
        )
    return out


@given(specs(), st.booleans())
def test_a_bill_equals_the_sum_of_its_lines_and_a_waiver_zeroes_it(lines, waived):
    out = bills.bill(lines, waiver_basis="低保" if waived else "")
    assert out.total_fen == sum(ln.amount_fen for ln in out.lines)
    if waived:
        assert out.total_fen == 0 and not out.refunds


@given(specs(), st.integers(min_value=0, max_value=300_000))
def test_refunds_never_exceed_the_line_nor_what_was_paid(lines, paid):
    out = bills.bill(lines)
    for ln in out.lines:
        assert 0 <= sum(r.amount_fen for r in ln.refunds) <= ln.amount_fen
        for r in ln.refunds:
            back = money.refund_of(
                paid=paid,
                billed=r.billed_fen,
                undelivered=r.undelivered_units,
                billed_units=r.billed_units,
            )
            assert 0 <= back <= paid


@given(specs())
def test_the_same_inputs_give_the_same_bill(lines):
    assert bills.bill(lines).digest_parts() == bills.bill(list(lines)).digest_parts()


def test_a_refund_by_the_class_hours_not_served():
    seats_ = tuple(
        bills.Seat(sitting=i, date=START + dt.timedelta(days=i), after_leaving=i >= 36)
        for i in range(60)
    )
    line = bills.line(
        bills.LineInput("basic", "basic", "", bills.TERM, 60000, seats_, full_units=60)
    )
    [refund] = line.refunds
    assert refund.amount_fen == 24000
    assert refund.arithmetic == "600.00 元 ÷ 60 课时 × 未服务 24 课时 = 240.00 元（四舍五入到分）"


def test_refund_parts_add_up_to_one_rounding():
    assert bills.refund_parts(101, 3, [1, 1, 1]) == [34, 33, 34]
    assert sum(bills.refund_parts(101, 3, [1, 1, 1])) == 101
