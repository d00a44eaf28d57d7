"""Pay arithmetic (kehou.money.pay, kehou.money.budget): property tests."""

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from kehou.money import round_half_up
from kehou.money.budget import Assumptions, Fee, Group, estimate
from kehou.money.pay import Agreement, Note, Rates, Task, Work, hours_of, price, work_of

FLOOR = 6000
DAY = dt.date(2026, 10, 12)


def rates(**kw):
    values = {
        "per_class_hour": 6000,
        "per_tutoring_hour": 6000,
        "per_club_session": 8000,
        "per_duty_day": 5000,
        "class_hour_minutes": 40,
    } | kw
    return Rates(**values)


def test_the_mapping_of_sittings_to_work():
    assert work_of("regular") is Work.TUTORING
    assert work_of("extended_care") is Work.TUTORING
    assert work_of("offering", "homework") is Work.TUTORING
    assert work_of("offering", "club") is Work.CLUB
    assert work_of("offering", "interest_group") is Work.CLUB
    assert work_of("offering", "arts") is Work.CLASS


def test_a_line_adds_up_and_rounds_once_per_kind():
    # three 50-minute sittings of 45-minute class-hours at 60: 3 × 66.666… = 200.00
    r = rates(class_hour_minutes=45)
    tasks = [Task(Work.CLASS, DAY + dt.timedelta(days=i), r, minutes=50, ref=i) for i in range(3)]
    line = price(tasks, floor=FLOOR)
    assert line.part(Work.CLASS).amount == 20000
    assert sorted(p.amount for p in line.items) == [6666, 6667, 6667]
    assert line.total == line.increment == 20000 and line.labour == 0


def test_an_external_outside_the_agreement_is_listed_unpaid():
    agreement = Agreement(9000, starts=DAY, ends=DAY)
    tasks = [
        Task(Work.CLASS, DAY, rates(), minutes=40, ref=1),
        Task(Work.CLASS, DAY + dt.timedelta(days=1), rates(), minutes=40, ref=2),
    ]
    line = price(tasks, floor=FLOOR, agreement=agreement)
    assert line.total == line.labour == 9000 and line.increment == 0
    assert [p.note for p in line.unpaid] == [Note.OUTSIDE_AGREEMENT]


sittings = st.lists(
    st.tuples(
        st.sampled_from([Work.CLASS, Work.TUTORING, Work.CLUB, Work.DUTY]),
        st.integers(min_value=1, max_value=240),
        st.integers(min_value=0, max_value=30),
    ),
    max_size=40,
)
school_rates = st.builds(
    Rates,
    per_class_hour=st.integers(min_value=FLOOR, max_value=50000),
    per_tutoring_hour=st.integers(min_value=FLOOR, max_value=50000),
    per_club_session=st.integers(min_value=0, max_value=50000),
    per_duty_day=st.integers(min_value=0, max_value=50000),
    class_hour_minutes=st.integers(min_value=10, max_value=120),
)


def _tasks(rows, r):
    return [
        Task(work, DAY + dt.timedelta(days=day), r, minutes=0 if work is Work.DUTY else m, ref=i)
        for i, (work, m, day) in enumerate(rows)
    ]


@given(sittings, school_rates)
def test_pay_is_at_least_the_floor_for_every_hour(rows, r):
    """For every line and each kind of work: pay ≥ floor × hours (rounded half up), and a
    line is the sum of its items."""
    line = price(_tasks(rows, r), floor=FLOOR)
    for work in (Work.CLASS, Work.TUTORING, Work.CLUB):
        part = line.part(work)
        assert part.amount >= round_half_up(FLOOR * part.hours)
    assert line.total == sum(p.amount for p in line.items)
    assert (
        line.total
        >= round_half_up(
            FLOOR
            * sum((line.part(w).hours for w in (Work.CLASS, Work.TUTORING, Work.CLUB)), Decimal(0))
        )
        - 2
    )  # at most half a fen per kind lost to the one rounding each


@given(sittings, st.integers(min_value=FLOOR, max_value=50000), school_rates)
def test_an_external_at_or_above_the_floor_is_paid_at_least_the_floor(rows, agreed, r):
    line = price(_tasks(rows, r), floor=FLOOR, agreement=Agreement(agreed))
    for work in (Work.CLASS, Work.TUTORING, Work.CLUB):
        part = line.part(work)
        exact = Fraction(part.minutes, r.class_hour_minutes)  # the hours, exactly
        assert part.amount == math.floor(agreed * exact + Fraction(1, 2))
        assert part.amount >= math.floor(FLOOR * exact + Fraction(1, 2))


@given(sittings, school_rates)
def test_pricing_twice_gives_the_same_line(rows, r):
    first = price(_tasks(rows, r), floor=FLOOR)
    again = price(list(reversed(_tasks(rows, r))), floor=FLOOR)
    assert [(p.task.ref, p.amount) for p in first.items] == [
        (p.task.ref, p.amount) for p in again.items
    ]


def test_the_budget_adds_cost_income_and_gap():
    # 80 sittings of 80-minute tutoring (160 class-hours at 60), 16 club sessions of 60
    # minutes (raised to 90 each), 80 duty days with one person at 50
    groups = [
        Group("regular", Work.TUTORING, 80, 80),
        Group("club", Work.CLUB, 16, 60),
    ]
    budget = estimate(
        groups,
        rates=rates(),
        floor=FLOOR,
        duty_days=80,
        assumptions=Assumptions(children=100, waived_children=10, other_subsidy=100000),
        fee=Fee(per_unit=30000, subsidy_per_unit=5000, units_per_child=Decimal(1)),
    )
    assert [line.amount for line in budget.lines] == [960000, 144000]
    assert budget.duty_amount == 400000
    assert budget.staff_cost == 960000 + 144000 + 400000
    assert budget.fee_income == 90 * 30000 and budget.subsidy_income == 100 * 5000
    assert budget.income == 2700000 + 500000 + 100000
    assert budget.gap == budget.income - budget.staff_cost
    assert hours_of(80, 40) == 2


def test_no_fee_standard_means_no_fee_income():
    budget = estimate(
        [Group("regular", Work.TUTORING, 10, 40)],
        rates=rates(),
        floor=FLOOR,
        duty_days=0,
        assumptions=Assumptions(children=50),
        fee=None,
    )
    assert budget.fee_income == 0 and budget.gap == -60000
