"""Allocation runs over the database (SPEC R12).

A school admin starts a run (`allocation_start`); the background worker executes it
(`allocation_execute`, from kehou.placement.tasks) and reports its progress on the run
row. The run reads the approved applications of a closed menu, runs the pure core
(kehou.allocation) and writes every result in ONE transaction through the seat path
(kehou.enrollment.seats): enrolments and their seat history, seat counters, waiting
lists, an outcome with the family's explanation per application, the run's metrics and
digests, and the menu's move to "allocated". A failure anywhere leaves no enrolment,
outcome or seat behind; the run then says "failed" with the reason. A worker that dies
mid-run stops renewing the run's lease: the run is then "interrupted" (`runs_reap`), it
wrote nothing, and the menu may be allocated again.

Rules:
- A real run uses the menu's committed seed (the one whose sha256 was published when the
  window opened) and the menu's mechanism, only on a closed menu, only once: a menu already
  allocated is refused, so no child is ever seated twice.
- A dry run (`dry_run=True`) works on a menu in any state, may use another seed or mechanism
  to compare, and writes only its run record with the metrics.
- k (`menu.max_extended_per_child`) limits EXTENDED offerings; ranked basic offerings
  (homework tutoring, sports, evening study, extended care) are allocated afterwards over the
  same lottery, over the seats left (see kehou.placement.inputs). Every approved child left
  without anything gets the guaranteed basic care (the menu's `is_fallback` offerings, which
  grow by a seat if full).
"""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehou.allocation import (
    FALLBACK,
    SECOND,
    Child,
    Offering,
    allocate,
    compute_metrics,
    explain,
    input_digest,
    result_digest,
    seed_commitment,
)
from kehou.allocation.explain import render
from kehou.catalog.models import Menu
from kehou.catalog.services import menu_mark_allocated
from kehou.core import leases
from kehou.core.db import analyze_after_commit
from kehou.core.errors import Problems, items, refusal
from kehou.enrollment import seats
from kehou.enrollment.models import Enrollment, SeatEvent, WaitlistEntry
from kehou.org import access
from kehou.placement import notices
from kehou.placement.inputs import Inputs, load_inputs
from kehou.placement.models import AllocationOutcome, AllocationRun

MECHANISMS = ("da", "rsd")
# How long a queued run waits for a worker before it counts as interrupted.
QUEUE_PATIENCE = leases.LEASE * 5


# --------------------------------------------------------------------------- starting


def _refusals(menu: Menu, *, seed, mechanism, dry_run: bool) -> tuple[str, str]:
    problems = Problems()
    mechanism = mechanism or menu.mechanism
    if mechanism not in MECHANISMS:
        problems.add(
            "unknown_mechanism",
            _("There is no allocation mechanism “%(mechanism)s”: use da or rsd."),
            field="mechanism",
            mechanism=mechanism,
        )
    if not dry_run:
        if menu.mode != Menu.Mode.LOTTERY:
            problems.add(
                "not_a_lottery_menu",
                _("A first-come-first-served menu is not allocated by lottery."),
            )
        if menu.status in (Menu.Status.ALLOCATED, Menu.Status.RUNNING):
            problems.add(
                "already_allocated",
                _(
                    "This menu is allocated already; it is not allocated twice (no child is "
                    "seated twice)."
                ),
            )
        elif menu.status != Menu.Status.CLOSED:
            problems.add(
                "window_not_closed",
                _(
                    "Only a menu whose choice window has closed can be allocated for real (a "
                    "trial run is possible before)."
                ),
            )
        if seed is not None and str(seed) != menu.lottery_seed:
            problems.add(
                "seed_not_committed",
                _(
                    "A real run uses the seed committed when the window opened; another seed is "
                    "for a trial run only."
                ),
                field="seed",
            )
        if mechanism != menu.mechanism:
            problems.add(
                "mechanism_not_chosen",
                _(
                    "A real run uses the mechanism the menu's settings name; another one is for a "
                    "trial run only."
                ),
                field="mechanism",
            )
    use_seed = str(seed) if seed is not None else menu.lottery_seed
    if not use_seed:
        problems.add(
            "no_seed",
            _(
                "The menu has no lottery seed yet (it is drawn when the window opens); give a "
                "seed for a trial run."
            ),
            field="seed",
        )
    elif seed is None and seed_commitment(use_seed) != menu.lottery_seed_hash:
        problems.add(
            "seed_hash_mismatch",
            _(
                "The lottery seed does not match the hash published when the window opened: "
                "refused."
            ),
            field="seed",
        )
    problems.raise_if_any()
    return use_seed, mechanism


def allocation_start(
    *,
    menu: Menu,
    actor,
    seed=None,
    mechanism=None,
    dry_run: bool = False,
    confirmed: bool = False,
    in_background: bool = True,
) -> AllocationRun:
    """Check and queue a run for the worker (or, without `in_background`, for the caller to
    execute); a page then shows its progress. A real run is refused while another real run
    of the menu is alive.

    A real run cannot be undone (seats, waiting lists and every family's result are
    published at once), so it is refused with `confirmation_required` unless the caller
    says `confirmed=True`: the page after its confirmation step (`run_preview` says what
    will happen), the command with its explicit flag. A trial run needs no confirmation."""
    from kehou.placement.tasks import allocation_task

    menu = Menu.objects.select_related("term", "school").get(pk=menu.pk)
    access.require_school_admin(actor, menu.school)
    use_seed, use_mechanism = _refusals(menu, seed=seed, mechanism=mechanism, dry_run=dry_run)
    if not dry_run and not confirmed:
        raise refusal(
            "confirmation_required",
            _(
                "Running the allocation for real cannot be undone: confirm it first (the "
                "results are published to the families at once)."
            ),
        )
    with transaction.atomic():
        Menu.objects.select_for_update().filter(pk=menu.pk).first()
        runs_reap(menu=menu)
        if not dry_run and any(
            run.is_live for run in AllocationRun.objects.filter(menu=menu, dry_run=False)
        ):
            problems = Problems()
            problems.add("run_in_progress", _("An allocation of this menu is in progress."))
            problems.raise_if_any()
        run = AllocationRun.objects.create(
            menu=menu,
            mechanism=use_mechanism,
            max_extended_per_child=menu.max_extended_per_child,
            seed=use_seed,
            seed_hash=seed_commitment(use_seed),
            dry_run=dry_run,
            started_by=access.user_of(actor),
            lease_until=leases.lease_end(lease=QUEUE_PATIENCE),
        )

        def enqueue(run_id=run.pk) -> None:
            result = allocation_task.enqueue(run_id)
            AllocationRun.objects.filter(pk=run_id).update(task_id=str(result.id))

        if in_background:
            transaction.on_commit(enqueue)
    return run


def allocation_run(
    *,
    menu: Menu,
    actor,
    seed=None,
    mechanism=None,
    dry_run: bool = False,
    confirmed: bool = False,
) -> AllocationRun:
    """Start a run and execute it here and now (the `kehou allocate` command)."""
    run = allocation_start(
        menu=menu,
        actor=actor,
        seed=seed,
        mechanism=mechanism,
        dry_run=dry_run,
        confirmed=confirmed,
        in_background=False,
    )
    return allocation_execute(run_id=run.pk)


# --------------------------------------------------------------------------- executing


def _claim(run_id: int) -> AllocationRun | None:
    """Mark a queued run as running under this process's lease; None if it is not queued
    (done, failed, interrupted, or taken by another worker)."""
    claimed = AllocationRun.objects.filter(pk=run_id, status=AllocationRun.Status.QUEUED).update(
        status=AllocationRun.Status.RUNNING, lease_until=leases.lease_end()
    )
    return AllocationRun.objects.get(pk=run_id) if claimed else None


def _progress(run: AllocationRun, value: int) -> None:
    run.progress = value
    AllocationRun.objects.filter(pk=run.pk).update(progress=value)


def allocation_execute(*, run_id: int) -> AllocationRun:
    """Execute a queued run (in the worker) and write its result. Refusals and failures
    are recorded on the run with their reason, and raised again so the task records
    them too."""
    run = _claim(run_id)
    if run is None:
        return AllocationRun.objects.get(pk=run_id)
    try:
        with leases.renewing(AllocationRun.objects.filter(pk=run.pk)):
            return _execute(run)
    except Exception as exc:
        AllocationRun.objects.filter(pk=run.pk).update(
            status=AllocationRun.Status.FAILED,
            error=_reason(exc)[:2000],
            finished_at=timezone.now(),
        )
        raise


def _reason(exc: Exception) -> str:
    from django.core.exceptions import ValidationError

    if isinstance(exc, ValidationError):
        return "; ".join(item.message for item in items(exc))
    return _("Unexpected error: %(error)s") % {"error": repr(exc)}


def runs_reap(*, menu: Menu | None = None) -> int:
    """Runs whose lease lapsed without an outcome were interrupted (their worker died or
    never came): say so, so the page shows it and the menu can be allocated again."""
    lapsed = AllocationRun.objects.filter(
        status__in=AllocationRun.LIVE, lease_until__lt=timezone.now()
    )
    if menu is not None:
        lapsed = lapsed.filter(menu=menu)
    return lapsed.update(
        status=AllocationRun.Status.INTERRUPTED,
        finished_at=timezone.now(),
        error=_(
            "The background worker stopped before the run finished; nothing was written. "
            "Run it again."
        ),
    )


def _sentence_order(sentence) -> tuple:
    """A seat not on the family's list (basic care, a second-round seat) first, then one
    sentence per choice in the family's rank order (a stable sort keeps the rest)."""
    rank = sentence[1].get("rank")
    return (rank is not None, rank or 0)


class Computed:
    """Everything a run computes before it writes anything."""

    def __init__(self, inputs: Inputs, run: AllocationRun) -> None:
        t0 = time.perf_counter()
        self.inputs = inputs
        k = run.max_extended_per_child
        self.main = allocate(
            inputs.children,
            inputs.offerings,
            seed=run.seed,
            k=k,
            mechanism=run.mechanism,
            fallback=inputs.fallback,
        )
        # Basic pass: same lottery, seats left after the main pass, no clash with its seats.
        held_main = self.main.holders()
        basic_offerings = []
        for o in inputs.basic_offerings:
            used = len(held_main.get(o.id, ()))
            cap = o.capacity + self.main.expanded.get(o.id, 0) - used
            basic_offerings.append(
                Offering(id=o.id, capacity=max(cap, 0), grades=o.grades, meetings=o.meetings)
            )
        meet = {o.id: o.meetings for o in [*inputs.offerings, *inputs.basic_offerings]}
        basic_children = []
        # Basic choices left out of the basic pass because they meet at the same time as a
        # seat of the main pass: child -> [(offering, the seat it clashes with)].
        self.clashes: dict[int, list[tuple[int, int]]] = {}
        for c in inputs.basic_children:
            held = self.main.assignment[c.id]
            used = set()
            for h in held:
                used |= meet[h.offering]
            mine = set(self.main.offerings_of(c.id))
            choices = [o for o in c.choices if o not in mine and meet[o].isdisjoint(used)]
            for o in c.choices:
                if o not in mine and not meet[o].isdisjoint(used):
                    other = next(
                        h.offering for h in held if not meet[h.offering].isdisjoint(meet[o])
                    )
                    self.clashes.setdefault(c.id, []).append((o, other))
            basic_children.append(Child(id=c.id, grade=c.grade, tier=c.tier, choices=choices))
        self.basic_children = basic_children
        self.basic_offerings = basic_offerings
        self.has_basic = any(c.choices for c in basic_children)
        self.basic = (
            allocate(
                basic_children,
                basic_offerings,
                seed=run.seed,
                k=max(1, max(len(c.choices) for c in basic_children)),
                mechanism=run.mechanism,
                lottery=self.main.lottery,
            )
            if self.has_basic
            else None
        )
        self.mechanism_seconds = time.perf_counter() - t0

    def digests(self) -> tuple[str, str]:
        inp = input_digest(
            self.inputs.children,
            self.inputs.offerings,
            k=self.main.k,
            mechanism=self.main.mechanism,
        )
        res = result_digest(self.main)
        if self.basic is not None:
            inp = seed_commitment(
                inp
                + input_digest(
                    self.basic_children, self.basic_offerings, k=self.basic.k, mechanism="basic"
                )
            )
            res = seed_commitment(res + result_digest(self.basic))
        return inp, res

    def names(self) -> dict[int, str]:
        return {pk: str(o) for pk, o in self.inputs.rows.items()}

    def explanations(self) -> dict[int, list]:
        """Each child's sentences (kehou.allocation.explain), one per ranked choice in the
        family's rank order, the main and the basic part together, ranks as the family
        gave them."""
        names = self.names()
        ranks = self.inputs.family_rank
        main = explain(
            self.main,
            self.inputs.children,
            self.inputs.offerings,
            names=names,
            family_ranks=ranks,
        )
        out = {c: list(e.sentences) for c, e in main.items()}
        for c, clashes in self.clashes.items():
            for o, other in clashes:
                what = {"rank": ranks[c].get(o), "name": names.get(o, f"#{o}")}
                if ranks[c].get(other):
                    sentence = (
                        "conflict",
                        {**what, "other_rank": ranks[c][other], "other": names.get(other)},
                    )
                else:
                    sentence = ("conflict_unlisted", {**what, "other": names.get(other)})
                out.setdefault(c, []).append(sentence)
        if self.basic is not None:
            with_basic = {c.id for c in self.basic_children if c.choices}
            extra = explain(
                self.basic,
                [c for c in self.basic_children if c.id in with_basic],
                self.basic_offerings,
                names=names,
                family_ranks=ranks,
            )
            empty = ("no_seat", "no_choices")
            seated = ("got", "got_unlisted", "second_round", "fallback")
            for c, e in extra.items():
                # The family's list is both parts: "nothing yet" only if neither seated.
                both = [s for s in (*out.get(c, []), *e.sentences) if s[0] not in empty]
                if not any(s[0] in seated for s in both):
                    both.append(("no_seat", {}))
                out[c] = both
        return {c: sorted(s, key=_sentence_order) for c, s in out.items()}

    def metrics(self) -> dict:
        data = compute_metrics(
            self.main, self.inputs.children, self.inputs.offerings, groups=self.inputs.groups
        )
        if self.basic is not None:
            data["basic"] = compute_metrics(
                self.basic,
                [c for c in self.basic_children if c.choices],
                self.basic_offerings,
            )
        data["offering_names"] = {str(k): v for k, v in self.names().items()}
        return data


def _execute(run: AllocationRun) -> AllocationRun:
    started = time.perf_counter()
    menu = Menu.objects.select_related("term", "school").get(pk=run.menu_id)
    _progress(run, 10)
    inputs = load_inputs(menu)
    loaded = time.perf_counter()
    _progress(run, 30)
    computed = Computed(inputs, run)
    _progress(run, 60)
    metrics = computed.metrics()
    texts = computed.explanations()
    in_digest, out_digest = computed.digests()
    _progress(run, 80)
    timing = {
        "load_seconds": round(loaded - started, 4),
        "mechanism_seconds": round(computed.mechanism_seconds, 4),
    }
    done = {
        "status": AllocationRun.Status.DONE,
        "progress": 100,
        "metrics": metrics,
        "input_digest": in_digest,
        "result_digest": out_digest,
    }
    if run.dry_run:
        timing["total_seconds"] = round(time.perf_counter() - started, 4)
        metrics["timing"] = timing
        AllocationRun.objects.filter(pk=run.pk).update(**done, finished_at=timezone.now())
        return AllocationRun.objects.get(pk=run.pk)
    with transaction.atomic():
        locked = Menu.objects.select_for_update().get(pk=menu.pk)
        if locked.status != Menu.Status.CLOSED:
            problems = Problems()
            problems.add(
                "already_allocated",
                _(
                    "This menu is allocated already; it is not allocated twice (no child is "
                    "seated twice)."
                ),
            )
            problems.raise_if_any()
        write_started = time.perf_counter()
        _write(run, menu, computed, texts)
        menu_mark_allocated(menu=locked, actor=access.SYSTEM)
        notices.results_published(run=run, menu=menu, student_ids=computed.inputs.applications)
        timing["write_seconds"] = round(time.perf_counter() - write_started, 4)
        timing["total_seconds"] = round(time.perf_counter() - started, 4)
        metrics["timing"] = timing
        AllocationRun.objects.filter(pk=run.pk).update(**done, finished_at=timezone.now())
    return AllocationRun.objects.get(pk=run.pk)


SOURCE = {
    SECOND: Enrollment.Source.SECOND_ROUND,
    FALLBACK: Enrollment.Source.FALLBACK,
}


def _write(run: AllocationRun, menu: Menu, computed: Computed, texts: dict[int, list]) -> None:
    inputs = computed.inputs
    reference = f"allocation run {run.pk}"
    actor = run.started_by or access.SYSTEM
    passes = [computed.main] + ([computed.basic] if computed.basic is not None else [])
    placements = [
        seats.Placement(
            application=inputs.applications[child],
            offering_id=h.offering,
            source=SOURCE.get(h.stage, Enrollment.Source.ALLOCATION),
        )
        for result in passes
        for child, held in result.assignment.items()
        for h in held
    ]
    waits, seen = [], set()
    for result in passes:
        for offering, children in result.waitlists.items():
            for child in children:
                if (offering, child) in seen:
                    continue
                seen.add((offering, child))
                waits.append(
                    WaitlistEntry(
                        offering_id=offering,
                        student_id=child,
                        application=inputs.applications[child],
                        tier=result.tiers[child],
                        lottery_number=result.lottery[child],
                    )
                )
    main = computed.main
    outcomes = []
    for child, app in inputs.applications.items():
        ranks = inputs.family_rank[child]
        got = [o for r in passes for o in r.offerings_of(child)]
        best = min((ranks[o] for o in got if o in ranks), default=None)
        outcomes.append(
            AllocationOutcome(
                run=run,
                application=app,
                tier=main.tiers[child],
                lottery_number=main.lottery[child],
                best_rank=best,
                sentences=texts.get(child, []),
                explanation="".join(render(texts.get(child, []), "zh")),
            )
        )
    seats.place_all(
        placements,
        starts_on=seats.first_day(menu),
        actor=actor,
        reference=reference,
        extra_capacity=dict(main.expanded),
    )
    seats.wait_all(waits)
    AllocationOutcome.objects.bulk_create(outcomes, batch_size=1000)
    analyze_after_commit(Enrollment, WaitlistEntry, SeatEvent, AllocationOutcome)
