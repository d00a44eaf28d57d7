"""Explanations agree with the cutoffs; metrics and their group breakdown."""

from hypothesis import given, settings
from hypothesis import strategies as st

from kehou.allocation import Child, Offering, allocate, compute_metrics, explain
from kehou.allocation.explain import render, round_key

from .strategies import instances


def test_sentence_for_a_second_choice():
    offerings = [Offering("a", 1), Offering("b", 1)]
    children = [Child(1, 3, 1, ("a", "b")), Child(2, 3, 1, ("a", "b"))]
    result = allocate(children, offerings, seed="s", lottery={1: 412, 2: 1733})
    names = {"a": "机器人", "b": "合唱"}
    why = explain(result, children, offerings, names=names)
    # one plain sentence per choice, in rank order, no priority pairs
    assert why[1].text == (
        "第1志愿「机器人」：已录取。"
        "第2志愿「合唱」：孩子已获得排在前面的志愿（每位孩子最多参加1个拓展项目），这一项不再安排。"
    )
    assert why[2].text == (
        "第1志愿「机器人」：报名的孩子比名额多，按抽签号从小到大录取，录取到412号，"
        "孩子的抽签号是1733号。第2志愿「合唱」：已录取。"
    )
    for e in why.values():
        assert "优先类别" not in e.text and "抽签号0" not in e.text
    # the same sentences in English
    assert render(why[2].sentences, "en") == [
        "Choice 1, “机器人”: more children asked than there were seats; seats went by lottery "
        "number from the smallest, up to number 412; your child's number is 1733.",
        "Choice 2, “合唱”: a seat is yours.",
    ]


def test_sentences_for_grade_conflict_fallback_and_no_list():
    offerings = [
        Offering("a", 1, (5, 6), {(1, 1)}),
        Offering("b", 1, (1, 6), {(1, 1)}),
        Offering("c", 1, (1, 6), {(1, 1)}),
        Offering("care", 0, (1, 6), {(3, 1)}),
    ]
    children = [Child(1, 3, 1, ("a", "b", "c")), Child(2, 3, 1, ("b",)), Child(3, 3, 1)]
    result = allocate(
        children, offerings, seed="s", k=2, lottery={1: 1, 2: 2, 3: 3}, fallback=["care"]
    )
    names = {"a": "篮球", "b": "合唱", "c": "舞蹈", "care": "作业辅导"}
    why = explain(result, children, offerings, names=names)
    assert [kind for kind, _ in why[1].sentences] == ["grade", "got", "conflict"]
    assert why[1].text == (
        "第1志愿「篮球」：不招收孩子所在的年级。第2志愿「合唱」：已录取。"
        "第3志愿「舞蹈」：与已录取的第2志愿「合唱」上课时间相同。"
    )
    assert why[2].outcome == "fallback"
    assert why[2].text.startswith("已为孩子安排基础托管「作业辅导」")
    assert "第1志愿「合唱」：" in why[2].text
    assert why[3].text == "已为孩子安排基础托管「作业辅导」，保证放学后有老师照看。"


def test_a_choice_lost_to_a_priority_group_and_the_familys_own_ranks():
    offerings = [Offering("a", 1), Offering("b", 2)]
    children = [Child(1, 3, 0, ("a", "b")), Child(2, 3, 1, ("a", "b"))]
    result = allocate(children, offerings, seed="s", lottery={1: 900, 2: 5})
    # the family ranked homework first: the run saw "a" as its 1st, the family's 2nd
    why = explain(
        result, children, offerings, names={"a": "A", "b": "B"}, family_ranks={2: {"a": 2, "b": 3}}
    )
    assert why[2].sentences[0] == ("full_priority", {"rank": 2, "name": "A"})
    assert why[2].text.startswith("第2志愿「A」：名额全部录取了政策规定优先保障的孩子")
    assert "第3志愿「B」：已录取。" in why[2].text
    assert render(why[2].sentences, "en")[0].startswith("Choice 2, “A”: every seat went to")


@settings(max_examples=80, derandomize=True, deadline=None)
@given(instances(conflicts=True), st.integers(1, 3), st.sampled_from(["da", "rsd"]))
def test_explanations_are_consistent_with_cutoffs(inst, k, mechanism):
    children, offerings, seed = inst
    result = allocate(children, offerings, seed=seed, k=k, mechanism=mechanism)
    off = {o.id: o for o in offerings}
    holders = result.holders()
    why = explain(result, children, offerings)
    for c in children:
        held = set(result.offerings_of(c.id))
        for r in why[c.id].reasons:
            assert r.offering not in held
            assert r.rank == c.choices.index(r.offering) + 1
            if r.kind == "grade":
                assert not off[r.offering].admits(c.grade)
            elif r.kind == "conflict":
                assert r.conflict_with in held
                assert off[r.offering].conflicts(off[r.conflict_with])
            else:
                assert r.kind in ("full", "full_earlier")
                assert len(holders[r.offering]) == off[r.offering].capacity
                if r.kind == "full" and r.round:
                    assert round_key(r.cutoff, r.reverse) < round_key(r.own, r.reverse)
        if k == 1 and mechanism == "da":
            # the seat is the first eligible choice the child's priority clears
            got = result.offerings_of(c.id)
            upto = c.choices.index(got[0]) if got else len(c.choices)
            assert [r.rank for r in why[c.id].reasons] == list(range(1, upto + 1))
            for r in why[c.id].reasons:
                assert r.kind in ("grade", "full") or (r.kind, r.round) == ("full_earlier", 0)


def test_metrics_break_down_by_group():
    offerings = [Offering("a", 1), Offering("b", 1)]
    children = [Child(1, 3, 0, ("a", "b")), Child(2, 4, 1, ("a", "b")), Child(3, 4, 1, ("a",))]
    result = allocate(children, offerings, seed="s", lottery={1: 3, 2: 1, 3: 2})
    groups = {
        "priority_group": {1: ["left_behind", "low_income"], 2: "other", 3: "other"},
        "grade": {1: 3, 2: 4, 3: 4},
    }
    m = compute_metrics(result, children, offerings, groups=groups)
    assert m["overall"]["first_choice"] == round(1 / 3, 4)
    assert m["overall"]["rank_distribution"] == {"1": 1, "2": 1, "none": 1}
    assert m["overall"]["unassigned"] == 1
    assert m["overall"]["justified_envy"] == 0 and m["overall"]["waste"] == 0
    assert m["groups"]["priority_group"]["left_behind"]["first_choice"] == 1.0
    assert m["groups"]["priority_group"]["other"]["unassigned"] == 1
    assert m["groups"]["grade"]["4"]["children"] == 2
    assert m["offerings"]["a"] == {
        "capacity": 1,
        "first_choice_demand": 3,
        "demand_ratio": 3.0,
        "filled": 1,
        "fill_rate": 1.0,
        "filled_round": 1,
        "cutoff": [0, 3],
        "waitlist": 2,
    }
