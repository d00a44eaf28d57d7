"""Run the background tasks a test enqueued, as `kehou worker` does, in this process (and
in the test's own database connection, which the real worker's loop would close)."""

from contextlib import contextmanager
from pathlib import Path

from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

ROOT = Path(__file__).resolve().parents[2]


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


def database_url() -> str:
    """The test database as a DATABASE_URL, for a process of its own."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user, host, port = settings["USER"], settings["HOST"], settings["PORT"]
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


def worker_environment() -> dict:
    import os

    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "kehou.settings",
    }


WORKER_COMMAND = ["-m", "kehou", "worker", "--no-startup-delay", "--no-reload", "--interval", "0.2"]


@contextmanager
def background_worker():
    """`kehou worker` running in its own process on the test database for the block (a
    browser journey's background work); stopped, then killed if it lingers, at the end."""
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, *WORKER_COMMAND],
        cwd=ROOT,
        env=worker_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
