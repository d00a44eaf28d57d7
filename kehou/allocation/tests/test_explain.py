"""Explanations agree with the cutoffs; metrics and their group breakdown."""

from hypothesis import given, settings
from hypothesis import strategies as st

from kehou.allocation import Child, Offering, allocate, compute_metrics, explain
from kehou.allocation.explain import round_key

from .strategies import instances


def test_sentence_for_a_second_choice():
    offerings = [Offering("a", 1), Offering("b", 1)]
    children = [Child(1, 3, 1, ("a", "b")), Child(2, 3, 1, ("a", "b"))]
    result = allocate(children, offerings, seed="s", lottery={1: 412, 2: 1733})
    why = explain(result, children, offerings)
    assert why[1].text == "您获得了第1志愿"
    assert why[2].text == (
        "您获得了第2志愿;第1志愿已满,录取线为(优先类别1, 抽签号0412),您的为(优先类别1, 抽签号1733)"
    )
    named = explain(result, children, offerings, names={"a": "机器人", "b": "合唱"})
    assert named[2].text.startswith("您获得了第2志愿「合唱」;第1志愿「机器人」已满")


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
    why = explain(result, children, offerings, names={"care": "作业辅导"})
    assert why[1].text == (
        "您获得了第2志愿;第1志愿不面向您孩子所在年级;第3志愿与您已获得的第2志愿时间冲突"
    )
    assert why[2].outcome == "fallback"
    assert why[2].text.startswith("已为您安排兜底的基础托管「作业辅导」;第1志愿已满")
    assert why[3].text == "已为您安排兜底的基础托管「作业辅导」"


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
