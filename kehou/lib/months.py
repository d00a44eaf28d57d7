"""Calendar months, each named by its first day: the unit of bills, pay, the monthly
report and the dashboard's trends."""

from __future__ import annotations

import datetime as dt


def first_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month `n` months after `month`'s (before, for a negative n)."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def next_month(month: dt.date) -> dt.date:
    return add_months(month, 1)


def previous_month(month: dt.date) -> dt.date:
    return add_months(month, -1)


def month_end(month: dt.date) -> dt.date:
    return next_month(month) - dt.timedelta(days=1)


def months_from(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from `first`'s to `last`'s, both included."""
    months, month = [], first_of(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def parse_month(text: str | None) -> dt.date | None:
    """ "2026-10" as 1 October 2026; None for anything else."""
    try:
        year, number = (int(part) for part in (text or "").strip().split("-"))
        return dt.date(year, number, 1)
    except (ValueError, TypeError):
        return None
