"""Roll call's periodic work, run by `kehou worker` (kehou.attendance.services)."""

import datetime as dt

from django_tasks import task

from kehou.core.scheduler import periodic


@periodic(every=dt.timedelta(minutes=1))
@task()
def rolls_close_due_task() -> int:
    """Close the rolls whose time has come (start + the school's `roll_closes_after`),
    mark the children nobody marked, tell guardians of unexplained absences."""
    from kehou.attendance import services
    from kehou.org.access import SYSTEM

    return services.rolls_close_due(actor=SYSTEM)
