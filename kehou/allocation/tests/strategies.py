"""Hypothesis strategies and a textbook DA oracle shared by the allocation tests."""

from hypothesis import strategies as st

from kehou.allocation import Child, Offering


@st.composite
def instances(draw, *, max_children=8, max_offerings=4, max_capacity=3, conflicts=False):
    m = draw(st.integers(1, max_offerings))
    offerings = []
    for j in range(m):
        lo = draw(st.integers(1, 3))
        hi = draw(st.integers(lo, 3))
        if conflicts:
            meetings = frozenset(
                draw(st.sets(st.tuples(st.integers(1, 3), st.just(1)), min_size=1, max_size=2))
            )
        else:
            meetings = frozenset({(j + 1, 1)})
        offerings.append(Offering(f"o{j}", draw(st.integers(0, max_capacity)), (lo, hi), meetings))
    ids = [o.id for o in offerings]
    n = draw(st.integers(1, max_children))
    children = []
    for i in range(n):
        order = draw(st.permutations(ids))
        length = draw(st.integers(0, m))
        children.append(
            Child(
                id=i + 1,
                grade=draw(st.integers(1, 3)),
                tier=draw(st.integers(0, 2)),
                choices=tuple(order[:length]),
            )
        )
    seed = draw(st.one_of(st.integers(0, 10**6), st.text(min_size=1, max_size=8)))
    return children, offerings, seed


def textbook_da(children, offerings, lottery):
    """Gale-Shapley with simultaneous proposals: each round every unheld child proposes to its
    next eligible choice; each offering keeps its best `capacity` by (tier, lottery)."""
    off = {o.id: o for o in offerings}
    prio = {c.id: (c.tier, lottery[c.id]) for c in children}
    lists = {c.id: [o for o in c.choices if off[o].admits(c.grade)] for c in children}
    nxt = {c.id: 0 for c in children}
    held = {o: [] for o in off}
    while True:
        placed = {c for cs in held.values() for c in cs}
        proposers = [c for c in lists if c not in placed and nxt[c] < len(lists[c])]
        if not proposers:
            break
        for c in proposers:
            held[lists[c][nxt[c]]].append(c)
            nxt[c] += 1
        for o, cs in held.items():
            held[o] = sorted(cs, key=prio.__getitem__)[: off[o].capacity]
    return {c: o for o, cs in held.items() for c in cs}


def ordered_subsets(items):
    """Every ordered list of distinct items (all permutations of all subsets)."""
    out = [()]
    frontier = [()]
    for _ in items:
        frontier = [p + (x,) for p in frontier for x in items if x not in p]
        out.extend(frontier)
    return out
