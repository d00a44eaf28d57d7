"""Quality metrics of a run (JSON-ready dicts), overall and per caller-supplied group.

Definitions (a child's *rank* of a seat is its 1-based position in the child's list):
- `rank_distribution`: children by the rank of their best listed seat ("none" = no listed seat).
- `first_choice` / `top_three`: share of children holding their 1st choice / one of the top 3.
- `unassigned`: children with no listed seat (they may hold a fallback seat);
  `zero_activities`: children holding nothing at all; `fallback`: children placed by fallback.
- `mean_items`: seats per child; `mean_best_rank`: over children with a listed seat.
- `justified_envy`: pairs (child c, offering o) such that c would rather have o (see
  `mechanisms.wants`; for k = 1 simply "ranked above its seat") and o holds a child with a
  worse (tier, lottery). `waste`: pairs (c, o) with c wanting o while o has a free seat.
  Both are 0 for DA with k = 1 and for RSD; round-wise DA (k > 1) may show envy.
- `luck_gap`: 1st-choice share in the luckiest vs the unluckiest lottery decile.
- per offering: first-choice demand (children ranking it first), capacity, demand ratio,
  filled, fill rate, first-round cutoff (tier, lottery) when it filled in round 1.

The rank-sum optimum (min-cost flow) is not computed: OR-Tools is not installed here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .mechanisms import wants
from .types import FALLBACK, Allocation, Child, ChildId, Offering


def _summary(cids, kids, result: Allocation, envy, waste) -> dict:
    n = len(cids)
    dist: dict[str, int] = {}
    first = top3 = unassigned = zero = fallback = items = 0
    best_ranks = []
    for c in cids:
        held = result.assignment[c]
        ranks = kids[c]["rank"]
        listed = sorted(ranks[h.offering] for h in held if h.offering in ranks)
        items += len(held)
        if not held:
            zero += 1
        if any(h.stage == FALLBACK for h in held):
            fallback += 1
        if listed:
            best_ranks.append(listed[0])
            dist[str(listed[0])] = dist.get(str(listed[0]), 0) + 1
            first += listed[0] == 1
            top3 += listed[0] <= 3
        else:
            unassigned += 1
            dist["none"] = dist.get("none", 0) + 1

    def share(x):
        return round(x / n, 4) if n else 0.0

    return {
        "children": n,
        "rank_distribution": dict(
            sorted(dist.items(), key=lambda kv: (kv[0] == "none", kv[0].zfill(4)))
        ),
        "first_choice": share(first),
        "top_three": share(top3),
        "unassigned": unassigned,
        "unassigned_share": share(unassigned),
        "zero_activities": zero,
        "fallback": fallback,
        "mean_items": round(items / n, 4) if n else 0.0,
        "mean_best_rank": round(sum(best_ranks) / len(best_ranks), 4) if best_ranks else None,
        "justified_envy": sum(envy.get(c, 0) for c in cids),
        "waste": sum(waste.get(c, 0) for c in cids),
    }


def envy_and_waste(result: Allocation, children: Iterable[Child], offerings: Iterable[Offering]):
    """Per child: number of justified-envy pairs and of wasted-seat pairs (see module doc)."""
    off = {o.id: o for o in offerings}
    meet = {o: x.meetings for o, x in off.items()}
    holders = result.holders()
    worst = {o: max((result.priority(c) for c in cs), default=None) for o, cs in holders.items()}
    envy: dict[ChildId, int] = {}
    waste: dict[ChildId, int] = {}
    for child in children:
        ranks = {o: i for i, o in enumerate(child.choices, 1)}
        held = result.offerings_of(child.id)
        own = result.priority(child.id)
        for o in child.choices:
            if not off[o].admits(child.grade) or not wants(ranks, meet, held, o, result.k):
                continue
            if len(holders[o]) < result.capacity[o]:
                waste[child.id] = waste.get(child.id, 0) + 1
            elif worst[o] is not None and worst[o] > own:
                envy[child.id] = envy.get(child.id, 0) + 1
    return envy, waste


def compute_metrics(
    result: Allocation,
    children: Iterable[Child],
    offerings: Iterable[Offering],
    *,
    groups: Mapping[str, Mapping[ChildId, str | Iterable[str]]] | None = None,
) -> dict:
    """`groups` maps a dimension ("priority_group", "grade", "class", ...) to {child: label}
    (or several labels: a child in two priority groups counts in both)."""
    children = list(children)
    offerings = list(offerings)
    kids = {c.id: {"rank": {o: i for i, o in enumerate(c.choices, 1)}} for c in children}
    envy, waste = envy_and_waste(result, children, offerings)
    cids = [c.id for c in children]
    out = {
        "mechanism": result.mechanism,
        "k": result.k,
        "rounds": result.main_rounds,
        "overall": _summary(cids, kids, result, envy, waste),
        "unplaced": len(result.unplaced),
        "expanded_seats": sum(result.expanded.values()),
    }
    by_lottery = sorted(cids, key=lambda c: result.lottery[c])
    d = max(1, len(by_lottery) // 10)

    def first_share(cs):
        hits = sum(
            1 for c in cs if any(kids[c]["rank"].get(h.offering) == 1 for h in result.assignment[c])
        )
        return round(hits / len(cs), 4) if cs else 0.0

    out["luck_gap"] = {
        "luckiest_decile_first_choice": first_share(by_lottery[:d]),
        "unluckiest_decile_first_choice": first_share(by_lottery[-d:]),
    }
    out["groups"] = {}
    for dim, labels in (groups or {}).items():
        members: dict[str, list[ChildId]] = {}
        for c in cids:
            lab = labels.get(c)
            if lab is None:
                continue
            for one in [lab] if isinstance(lab, str | int) else lab:
                members.setdefault(str(one), []).append(c)
        out["groups"][dim] = {
            lab: _summary(cs, kids, result, envy, waste) for lab, cs in sorted(members.items())
        }
    first_demand: dict = {}
    for c in children:
        if c.choices:
            first_demand[c.choices[0]] = first_demand.get(c.choices[0], 0) + 1
    holders = result.holders()
    per = {}
    for o in offerings:
        cap = result.capacity[o.id]
        filled = len(holders[o.id])
        cut = result.round_cutoffs.get(1, {}).get(o.id)
        per[str(o.id)] = {
            "capacity": cap,
            "first_choice_demand": first_demand.get(o.id, 0),
            "demand_ratio": round(first_demand.get(o.id, 0) / cap, 4) if cap else None,
            "filled": filled,
            "fill_rate": round(filled / cap, 4) if cap else None,
            "filled_round": result.filled_round.get(o.id),
            "cutoff": list(cut) if cut else None,
            "waitlist": len(result.waitlists.get(o.id, ())),
        }
    out["offerings"] = per
    return out
