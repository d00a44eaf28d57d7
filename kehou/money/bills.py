"""Bill arithmetic, pure (R18): a child's lines for one period from the sittings they were
entitled to, the refunds of the service not delivered, and the waiver that zeroes a bill.

The rules, stated once:

- A sitting's class-hours (课时) are its minutes over the standard's minutes per class-hour
  (an 80-minute sitting is two class-hours of 40): the unit a family is billed by per
  class-hour, as teachers are paid by the same count (kehou.money.pay). Flat lines share
  their amount by sittings, and refund the sittings not delivered
  ("按未服务的实际课时据实退还", 004).
- A line billed per unit (per class-hour, per service day) counts what was delivered to the
  child: the sittings of their chosen days while they took part, less cancelled sittings.
  A service day is a date with at least one such sitting. amount = units × rate.
- A flat line (per month, per term, an activity group's agency fee per term) is the flat
  amount for the whole service of the period; a child who takes part on fewer days, or
  from later, is billed the share their sittings make of the full service
  (share(flat, child's sittings, full service's sittings), half up to the fen). Sittings
  it bills that were not delivered — after the child left or dropped the group,
  cancelled, or on a leave long enough under the profile — are refunded.
- On a line billed per unit, only a long leave is refunded (the rest was never billed).
- Refunds of one line add up to the share of all its undelivered units, rounded half up
  to the fen once (`refund_parts`); no line refunds more than it billed; what is paid back
  is further capped by what the family paid (kehou.money.refund_of, in the ledger).
- A waiver is the bill's last line, minus everything charged: a waived bill is 0.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from kehou.money import ROUNDING_RULE, share, yuan_text

CLASS_HOUR = "class_hour"
SERVICE_DAY = "service_day"
MONTH = "month"
TERM = "term"
FLAT = frozenset({MONTH, TERM})

WITHDRAWAL = "withdrawal"
DROPPED = "dropped"
CANCELLED = "cancelled"
LEAVE = "leave"
REFUND_ORDER = (WITHDRAWAL, DROPPED, CANCELLED, LEAVE)

UNIT_WORDS = {CLASS_HOUR: "课时", SERVICE_DAY: "服务日", MONTH: "月", TERM: "学期"}


@dataclass(frozen=True)
class Seat:
    """One sitting of the period the child was entitled to (on their days, from the day
    they started), and what happened to it for them."""

    sitting: int
    date: dt.date
    cancelled: bool = False
    after_leaving: bool = False  # on or after the day the child left (or dropped the group)
    on_long_leave: bool = False  # in a leave long enough to be refunded (the profile's)
    hours: Fraction = Fraction(1)  # its class-hours (minutes over the minutes per class-hour)

    @property
    def delivered(self) -> bool:
        return not (self.cancelled or self.after_leaving)


@dataclass(frozen=True)
class LineInput:
    key: str
    kind: str
    description: str
    unit: str  # CLASS_HOUR, SERVICE_DAY, MONTH or TERM
    unit_fen: int  # the rate per unit; for a flat line the flat amount of the period
    seats: tuple[Seat, ...]
    # Flat lines: the sittings of the full service the flat amount pays for.
    full_units: int = 0
    leaving_reason: str = WITHDRAWAL  # how leaving is named on this line
    standard: int | None = None
    offering: int | None = None


@dataclass(frozen=True)
class RefundOut:
    line_key: str
    reason: str
    unit: str
    billed_fen: int
    billed_units: Decimal
    undelivered_units: Decimal
    amount_fen: int
    arithmetic: str
    sittings: tuple[int, ...]
    dates: tuple[str, ...]


@dataclass(frozen=True)
class LineOut:
    key: str
    kind: str
    description: str
    unit: str
    units: Decimal
    unit_fen: int
    amount_fen: int
    arithmetic: str
    sittings: tuple[int, ...]
    dates: tuple[str, ...]
    standard: int | None = None
    offering: int | None = None
    refunds: tuple[RefundOut, ...] = field(default=())


@dataclass(frozen=True)
class BillOut:
    lines: tuple[LineOut, ...]
    charged_fen: int
    total_fen: int
    waived: bool
    waiver_basis: str

    @property
    def refunds(self) -> tuple[RefundOut, ...]:
        return tuple(r for line in self.lines for r in line.refunds)

    def digest_parts(self) -> tuple:
        """Everything that, if unchanged, makes a re-run change nothing."""
        return (
            self.total_fen,
            self.charged_fen,
            self.waived,
            self.waiver_basis,
            tuple(
                (
                    ln.key,
                    ln.description,
                    str(ln.units),
                    ln.unit_fen,
                    ln.amount_fen,
                    ln.sittings,
                    ln.standard,
                    ln.offering,
                )
                for ln in self.lines
            ),
            tuple(
                (r.line_key, r.reason, r.amount_fen, str(r.undelivered_units), r.sittings)
                for r in self.refunds
            ),
        )


def _units(unit: str, seats) -> Fraction:
    if unit == SERVICE_DAY:
        return Fraction(len({s.date for s in seats}))
    if unit == CLASS_HOUR:
        return sum((s.hours for s in seats), Fraction(0))
    return Fraction(len(seats))


def _decimal(value: Fraction) -> Decimal:
    """Units as stored and shown: two places (the amount is computed from the exact value)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))


def _times(unit_fen: int, units: Fraction) -> int:
    return math.floor(unit_fen * units + Fraction(1, 2))


def _share(total: int, part: Fraction, whole: Fraction) -> int:
    return math.floor(total * part / whole + Fraction(1, 2))


def _dates(seats) -> tuple[str, ...]:
    return tuple(sorted({s.date.isoformat() for s in seats}))


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def refund_parts(amount: int, billed_units: int, counts: list[int]) -> list[int]:
    """The refunds of one line for each reason's count of undelivered units: they add up to
    share(amount, sum(counts), billed_units), rounded once, so together they never exceed
    the line. Each part is the difference of the running shares."""
    parts, running, before = [], 0, 0
    for count in counts:
        running += count
        upto = share(amount, running, billed_units)
        parts.append(upto - before)
        before = upto
    return parts


def refund_text(billed_fen: int, billed_units, undelivered, amount_fen: int, unit: str) -> str:
    word = UNIT_WORDS.get(unit, "课时")
    return (
        f"{yuan_text(billed_fen)} 元 ÷ {_number(Decimal(billed_units))} {word} × 未服务 "
        f"{_number(Decimal(undelivered))} {word} = {yuan_text(amount_fen)} 元（{ROUNDING_RULE}）"
    )


def line(spec: LineInput) -> LineOut | None:
    """One line, or None when it bills nothing and refunds nothing (no seat)."""
    if not spec.seats:
        return None
    seats = sorted(spec.seats, key=lambda s: (s.date, s.sitting))
    if spec.unit in FLAT:
        return _flat_line(spec, seats)
    return _unit_line(spec, seats)


def _unit_line(spec: LineInput, seats: list[Seat]) -> LineOut | None:
    delivered = [s for s in seats if s.delivered]
    if not delivered:
        return None
    exact = _units(spec.unit, delivered)
    units = _decimal(exact)
    amount = _times(spec.unit_fen, exact)
    word = UNIT_WORDS[spec.unit]
    refunds: list[RefundOut] = []
    leave = [s for s in delivered if s.on_long_leave]
    if leave and amount > 0:
        exact_off = _units(spec.unit, leave)
        off = _decimal(exact_off)
        refund = _share(amount, exact_off, exact)
        if refund:
            refunds.append(
                RefundOut(
                    line_key=spec.key,
                    reason=LEAVE,
                    unit=spec.unit,
                    billed_fen=amount,
                    billed_units=units,
                    undelivered_units=off,
                    amount_fen=refund,
                    arithmetic=refund_text(amount, units, off, refund, spec.unit),
                    sittings=tuple(s.sitting for s in leave),
                    dates=_dates(leave),
                )
            )
    return LineOut(
        key=spec.key,
        kind=spec.kind,
        description=spec.description,
        unit=spec.unit,
        units=units,
        unit_fen=spec.unit_fen,
        amount_fen=amount,
        arithmetic=f"{_number(units)} {word} × {yuan_text(spec.unit_fen)} 元 = "
        f"{yuan_text(amount)} 元",
        sittings=tuple(s.sitting for s in delivered),
        dates=_dates(delivered),
        standard=spec.standard,
        offering=spec.offering,
        refunds=tuple(refunds),
    )


def _flat_line(spec: LineInput, seats: list[Seat]) -> LineOut:
    billed_units = len(seats)
    full = max(spec.full_units, billed_units)
    amount = share(spec.unit_fen, billed_units, full) if full else 0
    if billed_units == full:
        arithmetic = f"{yuan_text(spec.unit_fen)} 元/{UNIT_WORDS[spec.unit]}"
    else:
        arithmetic = (
            f"{yuan_text(spec.unit_fen)} 元 ÷ {full} 课时 × {billed_units} 课时 = "
            f"{yuan_text(amount)} 元（{ROUNDING_RULE}）"
        )
    groups = {
        spec.leaving_reason: [s for s in seats if s.after_leaving],
        CANCELLED: [s for s in seats if s.cancelled and not s.after_leaving],
        LEAVE: [s for s in seats if s.delivered and s.on_long_leave],
    }
    reasons = [r for r in REFUND_ORDER if groups.get(r)]
    refunds: list[RefundOut] = []
    if amount > 0 and reasons:
        parts = refund_parts(amount, billed_units, [len(groups[r]) for r in reasons])
        for reason, part in zip(reasons, parts, strict=True):
            if part <= 0:
                continue
            off = Decimal(len(groups[reason]))
            refunds.append(
                RefundOut(
                    line_key=spec.key,
                    reason=reason,
                    unit=CLASS_HOUR,
                    billed_fen=amount,
                    billed_units=Decimal(billed_units),
                    undelivered_units=off,
                    amount_fen=part,
                    arithmetic=refund_text(amount, billed_units, off, part, CLASS_HOUR),
                    sittings=tuple(s.sitting for s in groups[reason]),
                    dates=_dates(groups[reason]),
                )
            )
    return LineOut(
        key=spec.key,
        kind=spec.kind,
        description=spec.description,
        unit=spec.unit,
        units=Decimal(billed_units),
        unit_fen=spec.unit_fen,
        amount_fen=amount,
        arithmetic=arithmetic,
        sittings=tuple(s.sitting for s in seats),
        dates=_dates(seats),
        standard=spec.standard,
        offering=spec.offering,
        refunds=tuple(refunds),
    )


def bill(specs: list[LineInput], *, waiver_basis: str = "") -> BillOut:
    """A child's bill: its lines in the given order, then, if `waiver_basis` is given, a
    waiver line that zeroes it (and no refunds: nothing was charged)."""
    lines = [out for out in (line(spec) for spec in specs) if out is not None]
    charged = sum(ln.amount_fen for ln in lines)
    if waiver_basis:
        lines = [
            LineOut(**{**ln.__dict__, "refunds": ()})  # nothing charged, nothing refunded
            for ln in lines
        ]
        if lines:
            lines.append(
                LineOut(
                    key="waiver",
                    kind="waiver",
                    description=waiver_basis,
                    unit="",
                    units=Decimal(0),
                    unit_fen=0,
                    amount_fen=-charged,
                    arithmetic=f"−{yuan_text(charged)} 元",
                    sittings=(),
                    dates=(),
                )
            )
        return BillOut(tuple(lines), charged, 0, True, waiver_basis)
    return BillOut(tuple(lines), charged, charged, False, "")
