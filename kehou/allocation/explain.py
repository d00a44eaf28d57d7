"""Why each family got what it got, from each offering's cutoff.

For every choice a child did not get and would rather have (ranked above its worst listed
seat, or any choice if it holds fewer than k listed seats), one `Reason`:

- `grade`: the offering is not open to the child's grade;
- `full`: the child competed for it in round `round` and lost: the worst admitted priority in
  that round (`cutoff`) beats the child's own (`own`); in "reverse" rounds a larger lottery
  number goes first (tiers still first);
- `full_earlier`: it was already full when the child could next ask for it (round `round`
  filled it while the child took a higher choice; round 0 = no seats at all);
- `conflict`: it meets at the same time as a seat the child already held (`conflict_with`);
- `open`: it still has a seat (only after capacity changes; the waiting list will act).

`Explanation.text` is a Chinese sentence for the family, e.g.
"您获得了第2志愿;第1志愿已满,录取线为(优先类别1, 抽签号0412),您的为(优先类别1, 抽签号1733)".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .types import (
    FALLBACK,
    MAIN,
    REFILL,
    SECOND,
    Allocation,
    Child,
    ChildId,
    Offering,
    OfferingId,
    Priority,
)


@dataclass(frozen=True)
class Reason:
    offering: OfferingId
    rank: int
    kind: str
    round: int | None = None
    reverse: bool = False
    cutoff: Priority | None = None
    own: Priority | None = None
    conflict_with: OfferingId | None = None


@dataclass(frozen=True)
class Explanation:
    child: ChildId
    outcome: str  # "choice" | "second_round" | "fallback" | "refill" | "none"
    ranks: tuple[int | None, ...]  # list rank of each seat held (None = not on the list)
    reasons: tuple[Reason, ...]
    text: str


def round_key(p: Priority, reverse: bool) -> tuple[int, int]:
    """Sort key of a priority in a round's order (lower goes first)."""
    return (p.tier, -p.lottery if reverse else p.lottery)


def _serial(result: Allocation) -> bool:
    return result.mechanism in ("rsd", "fcfs")


def _reason(result, child: Child, o: OfferingId, rank, off, ranks) -> Reason:
    if not off[o].admits(child.grade):
        return Reason(o, rank, "grade")
    held = result.assignment[child.id]
    own = result.priority(child.id)
    fr = result.filled_round.get(o)
    meet = off[o].meetings

    def clash(items):
        return next(
            (h.offering for h in items if not off[h.offering].meetings.isdisjoint(meet)), None
        )

    def full(kind, rnd):
        rev = result.round_order.get(rnd) == "reverse"
        cut = result.round_cutoffs.get(rnd, {}).get(o)
        return Reason(o, rank, kind, rnd, rev, cut, own)

    if _serial(result):
        better = [h for h in held if h.stage == MAIN and ranks.get(h.offering, 1e9) < rank]
        c = clash(better)
        if c is not None:
            return Reason(o, rank, "conflict", conflict_with=c)
        if fr is not None and fr <= result.main_rounds:
            return full("full" if fr else "full_earlier", fr)
        return Reason(o, rank, "open")
    # Replay the main rounds; round main_rounds + 1 is the round that added nothing.
    for r in range(1, result.main_rounds + 2):
        before = [h for h in held if h.stage == MAIN and h.round < r]
        if len(before) >= result.k:
            break
        c = clash(before)
        if c is not None:
            return Reason(o, rank, "conflict", conflict_with=c)
        if fr is not None and fr < r:
            return full("full_earlier", fr)
        got = [h for h in held if h.stage == MAIN and h.round == r]
        if got and ranks.get(got[0].offering, 1e9) < rank:
            continue
        if fr == r:
            return full("full", r)
        break
    if fr is not None:
        return full("full_earlier" if fr == 0 or fr > result.main_rounds else "full", fr)
    return Reason(o, rank, "open")


def _p(p: Priority, width: int) -> str:
    return f"(优先类别{p.tier}, 抽签号{p.lottery:0{width}d})"


def _choice(rank, o, names) -> str:
    name = names.get(o) if names else None
    return f"第{rank}志愿「{name}」" if name else f"第{rank}志愿"


def _seat(o, names) -> str:
    name = names.get(o) if names else None
    return f"「{name}」" if name else f"活动{o}"


def _reason_text(r: Reason, width: int, names, ranks) -> str:
    what = _choice(r.rank, r.offering, names)
    if r.kind == "grade":
        return f"{what}不面向您孩子所在年级"
    if r.kind == "conflict":
        cr = ranks.get(r.conflict_with)
        other = _choice(cr, r.conflict_with, names) if cr else _seat(r.conflict_with, names)
        return f"{what}与您已获得的{other}时间冲突"
    if r.kind == "open":
        return f"{what}目前有空位,已列入候补"
    if r.round == 0:
        return f"{what}没有名额"
    when = "" if r.round == 1 and not r.reverse else f"在第{r.round}轮"
    rev = "(本轮抽签顺序反转,抽签号大者优先)" if r.reverse else ""
    if r.kind == "full_earlier":
        return f"{what}{when or '在第1轮'}已满(当时您获得了排序更靠前的志愿)"
    text = f"{what}{when}已满{rev}"
    if r.cutoff is not None and r.own is not None:
        text += f",录取线为{_p(r.cutoff, width)},您的为{_p(r.own, width)}"
    return text


def explain(
    result: Allocation,
    children: Iterable[Child],
    offerings: Iterable[Offering],
    *,
    names: Mapping[OfferingId, str] | None = None,
) -> dict[ChildId, Explanation]:
    """One `Explanation` per child of `result` (children/offerings as given to the run;
    `names` optionally maps offering ids to display names for the sentences)."""
    off = {o.id: o for o in offerings}
    width = max(4, len(str(len(result.lottery))))
    out = {}
    for child in children:
        if child.id not in result.assignment:
            continue
        ranks = {o: i for i, o in enumerate(child.choices, 1)}
        held = result.assignment[child.id]
        listed = [h for h in held if h.offering in ranks]
        worst = max((ranks[h.offering] for h in listed), default=None)
        held_o = {h.offering for h in held}
        todo = [
            (ranks[o], o)
            for o in child.choices
            if o not in held_o and (len(listed) < result.k or ranks[o] < worst)
        ]
        reasons = tuple(_reason(result, child, o, r, off, ranks) for r, o in todo)
        stages = {h.stage for h in held}
        parts = []
        main = [h for h in held if h.stage in (MAIN, REFILL) and h.offering in ranks]
        if main:
            got = "、".join(_choice(ranks[h.offering], h.offering, names) for h in main)
            parts.append(f"您获得了{got}")
        for h in held:
            if h.stage == SECOND:
                parts.append(f"第一轮未获分配,第二轮获得{_seat(h.offering, names)}")
            elif h.stage == FALLBACK:
                parts.append(f"已为您安排兜底的基础托管{_seat(h.offering, names)}")
            elif h.stage in (MAIN, REFILL) and h.offering not in ranks:
                parts.append(f"您获得了{_seat(h.offering, names)}")
        if not held:
            parts.append("您未填报志愿,暂未分配" if not child.choices else "您的志愿暂未获得分配")
        parts.extend(_reason_text(r, width, names, ranks) for r in reasons)
        if FALLBACK in stages:
            outcome = "fallback"
        elif SECOND in stages:
            outcome = "second_round"
        elif REFILL in stages:
            outcome = "refill"
        elif held:
            outcome = "choice"
        else:
            outcome = "none"
        out[child.id] = Explanation(
            child=child.id,
            outcome=outcome,
            ranks=tuple(ranks.get(h.offering) for h in held),
            reasons=reasons,
            text=";".join(parts),
        )
    return out
