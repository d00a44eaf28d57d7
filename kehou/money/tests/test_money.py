"""The money core: exact fen, the rounding rule, parts that add up, refunds within what
was paid."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kehou.money import MoneyError, fen_of, refund_of, share, split, times, yuan_text


def test_yuan_become_fen_exactly():
    assert fen_of("12.5") == 1250
    assert fen_of(Decimal("60")) == 6000
    with pytest.raises(MoneyError):
        fen_of("0.005")
    with pytest.raises(MoneyError):
        fen_of("abc")


def test_text_and_half_up():
    assert yuan_text(123450) == "1,234.50"
    assert yuan_text(-5) == "-0.05"
    assert times(333, Decimal("1.5")) == 500  # 499.5 rounds half up
    assert share(1000, 1, 3) == 333


@given(st.integers(0, 10**9), st.lists(st.integers(0, 1000), min_size=1, max_size=30))
def test_split_adds_up(total, weights):
    if sum(weights) == 0:
        return
    parts = split(total, weights)
    assert sum(parts) == total and all(p >= 0 for p in parts)


@given(
    paid=st.integers(0, 10**7),
    billed=st.integers(0, 10**7),
    units=st.integers(1, 200),
    undelivered=st.integers(0, 300),
)
def test_a_refund_never_exceeds_what_was_paid(paid, billed, units, undelivered):
    refund = refund_of(paid=paid, billed=billed, undelivered=undelivered, billed_units=units)
    assert 0 <= refund <= paid
