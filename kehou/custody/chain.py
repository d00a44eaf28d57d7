"""The one path by which custody changes (R16): receive children, or end a child's custody.

Every hand-over, every roll call mark of present or late, every dismissal and every
correction goes through these two functions, inside the caller's transaction:

- the children's `Student` rows are locked first, in ascending pk order (on PostgreSQL; on
  SQLite the IMMEDIATE transaction already serialises writers), so two phones handing over
  the same child at once run one after the other;
- an open custody is ended with a conditional UPDATE (`until IS NULL`), never a read then
  a write;
- the partial UNIQUE `one_open_custody_per_child` backs both: whatever slips past them is
  refused by the database, and the caller's transaction rolls back whole.

Times: a mark sent later from a phone without signal carries the time it was tapped, which
may be earlier than the custody it ends began; the end is then the later of the two, so a
custody never ends before it began.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest

from kehou.custody.models import Custody, Handover
from kehou.org.models import Staff, Student


def _ids(students: Iterable[Student | int]) -> list[int]:
    return sorted({s if isinstance(s, int) else s.pk for s in students})


def lock_children(student_ids: Iterable[int]) -> None:
    """Lock the children's rows in one order (ascending pk); a no-op on SQLite."""
    list(
        Student.objects.select_for_update()
        .filter(pk__in=list(student_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def open_custodies(student_ids: Iterable[int]) -> dict[int, Custody]:
    return {
        c.student_id: c
        for c in Custody.objects.filter(student_id__in=list(student_ids), until__isnull=True)
    }


def receive(
    *,
    students: Iterable[Student | int],
    holder: Staff,
    at: dt.datetime,
    by,
    school_id: int,
    sitting=None,
    began: str = Custody.Began.ROLL_CALL,
    handover: Handover | None = None,
) -> list[Custody]:
    """Put each child in `holder`'s custody (at `sitting`, if given) from `at`.

    A child already with `holder` at that sitting is left as they are (receiving twice
    changes nothing); any other open custody of the child ends at `at` as handed over.
    Returns the custodies opened. The caller has checked scope and that the children are
    of `school_id`, and runs this inside `transaction.atomic`.
    """
    ids = _ids(students)
    if not ids:
        return []
    lock_children(ids)
    current = open_custodies(ids)
    sitting_id = getattr(sitting, "pk", sitting)
    moving = [
        pk
        for pk in ids
        if pk not in current
        or (current[pk].holder_id, current[pk].sitting_id) != (holder.pk, sitting_id)
    ]
    ending = [current[pk].pk for pk in moving if pk in current]
    if ending:
        Custody.objects.filter(pk__in=ending, until__isnull=True).update(
            until=Greatest(F("since"), Value(at)), ended=Custody.Ended.HANDOVER
        )
    opened = [
        Custody(
            school_id=school_id,
            student_id=pk,
            holder=holder,
            sitting_id=sitting_id,
            since=max(at, current[pk].since) if pk in current else at,
            began=began,
            handover=handover,
            opened_by=by,
        )
        for pk in moving
    ]
    return Custody.objects.bulk_create(opened)


def end(
    *,
    student_ids: Iterable[int],
    at: dt.datetime,
    ended: str,
    open_now: dict[int, Custody] | None = None,
) -> dict[int, Custody]:
    """End the open custody of each child at `at` (dismissed, or marked absent after all).

    Returns the custodies ended, by child, as they are now; a child with no open custody
    is absent from the result (already dismissed, or never received), and the caller
    decides whether that is a refusal. Runs inside the caller's transaction. A caller that
    has locked the children and read their open custodies (`lock_children`,
    `open_custodies`) passes them as `open_now`, so they are not read again.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("custody changes run inside a transaction")
    ids = _ids(student_ids)
    if not ids:
        return {}
    if open_now is None:
        lock_children(ids)
        current = open_custodies(ids)
    else:
        current = {pk: c for pk, c in open_now.items() if pk in ids and c.until is None}
    if not current:
        return {}
    changed = Custody.objects.filter(
        pk__in=[c.pk for c in current.values()], until__isnull=True
    ).update(until=Greatest(F("since"), Value(at)), ended=ended)
    if changed != len(current):  # a row was ended meanwhile: read what is there now
        closed = Custody.objects.filter(pk__in=[c.pk for c in current.values()], ended=ended)
        return {c.student_id: c for c in closed}
    for custody in current.values():
        custody.until, custody.ended = max(custody.since, at), ended
    return current
