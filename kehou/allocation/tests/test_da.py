"""k = 1: deferred acceptance against a textbook oracle, stability, priority, strategy-proofness."""

from hypothesis import given, settings

from kehou.allocation import Child, allocate, draw_lottery, envy_and_waste

from .strategies import instances, ordered_subsets, textbook_da

FAST = settings(max_examples=100, derandomize=True, deadline=None)


def _assigned(result):
    return {c: items[0].offering for c, items in result.assignment.items() if items}


@FAST
@given(instances())
def test_da_equals_textbook_implementation(inst):
    children, offerings, seed = inst
    result = allocate(children, offerings, seed=seed)
    lottery = draw_lottery([c.id for c in children], seed)
    assert _assigned(result) == textbook_da(children, offerings, lottery)


@FAST
@given(instances())
def test_da_has_no_justified_envy_and_no_waste(inst):
    children, offerings, seed = inst
    result = allocate(children, offerings, seed=seed)
    envy, waste = envy_and_waste(result, children, offerings)
    assert envy == {} and waste == {}


@FAST
@given(instances())
def test_tier0_child_never_displaced_by_a_lower_priority_one(inst):
    children, offerings, seed = inst
    result = allocate(children, offerings, seed=seed)
    ranks = {c.id: {o: i for i, o in enumerate(c.choices)} for c in children}
    holders = result.holders()
    tiers = {c.id: c.tier for c in children}
    for c in children:
        if c.tier != 0:
            continue
        got = result.offerings_of(c.id)
        mine = ranks[c.id][got[0]] if got else len(c.choices)
        for o in c.choices[:mine]:
            if next(x for x in offerings if x.id == o).admits(c.grade):
                assert all(tiers[d] == 0 for d in holders[o])


def _true_rank(child, result):
    got = result.offerings_of(child.id)
    return child.choices.index(got[0]) if got and got[0] in child.choices else len(child.choices)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(instances(max_children=6, max_offerings=3))
def test_da_is_strategy_proof_by_brute_force(inst):
    # given a fixed lottery / when any one child reports any ordered subset of offerings
    # then it never gets something it truly prefers
    children, offerings, seed = inst
    truthful = allocate(children, offerings, seed=seed)
    lists = ordered_subsets([o.id for o in offerings])
    for i, child in enumerate(children):
        honest = _true_rank(child, truthful)
        for lst in lists:
            liar = Child(child.id, child.grade, child.tier, lst)
            others = children[:i] + [liar] + children[i + 1 :]
            result = allocate(others, offerings, seed=seed)
            assert _true_rank(child, result) >= honest, (child, lst)
