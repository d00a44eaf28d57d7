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

The family reads one plain sentence per choice, in rank order (`Explanation.sentences`,
each a kind and its parameters; `render` writes them in Chinese or English from
kehou.lib.vocabulary.EXPLANATION_SENTENCES), e.g.
"第1志愿「机器人」：报名的孩子比名额多，按抽签号从小到大录取，录取到412号，孩子的抽签号是1733号。
第2志愿「合唱」：已录取。" A choice below the seats the child got (at the k limit) says
so (`not_needed`); no priority pair or mechanism name reaches the family.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kehou.lib.vocabulary import EXPLANATION_SENTENCES

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
    sentences: tuple[Sentence, ...]  # one per choice, then any seat not on the list
    text: str  # the sentences in Chinese


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


Sentence = tuple[str, dict]  # (kind, parameters): one sentence of EXPLANATION_SENTENCES


def render(sentences: Iterable[Sentence], lang: str = "zh") -> list[str]:
    """The sentences in a language of `EXPLANATION_SENTENCES` ("zh", "en"; another falls
    back to Chinese). `sentences` may come from JSON (lists instead of tuples)."""
    table = EXPLANATION_SENTENCES.get(lang, EXPLANATION_SENTENCES["zh"])
    return [table[kind].format(**params) for kind, params in sentences]


def _name(o, names) -> str:
    name = names.get(o) if names else None
    return name or f"#{o}"


def _reason_sentence(r: Reason, names, ranks, k: int) -> Sentence:
    what = {"rank": r.rank, "name": _name(r.offering, names)}
    if r.kind == "grade":
        return ("grade", what)
    if r.kind == "conflict":
        other = _name(r.conflict_with, names)
        cr = ranks.get(r.conflict_with)
        if cr:
            return ("conflict", {**what, "other_rank": cr, "other": other})
        return ("conflict_unlisted", {**what, "other": other})
    if r.kind == "open":
        return ("open", what)
    if r.kind == "not_needed":
        return ("not_needed", {**what, "k": k})
    if r.round == 0:
        return ("no_seats", what)
    if r.kind == "full_earlier":
        return ("full_earlier", what)
    if r.cutoff is None or r.own is None:
        return ("full_earlier", what)
    if r.cutoff.tier < r.own.tier:
        return ("full_priority", what)
    numbers = {**what, "cutoff": r.cutoff.lottery, "own": r.own.lottery, "round": r.round}
    if r.reverse:
        return ("full_lottery_reverse", numbers)
    if r.round == 1:
        return ("full_lottery", numbers)
    return ("full_lottery_round", numbers)


def explain(
    result: Allocation,
    children: Iterable[Child],
    offerings: Iterable[Offering],
    *,
    names: Mapping[OfferingId, str] | None = None,
    family_ranks: Mapping[ChildId, Mapping[OfferingId, int]] | None = None,
) -> dict[ChildId, Explanation]:
    """One `Explanation` per child of `result` (children/offerings as given to the run;
    `names` optionally maps offering ids to display names for the sentences;
    `family_ranks` the ranks the family gave, when the run saw only part of its list:
    the sentences then say "choice 3" for the family's 3rd choice)."""
    off = {o.id: o for o in offerings}
    out = {}
    for child in children:
        if child.id not in result.assignment:
            continue
        ranks = {o: i for i, o in enumerate(child.choices, 1)}
        shown = dict((family_ranks or {}).get(child.id) or ranks)
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
        explained = {r.offering for r in reasons}
        below = tuple(
            Reason(o, ranks[o], "not_needed")
            for o in child.choices
            if o not in held_o and o not in explained
        )
        stages = {h.stage for h in held}
        per_choice: list[tuple[int, Sentence]] = []
        others: list[Sentence] = []
        for h in held:
            name = _name(h.offering, names)
            if h.stage == SECOND:
                others.append(("second_round", {"name": name}))
            elif h.stage == FALLBACK:
                others.append(("fallback", {"name": name}))
            elif h.offering in ranks:
                rank = shown.get(h.offering, ranks[h.offering])
                per_choice.append((ranks[h.offering], ("got", {"rank": rank, "name": name})))
            else:
                others.append(("got_unlisted", {"name": name}))
        for r in (*reasons, *below):
            display = Reason(
                r.offering,
                shown.get(r.offering, r.rank),
                r.kind,
                r.round,
                r.reverse,
                r.cutoff,
                r.own,
                r.conflict_with,
            )
            per_choice.append((r.rank, _reason_sentence(display, names, shown, result.k)))
        sentences = [s for _rank, s in sorted(per_choice, key=lambda x: x[0])]
        if not held:
            others.append(("no_seat", {}) if child.choices else ("no_choices", {}))
        sentences = [*sentences, *others] if listed else [*others, *sentences]
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
            sentences=tuple(sentences),
            text="".join(render(sentences, "zh")),
        )
    return out
