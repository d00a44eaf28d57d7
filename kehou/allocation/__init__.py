"""Pure-Python allocation core for choices of after-school offerings (SPEC R11, R12).

Imports only the standard library: no Django, no kehou apps. The Django side builds `Child`
and `Offering` values from the database, calls `allocate`, stores `result_digest`, the
metrics and the explanations.

Typical use::

    from kehou.allocation import Child, Offering, allocate, explain, compute_metrics
    commitment = seed_commitment(seed)          # publish before the window closes
    result = allocate(children, offerings, seed=seed, k=2, fallback=[homework_id])
    why = explain(result, children, offerings, names=names)
    metrics = compute_metrics(result, children, offerings, groups={"grade": grades})
    later = refill_vacated(result, children, offerings, withdrawn=[child_id])

See `mechanisms` for the mechanisms and their trade-offs.
"""

from .explain import Explanation, Reason, explain
from .lottery import (
    allocation_payload,
    draw_lottery,
    input_digest,
    new_seed,
    result_digest,
    seed_commitment,
)
from .mechanisms import Refill, allocate, deferred_acceptance, fcfs, refill_vacated, wants
from .metrics import compute_metrics, envy_and_waste
from .types import (
    FALLBACK,
    MAIN,
    REFILL,
    SECOND,
    Allocation,
    AllocationInputError,
    Child,
    Held,
    Offering,
    Priority,
)

__all__ = [
    "FALLBACK",
    "MAIN",
    "REFILL",
    "SECOND",
    "Allocation",
    "AllocationInputError",
    "Child",
    "Explanation",
    "Held",
    "Offering",
    "Priority",
    "Reason",
    "Refill",
    "allocate",
    "allocation_payload",
    "compute_metrics",
    "deferred_acceptance",
    "draw_lottery",
    "envy_and_waste",
    "explain",
    "fcfs",
    "input_digest",
    "new_seed",
    "refill_vacated",
    "result_digest",
    "seed_commitment",
    "wants",
]
