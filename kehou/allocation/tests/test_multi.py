"""k > 1 (round-wise DA, RSD), FCFS, second round, fallback, waiting lists and refill."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehou.allocation import (
    FALLBACK,
    AllocationInputError,
    Child,
    Offering,
    allocate,
    compute_metrics,
    envy_and_waste,
    fcfs,
    refill_vacated,
    wants,
)

from .strategies import instances, ordered_subsets

FAST = settings(max_examples=60, derandomize=True, deadline=None)
INF = float("inf")


def assert_feasible(result, children, offerings, *, k):
    off = {o.id: o for o in offerings}
    holders = result.holders()
    for o, cs in holders.items():
        assert len(cs) <= result.capacity[o]
        assert len(cs) == len(set(cs))
    for o in off:
        assert result.capacity[o] == off[o].capacity + result.expanded.get(o, 0)
    for c in children:
        held = result.offerings_of(c.id)
        main = [h.offering for h in result.assignment[c.id] if h.stage != FALLBACK]
        assert len(main) <= k
        for o in held:
            assert off[o].admits(c.grade)
        for a, b in itertools.combinations(held, 2):
            assert not off[a].conflicts(off[b])


@FAST
@given(instances(conflicts=True), st.integers(1, 3), st.sampled_from(["da", "rsd"]))
def test_capacity_grade_conflict_and_k_never_broken(inst, k, mechanism):
    children, offerings, seed = inst
    result = allocate(children, offerings, seed=seed, k=k, mechanism=mechanism)
    assert_feasible(result, children, offerings, k=k)
    # and no mechanism leaves a seat someone wants empty
    envy, waste = envy_and_waste(result, children, offerings)
    assert waste == {}
    if mechanism == "rsd":
        assert envy == {}  # no justified envy with respect to the draw order


@FAST
@given(instances(conflicts=True), st.integers(2, 3))
def test_roundwise_da_gives_one_seat_per_round_with_first_round_complete(inst, k):
    children, offerings, seed = inst
    result = allocate(children, offerings, seed=seed, k=k)
    off = {o.id: o for o in offerings}
    holders = result.holders()
    for c in children:
        rounds = [h.round for h in result.assignment[c.id]]
        assert len(rounds) == len(set(rounds))
        if not rounds:  # every eligible choice is full
            for o in c.choices:
                if off[o].admits(c.grade):
                    assert len(holders[o]) == off[o].capacity
    for r, order in result.round_order.items():
        assert order == ("reverse" if r % 2 == 0 else "forward")


def _bundle(child, result, k):
    ranks = sorted(
        child.choices.index(o) for o in result.offerings_of(child.id) if o in child.choices
    )
    return tuple(ranks + [INF] * (k - len(ranks)))


@settings(max_examples=40, derandomize=True, deadline=None)
@given(instances(max_children=4, max_offerings=4, conflicts=True))
def test_rsd_is_strategy_proof_for_lexicographic_preferences(inst):
    children, offerings, seed = inst
    k = 2
    truthful = allocate(children, offerings, seed=seed, k=k, mechanism="rsd")
    lists = ordered_subsets([o.id for o in offerings])
    for i, child in enumerate(children):
        honest = _bundle(child, truthful, k)
        for lst in lists:
            liar = Child(child.id, child.grade, child.tier, lst)
            others = children[:i] + [liar] + children[i + 1 :]
            result = allocate(others, offerings, seed=seed, k=k, mechanism="rsd")
            assert _bundle(child, result, k) >= honest


def test_rsd_tier0_children_choose_first():
    offerings = [Offering("a", 1), Offering("b", 1)]
    children = [Child(1, 3, 1, ("a", "b")), Child(2, 3, 0, ("a", "b"))]
    result = allocate(children, offerings, seed="x", k=2, mechanism="rsd")
    assert result.offerings_of(2) == ("a", "b")
    assert result.offerings_of(1) == ()


@FAST
@given(instances(conflicts=True), st.integers(1, 2), st.sampled_from(["da", "rsd"]))
def test_second_round_and_fallback_leave_no_applicant_with_nothing(inst, k, mechanism):
    children, offerings, seed = inst
    care = Offering("care", 1, (1, 3), {(9, 1)})
    result = allocate(
        children, [*offerings, care], seed=seed, k=k, mechanism=mechanism, fallback=["care"]
    )
    assert result.unplaced == ()
    assert all(result.assignment[c.id] for c in children)
    assert_feasible(result, children, [*offerings, care], k=k)
    metrics = compute_metrics(result, children, [*offerings, care])
    assert metrics["overall"]["zero_activities"] == 0
    assert metrics["overall"]["fallback"] == len(result.used_fallback())


def test_fallback_not_expandable_places_by_priority_and_reports_unplaced():
    care = Offering("care", 1, (1, 6))
    children = [Child(1, 3, 1), Child(2, 3, 0)]
    result = allocate(children, [care], seed="s", fallback=["care"], fallback_expandable=False)
    assert result.offerings_of(2) == ("care",)
    assert result.unplaced == (1,)


def test_fallback_skips_children_whose_grade_no_fallback_admits():
    care = Offering("care", 0, (1, 3))
    result = allocate([Child(1, 5), Child(2, 2)], [care], seed="s", fallback=["care"])
    assert result.unplaced == (1,)
    assert result.expanded == {"care": 1}


def test_second_round_uses_second_lists_over_remaining_seats():
    # given "a" is full after the first round and "b" (unranked) has seats
    offerings = [Offering("a", 1), Offering("b", 2)]
    children = [Child(1, 3, 1, ("a",)), Child(2, 3, 1, ("a",)), Child(3, 3, 1, ("a",))]
    result = allocate(
        children, offerings, seed="s", lottery={1: 1, 2: 2, 3: 3}, second_lists={2: ("b",)}
    )
    assert result.offerings_of(1) == ("a",)
    assert result.offerings_of(2) == ("b",)
    assert result.assignment[2][0].stage == "second"
    assert result.offerings_of(3) == ()  # its list is exhausted
    assert result.waitlists["a"] == (2, 3)


@FAST
@given(
    instances(conflicts=True),
    st.integers(1, 2),
    st.sets(st.integers(1, 8), max_size=3),
    st.lists(st.integers(0, 2), min_size=4, max_size=4),
)
def test_refill_makes_no_holder_worse_off_and_never_overfills(inst, k, withdrawn, extra):
    children, offerings, seed = inst
    care = Offering("care", 0, (1, 3), {(9, 1)})
    first = allocate(children, [*offerings, care], seed=seed, k=k, fallback=["care"])
    # when some children withdraw and some capacities grow
    grown = [
        Offering(o.id, o.capacity + extra[i], o.grades, o.meetings) for i, o in enumerate(offerings)
    ]
    refill = refill_vacated(first, children, [*grown, care], withdrawn=withdrawn)
    after = refill.allocation
    remaining = [c for c in children if c.id not in withdrawn]
    assert set(after.assignment) == {c.id for c in remaining}
    assert_feasible(after, remaining, [*grown, care], k=k)
    for c in remaining:
        old, new = set(first.offerings_of(c.id)), set(after.offerings_of(c.id))
        if k == 1:
            rank = {o: i for i, o in enumerate(c.choices)}
            best = min((rank.get(o, INF) for o in old), default=INF)
            assert min((rank.get(o, INF) for o in new), default=INF) <= best
            assert len(new) >= len(old)
        else:
            assert old <= new
        assert (c.id in refill.moved) == (old != new)
    if k == 1:
        assert envy_and_waste(after, remaining, [*grown, care])[1] == {}


def test_refill_promotes_the_waiting_list_with_the_lottery_reversed():
    # given a 1-seat offering held by child 1, waited for by 2 and 3 (same tier)
    offerings = [Offering("a", 1), Offering("b", 3)]
    children = [Child(i, 3, 1, ("a", "b")) for i in (1, 2, 3)]
    first = allocate(children, offerings, seed="s", lottery={1: 1, 2: 2, 3: 3})
    assert first.waitlists["a"] == (2, 3)
    # when child 1 withdraws
    refill = refill_vacated(first, children, offerings, withdrawn=[1])
    # then the reversed lottery offers the seat to child 3, who moves up from "b"
    assert refill.allocation.offerings_of(3) == ("a",)
    assert refill.moved == {3: (("b",), ("a",))}
    assert refill.allocation.assignment[3][0].stage == "refill"


def test_refill_refuses_a_capacity_below_its_holders():
    offerings = [Offering("a", 2)]
    children = [Child(1, 3, 1, ("a",)), Child(2, 3, 1, ("a",))]
    first = allocate(children, offerings, seed="s")
    with pytest.raises(AllocationInputError):
        refill_vacated(first, children, [Offering("a", 1)])


@FAST
@given(instances(conflicts=True), st.integers(1, 2), st.randoms(use_true_random=False))
def test_fcfs_never_overfills(inst, k, rnd):
    children, offerings, seed = inst
    arrival = [c.id for c in children]
    rnd.shuffle(arrival)
    result = fcfs(children, offerings, arrival=arrival, seed=seed, k=k)
    assert_feasible(result, children, offerings, k=k)


def test_fcfs_serves_in_arrival_order_ignoring_tiers():
    offerings = [Offering("a", 1), Offering("b", 1)]
    children = [Child(1, 3, 0, ("a", "b")), Child(2, 3, 1, ("a", "b"))]
    result = fcfs(children, offerings, arrival=[2, 1], seed="s")
    assert result.offerings_of(2) == ("a",)
    assert result.offerings_of(1) == ("b",)


def test_waitlist_has_children_who_ranked_it_above_their_seat_in_priority_order():
    offerings = [Offering("a", 1), Offering("b", 5)]
    children = [
        Child(1, 3, 1, ("a", "b")),
        Child(2, 3, 1, ("b", "a")),
        Child(3, 3, 1, ("a", "b")),
        Child(4, 3, 0, ("a", "b")),
    ]
    result = allocate(children, offerings, seed="s", lottery={1: 1, 2: 2, 3: 3, 4: 4})
    assert result.offerings_of(4) == ("a",)
    assert result.waitlists["a"] == (1, 3)
    assert result.waitlists["b"] == ()


def test_wants_compares_bundles_lexicographically():
    meet = {"a": frozenset({(1, 1)}), "b": frozenset({(1, 1)}), "c": frozenset({(2, 1)})}
    rank = {"a": 1, "b": 2, "c": 3}
    assert wants(rank, meet, ["b"], "a", 1)
    assert not wants(rank, meet, ["a"], "b", 2)  # clashes with a better seat
    assert wants(rank, meet, ["a"], "c", 2)  # a free slot and no clash
    assert not wants(rank, meet, ["a", "b"], "c", 2)  # full with better seats


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mechanism": "boston"},
        {"k": 0},
        {"fallback": ["nope"]},
        {"second_lists": {99: ("a",)}},
    ],
)
def test_bad_arguments_refused(kwargs):
    with pytest.raises(AllocationInputError):
        allocate([Child(1, 3, 1, ("a",))], [Offering("a", 1)], seed="s", **kwargs)


def test_bad_inputs_refused():
    with pytest.raises(AllocationInputError):
        allocate([Child(1, 3, 1, ("zz",))], [Offering("a", 1)], seed="s")
    with pytest.raises(AllocationInputError):
        allocate([Child(1, 3), Child(1, 4)], [Offering("a", 1)], seed="s")
    with pytest.raises(AllocationInputError):
        Child(1, 3, 1, ("a", "a"))
    with pytest.raises(AllocationInputError):
        Offering("a", -1)
    with pytest.raises(AllocationInputError):
        Offering("a", 1, (5, 2))
    assert Offering("a", 1, range(1, 4)).grades == (1, 3)
