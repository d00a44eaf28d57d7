import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kehou.lib.months import (
    add_months,
    first_of,
    month_end,
    months_from,
    next_month,
    parse_month,
    previous_month,
)


def test_months_across_the_turn_of_the_year():
    assert next_month(dt.date(2026, 12, 1)) == dt.date(2027, 1, 1)
    assert previous_month(dt.date(2027, 1, 1)) == dt.date(2026, 12, 1)
    assert month_end(dt.date(2028, 2, 1)) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 10, 1), -11) == dt.date(2025, 11, 1)
    assert months_from(dt.date(2026, 9, 15), dt.date(2026, 11, 3)) == [
        dt.date(2026, 9, 1),
        dt.date(2026, 10, 1),
        dt.date(2026, 11, 1),
    ]
    assert months_from(dt.date(2026, 11, 3), dt.date(2026, 10, 1)) == []


def test_a_month_is_read_from_its_text_or_not_at_all():
    assert parse_month("2026-10") == dt.date(2026, 10, 1)
    for text in ("", None, "2026", "2026-13", "十月", "2026-10-01"):
        assert parse_month(text) is None


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_every_day_lies_in_its_month(day):
    month = first_of(day)
    assert month <= day <= month_end(month) < next_month(month)
    assert previous_month(next_month(month)) == month
