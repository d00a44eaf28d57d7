"""Which child (and which bill) a statement row pays for: the rule, and nothing guessed.

The rule, as the import page states it:

1. The row's payer, note and transaction number are read for a bill number (`KH`
   followed by the bill's number, as the family's money page shows it) and for the
   student numbers of the school's children (a run of letters and digits equal to one,
   ignoring case and full-width forms).
2. One bill number → that bill and its child (a student number of another child in the
   same row makes it ambiguous).
3. Otherwise one student number → that child; the bill is the one bill of that child
   whose amount due equals the row's amount, if there is exactly one (else the payment is
   the child's, against no particular bill).
4. Otherwise the full name of exactly one child of the school in the payer or the note,
   and exactly one bill of that child whose amount due equals the row's amount → that
   bill.
5. Anything else — two numbers, a name two children share, a name with no bill of that
   amount, nothing recognisable — is not matched, with the reason, for the school to
   match by hand.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

BILL_CODE_PREFIX = "KH"
_BILL_CODE = re.compile(rf"{BILL_CODE_PREFIX}0*([0-9]{{1,12}})", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9]{4,}")


def bill_code(bill_pk: int) -> str:
    """The number a family writes in the note of a transfer: KH000123."""
    return f"{BILL_CODE_PREFIX}{bill_pk:06d}"


@dataclass(frozen=True)
class ChildIn:
    pk: int
    name: str
    student_number: str


@dataclass(frozen=True)
class BillChoice:
    pk: int
    student_pk: int
    total_fen: int


@dataclass(frozen=True)
class Match:
    student_pk: int | None
    bill_pk: int | None
    code: str  # "matched" or why not
    reason: str  # "" when matched; the reason in the active language

    @property
    def matched(self) -> bool:
        return self.student_pk is not None


class Matcher:
    """The school's children and bills, indexed once for every row of a statement."""

    def __init__(self, children: list[ChildIn], bills: list[BillChoice]):
        self.children = {c.pk: c for c in children}
        self.by_number = {_norm(c.student_number).upper(): c.pk for c in children}
        self.by_name: dict[str, list[int]] = {}
        for child in children:
            name = _norm(child.name).replace(" ", "")
            if len(name) >= 2:
                self.by_name.setdefault(name, []).append(child.pk)
        self.bills = {b.pk: b for b in bills}
        self.bills_of: dict[int, list[BillChoice]] = {}
        for bill in bills:
            self.bills_of.setdefault(bill.student_pk, []).append(bill)

    def match(self, *, amount_fen: int, payer: str, note: str, reference: str) -> Match:
        text = _norm(" ".join((payer, note, reference)))
        codes = {int(m[1]) for m in _BILL_CODE.finditer(text)}
        bills = {pk for pk in codes if pk in self.bills}
        numbers = {
            self.by_number[token.upper()]
            for token in _TOKEN.findall(text)
            if token.upper() in self.by_number
        }
        if len(bills) > 1:
            return _no("two_bills", _("the row names more than one bill"))
        if codes and not bills:
            return _no("unknown_bill", _("the bill number in the row is not a bill of this school"))
        if bills:
            bill = self.bills[next(iter(bills))]
            if numbers - {bill.student_pk}:
                return _no(
                    "bill_and_number_disagree",
                    _("the bill number and the student number are of different children"),
                )
            return Match(bill.student_pk, bill.pk, "matched", "")
        if len(numbers) > 1:
            return _no("two_children", _("the row names the student numbers of two children"))
        if numbers:
            child = next(iter(numbers))
            same = [b for b in self.bills_of.get(child, []) if b.total_fen == amount_fen]
            return Match(child, same[0].pk if len(same) == 1 else None, "matched", "")
        names = _norm(" ".join((payer, note))).replace(" ", "")
        named = sorted({pk for name, pks in self.by_name.items() if name in names for pk in pks})
        if not named:
            return _no(
                "nothing_recognised",
                _("no bill number, student number or child's name in the payer or the note"),
            )
        if len(named) > 1:
            return _no(
                "two_names",
                _("the name fits more than one child (%(names)s): match it by hand")
                % {"names": "、".join(self.children[pk].name for pk in named)},
            )
        child = named[0]
        same = [b for b in self.bills_of.get(child, []) if b.total_fen == amount_fen]
        if not same:
            return _no(
                "no_bill_of_amount",
                _("%(name)s has no bill of this amount: match it by hand")
                % {"name": self.children[child].name},
            )
        if len(same) > 1:
            return _no(
                "two_bills_of_amount",
                _("%(name)s has more than one bill of this amount: match it by hand")
                % {"name": self.children[child].name},
            )
        return Match(child, same[0].pk, "matched", "")


def _no(code: str, reason: str) -> Match:
    return Match(None, None, code, reason)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")
