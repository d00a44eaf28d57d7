"""A child's ledger, pure: what was billed, waived, refunded, paid and paid back, and the
balance. Integer fen; no Django (kehou.payments reads the rows and calls this).

Sign convention: the balance is what the family still owes the school. Positive: the
family owes; negative: the school holds the family's money (a refund not yet paid back,
or an overpayment).

    balance = billed − waived − refunded − paid + paid back

- billed: each bill's charge before waivers (`Bill.charged_fen`);
- waived: what its waiver took off (charged − `Bill.total_fen`);
- refunded: each refund of service not delivered (billing's due, `Refund.amount_fen`),
  credited in full, whether the bill was paid or not: a family never owes for service it
  did not get; the refunds of one bill together never more than the bill;
- paid: every live payment;
- paid back: every live payout (a refund handed back).

What was paid towards a bill: payments that name a bill go to it first (up to what it
asks); everything else, and any excess, goes to the bills in date order, the oldest
first. Money left over is the family's credit.

What may be paid back in cash on a refund (`refund_open`): what the family paid towards
the bill beyond what the service delivered cost (the bill less its refunds), less what
was paid back already. So a refund in cash is never more than what was paid (004), and
an unpaid bill's refund simply lowers what is owed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class BillIn:
    key: int
    day: dt.date
    charged_fen: int
    total_fen: int  # after waivers


@dataclass(frozen=True)
class PaymentIn:
    key: int
    day: dt.date
    amount_fen: int
    bill_key: int | None = None


@dataclass(frozen=True)
class RefundIn:
    key: int
    bill_key: int
    due_fen: int


@dataclass(frozen=True)
class PayoutIn:
    key: int
    refund_key: int
    amount_fen: int


@dataclass
class LedgerFigures:
    billed: int = 0
    waived: int = 0
    refunded: int = 0
    paid: int = 0
    paid_back: int = 0
    paid_to_bill: dict[int, int] = field(default_factory=dict)
    refund_granted: dict[int, int] = field(default_factory=dict)
    # what may still be paid back in cash on each refund (see the module's docstring)
    refund_open: dict[int, int] = field(default_factory=dict)

    @property
    def owed(self) -> int:
        return self.billed - self.waived - self.refunded - self.paid + self.paid_back

    @property
    def credit(self) -> int:
        return max(0, -self.owed)


def allocate(bills: Sequence[BillIn], payments: Sequence[PaymentIn]) -> dict[int, int]:
    """What was paid towards each bill (see the module's docstring)."""
    asks = {b.key: b.total_fen for b in bills}
    paid = dict.fromkeys(asks, 0)
    loose = 0
    for payment in sorted(payments, key=lambda p: (p.day, p.key)):
        amount = payment.amount_fen
        if payment.bill_key in asks:
            taken = min(amount, asks[payment.bill_key] - paid[payment.bill_key])
            paid[payment.bill_key] += max(taken, 0)
            amount -= max(taken, 0)
        loose += amount
    for bill in sorted(bills, key=lambda b: (b.day, b.key)):
        taken = min(loose, asks[bill.key] - paid[bill.key])
        if taken > 0:
            paid[bill.key] += taken
            loose -= taken
    return paid


def figures(
    bills: Sequence[BillIn],
    payments: Sequence[PaymentIn],
    refunds: Sequence[RefundIn] = (),
    payouts: Sequence[PayoutIn] = (),
) -> LedgerFigures:
    out = LedgerFigures()
    out.billed = sum(b.charged_fen for b in bills)
    out.waived = sum(b.charged_fen - b.total_fen for b in bills)
    out.paid = sum(p.amount_fen for p in payments)
    out.paid_to_bill = allocate(bills, payments)
    by_bill: dict[int, list[RefundIn]] = {}
    for refund in sorted(refunds, key=lambda r: (r.bill_key, r.key)):
        by_bill.setdefault(refund.bill_key, []).append(refund)
    totals = {b.key: b.total_fen for b in bills}
    cash: dict[int, int] = {}
    for bill_key, items in by_bill.items():
        room = totals.get(bill_key, 0)
        for refund in items:
            granted = max(0, min(refund.due_fen, room))
            out.refund_granted[refund.key] = granted
            room -= granted
        delivered = totals.get(bill_key, 0) - sum(out.refund_granted[r.key] for r in items)
        cash_room = max(0, out.paid_to_bill.get(bill_key, 0) - delivered)
        for refund in items:
            cash[refund.key] = min(out.refund_granted[refund.key], cash_room)
            cash_room -= cash[refund.key]
    out.refunded = sum(out.refund_granted.values())
    back: dict[int, int] = {}
    for payout in payouts:
        back[payout.refund_key] = back.get(payout.refund_key, 0) + payout.amount_fen
    out.paid_back = sum(back.values())
    out.refund_open = {key: max(0, cash[key] - back.get(key, 0)) for key in cash}
    return out
