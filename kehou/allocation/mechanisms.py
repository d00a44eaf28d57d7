"""Allocation mechanisms. Everything is deterministic: same inputs and seed, same result.

Contracts common to every entry point:
- `children` and `offerings` are iterables of `Child` / `Offering` with unique ids; every id
  in a child's `choices` names a given offering (else `AllocationInputError`).
- Choices whose grade range excludes the child are ignored (the explanation says why).
- Priority is `(tier, lottery)`, lower first; in "reverse" rounds it is `(tier, -lottery)`:
  tiers always come first, only the lottery order flips.
- A child holds at most `k` offerings from the main mechanism, never two that share a
  (weekday, slot), never one outside its grade range, and no offering exceeds its capacity.

Mechanisms (`allocate(mechanism=...)`):
- "da", k = 1: student-proposing deferred acceptance (queue-based). Strategy-proof for
  families, no justified envy, no wasted seat.
- "da", k > 1: round-wise DA. Each round is a DA in which every child with fewer than k
  seats proposes down its remaining choices that have a free seat and do not clash with what
  it holds; each child gains at most one seat per round; the lottery order is reversed in even
  rounds; stop when a round adds nothing or everyone holds k. Everyone gets one activity before
  anyone gets a second, but a family can sometimes gain by misreporting (measured in bench/).
- "rsd": tiered random serial dictatorship. Children in (tier, lottery) order take their best
  remaining feasible choices, up to k. Strictly strategy-proof and without justified envy
  with respect to the draw order, but "callous": a lucky child takes every popular activity
  while an unlucky one may get nothing (research/allocation.md §3: 3.1 % with nothing vs 0 %).
- `fcfs`: first come, first served in a given arrival order (benchmark comparison only).

After the main mechanism `allocate` runs a second round (children with nothing, one DA round
over the remaining seats using their second-round lists) and the guaranteed fallback. Note: the
main mechanisms waste no seat, so a second round over the *original* lists is always empty; it
places children only when `second_lists` (new lists over the offerings still open) are given
or seats were added.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from heapq import heappush, heapreplace

from .lottery import draw_lottery
from .types import (
    FALLBACK,
    MAIN,
    REFILL,
    SECOND,
    Allocation,
    AllocationInputError,
    Child,
    ChildId,
    Held,
    Offering,
    OfferingId,
    Priority,
    index_children,
    index_offerings,
)

INF = float("inf")
MECHANISMS = ("da", "rsd")


# --------------------------------------------------------------------------- core algorithms


def deferred_acceptance(
    prefs: Mapping[ChildId, Sequence[OfferingId]],
    capacity: Mapping[OfferingId, int],
    pos: Mapping[ChildId, int],
    guaranteed: Mapping[ChildId, OfferingId] | None = None,
) -> dict[ChildId, OfferingId]:
    """Queue-based student-proposing DA with one common priority order.

    `prefs[c]` lists offerings c proposes to, best first; `pos[c]` is c's priority position
    (distinct ints, lower first) at every offering, except that `guaranteed[c]` gives c
    absolute priority at that one offering (used by the waiting-list refill). Returns
    {child: offering} for the children placed.
    """
    big = len(pos) + 1
    held: dict[OfferingId, list] = {}
    nxt = dict.fromkeys(prefs, 0)
    queue = deque(sorted(prefs, key=pos.__getitem__))
    while queue:
        c = queue.popleft()
        lst = prefs[c]
        i = nxt[c]
        p = pos[c]
        g = guaranteed.get(c) if guaranteed is not None else None
        while i < len(lst):
            o = lst[i]
            i += 1
            cap = capacity[o]
            if cap <= 0:
                continue
            r = p - big if o == g else p
            h = held.get(o)
            if h is None:
                h = held[o] = []
            if len(h) < cap:
                heappush(h, (-r, c))
                break
            if -h[0][0] > r:  # c beats the worst holder, who is displaced
                queue.append(heapreplace(h, (-r, c))[1])
                break
        nxt[c] = i
    return {c: o for o, h in held.items() for _, c in h}


class _Ctx:
    """Validated, indexed inputs of one run."""

    def __init__(
        self,
        children: Iterable[Child],
        offerings: Iterable[Offering],
        lottery: Mapping[ChildId, int] | None = None,
        seed: str | int = "",
    ) -> None:
        self.off = index_offerings(offerings)
        self.kids = index_children(children, self.off)
        if lottery is None:
            lottery = draw_lottery(self.kids, seed)
        missing = [c for c in self.kids if c not in lottery]
        if missing:
            raise AllocationInputError(f"children without a lottery number: {missing[:5]!r}")
        self.lottery = {c: lottery[c] for c in self.kids}
        self.tiers = {c: ch.tier for c, ch in self.kids.items()}
        self.meet = {o: x.meetings for o, x in self.off.items()}
        self.rank = {c: {o: i for i, o in enumerate(ch.choices, 1)} for c, ch in self.kids.items()}
        self.elig = {
            c: tuple(o for o in ch.choices if self.off[o].admits(ch.grade))
            for c, ch in self.kids.items()
        }
        self._pos: dict[bool, dict[ChildId, int]] = {}

    def pos(self, reverse: bool = False) -> dict[ChildId, int]:
        if reverse not in self._pos:
            sign = -1 if reverse else 1
            order = sorted(self.kids, key=lambda c: (self.tiers[c], sign * self.lottery[c]))
            self._pos[reverse] = {c: i for i, c in enumerate(order)}
        return self._pos[reverse]

    def priority(self, c: ChildId) -> Priority:
        return Priority(self.tiers[c], self.lottery[c])


class _State:
    def __init__(self, ctx: _Ctx, capacity: dict[OfferingId, int]) -> None:
        self.ctx = ctx
        self.capacity = dict(capacity)
        self.holdings: dict[ChildId, list[Held]] = {c: [] for c in ctx.kids}
        self.residual = dict(capacity)
        self.expanded: dict[OfferingId, int] = {}
        self.round_order: dict[int, str] = {}
        self.filled_round = {o: 0 for o, cap in capacity.items() if cap == 0}
        self.round_cutoffs: dict[int, dict[OfferingId, Priority]] = {}
        self.last_round = 0

    def take(self, c: ChildId, o: OfferingId, rnd: int, stage: str) -> None:
        self.holdings[c].append(Held(o, rnd, stage))
        self.residual[o] -= 1

    def new_round(self, order: str) -> int:
        self.last_round += 1
        self.round_order[self.last_round] = order
        self.round_cutoffs[self.last_round] = {}
        return self.last_round


def _open_choices(ctx: _Ctx, st: _State, c: ChildId, lst: Sequence[OfferingId]) -> list:
    held = st.holdings[c]
    held_o = {h.offering for h in held}
    used: set = set()
    for h in held:
        used |= ctx.meet[h.offering]
    meet = ctx.meet
    res = st.residual
    return [o for o in lst if res[o] > 0 and o not in held_o and meet[o].isdisjoint(used)]


def _run_rounds(
    ctx: _Ctx,
    st: _State,
    participants: Iterable[ChildId],
    *,
    k: int,
    stage: str,
    first_reverse: bool,
    lists: Mapping[ChildId, Sequence[OfferingId]] | None = None,
    max_rounds: int | None = None,
) -> None:
    lists = ctx.elig if lists is None else lists
    participants = list(participants)
    done = 0
    while max_rounds is None or done < max_rounds:
        reverse = first_reverse ^ (done % 2 == 1)
        prefs = {}
        for c in participants:
            if len(st.holdings[c]) < k:
                lst = _open_choices(ctx, st, c, lists.get(c, ()))
                if lst:
                    prefs[c] = lst
        if not prefs:
            return
        pos = ctx.pos(reverse)
        got = deferred_acceptance(prefs, st.residual, pos)
        if not got:
            return
        rnd = st.new_round("reverse" if reverse else "forward")
        admitted: dict[OfferingId, list[ChildId]] = defaultdict(list)
        for c, o in got.items():
            st.take(c, o, rnd, stage)
            admitted[o].append(c)
        for o, cs in admitted.items():
            if st.residual[o] == 0:
                st.filled_round[o] = rnd
                st.round_cutoffs[rnd][o] = ctx.priority(max(cs, key=pos.__getitem__))
        done += 1


def _serial(
    ctx: _Ctx, st: _State, order: Sequence[ChildId], *, k: int, label: str, stage: str = MAIN
) -> None:
    """Serial dictatorship: in `order`, each child greedily takes its best feasible choices."""
    rnd = st.new_round(label)
    meet = ctx.meet
    res = st.residual
    for c in order:
        held = st.holdings[c]
        if len(held) >= k:
            continue
        held_o = {h.offering for h in held}
        used: set = set()
        for h in held:
            used |= meet[h.offering]
        for o in ctx.elig[c]:
            if res[o] > 0 and o not in held_o and meet[o].isdisjoint(used):
                st.take(c, o, rnd, stage)
                used |= meet[o]
                if res[o] == 0:
                    st.filled_round[o] = rnd
                    st.round_cutoffs[rnd][o] = ctx.priority(c)
                if len(held) >= k:
                    break


def wants(
    ctx_rank: Mapping[OfferingId, int],
    meet: Mapping[OfferingId, frozenset],
    held: Sequence[OfferingId],
    o: OfferingId,
    k: int,
) -> bool:
    """Would a child whose list ranks are `ctx_rank` and who holds `held` rather have a bundle
    containing listed offering `o` (feasible: at most k seats, no clash), comparing bundles
    lexicographically by rank? Unlisted seats (fallback) rank below every listed one."""
    if o in held or o not in ctx_rank:
        return False
    ro = ctx_rank[o]
    clash = [h for h in held if not meet[h].isdisjoint(meet[o])]
    if not clash:
        return len(held) < k or ro < max(ctx_rank.get(h, INF) for h in held)
    return ro < min(ctx_rank.get(h, INF) for h in clash)


def _waitlists(ctx: _Ctx, st: _State, k: int) -> dict[OfferingId, tuple[ChildId, ...]]:
    pos = ctx.pos(False)
    lists: dict[OfferingId, list[ChildId]] = {o: [] for o in ctx.off}
    for c in sorted(ctx.kids, key=pos.__getitem__):
        held = [h.offering for h in st.holdings[c]]
        for o in ctx.elig[c]:
            if wants(ctx.rank[c], ctx.meet, held, o, k):
                lists[o].append(c)
    return {o: tuple(cs) for o, cs in lists.items()}


def _finish(
    ctx: _Ctx,
    st: _State,
    *,
    mechanism: str,
    k: int,
    seed: str,
    main_rounds: int,
    waitlists: bool = True,
):
    assignment = {}
    for c, held in st.holdings.items():
        rank = ctx.rank[c]
        items = sorted(
            enumerate(held), key=lambda ih: (rank.get(ih[1].offering, INF), ih[0])
        )  # listed by rank, unlisted in the order obtained
        assignment[c] = tuple(h for _, h in items)
    return Allocation(
        mechanism=mechanism,
        k=k,
        seed=seed,
        lottery=dict(ctx.lottery),
        tiers=dict(ctx.tiers),
        assignment=assignment,
        capacity=dict(st.capacity),
        expanded=dict(st.expanded),
        main_rounds=main_rounds,
        round_order=dict(st.round_order),
        filled_round=dict(st.filled_round),
        round_cutoffs={r: dict(v) for r, v in st.round_cutoffs.items()},
        waitlists=_waitlists(ctx, st, k) if waitlists else {},
        unplaced=tuple(c for c in ctx.kids if not st.holdings[c]),
    )


# --------------------------------------------------------------------------- entry points


def allocate(
    children: Iterable[Child],
    offerings: Iterable[Offering],
    *,
    seed: str | int,
    k: int = 1,
    mechanism: str = "da",
    second_lists: Mapping[ChildId, Sequence[OfferingId]] | None = None,
    fallback: Sequence[OfferingId] = (),
    fallback_expandable: bool = True,
    lottery: Mapping[ChildId, int] | None = None,
    waitlists: bool = True,
) -> Allocation:
    """Run a full allocation: main mechanism, second round, guaranteed fallback.

    - `mechanism`: "da" (DA for k = 1, round-wise DA for k > 1) or "rsd".
    - `second_lists`: per child, the offerings ranked in the second round (only children with
      nothing after the main mechanism take part, at most one seat each). A child without an
      entry reuses its original list.
    - `fallback`: offering ids of basic care / homework tutoring. Children still with nothing
      are placed, in priority order, in the first grade-eligible fallback offering with a free
      seat (ones they ranked first); if none has a seat and `fallback_expandable`, the first
      eligible one is expanded by one seat (`Allocation.expanded`). Children for whom no
      fallback offering admits their grade stay in `Allocation.unplaced`.
    - `lottery`: override the seeded draw (tests, what-if runs); normally leave it None.
    - `waitlists=False` skips building the waiting lists (what-if runs in benchmarks).
    """
    if mechanism not in MECHANISMS:
        raise AllocationInputError(f"unknown mechanism {mechanism!r}; use one of {MECHANISMS}")
    if not isinstance(k, int) or k < 1:
        raise AllocationInputError("k must be an int >= 1")
    ctx = _Ctx(children, offerings, lottery, seed)
    for o in fallback:
        if o not in ctx.off:
            raise AllocationInputError(f"unknown fallback offering {o!r}")
    lists = dict(ctx.elig)
    for c, lst in (second_lists or {}).items():
        if c not in ctx.kids:
            raise AllocationInputError(f"second-round list for unknown child {c!r}")
        if len(set(lst)) != len(lst) or any(o not in ctx.off for o in lst):
            raise AllocationInputError(f"child {c!r}: bad second-round list")
        grade = ctx.kids[c].grade
        lists[c] = tuple(o for o in lst if ctx.off[o].admits(grade))
    st = _State(ctx, {o: x.capacity for o, x in ctx.off.items()})

    if mechanism == "rsd":
        pos = ctx.pos(False)
        _serial(ctx, st, sorted(ctx.kids, key=pos.__getitem__), k=k, label="forward")
    else:
        _run_rounds(ctx, st, ctx.kids, k=k, stage=MAIN, first_reverse=False)
    main_rounds = st.last_round

    empty = [c for c in ctx.kids if not st.holdings[c]]
    if empty:
        _run_rounds(
            ctx, st, empty, k=1, stage=SECOND, first_reverse=False, lists=lists, max_rounds=1
        )

    if fallback:
        _place_fallback(ctx, st, fallback, expandable=fallback_expandable)

    return _finish(
        ctx,
        st,
        mechanism=mechanism,
        k=k,
        seed=str(seed),
        main_rounds=main_rounds,
        waitlists=waitlists,
    )


def _place_fallback(ctx: _Ctx, st: _State, fallback: Sequence[OfferingId], *, expandable: bool):
    pos = ctx.pos(False)
    rnd = None
    for c in sorted((c for c in ctx.kids if not st.holdings[c]), key=pos.__getitem__):
        grade = ctx.kids[c].grade
        ranked = [o for o in ctx.kids[c].choices if o in fallback]
        cands = [o for o in [*ranked, *fallback] if ctx.off[o].admits(grade)]
        cands = list(dict.fromkeys(cands))
        if not cands:
            continue
        pick = next((o for o in cands if st.residual[o] > 0), None)
        if pick is None:
            if not expandable:
                continue
            pick = cands[0]
            st.capacity[pick] += 1
            st.residual[pick] += 1
            st.expanded[pick] = st.expanded.get(pick, 0) + 1
        if rnd is None:
            rnd = st.new_round("forward")
        st.take(c, pick, rnd, FALLBACK)


def fcfs(
    children: Iterable[Child],
    offerings: Iterable[Offering],
    *,
    arrival: Sequence[ChildId],
    seed: str | int,
    k: int = 1,
) -> Allocation:
    """First come, first served: children in `arrival` order take their highest available,
    non-clashing choices, up to k (tiers ignored). `seed` only sets the reference lottery the
    metrics use to count justified envy, so FCFS can be compared with DA on the same draw."""
    ctx = _Ctx(children, offerings, None, seed)
    if sorted(map(str, arrival)) != sorted(map(str, ctx.kids)) or len(set(arrival)) != len(arrival):
        raise AllocationInputError("arrival must list every child exactly once")
    st = _State(ctx, {o: x.capacity for o, x in ctx.off.items()})
    _serial(ctx, st, arrival, k=k, label="arrival")
    return _finish(ctx, st, mechanism="fcfs", k=k, seed=str(seed), main_rounds=1)


@dataclass(frozen=True)
class Refill:
    """`allocation`: the new result; `moved[c] = (before, after)` offering tuples of every child
    whose seats changed (gained or upgraded)."""

    allocation: Allocation
    moved: dict[ChildId, tuple[tuple[OfferingId, ...], tuple[OfferingId, ...]]]


def refill_vacated(
    previous: Allocation,
    children: Iterable[Child],
    offerings: Iterable[Offering],
    *,
    withdrawn: Iterable[ChildId] = (),
) -> Refill:
    """Re-offer freed seats (withdrawals, or capacities raised in `offerings`) by
    Permuted-Lottery DA: current holders keep a guaranteed seat, the lottery is reversed.

    - k = 1: a DA in which every child proposes only to offerings it ranks above its seat (then
      its own seat, where it has absolute priority); others by (tier, reversed lottery). Every
      holder ends weakly better; a chain of upgrades may follow one withdrawal.
    - k > 1: holders keep every seat; children with fewer than k seats gain seats by further
      round-wise DA rounds starting with the reversed lottery (no swaps of held seats).

    `children` are the current children (the withdrawn ones may be included or not); each must
    be in `previous` (late joiners are not handled here). A capacity below its remaining holders
    is refused, except for fallback offerings expanded earlier, which keep their extra seats.

    A batch re-run for studies and benchmarks: kehou's waiting lists do not use it. They
    offer one freed seat at a time in the order of the draw (`Allocation.waitlists`,
    kehou.enrollment.seats.QUEUE; docs/adr/0008-waiting-list-order.md says why).
    """
    gone = set(withdrawn)
    kids = [c for c in children if c.id not in gone]
    unknown = [c.id for c in kids if c.id not in previous.lottery]
    if unknown:
        raise AllocationInputError(f"children not in the previous allocation: {unknown[:5]!r}")
    ctx = _Ctx(kids, offerings, previous.lottery)
    holders: dict[OfferingId, int] = defaultdict(int)
    for c in ctx.kids:
        for h in previous.assignment.get(c, ()):
            if h.offering not in ctx.off:
                raise AllocationInputError(f"held offering {h.offering!r} missing")
            holders[h.offering] += 1
    capacity = {}
    for o, x in ctx.off.items():
        cap = x.capacity
        if holders[o] > cap:
            if not previous.expanded.get(o):
                raise AllocationInputError(
                    f"offering {o!r}: capacity {cap} is below its {holders[o]} holders"
                )
            cap = holders[o]
        capacity[o] = cap
    st = _State(ctx, capacity)
    st.expanded = {
        o: capacity[o] - x.capacity for o, x in ctx.off.items() if capacity[o] > x.capacity
    }
    st.last_round = max(previous.round_order, default=0)
    st.round_order = dict(previous.round_order)
    st.round_cutoffs = {r: dict(v) for r, v in previous.round_cutoffs.items()}
    st.filled_round.update(previous.filled_round)
    before = {}
    for c in ctx.kids:
        for h in previous.assignment.get(c, ()):
            st.take(c, h.offering, h.round, h.stage)
        before[c] = tuple(h.offering for h in st.holdings[c])
    k = previous.k

    if k == 1:
        guaranteed = {c: st.holdings[c][0].offering for c in ctx.kids if st.holdings[c]}
        prefs = {}
        for c in ctx.kids:
            lst = list(ctx.elig[c])
            cur = guaranteed.get(c)
            if cur is not None:
                lst = lst[: lst.index(cur)] if cur in lst else lst
                lst.append(cur)
            if lst:
                prefs[c] = lst
        pos = ctx.pos(True)
        got = deferred_acceptance(prefs, capacity, pos, guaranteed)
        changed = {c: o for c, o in got.items() if guaranteed.get(c) != o}
        if changed:
            rnd = st.new_round("reverse")
            st.residual = dict(capacity)
            admitted: dict[OfferingId, list[ChildId]] = defaultdict(list)
            for c in ctx.kids:
                if c in changed:
                    st.holdings[c] = [Held(changed[c], rnd, REFILL)]
                    admitted[changed[c]].append(c)
                for h in st.holdings[c]:
                    st.residual[h.offering] -= 1
            for o, cs in admitted.items():
                if st.residual[o] == 0:
                    st.filled_round[o] = rnd
                    st.round_cutoffs[rnd][o] = ctx.priority(max(cs, key=pos.__getitem__))
    else:
        _run_rounds(ctx, st, ctx.kids, k=k, stage=REFILL, first_reverse=True)

    result = _finish(
        ctx,
        st,
        mechanism=previous.mechanism,
        k=k,
        seed=previous.seed,
        main_rounds=previous.main_rounds,
    )
    moved = {}
    for c in ctx.kids:
        after = result.offerings_of(c)
        if set(after) != set(before[c]):
            moved[c] = (before[c], after)
    return Refill(allocation=result, moved=moved)
