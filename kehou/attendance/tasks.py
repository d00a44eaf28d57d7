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


@periodic(every=dt.timedelta(days=1))
@task()
def attendance_partitions_ahead_task() -> dict:
    """On PostgreSQL, create the marks table's partitions of this month and the next
    twelve where missing (kehou.attendance.partitions); nothing on SQLite."""
    from kehou.attendance.partitions import months_ahead_ensure

    return months_ahead_ensure()
