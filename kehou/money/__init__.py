"""Money, pure (R18, R19): integer fen, never float, and the rounding rules in one place.

Every amount kehou stores or computes is an `int` of fen (分). Yuan appear only at the
edges: a standard or a rate typed in yuan (`fen_of`), and text on a page or in a workbook
(`yuan_text`). Division happens only here, with its rule stated:

- `share(total, part, whole)` — the part of an amount that `part` of `whole` units make,
  rounded half up to the fen (四舍五入到分). Used for a refund of the service not
  delivered: the refund is `share(paid, undelivered, billed_units)`, and never more than
  what was paid.
- `split(total, weights)` — an amount divided among lines so that the lines add up to the
  total exactly (the largest remainders get the leftover fen).

No Django here (import-linter holds it); kehou/billing and kehou/payroll build on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN_PER_YUAN = 100
ROUNDING_RULE = "四舍五入到分"  # stated on every page that shows a computed amount


class MoneyError(ValueError):
    pass


def fen_of(yuan: Decimal | int | str) -> int:
    """Yuan (a Decimal, an int or text such as "12.5") as fen, exactly; more than two
    decimal places is an error, not a rounding."""
    try:
        value = Decimal(str(yuan).strip())
    except InvalidOperation as error:
        raise MoneyError(f"not an amount: {yuan!r}") from error
    if not value.is_finite():
        raise MoneyError(f"not an amount: {yuan!r}")
    fen = value * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise MoneyError(f"more than two decimal places: {yuan!r}")
    return int(fen)


def yuan(fen: int) -> Decimal:
    """Fen as a Decimal of yuan with two places (for a workbook cell)."""
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def yuan_text(fen: int) -> str:
    """ "1,234.50" — fen as yuan with a thousands separator and two places."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{whole:,}.{cents:02d}"


def times(unit_fen: int, units: Decimal | int) -> int:
    """`units` (a count, or class-hours such as 1.5) at `unit_fen` each, rounded half up."""
    return round_half_up(Decimal(unit_fen) * Decimal(units))


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def share(total: int, part: Decimal | int, whole: Decimal | int) -> int:
    """The share of `total` that `part` of `whole` make, rounded half up to the fen;
    0 <= part <= whole > 0."""
    part, whole = Decimal(part), Decimal(whole)
    if whole <= 0 or part < 0 or part > whole:
        raise MoneyError(f"cannot take {part} of {whole}")
    return round_half_up(Decimal(total) * part / whole)


def split(total: int, weights: Sequence[Decimal | int]) -> list[int]:
    """`total` divided in proportion to `weights`, each rounded down, the leftover fen
    given one each to the largest remainders (the earliest first on a tie): the parts
    always add up to `total`."""
    weights = [Decimal(w) for w in weights]
    if not weights or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise MoneyError("weights must be non-negative and not all zero")
    whole = sum(weights)
    exact = [Decimal(total) * w / whole for w in weights]
    parts = [int(e.to_integral_value(rounding="ROUND_FLOOR")) for e in exact]
    leftover = total - sum(parts)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:leftover]:
        parts[i] += 1
    return parts


def refund_of(*, paid: int, billed: int, undelivered: Decimal | int, billed_units) -> int:
    """What is refunded for service not delivered (004: 按未服务的实际课时据实退还): the
    share of the bill the undelivered units make, never more than was paid, never less
    than nothing."""
    if billed <= 0 or paid <= 0 or Decimal(billed_units) <= 0:
        return 0
    undelivered = min(Decimal(undelivered), Decimal(billed_units))
    return max(0, min(paid, share(billed, undelivered, billed_units)))
