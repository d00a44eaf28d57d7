"""Background work of billing, run by `kehou worker`."""

import datetime as dt

from django_tasks import task

from kehou.core.scheduler import periodic


@task()
def bill_run_task(run_id: int) -> str:
    """Execute a queued bill run; its outcome (done, refused, failed) is on the run."""
    from kehou.billing.services import bill_run_execute

    return bill_run_execute(run_id=run_id).status


@periodic(every=dt.timedelta(minutes=1))
@task()
def bill_runs_reap_task() -> int:
    """Mark runs whose worker stopped as failed (nothing written), so they can run again."""
    from kehou.billing.services import runs_reap

    return runs_reap()
