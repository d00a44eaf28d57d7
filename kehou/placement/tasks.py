"""Background work of the placement app (django-tasks; ImmediateBackend runs it inline)."""

from django_tasks import task

from kehou.enrollment.models import AllocationRun


@task()
def allocation_task(run_id: int) -> str:
    """Execute a started allocation run (see services.allocation_execute)."""
    from kehou.placement.services import allocation_execute

    run = AllocationRun.objects.get(pk=run_id)
    if run.status != AllocationRun.Status.RUNNING:
        return run.status
    try:
        allocation_execute(run=run)
    except Exception:  # the run record holds the error; the page shows it
        pass
    return AllocationRun.objects.get(pk=run_id).status


@task()
def waitlist_expire_task() -> int:
    """Expire overdue waiting-list offers (schedule it every few minutes)."""
    from kehou.placement.services import waitlist_expire_overdue

    return waitlist_expire_overdue()
