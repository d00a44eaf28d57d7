"""Periodic seat work, run by `kehou worker` (kehou.enrollment.seats)."""

import datetime as dt

from django_tasks import task

from kehou.core.scheduler import periodic


@periodic(every=dt.timedelta(minutes=1))
@task()
def waitlist_sweep_task() -> dict:
    """Offers past their deadline expire and pass their seat on; free seats with a waiting
    child are offered (a capacity raised by the school, say)."""
    from kehou.enrollment import seats
    from kehou.org.access import SYSTEM

    expired = seats.expire_overdue(actor=SYSTEM)
    offered = seats.offer_all_free_seats(actor=SYSTEM)
    return {"expired": expired, "offered": offered}


@periodic(every=dt.timedelta(minutes=10))
@task()
def seats_release_due_task() -> int:
    """Release the seats of children whose leaving day has come."""
    from kehou.enrollment import seats
    from kehou.org.access import SYSTEM

    return seats.release_due(actor=SYSTEM)
