"""Benchmark of the pure-Python allocation core (kehou.allocation), no database.

Prints figures only (no assertions on time):
- one synthetic school: 3,000 children x 60 offerings x 5-6 choices (Zipf popularity, grade
  bands, 8 % tier 0), k = 1 and k = 2: mechanism time and quality metrics for DA (round-wise DA
  for k = 2), FCFS in random arrival order and tiered RSD;
- for k = 2: the share of sampled children who could gain by a swap/promote misreport;
- the whole city: 362 schools, 190,000 children, mechanism time.
- for k = 1, beside them the rank-sum optimum (OR-Tools min-cost flow), as a diagnostic of
  what stability costs: it places more children but leaves justified envy and ignores the
  priority groups (needs `pip install -e ".[bench]"`; skipped with a note otherwise).

Run: .venv/bin/python bench/allocation_core.py [--samples 100] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kehou.allocation import (  # noqa: E402
    Child,
    Offering,
    allocate,
    compute_metrics,
    deferred_acceptance,
    fcfs,
)

BANDS = [(1, 2), (3, 4), (5, 6), (1, 3), (4, 6), (1, 6)]


def school(rng: random.Random, n: int, m: int, *, k: int, prefix: str = ""):
    """n children, m offerings; seats = k x applicants; a quarter of offerings meet twice."""
    popularity = list(range(m))
    rng.shuffle(popularity)
    weight = {j: 1 / (popularity[j] + 1) for j in range(m)}  # Zipf, s = 1
    raw = [rng.uniform(0.5, 1.5) for _ in range(m)]
    scale = k * n / sum(raw)
    offerings = []
    for j in range(m):
        day = j % 5 + 1
        meetings = {(day, 1)}
        if j % 4 == 3:
            meetings.add(((day + 1) % 5 + 1, 1))
        offerings.append(
            Offering(f"{prefix}o{j}", max(1, round(raw[j] * scale)), BANDS[j % 6], meetings)
        )
    eligible = {
        g: [j for j in range(m) if BANDS[j % 6][0] <= g <= BANDS[j % 6][1]] for g in range(1, 7)
    }
    children = []
    for i in range(n):
        grade = i % 6 + 1
        pool = list(eligible[grade])
        want = min(len(pool), rng.choice((5, 6)))
        picks = []
        for _ in range(want):  # weighted sampling without replacement
            total = sum(weight[j] for j in pool)
            x = rng.random() * total
            for idx, j in enumerate(pool):  # noqa: B007
                x -= weight[j]
                if x <= 0:
                    break
            picks.append(pool.pop(idx))
        tier = 0 if rng.random() < 0.08 else 1
        children.append(Child(f"{prefix}c{i}", grade, tier, tuple(f"{prefix}o{j}" for j in picks)))
    return children, offerings


def timed(fn, repeat=3):
    best = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return out, best


def row(label, result, children, offerings, seconds):
    groups = {"tier": {c.id: str(c.tier) for c in children}}
    m = compute_metrics(result, children, offerings, groups=groups)
    o = m["overall"]
    t0 = m["groups"]["tier"].get("0", {})
    t1 = m["groups"]["tier"].get("1", {})
    gap = m["luck_gap"]
    print(
        f"  {label:<14} {seconds * 1000:8.1f} ms  1st {o['first_choice']:6.1%}  "
        f"top3 {o['top_three']:6.1%}  unassigned {o['unassigned_share']:6.1%}  "
        f"zero {o['zero_activities'] / o['children']:6.1%}  items {o['mean_items']:.2f}  "
        f"envy {o['justified_envy']:5d}  waste {o['waste']:4d}  "
        f"1st tier0/tier1 {t0.get('first_choice', 0):.0%}/{t1.get('first_choice', 0):.0%}  "
        f"luck 1st {gap['luckiest_decile_first_choice']:.0%} vs "
        f"{gap['unluckiest_decile_first_choice']:.0%}"
    )


def bundle(child, result, k):
    ranks = sorted(
        child.choices.index(o) for o in result.offerings_of(child.id) if o in child.choices
    )
    return tuple(ranks + [float("inf")] * (k - len(ranks)))


def deviations(choices):
    out = []
    for i in range(len(choices) - 1):  # swap neighbours
        lst = list(choices)
        lst[i], lst[i + 1] = lst[i + 1], lst[i]
        out.append(tuple(lst))
    for i in range(1, len(choices)):  # promote to the top
        out.append((choices[i], *choices[:i], *choices[i + 1 :]))
    return list(dict.fromkeys(out))


def manipulability(children, offerings, *, seed, k, mechanism, samples, rng):
    truthful = allocate(children, offerings, seed=seed, k=k, mechanism=mechanism)
    lottery = truthful.lottery  # the draw stays fixed while one family misreports
    index = {c.id: i for i, c in enumerate(children)}
    sample = rng.sample(children, samples)
    gainers = tried = 0
    t = time.perf_counter()
    for child in sample:
        honest = bundle(child, truthful, k)
        i = index[child.id]
        for lst in deviations(child.choices):
            tried += 1
            liar = Child(child.id, child.grade, child.tier, lst)
            others = children[:i] + [liar] + children[i + 1 :]
            result = allocate(
                others,
                offerings,
                seed=seed,
                k=k,
                mechanism=mechanism,
                lottery=lottery,
                waitlists=False,
            )
            if bundle(child, result, k) < honest:
                gainers += 1
                break
    dt = time.perf_counter() - t
    print(
        f"  {mechanism:<4} k={k}: {gainers}/{samples} sampled children could gain "
        f"({gainers / samples:.1%}); {tried} deviations tried in {dt:.1f} s"
    )


def rank_sum_optimum(children, offerings, da) -> None:
    """The assignment minimising the sum of ranks (unplaced = list length + 1), by
    min-cost flow; its justified envy is counted against DA's (tier, lottery) order."""
    try:
        from ortools.graph.python import min_cost_flow
    except ImportError:
        print("  rank-sum optimum: skipped (OR-Tools not installed: pip install -e '.[bench]')")
        return
    started = time.perf_counter()
    flow = min_cost_flow.SimpleMinCostFlow()
    off_index = {o.id: len(children) + i for i, o in enumerate(offerings)}
    source, sink = len(children) + len(offerings), len(children) + len(offerings) + 1
    arcs = {}
    for i, c in enumerate(children):
        flow.add_arc_with_capacity_and_unit_cost(source, i, 1, 0)
        eligible = [o for o in c.choices if next(x for x in offerings if x.id == o).admits(c.grade)]
        for rank, o in enumerate(eligible, 1):
            arcs[flow.add_arc_with_capacity_and_unit_cost(i, off_index[o], 1, rank)] = (c.id, o)
        flow.add_arc_with_capacity_and_unit_cost(i, sink, 1, len(c.choices) + 1)
    for o in offerings:
        flow.add_arc_with_capacity_and_unit_cost(off_index[o.id], sink, o.capacity, 0)
    flow.set_node_supply(source, len(children))
    flow.set_node_supply(sink, -len(children))
    if flow.solve() != flow.OPTIMAL:
        print("  rank-sum optimum: no optimal flow found")
        return
    seconds = time.perf_counter() - started
    got = {arcs[a][0]: arcs[a][1] for a in arcs if flow.flow(a) > 0}
    rank_of = {c.id: {o: r for r, o in enumerate(c.choices, 1)} for c in children}
    first = sum(1 for c in children if got.get(c.id) == (c.choices[0] if c.choices else None))
    top3 = sum(1 for c in children if rank_of[c.id].get(got.get(c.id), 99) <= 3)
    priority = {c.id: (da.tiers[c.id], da.lottery[c.id]) for c in children}
    worst = {}
    for child, o in got.items():
        worst[o] = max(worst.get(o, (-1, -1)), priority[child])
    envy = 0
    by_id = {o.id: o for o in offerings}
    for c in children:
        own = rank_of[c.id].get(got.get(c.id), 10**6)
        for o, r in rank_of[c.id].items():
            if r < own and by_id[o].admits(c.grade) and o in worst and worst[o] > priority[c.id]:
                envy += 1
    tier0 = [c for c in children if c.tier == 0]
    tier0_first = sum(1 for c in tier0 if c.choices and got.get(c.id) == c.choices[0])
    n = len(children)
    print(
        f"  {'rank-sum opt.':<14} {seconds * 1000:8.1f} ms  1st {first / n:6.1%}  "
        f"top3 {top3 / n:6.1%}  unassigned {(n - len(got)) / n:6.1%}  "
        f"envy {envy:5d} (diagnostic only)  1st tier0 {tier0_first / max(len(tier0), 1):.0%}"
    )


def bench_school(k, args, rng, seed):
    children, offerings = school(random.Random(args.seed), 3000, 60, k=k)
    seats = sum(o.capacity for o in offerings)
    lengths = sum(len(c.choices) for c in children) / len(children)
    print(
        f"\nSchool: {len(children)} children x {len(offerings)} offerings, "
        f"mean list {lengths:.2f}, seats {seats}, k = {k}"
    )
    da, t_da = timed(lambda: allocate(children, offerings, seed=seed, k=k))
    rsd, t_rsd = timed(lambda: allocate(children, offerings, seed=seed, k=k, mechanism="rsd"))
    arrival = [c.id for c in children]
    random.Random(args.seed + 7).shuffle(arrival)
    fc, t_fc = timed(lambda: fcfs(children, offerings, arrival=arrival, seed=seed, k=k))
    row(
        "DA" if k == 1 else "round-wise DA",
        da,
        children,
        offerings,
        t_da,
    )
    print(f"  ({da.main_rounds} rounds)")
    row("FCFS (random)", fc, children, offerings, t_fc)
    row("RSD (tiered)", rsd, children, offerings, t_rsd)
    care = Offering("care", 100, (1, 6), {(6, 1)})
    full, t_full = timed(
        lambda: allocate(children, [*offerings, care], seed=seed, k=k, fallback=["care"])
    )
    row("DA + fallback", full, children, [*offerings, care], t_full)
    print(
        f"  fallback used by {len(full.used_fallback())}, seats added {sum(full.expanded.values())}"
    )
    if k == 1:
        lottery = da.lottery
        pos = {c: i for i, c in enumerate(sorted(lottery, key=lambda c: (da.tiers[c], lottery[c])))}
        off = {o.id: o for o in offerings}
        prefs = {c.id: [o for o in c.choices if off[o].admits(c.grade)] for c in children}
        caps = {o.id: o.capacity for o in offerings}
        _, t_core = timed(lambda: deferred_acceptance(prefs, caps, pos), repeat=5)
        print(
            "  DA core alone (prepared lists; no validation, lottery or waitlists): "
            f"{t_core * 1000:.1f} ms"
        )
    if k == 1:
        rank_sum_optimum(children, offerings, da)
    if k == 2:
        print(f"Misreporting (swap/promote deviations, {args.samples} sampled children):")
        manipulability(
            children, offerings, seed=seed, k=2, mechanism="da", samples=args.samples, rng=rng
        )
        manipulability(
            children, offerings, seed=seed, k=2, mechanism="rsd", samples=args.samples, rng=rng
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=100, help="children sampled for misreports")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    seed = f"bench-{args.seed}"
    print(f"Python {sys.version.split()[0]}; seed {seed}")

    for k in (1, 2):
        bench_school(k, args, rng, seed)

    print("\nCity: 362 schools, 190,000 children (generation not timed)")
    crng = random.Random(args.seed + 1)
    raw = [crng.lognormvariate(0, 0.6) for _ in range(362)]
    sizes = [max(60, round(x * 190_000 / sum(raw))) for x in raw]
    sizes[0] += 190_000 - sum(sizes)
    for k in (1, 2):
        schools = [
            school(crng, n, max(10, min(120, n // 50)), k=k, prefix=f"s{s}-")
            for s, n in enumerate(sizes)
        ]
        for mechanism in ("da", "rsd"):
            t = time.perf_counter()
            for kids, offs in schools:
                allocate(kids, offs, seed=seed, k=k, mechanism=mechanism)
            dt = time.perf_counter() - t
            print(
                f"  {mechanism:<4} k={k}: {sum(sizes)} children in {len(schools)} schools "
                f"(largest {max(sizes)}) in {dt:.2f} s"
            )


if __name__ == "__main__":
    main()
