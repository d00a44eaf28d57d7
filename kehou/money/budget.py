"""The term's budget (经费测算, 002), pure: "根据课后服务课时、时间段共分课后服务值班、作业辅导、
社团活动来进行经费预算".

Before term, from the plan's and the menu's sittings (grouped: same category, same length,
same pay), the duty days, the expected enrolment and the fee standard:

- staff cost: each group's sittings at the school's rates (kehou.money.pay: class-hours,
  tutoring hours, club sessions at least the floor for their hours, an external
  instructor's group at their agreed rate), plus duty days × duty staff a day × the rate;
- income: the fee per unit × units per child × the children who pay (expected children
  less those expected to be waived, 建档立卡/低保), the standard's subsidy per unit × units
  per child × every expected child, and any other subsidy the school expects;
- the gap: income less cost (negative: a shortfall to be met).

Every amount is integer fen, rounded once per figure, half up (`ROUNDING_RULE`).
No Django here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from kehou.money import round_half_up, times
from kehou.money.pay import Rates, Work, hours_of


class BudgetError(ValueError):
    pass


@dataclass(frozen=True)
class Group:
    """Planned sittings alike: `key` names them (a category or a plan slot's kind)."""

    key: str
    work: Work
    sittings: int
    minutes_each: int
    agreed_per_class_hour: int | None = None  # an external instructor's agreement

    @property
    def minutes(self) -> int:
        return self.sittings * self.minutes_each


@dataclass(frozen=True)
class Assumptions:
    children: int  # expected children in the service
    waived_children: int = 0  # of them, expected to be waived (pay no fee)
    duty_staff_per_day: int = 1
    other_subsidy: int = 0  # fen, for the term, beyond the standard's subsidy per unit

    def __post_init__(self) -> None:
        values = (self.children, self.waived_children, self.duty_staff_per_day, self.other_subsidy)
        if any(not isinstance(v, int) or v < 0 for v in values):
            raise BudgetError("assumptions are non-negative whole numbers")
        if self.waived_children > self.children:
            raise BudgetError("more children waived than expected")


@dataclass(frozen=True)
class Fee:
    """The fee standard as the budget reads it: fen per unit, subsidy per unit, and how
    many units one child's term makes (a term: 1; months; service days; class-hours)."""

    per_unit: int
    subsidy_per_unit: int
    units_per_child: Decimal


@dataclass
class CostLine:
    key: str
    work: Work
    sittings: int = 0
    minutes: int = 0
    hours: Decimal = Decimal(0)
    amount: int = 0


@dataclass
class Budget:
    lines: list[CostLine]
    duty_days: int
    duty_amount: int
    fee_income: int
    subsidy_income: int
    other_subsidy: int
    assumptions: Assumptions
    fee: Fee | None
    by_work: dict[Work, int] = field(default_factory=dict)

    @property
    def staff_cost(self) -> int:
        return sum(line.amount for line in self.lines) + self.duty_amount

    @property
    def income(self) -> int:
        return self.fee_income + self.subsidy_income + self.other_subsidy

    @property
    def gap(self) -> int:
        """Income less cost: negative is a shortfall."""
        return self.income - self.staff_cost

    @property
    def sittings(self) -> int:
        return sum(line.sittings for line in self.lines)

    @property
    def hours(self) -> Decimal:
        return sum((line.hours for line in self.lines), Decimal(0))


def _group_exact(group: Group, rates: Rates, floor: int | None) -> Decimal:
    hours = hours_of(group.minutes_each, rates.class_hour_minutes)
    if group.agreed_per_class_hour is not None:
        each = Decimal(group.agreed_per_class_hour) * hours
    elif group.work is Work.CLUB:
        least = Decimal(floor) * hours if floor is not None else Decimal(0)
        each = max(Decimal(rates.per_club_session), least)
    elif group.work is Work.CLASS:
        each = Decimal(rates.per_class_hour) * hours
    elif group.work is Work.TUTORING:
        each = Decimal(rates.per_tutoring_hour) * hours
    else:
        raise BudgetError("duty is counted in days, not in sittings")
    return each * group.sittings


def estimate(
    groups: Sequence[Group],
    *,
    rates: Rates,
    floor: int | None,
    duty_days: int,
    assumptions: Assumptions,
    fee: Fee | None,
) -> Budget:
    """The term's budget; `fee` None = no fee standard (001: nothing may be charged)."""
    if duty_days < 0:
        raise BudgetError("duty days are not negative")
    by_key: dict[str, CostLine] = {}
    exact: dict[str, Decimal] = {}
    for group in groups:
        if group.sittings < 0 or group.minutes_each <= 0:
            raise BudgetError(f"not a group of sittings: {group!r}")
        line = by_key.setdefault(group.key, CostLine(group.key, group.work))
        line.sittings += group.sittings
        line.minutes += group.minutes
        line.hours += hours_of(group.minutes, rates.class_hour_minutes)
        exact[group.key] = exact.get(group.key, Decimal(0)) + _group_exact(group, rates, floor)
    for key, line in by_key.items():
        line.amount = round_half_up(exact[key])
    duty_amount = rates.per_duty_day * duty_days * assumptions.duty_staff_per_day
    paying = assumptions.children - assumptions.waived_children
    if fee is None:
        fee_income = subsidy_income = 0
    else:
        fee_income = times(fee.per_unit, fee.units_per_child * paying)
        subsidy_income = times(fee.subsidy_per_unit, fee.units_per_child * assumptions.children)
    lines = sorted(by_key.values(), key=lambda line: (list(Work).index(line.work), line.key))
    by_work = {work: 0 for work in Work}
    for line in lines:
        by_work[line.work] += line.amount
    by_work[Work.DUTY] += duty_amount
    return Budget(
        lines=lines,
        duty_days=duty_days,
        duty_amount=duty_amount,
        fee_income=fee_income,
        subsidy_income=subsidy_income,
        other_subsidy=assumptions.other_subsidy,
        assumptions=assumptions,
        fee=fee,
        by_work=by_work,
    )
