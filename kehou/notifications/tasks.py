"""Sending notifications, run by `kehou worker` (kehou.notifications.delivery)."""

import datetime as dt

from django_tasks import task

from kehou.core.scheduler import periodic


@task()
def deliveries_send_task() -> dict:
    """Send the deliveries due now (enqueued by `notify` after its transaction commits)."""
    from kehou.notifications.delivery import send_due

    return send_due()


@periodic(every=dt.timedelta(minutes=1))
@task()
def deliveries_retry_task() -> dict:
    """Retry the failed deliveries whose pause is over, and send any pending one whose
    enqueued sending was lost (a process that stopped right after its commit)."""
    from kehou.notifications.delivery import send_due

    return send_due()
