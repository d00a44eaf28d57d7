"""Seeded, verifiable lottery (single tie-breaking: one number per child).

Procedure, reproducible with any sha256 tool:
1. Before the choice window closes, publish `seed_commitment(seed)` = sha256(str(seed)) in hex.
2. After it closes, reveal the seed. Each child's draw key is
   sha256(f"{seed}\\x1f{child_id}") (UTF-8); children are sorted by that hex digest, ties
   (never seen in practice) by `str(child_id)`. The lottery number is the 1-based position.

A child's order relative to another child depends only on the seed and their two ids, never
on who else applied or on input order.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable

from .types import Allocation, AllocationInputError, Child, ChildId, Offering


def new_seed() -> str:
    """A fresh unpredictable seed (32 hex characters)."""
    return secrets.token_hex(16)


def seed_commitment(seed: str | int) -> str:
    return hashlib.sha256(str(seed).encode("utf-8")).hexdigest()


def draw_key(seed: str | int, child_id: ChildId) -> str:
    return hashlib.sha256(f"{seed}\x1f{child_id}".encode()).hexdigest()


def draw_lottery(child_ids: Iterable[ChildId], seed: str | int) -> dict[ChildId, int]:
    ids = list(child_ids)
    if len({str(c) for c in ids}) != len(ids):
        raise AllocationInputError("child ids must be unique (also as text)")
    ordered = sorted(ids, key=lambda c: (draw_key(seed, c), str(c)))
    return {c: i for i, c in enumerate(ordered, start=1)}


def _canonical(payload) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def allocation_payload(result: Allocation) -> dict:
    """The JSON-ready content of a result (ids as text keys)."""
    return {
        "mechanism": result.mechanism,
        "k": result.k,
        "seed": result.seed,
        "lottery": {str(c): n for c, n in result.lottery.items()},
        "assignment": {
            str(c): [[str(h.offering), h.round, h.stage] for h in items]
            for c, items in result.assignment.items()
        },
        "capacity": {str(o): n for o, n in result.capacity.items()},
        "expanded": {str(o): n for o, n in result.expanded.items()},
        "waitlists": {str(o): [str(c) for c in cs] for o, cs in result.waitlists.items()},
        "unplaced": sorted(str(c) for c in result.unplaced),
    }


def result_digest(result: Allocation) -> str:
    """sha256 over the canonical JSON of the result: equal digests = byte-identical results."""
    return hashlib.sha256(_canonical(allocation_payload(result))).hexdigest()


def input_digest(
    children: Iterable[Child], offerings: Iterable[Offering], *, k: int, mechanism: str
) -> str:
    """sha256 over the canonical JSON of the inputs (store it beside the seed of a run)."""
    payload = {
        "k": k,
        "mechanism": mechanism,
        "children": sorted(
            ([str(c.id), c.grade, c.tier, [str(o) for o in c.choices]] for c in children),
        ),
        "offerings": sorted(
            (
                [str(o.id), o.capacity, list(o.grades), sorted(list(m) for m in o.meetings)]
                for o in offerings
            ),
        ),
    }
    return hashlib.sha256(_canonical(payload)).hexdigest()
