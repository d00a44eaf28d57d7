"""Background work of the placement app, run by `kehou worker`."""

import datetime as dt

from django_tasks import task

from kehou.core.scheduler import periodic


@task()
def allocation_task(run_id: int) -> str:
    """Execute a queued allocation run. A refusal or a failure is recorded on the run and
    raised, so the task's own result records it too."""
    from kehou.placement.services import allocation_execute

    return allocation_execute(run_id=run_id).status


@periodic(every=dt.timedelta(minutes=1))
@task()
def allocation_runs_reap_task() -> int:
    """Mark runs whose worker stopped as interrupted, so they can be run again."""
    from kehou.placement.services import runs_reap

    return runs_reap()
