"""kehou worker: run background tasks and periodic jobs.

The django-tasks-db worker (`db_worker`: one task at a time, claimed with a row lock, its
result or failure recorded), plus a ticker thread that enqueues the periodic jobs that are
due (kehou.core.scheduler). Run one or more on any machine that reaches the database;
Ctrl-C or SIGTERM lets the running task finish first.
"""

import logging
import os
import threading

from django.db import close_old_connections, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from kehou.core import scheduler

logger = logging.getLogger("kehou.scheduler")
TICK_SECONDS = 5.0


class Ticker(threading.Thread):
    def __init__(self, every: float) -> None:
        super().__init__(name="kehou-ticker", daemon=True)
        self.every = every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                scheduler.tick()
            except Exception:  # the next tick tries again; the worker keeps running tasks
                logger.exception("periodic job tick failed")
            finally:
                close_old_connections()
            self.stopped.wait(self.every)
        connection.close()


class Command(DbWorkerCommand):
    help = "Run background tasks and periodic jobs (the django-tasks-db worker with a ticker)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="with_scheduler",
            help="Run tasks only; leave periodic jobs to other workers.",
        )
        parser.add_argument(
            "--tick", type=float, default=TICK_SECONDS, help="seconds between schedule checks"
        )

    def handle(self, *args, with_scheduler: bool = True, tick: float = TICK_SECONDS, **options):
        ticker = None
        if with_scheduler and not _is_reloader_parent(options):
            names = ", ".join(sorted(scheduler.discover()))
            logger.info("periodic jobs: %s", names or "none")
            ticker = Ticker(tick)
            ticker.start()
        try:
            super().handle(*args, **options)
        finally:
            if ticker is not None:
                ticker.stopped.set()


def _is_reloader_parent(options: dict) -> bool:
    """With --reload (the default under KEHOU_DEBUG) this process only watches files and
    restarts a child that runs the tasks; the child alone ticks."""
    return bool(options.get("reload")) and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
