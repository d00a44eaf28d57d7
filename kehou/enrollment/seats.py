"""The one path by which seats change (R12, R13).

Every way a child gets or loses a seat goes through here: a first-come-first-served claim,
an allocation's results, a waiting-list offer and its answer, a withdrawal, a placement by
the school. Each function changes the seat counters of the offering, the enrolment and
waiting-list rows, and writes a `SeatEvent` for every change of a seat (taken, ended,
released, offered, and an offer declined, expired or given up), bulk ones included, all
in the caller's transaction.

Counters and constraints:
- `Offering.taken` equals the offering's ACTIVE enrolments, `Offering.held` its OFFERED
  waiting-list entries; both change only here, by conditional UPDATEs
  (`taken + held < capacity`), and a CHECK keeps `taken + held <= capacity`.
- An enrolment is ACTIVE while it holds its seat. Ending it on a later day keeps the seat
  until that day (`ends_on`); `release_due` lets it go then. A partial UNIQUE stops a
  second active seat for one child in one offering.

Locks, always in this order: the application (so one family's actions queue), then the
offerings in ascending pk. PostgreSQL waits on these row locks; SQLite serialises every
writer anyway (IMMEDIATE transactions).

Waiting lists: a freed seat is offered to the first child in the queue who would still
rather have it than what they hold. The queue has ONE order (`QUEUE`), the order of the
draw itself: the priority tier seed 001 protects, then the lottery number as drawn (in
first-come-first-served mode the number is the arrival), smallest first. The allocation
core lists its waiting children in that order, the seat path offers seats in it, and a
family's place in line (`waiting_position`) is counted in it: the child just below an
offering's cut-off is first in line. (docs/adr/0008-waiting-list-order.md says why the
lottery is not reversed.) The offer holds the seat until the family answers or the
deadline passes (`expire_overdue`, a periodic job).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehou.allocation import wants
from kehou.catalog.models import Menu, Offering
from kehou.catalog.services import buckets_of
from kehou.core.errors import refusal
from kehou.enrollment import notices
from kehou.enrollment.models import Application, Choice, Enrollment, SeatEvent, WaitlistEntry
from kehou.org.access import user_of

Source = Enrollment.Source
Kind = SeatEvent.Kind
BATCH = 1000
UNRANKED = 10**6


def lock_application(application_id: int) -> Application:
    """The first lock of every seat change that concerns one family."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("student__school", "term")
        .get(pk=application_id)
    )


def lock_offerings(offering_ids: Iterable[int]) -> dict[int, Offering]:
    """Row locks on offerings, taken in ascending pk order (the second lock)."""
    ids = sorted(set(offering_ids))
    rows = (
        Offering.objects.select_for_update(of=("self",))
        .select_related("menu__term", "activity")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    return {o.pk: o for o in rows}


def _event(kind, *, school_id, offering_id, student_id, actor, enrollment=None, **fields):
    return SeatEvent(
        kind=kind,
        school_id=school_id,
        offering_id=offering_id,
        student_id=student_id,
        enrollment=enrollment,
        actor=user_of(actor),
        **fields,
    )


def _schools_of(offering_ids: Iterable[int]) -> dict[int, int]:
    return dict(
        Offering.objects.filter(pk__in=set(offering_ids)).values_list("pk", "menu__school_id")
    )


def first_day(menu: Menu, today: dt.date | None = None) -> dt.date:
    """The first day a seat taken today counts: today, or the term's first day."""
    return max(menu.term.start, today or timezone.localdate())


# --------------------------------------------------------------------------- taking


def take(
    *,
    application: Application,
    offering: Offering,
    source: str,
    starts_on: dt.date,
    actor,
    reason: str = "",
    reference: str = "",
) -> Enrollment | None:
    """Seat the application's child in `offering` from `starts_on`, or None when it is
    full. The caller holds the application's lock (`lock_application`) and has checked
    that the child may have this seat."""
    took = Offering.objects.filter(pk=offering.pk, taken__lt=F("capacity") - F("held")).update(
        taken=F("taken") + 1
    )
    if not took:
        return None
    return _seat(
        application=application,
        offering_id=offering.pk,
        school_id=application.student.school_id,
        source=source,
        starts_on=starts_on,
        actor=actor,
        reason=reason,
        reference=reference,
    )


def _seat(
    *, application, offering_id, school_id, source, starts_on, actor, reason="", reference=""
):
    """The enrolment of a seat already counted, and its SeatEvent."""
    enrolment = Enrollment.objects.create(
        student_id=application.student_id,
        offering_id=offering_id,
        application=application,
        source=source,
        starts_on=starts_on,
    )
    SeatEvent.objects.create(
        kind=Kind.TAKEN,
        school_id=school_id,
        offering_id=offering_id,
        student_id=application.student_id,
        enrollment=enrolment,
        source=source,
        effective_on=starts_on,
        reason=reason[:200],
        reference=reference[:100],
        actor=user_of(actor),
    )
    return enrolment


@dataclass(frozen=True)
class Placement:
    """One seat of an allocation's result."""

    application: Application
    offering_id: int
    source: str


def place_all(
    placements: Sequence[Placement],
    *,
    starts_on: dt.date,
    actor,
    reference: str,
    extra_capacity: dict[int, int] | None = None,
) -> list[Enrollment]:
    """Write an allocation's seats in bulk: lock the offerings (pk order), refuse if any
    would over-fill, grow the offerings the result expanded (the guaranteed fallback),
    count the seats, insert the enrolments and one SeatEvent each. All or nothing: the
    caller's transaction holds it together."""
    extra_capacity = extra_capacity or {}
    wanted: dict[int, int] = {}
    for p in placements:
        wanted[p.offering_id] = wanted.get(p.offering_id, 0) + 1
    locked = lock_offerings(wanted)
    for pk, n in sorted(wanted.items()):
        offering = locked[pk]
        if offering.taken + offering.held + n > offering.capacity + extra_capacity.get(pk, 0):
            raise refusal(
                "seats_taken_meanwhile",
                _("The seats of “%(offering)s” were taken meanwhile; nothing was written."),
                offering=str(offering),
            )
        Offering.objects.filter(pk=pk).update(
            capacity=F("capacity") + extra_capacity.get(pk, 0), taken=F("taken") + n
        )
    enrolments = Enrollment.objects.bulk_create(
        [
            Enrollment(
                student_id=p.application.student_id,
                offering_id=p.offering_id,
                application=p.application,
                source=p.source,
                starts_on=starts_on,
            )
            for p in placements
        ],
        batch_size=BATCH,
    )
    school_of = {pk: o.menu.school_id for pk, o in locked.items()}
    SeatEvent.objects.bulk_create(
        [
            _event(
                Kind.TAKEN,
                school_id=school_of[e.offering_id],
                offering_id=e.offering_id,
                student_id=e.student_id,
                enrollment=e,
                actor=actor,
                source=e.source,
                effective_on=starts_on,
                reference=reference[:100],
            )
            for e in enrolments
        ],
        batch_size=BATCH,
    )
    return enrolments


# --------------------------------------------------------------------------- ending


def end(
    enrolments: Iterable[Enrollment],
    *,
    on: dt.date,
    actor,
    reason: str,
    reference: str = "",
    today: dt.date | None = None,
) -> list[int]:
    """The children leave these groups from `on` (the first day they are no longer there).
    On or before today the seats are released now; a later day keeps each seat until then
    (`release_due` lets it go). Returns the offerings with a seat released now, whose
    waiting lists are offered the seat after commit. The caller holds the lock of each
    enrolment's application."""
    today = today or timezone.localdate()
    released: list[int] = []
    events = []
    reason = reason[:200]
    enrolments = sorted(enrolments, key=lambda e: (e.offering_id, e.pk))
    school_of = _schools_of(e.offering_id for e in enrolments)
    for enrolment in enrolments:
        on_day = max(on, enrolment.starts_on)
        if on_day <= today:
            changed = Enrollment.objects.filter(
                pk=enrolment.pk, status=Enrollment.Status.ACTIVE
            ).update(status=Enrollment.Status.WITHDRAWN, ends_on=on_day, withdrawn_reason=reason)
            if not changed:
                continue
            Offering.objects.filter(pk=enrolment.offering_id, taken__gt=0).update(
                taken=F("taken") - 1
            )
            released.append(enrolment.offering_id)
            kind = Kind.RELEASED
        else:
            changed = Enrollment.objects.filter(
                pk=enrolment.pk, status=Enrollment.Status.ACTIVE
            ).update(ends_on=on_day, withdrawn_reason=reason)
            if not changed:
                continue
            kind = Kind.ENDED
        events.append(
            _event(
                kind,
                school_id=school_of[enrolment.offering_id],
                offering_id=enrolment.offering_id,
                student_id=enrolment.student_id,
                enrollment=enrolment,
                actor=actor,
                source=enrolment.source,
                effective_on=on_day,
                reason=reason,
                reference=reference[:100],
            )
        )
    SeatEvent.objects.bulk_create(events, batch_size=BATCH)
    offer_after_commit(released)
    return released


def release_due(today: dt.date | None = None, *, actor=None) -> int:
    """Release the seats of enrolments whose leaving day has come (a periodic job)."""
    today = today or timezone.localdate()
    due = list(
        Enrollment.objects.filter(status=Enrollment.Status.ACTIVE, ends_on__lte=today).values_list(
            "pk", "application_id"
        )
    )
    count = 0
    for pk, application_id in due:
        with transaction.atomic():
            if application_id:
                lock_application(application_id)
            enrolment = Enrollment.objects.filter(
                pk=pk, status=Enrollment.Status.ACTIVE, ends_on__lte=today
            ).first()
            if enrolment is None:
                continue
            reason = enrolment.withdrawn_reason
            freed = end([enrolment], on=enrolment.ends_on, actor=actor, reason=reason, today=today)
            count += len(freed)
    return count


# --------------------------------------------------------------------------- waiting lists


# The order of every waiting list, and the lottery's: a lower value goes first.
QUEUE = ("tier", "lottery_number", "pk")


def queue_order(menu: Menu | None = None) -> tuple[str, ...]:
    """The order in which a waiting list is offered seats (`QUEUE`, whatever the menu's
    mode: after an allocation the lottery number, in first-come-first-served the arrival)."""
    return QUEUE


def queue_key(entry: WaitlistEntry) -> tuple:
    return tuple(getattr(entry, name) for name in QUEUE)


def _ahead_of(entry: WaitlistEntry) -> Q:
    """The entries before `entry` in `QUEUE` order (lexicographic on its fields)."""
    ahead, equal = Q(pk__in=[]), Q()
    for name in QUEUE:
        value = getattr(entry, name)
        ahead |= equal & Q(**{f"{name}__lt": value})
        equal &= Q(**{name: value})
    return ahead


def waiting_position(entry: WaitlistEntry) -> int:
    """1 = the next child to be offered a seat of the offering."""
    waiting = WaitlistEntry.objects.filter(
        offering_id=entry.offering_id, status=WaitlistEntry.Status.WAITING
    )
    return waiting.filter(_ahead_of(entry)).count() + 1


def waiting_positions(entries: Sequence[WaitlistEntry]) -> dict[int, int]:
    """`waiting_position` of many entries in one query per 1,000 offerings (exports)."""
    offering_ids = sorted({e.offering_id for e in entries})
    queues: dict[int, list[WaitlistEntry]] = {}
    for start in range(0, len(offering_ids), BATCH):
        for e in WaitlistEntry.objects.filter(
            offering_id__in=offering_ids[start : start + BATCH],
            status=WaitlistEntry.Status.WAITING,
        ).only(*QUEUE, "offering_id"):
            queues.setdefault(e.offering_id, []).append(e)
    out = {}
    for queue in queues.values():
        for place, e in enumerate(sorted(queue, key=queue_key), start=1):
            out[e.pk] = place
    return {e.pk: out[e.pk] for e in entries if e.pk in out}


def wait(*, application: Application, offering: Offering, tier: int, actor) -> WaitlistEntry:
    """Put the child on the offering's waiting list, behind everyone already there (the
    arrival order of first-come-first-served). The caller holds the application's lock."""
    Offering.objects.select_for_update(of=("self",)).filter(pk=offering.pk).first()
    arrival = (
        WaitlistEntry.objects.filter(offering=offering).aggregate(n=Max("lottery_number"))["n"] or 0
    ) + 1
    fresh = {
        "application": application,
        "tier": tier,
        "lottery_number": arrival,
        "status": WaitlistEntry.Status.WAITING,
        "offered_at": None,
        "respond_by": None,
    }
    # A place the child gave up before (declined, expired, removed) is taken up again.
    again = WaitlistEntry.objects.filter(offering=offering, student_id=application.student_id)
    if again.update(**fresh):
        entry = again.get()
    else:
        entry = WaitlistEntry.objects.create(
            offering=offering, student_id=application.student_id, **fresh
        )
    entry.offering = offering
    return entry


def wait_all(entries: Sequence[WaitlistEntry]) -> None:
    """An allocation's waiting lists, in bulk (a place on a list is no seat: its history
    starts when a seat is offered)."""
    WaitlistEntry.objects.bulk_create(entries, batch_size=BATCH)


def leave_waitlists(application: Application, *, actor, reason: str) -> list[int]:
    """The child gives up every waiting-list place of the application's term (a
    withdrawal); open offers give their held seat back. Returns the offerings whose held
    seat came free (offered on after commit)."""
    entries = list(
        WaitlistEntry.objects.filter(
            student_id=application.student_id,
            offering__menu__term_id=application.term_id,
            status__in=(WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED),
        ).order_by("offering_id")
    )
    freed = _close_entries(entries, kind=Kind.LEFT_WAITLIST, actor=actor, reason=reason)
    offer_after_commit(freed)
    return freed


def _close_entries(entries, *, kind, actor, reason: str = "") -> list[int]:
    """Close waiting-list entries (removed, declined or expired); an OFFERED entry gives
    its held seat back, and that seat change is recorded. Returns the offerings whose held
    seat came free."""
    status = {
        Kind.LEFT_WAITLIST: WaitlistEntry.Status.REMOVED,
        Kind.DECLINED: WaitlistEntry.Status.DECLINED,
        Kind.EXPIRED: WaitlistEntry.Status.EXPIRED,
    }[kind]
    freed, events = [], []
    entries = sorted(entries, key=lambda e: (e.offering_id, e.pk))
    school_of = _schools_of(e.offering_id for e in entries)
    for entry in entries:
        was_offered = entry.status == WaitlistEntry.Status.OFFERED
        changed = WaitlistEntry.objects.filter(pk=entry.pk, status=entry.status).update(
            status=status
        )
        if not changed or not was_offered:
            continue
        Offering.objects.filter(pk=entry.offering_id, held__gt=0).update(held=F("held") - 1)
        freed.append(entry.offering_id)
        events.append(
            _event(
                kind,
                school_id=school_of[entry.offering_id],
                offering_id=entry.offering_id,
                student_id=entry.student_id,
                actor=actor,
                reason=reason[:200],
            )
        )
    SeatEvent.objects.bulk_create(events, batch_size=BATCH)
    return freed


def offer_after_commit(offering_ids: Iterable[int]) -> None:
    """Once the transaction commits, offer the freed seats of these offerings."""
    for pk in sorted(set(offering_ids)):
        transaction.on_commit(lambda pk=pk: offer_free_seats(offering_id=pk))


def _meetings(offering_ids: Iterable[int]) -> dict[int, frozenset]:
    out: dict[int, list] = {pk: [] for pk in offering_ids}
    for offering_id, weekday, start, end in (
        Offering.objects.filter(pk__in=list(out))
        .values_list("pk", "meetings__weekday", "meetings__start", "meetings__end")
        .order_by("pk")
    ):
        if weekday is not None:
            out[offering_id].append((weekday, start, end))
    return {pk: buckets_of(m) for pk, m in out.items()}


def still_wants(entry: WaitlistEntry) -> tuple[bool, list[Enrollment]]:
    """Would the child rather have `entry.offering` than what they hold now (the core's
    `wants`, per part: extended seats count against k, basic ones do not)? Also returns the
    seats taking it would end (clashing or beyond k, all ranked below it)."""
    offering = entry.offering
    menu = offering.menu
    held = [
        e
        for e in Enrollment.objects.filter(
            student_id=entry.student_id,
            offering__menu_id=menu.pk,
            status=Enrollment.Status.ACTIVE,
        ).select_related("offering__activity", "student")
        if e.offering.activity.is_extended == offering.activity.is_extended
        and not e.offering.is_fallback
    ]
    ranks = dict(
        Choice.objects.filter(application_id=entry.application_id).values_list(
            "offering_id", "rank"
        )
    )
    meet = _meetings([offering.pk, *(e.offering_id for e in held)])
    k = menu.max_extended_per_child if offering.activity.is_extended else UNRANKED
    if not wants(ranks, meet, [e.offering_id for e in held], offering.pk, k):
        return False, []
    mine = ranks[offering.pk]
    release = [e for e in held if not meet[e.offering_id].isdisjoint(meet[offering.pk])]
    if not release and len(held) >= k:
        release = [max(held, key=lambda e: ranks.get(e.offering_id, UNRANKED))]
    return True, [e for e in release if ranks.get(e.offering_id, UNRANKED) > mine]


LIVE_MENUS = (Menu.Status.ALLOCATED, Menu.Status.RUNNING)


def offer_free_seats(*, offering_id: int, actor=None) -> list[WaitlistEntry]:
    """Offer each free seat of the offering to the next child in its queue who still
    wants it; each offer holds its seat until answered. Returns the entries offered now.
    A child who no longer wants the seat leaves the queue."""
    offered = []
    with transaction.atomic():
        offering = lock_offerings([offering_id]).get(offering_id)
        if offering is None:
            return []
        menu = offering.menu
        live = LIVE_MENUS + ((Menu.Status.WINDOW_OPEN,) if menu.mode == Menu.Mode.FCFS else ())
        free = offering.capacity - offering.taken - offering.held
        if menu.status not in live or free <= 0:
            return []
        now = timezone.now()
        respond_by = now + dt.timedelta(hours=menu.accept_deadline_hours)
        queue = (
            WaitlistEntry.objects.filter(offering=offering, status=WaitlistEntry.Status.WAITING)
            .select_related("offering__menu", "offering__activity")
            .order_by(*queue_order(menu))
        )
        events, gone = [], []
        for entry in queue:
            if free <= 0:
                break
            entry.offering = offering
            wanted, _release = still_wants(entry)
            if not wanted:
                gone.append(entry)
                continue
            entry.status = WaitlistEntry.Status.OFFERED
            entry.offered_at = now
            entry.respond_by = respond_by
            entry.save(update_fields=["status", "offered_at", "respond_by"])
            events.append(
                _event(
                    Kind.OFFERED,
                    school_id=menu.school_id,
                    offering_id=offering.pk,
                    student_id=entry.student_id,
                    actor=actor,
                    effective_on=respond_by.date(),
                )
            )
            offered.append(entry)
            free -= 1
        if offered:
            Offering.objects.filter(pk=offering.pk).update(held=F("held") + len(offered))
        SeatEvent.objects.bulk_create(events)
        _close_entries(gone, kind=Kind.LEFT_WAITLIST, actor=actor, reason=_("no longer wanted"))
        notices.seats_offered(offered, offering)
    return offered


def accept(*, entry: WaitlistEntry, actor) -> Enrollment:
    """The family takes the seat offered to it: the child is seated from today (or the
    term's first day); the lower-ranked seats it replaces (a clash, or one beyond k) end
    today and go to their waiting lists; the child's waiting-list places for offerings
    ranked below this one end too. The caller has checked who may answer."""
    today = timezone.localdate()
    application = lock_application(entry.application_id)
    current = (
        WaitlistEntry.objects.select_related("offering__menu__term", "offering__activity")
        .filter(pk=entry.pk)
        .first()
    )
    if current is None or current.status != WaitlistEntry.Status.OFFERED:
        raise refusal("offer_not_open", _("This seat is not offered to you, or was answered."))
    if current.respond_by and current.respond_by < timezone.now():
        raise refusal(
            "offer_expired", _("The time to accept has passed; the seat went to the next child.")
        )
    wanted, release = still_wants(current)
    if not wanted:
        # The child holds a better seat since this offer was made (a school placement, say):
        # taking this one too would break the k limit or clash.
        raise refusal(
            "offer_not_wanted",
            _(
                "Your child holds a choice ranked above this one now, so this seat cannot be "
                "taken as well; decline it to pass it on to the next child."
            ),
        )
    locked = lock_offerings([current.offering_id, *(e.offering_id for e in release)])
    offering = locked[current.offering_id]
    moved = Offering.objects.filter(pk=offering.pk, held__gt=0).update(
        held=F("held") - 1, taken=F("taken") + 1
    )
    if not moved:
        raise refusal("offer_not_open", _("This seat is not offered to you, or was answered."))
    WaitlistEntry.objects.filter(pk=current.pk).update(status=WaitlistEntry.Status.ACCEPTED)
    enrolment = _seat(
        application=application,
        offering_id=offering.pk,
        school_id=offering.menu.school_id,
        source=Source.WAITLIST,
        starts_on=first_day(offering.menu, today),
        actor=actor,
    )
    end(
        release,
        on=today,
        actor=actor,
        reason=_("took a higher choice from the waiting list: “%(offering)s”")
        % {"offering": offering},
    )
    # Places the child would no longer take now (ranked below what they hold) end, open
    # offers among them too: their held seats go on to the next child.
    waiting = WaitlistEntry.objects.filter(
        application=application,
        offering__menu_id=offering.menu_id,
        status__in=(WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED),
    ).select_related("offering__menu", "offering__activity")
    unwanted = [e for e in waiting if not still_wants(e)[0]]
    freed = _close_entries(
        unwanted, kind=Kind.LEFT_WAITLIST, actor=actor, reason=_("took a higher choice instead")
    )
    offer_after_commit(freed)
    return enrolment


def decline(*, entry: WaitlistEntry, actor) -> WaitlistEntry:
    """The family turns the offered seat down; it goes to the next child."""
    lock_application(entry.application_id)
    current = WaitlistEntry.objects.select_related("offering__menu").get(pk=entry.pk)
    if current.status != WaitlistEntry.Status.OFFERED:
        raise refusal("offer_not_open", _("This seat is not offered to you, or was answered."))
    freed = _close_entries([current], kind=Kind.DECLINED, actor=actor)
    offer_after_commit(freed)
    current.refresh_from_db()
    return current


def expire_overdue(now: dt.datetime | None = None, *, actor=None) -> int:
    """Offers past their deadline expire and their seats go to the next child (a periodic
    job, so a family that never answers does not block the seat). Returns the count."""
    now = now or timezone.now()
    count = 0
    for entry_id, application_id in WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.OFFERED, respond_by__lt=now
    ).values_list("pk", "application_id"):
        with transaction.atomic():
            lock_application(application_id)
            entry = (
                WaitlistEntry.objects.select_related("offering__menu")
                .filter(pk=entry_id, status=WaitlistEntry.Status.OFFERED, respond_by__lt=now)
                .first()
            )
            if entry is None:
                continue
            freed = _close_entries([entry], kind=Kind.EXPIRED, actor=actor)
            offer_after_commit(freed)
            count += 1
    return count


def offer_all_free_seats(*, actor=None) -> int:
    """Offer every free seat that has a waiting child (a periodic job: catches seats that
    came free without a withdrawal, such as a capacity the school raised). Returns the
    number of offers made."""
    candidates = (
        Offering.objects.filter(
            taken__lt=F("capacity") - F("held"),
            waitlist__status=WaitlistEntry.Status.WAITING,
            menu__status__in=(*LIVE_MENUS, Menu.Status.WINDOW_OPEN),
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    return sum(len(offer_free_seats(offering_id=pk, actor=actor)) for pk in candidates)
