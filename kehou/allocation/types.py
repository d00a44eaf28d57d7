"""Plain inputs and results of the allocation core (no Django, standard library only).

Identifiers (`ChildId`, `OfferingId`) are ints or strings chosen by the caller (usually primary
keys). They must be unique within one run, also in their `str()` form, because the lottery and
the canonical JSON use `str(id)`.

A *priority* is the pair `(tier, lottery)`: lower is better. Tier 0 holds the groups seed 001
names (disabled, left-behind, migrant worker's child, low-income); the lottery number is the
child's 1-based position in the seeded draw (`lottery.draw_lottery`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

ChildId = int | str
OfferingId = int | str
Slot = tuple[int, int]  # (weekday 1..7, slot number within the day)

# Stages an item can be obtained in (Held.stage).
MAIN = "main"
SECOND = "second"
FALLBACK = "fallback"
REFILL = "refill"


class AllocationInputError(ValueError):
    """The inputs break a documented contract (duplicate ids, unknown offering, ...)."""


class Priority(NamedTuple):
    tier: int
    lottery: int


@dataclass(frozen=True, slots=True)
class Child:
    """One applicant. `choices` are offering ids in rank order (1st choice first)."""

    id: ChildId
    grade: int
    tier: int = 1
    choices: tuple[OfferingId, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "choices", tuple(self.choices))
        if not isinstance(self.tier, int) or self.tier < 0:
            raise AllocationInputError(f"child {self.id!r}: tier must be an int >= 0")
        if len(set(self.choices)) != len(self.choices):
            raise AllocationInputError(f"child {self.id!r}: an offering is ranked twice")


@dataclass(frozen=True, slots=True)
class Offering:
    """One offering: `capacity` seats, open to `grades` (a `range` or an inclusive `(min, max)`,
    normalised to `(min, max)`), meeting at `meetings` = {(weekday, slot), ...}. Two offerings
    conflict when they share a (weekday, slot)."""

    id: OfferingId
    capacity: int
    grades: tuple[int, int] = (1, 12)
    meetings: frozenset[Slot] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        grades = self.grades
        if isinstance(grades, range):
            if grades.step != 1 or len(grades) == 0:
                raise AllocationInputError(f"offering {self.id!r}: grades range must be non-empty")
            grades = (grades.start, grades.stop - 1)
        lo, hi = grades
        if lo > hi:
            raise AllocationInputError(f"offering {self.id!r}: grades min > max")
        object.__setattr__(self, "grades", (int(lo), int(hi)))
        if not isinstance(self.capacity, int) or self.capacity < 0:
            raise AllocationInputError(f"offering {self.id!r}: capacity must be an int >= 0")
        object.__setattr__(self, "meetings", frozenset(tuple(m) for m in self.meetings))

    def admits(self, grade: int) -> bool:
        return self.grades[0] <= grade <= self.grades[1]

    def conflicts(self, other: Offering) -> bool:
        return not self.meetings.isdisjoint(other.meetings)


class Held(NamedTuple):
    """One seat a child holds: which offering, in which round, at which stage
    (`main`, `second`, `fallback`, `refill`)."""

    offering: OfferingId
    round: int
    stage: str


@dataclass(frozen=True)
class Allocation:
    """Result of a run. Treat every mapping as read-only.

    - `assignment[child]`: seats held, in the child's rank order (unlisted ones, e.g. a
      fallback, last). Every child of the run is a key.
    - `lottery[child]`: lottery number (1 = drawn first).
    - `capacity[offering]`: effective capacity (nominal + `expanded`).
    - `main_rounds`: number of rounds of the main mechanism (rounds 1..main_rounds); later
      round numbers belong to the second round and to refills.
    - `round_order[r]`: "forward" or "reverse" lottery order used in round r ("arrival" for FCFS).
    - `filled_round[offering]`: main round at whose end the offering was full (0 = no seats).
    - `round_cutoffs[r][offering]`: worst admitted priority *in round r's order* among the
      children admitted in round r, for offerings full at the end of round r.
    - `waitlists[offering]`: children who would take a seat there, in priority order.
    - `unplaced`: children with nothing at all at the end (no eligible fallback).
    """

    mechanism: str
    k: int
    seed: str
    lottery: dict[ChildId, int]
    tiers: dict[ChildId, int]
    assignment: dict[ChildId, tuple[Held, ...]]
    capacity: dict[OfferingId, int]
    expanded: dict[OfferingId, int]
    main_rounds: int
    round_order: dict[int, str]
    filled_round: dict[OfferingId, int]
    round_cutoffs: dict[int, dict[OfferingId, Priority]]
    waitlists: dict[OfferingId, tuple[ChildId, ...]]
    unplaced: tuple[ChildId, ...]

    def offerings_of(self, child: ChildId) -> tuple[OfferingId, ...]:
        return tuple(h.offering for h in self.assignment[child])

    def priority(self, child: ChildId) -> Priority:
        return Priority(self.tiers[child], self.lottery[child])

    def holders(self) -> dict[OfferingId, list[ChildId]]:
        out: dict[OfferingId, list[ChildId]] = {o: [] for o in self.capacity}
        for c, items in self.assignment.items():
            for h in items:
                out[h.offering].append(c)
        return out

    def used_fallback(self) -> tuple[ChildId, ...]:
        return tuple(
            c for c, items in self.assignment.items() if any(h.stage == FALLBACK for h in items)
        )


def index_offerings(offerings: Iterable[Offering]) -> dict[OfferingId, Offering]:
    out: dict[OfferingId, Offering] = {}
    seen: set[str] = set()
    for o in offerings:
        if o.id in out or str(o.id) in seen:
            raise AllocationInputError(f"offering {o.id!r} given twice")
        out[o.id] = o
        seen.add(str(o.id))
    return out


def index_children(children: Iterable[Child], offerings: dict[OfferingId, Offering]):
    out: dict[ChildId, Child] = {}
    seen: set[str] = set()
    for c in children:
        if c.id in out or str(c.id) in seen:
            raise AllocationInputError(f"child {c.id!r} given twice")
        for o in c.choices:
            if o not in offerings:
                raise AllocationInputError(f"child {c.id!r} ranks unknown offering {o!r}")
        out[c.id] = c
        seen.add(str(c.id))
    return out
