"""The end of the day, every minute (kehou.custody.sweeps)."""

import datetime as dt

from django_tasks import task

from kehou.core.scheduler import periodic


@periodic(every=dt.timedelta(minutes=1))
@task()
def custody_alerts_task() -> dict:
    """Children still on site after the last sitting (plus the school's delay) and
    sittings that ended without a roll call raise alerts to the duty staff."""
    from kehou.custody.sweeps import alerts_sweep

    return alerts_sweep()


@periodic(every=dt.timedelta(minutes=1))
@task()
def not_collected_task() -> int:
    """Guardians of children not yet collected after their last sitting are told where
    the child is, once."""
    from kehou.custody.sweeps import not_collected_sweep

    return not_collected_sweep()
