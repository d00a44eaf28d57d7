"""Run the background tasks a test enqueued, as `kehou worker` does, in this process (and
in the test's own database connection, which the real worker's loop would close)."""

from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_queued_tasks(*, max_tasks: int | None = None) -> int:
    """Run the queued tasks now, oldest first; returns how many ran."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while max_tasks is None or ran < max_tasks:
        with transaction.atomic():
            task_result = DBTaskResult.objects.ready().get_locked()
            if task_result is None:
                break
            task_result.claim(worker.worker_id)
        worker.run_task(task_result)
        ran += 1
    return ran
