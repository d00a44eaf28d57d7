"""Allocation runs over the database and waiting-list promotion (SPEC R12).

`allocation_run` reads the approved applications of a closed menu, runs the pure core
(kehou.allocation), and writes every result in ONE transaction: enrolments, seat counters,
waiting lists, an outcome with the family's explanation per application, the run's metrics
and digests, and the menu's move to "allocated". A failure anywhere leaves no enrolment,
outcome or seat behind; the run record then says "failed" with the error.

Rules:
- A real run uses the menu's committed seed (the one whose sha256 was published when the
  window opened) and the menu's mechanism, only on a closed menu, only once: a menu already
  allocated is refused, so no child is ever seated twice.
- A dry run (`dry_run=True`) works on a menu in any state, may use another seed or mechanism
  to compare, and writes only its run record with the metrics (no enrolment, outcome, seat or
  waiting-list entry).
- k (`menu.max_extended_per_child`) limits EXTENDED offerings; ranked basic offerings
  (homework tutoring, sports, evening study, extended care) are allocated afterwards over the
  same lottery, over the seats left (see kehou.placement.inputs). Every approved child left
  without anything gets the guaranteed basic care (the menu's `is_fallback` offerings, which
  grow by a seat if full).

Waiting lists: a freed seat is offered per seat to the best waiting child by (tier, REVERSED
lottery) — the permuted-lottery rule of kehou.allocation.refill_vacated, one seat at a time —
who would still rather have it than what they hold. The offer reserves the seat for
`menu.accept_deadline_hours`; there is no notification model yet, so the family sees the offer
on its result page (placement:family) with accept/decline buttons and the deadline.
Seat counters change only under a lock on the offering row and with a conditional UPDATE.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

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
    wants,
)
from kehou.catalog.models import Menu
from kehou.catalog.models import Offering as OfferingRow
from kehou.catalog.services import buckets_of, menu_mark_allocated
from kehou.enrollment.models import (
    AllocationOutcome,
    AllocationRun,
    Choice,
    Enrollment,
    WaitlistEntry,
)
from kehou.placement.inputs import Inputs, load_inputs, start_date

MECHANISMS = ("da", "rsd")
OPEN_OFFER = (WaitlistEntry.Status.OFFERED,)


class AllocationRefused(ValidationError):
    """A run that may not happen (wrong state, seed mismatch, already allocated)."""


# --------------------------------------------------------------------------- allocation


def _check(menu: Menu, *, seed, mechanism, dry_run: bool) -> tuple[str, str]:
    errors = []
    mechanism = mechanism or menu.mechanism
    if mechanism not in MECHANISMS:
        errors.append(f"分配机制“{mechanism}”不存在，请用 da 或 rsd")
    if not dry_run:
        if menu.mode != Menu.Mode.LOTTERY:
            errors.append("先到先得的菜单不做抽签分配")
        if menu.status == Menu.Status.ALLOCATED or menu.status == Menu.Status.RUNNING:
            errors.append("本菜单已经分配过，不能再次分配（不会重复安排座位）")
        elif menu.status != Menu.Status.CLOSED:
            errors.append("只有选课已截止的菜单才能正式分配（可以先试运行）")
        if seed is not None and str(seed) != menu.lottery_seed:
            errors.append("正式分配只能使用开放选课时承诺的种子；其他种子只能用于试运行")
        if mechanism != menu.mechanism:
            errors.append("正式分配使用菜单设置的分配机制；其他机制只能用于试运行")
    use_seed = str(seed) if seed is not None else menu.lottery_seed
    if not use_seed:
        errors.append("菜单还没有抽签种子（开放选课时生成），试运行请指定 --seed")
    elif seed is None and seed_commitment(use_seed) != menu.lottery_seed_hash:
        errors.append("抽签种子与公布的哈希值不符，拒绝分配")
    if errors:
        raise AllocationRefused(errors)
    return use_seed, mechanism


def allocation_start(
    *, menu: Menu, actor=None, seed=None, mechanism=None, dry_run: bool = False
) -> AllocationRun:
    """Validate and create the run record (status running, progress 0) so a page can poll it;
    `allocation_execute` does the work."""
    menu = Menu.objects.select_related("term", "school").get(pk=menu.pk)
    use_seed, use_mechanism = _check(menu, seed=seed, mechanism=mechanism, dry_run=dry_run)
    if (
        not dry_run
        and AllocationRun.objects.filter(
            menu=menu, dry_run=False, status=AllocationRun.Status.RUNNING
        ).exists()
    ):
        raise AllocationRefused("本菜单的分配正在进行中")
    return AllocationRun.objects.create(
        menu=menu,
        mechanism=use_mechanism,
        max_extended_per_child=menu.max_extended_per_child,
        seed=use_seed,
        seed_hash=seed_commitment(use_seed),
        dry_run=dry_run,
        started_by=actor if getattr(actor, "pk", None) else None,
    )


def allocation_run(
    *, menu: Menu, actor=None, seed=None, mechanism=None, dry_run: bool = False
) -> AllocationRun:
    run = allocation_start(menu=menu, actor=actor, seed=seed, mechanism=mechanism, dry_run=dry_run)
    return allocation_execute(run=run)


def _progress(run: AllocationRun, value: int) -> None:
    run.progress = value
    AllocationRun.objects.filter(pk=run.pk).update(progress=value)


def allocation_execute(*, run: AllocationRun) -> AllocationRun:
    """Run the mechanism for a started run and write its result (see the module doc)."""
    try:
        return _execute(run)
    except Exception as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else repr(exc)
        AllocationRun.objects.filter(pk=run.pk).update(
            status=AllocationRun.Status.FAILED, error=message[:2000], finished_at=timezone.now()
        )
        run.refresh_from_db()
        raise


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
        for c in inputs.basic_children:
            used = set()
            for h in self.main.assignment[c.id]:
                used |= meet[h.offering]
            mine = set(self.main.offerings_of(c.id))
            choices = [o for o in c.choices if o not in mine and meet[o].isdisjoint(used)]
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

    def explanations(self) -> dict[int, str]:
        names = self.names()
        texts = {
            c: e.text
            for c, e in explain(
                self.main, self.inputs.children, self.inputs.offerings, names=names
            ).items()
        }
        if self.basic is not None:
            with_basic = {c.id for c in self.basic_children if c.choices}
            extra = explain(
                self.basic,
                [c for c in self.basic_children if c.id in with_basic],
                self.basic_offerings,
                names=names,
            )
            for c, e in extra.items():
                texts[c] = f"{texts[c]}。基础服务：{e.text}"
        return texts

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
    if run.dry_run:
        timing["total_seconds"] = round(time.perf_counter() - started, 4)
        metrics["timing"] = timing
        AllocationRun.objects.filter(pk=run.pk).update(
            status=AllocationRun.Status.DONE,
            progress=100,
            metrics=metrics,
            input_digest=in_digest,
            result_digest=out_digest,
            finished_at=timezone.now(),
        )
        run.refresh_from_db()
        return run
    with transaction.atomic():
        locked = Menu.objects.select_for_update().get(pk=menu.pk)
        if locked.status != Menu.Status.CLOSED:
            raise AllocationRefused("本菜单已经分配过，不能再次分配（不会重复安排座位）")
        write_started = time.perf_counter()
        _write(run, menu, computed, texts)
        menu_mark_allocated(menu=locked)
        timing["write_seconds"] = round(time.perf_counter() - write_started, 4)
        timing["total_seconds"] = round(time.perf_counter() - started, 4)
        metrics["timing"] = timing
        AllocationRun.objects.filter(pk=run.pk).update(
            status=AllocationRun.Status.DONE,
            progress=100,
            metrics=metrics,
            input_digest=in_digest,
            result_digest=out_digest,
            finished_at=timezone.now(),
        )
    run.refresh_from_db()
    return run


SOURCE = {
    SECOND: Enrollment.Source.SECOND_ROUND,
    FALLBACK: Enrollment.Source.FALLBACK,
}


def _write(run: AllocationRun, menu: Menu, computed: Computed, texts: dict[int, str]) -> None:
    inputs = computed.inputs
    starts_on = start_date(menu, timezone.localdate())
    enrolments, waits, outcomes = [], [], []
    seats: dict[int, int] = {}
    passes = [computed.main] + ([computed.basic] if computed.basic is not None else [])
    for result in passes:
        for child, held in result.assignment.items():
            app = inputs.applications[child]
            for h in held:
                seats[h.offering] = seats.get(h.offering, 0) + 1
                enrolments.append(
                    Enrollment(
                        student_id=child,
                        offering_id=h.offering,
                        application=app,
                        run=run,
                        source=SOURCE.get(h.stage, Enrollment.Source.ALLOCATION),
                        starts_on=starts_on,
                    )
                )
    waiting: set[tuple[int, int]] = set()
    for result in passes:
        for offering, children in result.waitlists.items():
            for child in children:
                if (offering, child) in waiting:
                    continue
                waiting.add((offering, child))
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
                explanation=texts.get(child, ""),
            )
        )
    # Seats: lock the offerings, grow expanded fallbacks, then count the seats taken.
    locked = {
        o.pk: o
        for o in OfferingRow.objects.select_for_update().filter(pk__in=list(seats)).order_by("pk")
    }
    for pk, n in sorted(seats.items()):
        extra = main.expanded.get(pk, 0)
        offering = locked[pk]
        if offering.taken + n > offering.capacity + extra:
            raise AllocationRefused(f"项目“{offering}”的名额已被占用，分配未写入")
        OfferingRow.objects.filter(pk=pk).update(
            capacity=F("capacity") + extra, taken=F("taken") + n
        )
    Enrollment.objects.bulk_create(enrolments, batch_size=1000)
    WaitlistEntry.objects.bulk_create(waits, batch_size=1000)
    AllocationOutcome.objects.bulk_create(outcomes, batch_size=1000)


# --------------------------------------------------------------------------- waiting lists


def _child_state(entry_student_id: int, menu_id: int):
    """The child's active seats in the menu and the family's ranks."""
    held = list(
        Enrollment.objects.filter(
            student_id=entry_student_id,
            offering__menu_id=menu_id,
            status=Enrollment.Status.ACTIVE,
        ).select_related("offering__activity")
    )
    return held


def _meetings(offering_ids: Iterable[int]) -> dict[int, frozenset]:
    out: dict[int, list] = {pk: [] for pk in offering_ids}
    for offering_id, weekday, start, end in (
        OfferingRow.objects.filter(pk__in=list(out))
        .values_list("pk", "meetings__weekday", "meetings__start", "meetings__end")
        .order_by("pk")
    ):
        if weekday is not None:
            out[offering_id].append((weekday, start, end))
    return {pk: buckets_of(m) for pk, m in out.items()}


def _still_wants(entry: WaitlistEntry) -> tuple[bool, list[Enrollment]]:
    """Would the child rather have `entry.offering` than what they hold now (same rule as the
    core's `wants`, per part: extended seats count against k, basic ones do not)? Also returns
    the seats taking it would end (clashing or beyond k, all ranked below it)."""
    offering = entry.offering
    menu = offering.menu
    held = [
        e
        for e in _child_state(entry.student_id, menu.pk)
        if e.offering.activity.is_extended == offering.activity.is_extended
        and not e.offering.is_fallback
    ]
    ranks = dict(
        Choice.objects.filter(application=entry.application).values_list("offering_id", "rank")
    )
    meet = _meetings([offering.pk, *(e.offering_id for e in held)])
    k = menu.max_extended_per_child if offering.activity.is_extended else 10**6
    held_ids = [e.offering_id for e in held]
    if not wants(ranks, meet, held_ids, offering.pk, k):
        return False, []
    mine = ranks[offering.pk]
    clash = [e for e in held if not meet[e.offering_id].isdisjoint(meet[offering.pk])]
    release = list(clash)
    if not clash and len(held) >= k:
        worst = max(held, key=lambda e: ranks.get(e.offering_id, 10**6))
        release = [worst]
    release = [e for e in release if ranks.get(e.offering_id, 10**6) > mine]
    return True, release


def waitlist_refill(*, offering_id: int) -> list[WaitlistEntry]:
    """Offer each free, unreserved seat of the offering to the best waiting child who
    still wants it. Returns the entries offered now.

    After an allocation the queue goes by (tier, reversed lottery): the reversed draw gives
    those who were unlucky in the main run the first chance. In first-come-first-served
    mode (seats claimed while the window is open) the lottery number is the arrival order,
    so the queue goes by (tier, arrival)."""
    offered = []
    with transaction.atomic():
        try:
            offering = (
                OfferingRow.objects.select_for_update(of=("self",))
                .select_related("menu", "activity")
                .get(pk=offering_id)
            )
        except OfferingRow.DoesNotExist:
            return []
        menu = offering.menu
        fcfs = menu.mode == Menu.Mode.FCFS
        live = (Menu.Status.ALLOCATED, Menu.Status.RUNNING)
        if menu.status not in (live + (Menu.Status.WINDOW_OPEN,) if fcfs else live):
            return []
        reserved = WaitlistEntry.objects.filter(offering=offering, status__in=OPEN_OFFER).count()
        free = offering.capacity - offering.taken - reserved
        if free <= 0:
            return []
        now = timezone.now()
        respond_by = now + dt.timedelta(hours=offering.menu.accept_deadline_hours)
        queue = (
            WaitlistEntry.objects.filter(offering=offering, status=WaitlistEntry.Status.WAITING)
            .select_related("offering__menu", "offering__activity", "application")
            .order_by("tier", "lottery_number" if fcfs else "-lottery_number", "pk")
        )
        for entry in queue:
            if free <= 0:
                break
            wanted, _release = _still_wants(entry)
            if not wanted:
                entry.status = WaitlistEntry.Status.REMOVED
                entry.save(update_fields=["status"])
                continue
            entry.status = WaitlistEntry.Status.OFFERED
            entry.offered_at = now
            entry.respond_by = respond_by
            entry.save(update_fields=["status", "offered_at", "respond_by"])
            offered.append(entry)
            free -= 1
    return offered


def _refill_after_commit(offering_ids: Iterable[int]) -> None:
    for pk in sorted(set(offering_ids)):
        transaction.on_commit(lambda pk=pk: waitlist_refill(offering_id=pk))


def waitlist_accept(*, entry: WaitlistEntry, actor) -> Enrollment:
    """Take the offered seat: the child gets it, the lower-ranked seat it replaces (a clash,
    or one beyond k) ends today and its seat goes to that offering's waiting list."""
    today = timezone.localdate()
    with transaction.atomic():
        offering = (
            OfferingRow.objects.select_for_update(of=("self",))
            .select_related("menu__term", "activity")
            .get(pk=entry.offering_id)
        )
        entry = (
            WaitlistEntry.objects.select_for_update(of=("self",))
            .select_related("offering__menu", "offering__activity", "application")
            .get(pk=entry.pk)
        )
        if entry.status != WaitlistEntry.Status.OFFERED:
            raise ValidationError("这个名额没有留给您，或已处理")
        if entry.respond_by and entry.respond_by < timezone.now():
            raise ValidationError("接受期限已过，名额已转给下一位")
        _wanted, release = _still_wants(entry)
        updated = OfferingRow.objects.filter(pk=offering.pk, taken__lt=F("capacity")).update(
            taken=F("taken") + 1
        )
        if not updated:
            raise ValidationError(f"项目“{offering}”已满")
        freed = []
        for old in release:
            Enrollment.objects.filter(pk=old.pk, status=Enrollment.Status.ACTIVE).update(
                status=Enrollment.Status.WITHDRAWN,
                ends_on=today,
                withdrawn_reason=f"候补获得更靠前的志愿“{offering}”",
            )
            OfferingRow.objects.filter(pk=old.offering_id, taken__gt=0).update(taken=F("taken") - 1)
            freed.append(old.offering_id)
        enrolment = Enrollment.objects.create(
            student_id=entry.student_id,
            offering=offering,
            application=entry.application,
            source=Enrollment.Source.WAITLIST,
            starts_on=start_date(offering.menu, today),
        )
        entry.status = WaitlistEntry.Status.ACCEPTED
        entry.save(update_fields=["status"])
        _refill_after_commit(freed)
    return enrolment


def waitlist_decline(*, entry: WaitlistEntry, actor) -> WaitlistEntry:
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != WaitlistEntry.Status.OFFERED:
            raise ValidationError("这个名额没有留给您，或已处理")
        entry.status = WaitlistEntry.Status.DECLINED
        entry.save(update_fields=["status"])
        _refill_after_commit([entry.offering_id])
    return entry


def waitlist_expire_overdue(now: dt.datetime | None = None) -> int:
    """Offers past their deadline expire; their seats go to the next child. Returns the count."""
    now = now or timezone.now()
    with transaction.atomic():
        overdue = list(
            WaitlistEntry.objects.select_for_update().filter(
                status=WaitlistEntry.Status.OFFERED, respond_by__lt=now
            )
        )
        for entry in overdue:
            entry.status = WaitlistEntry.Status.EXPIRED
            entry.save(update_fields=["status"])
        _refill_after_commit(e.offering_id for e in overdue)
    return len(overdue)
