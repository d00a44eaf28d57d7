"""Periodic jobs (kehou.core.scheduler): enqueued once per period, however many workers
tick, on SQLite and PostgreSQL."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from kehou.core import scheduler
from kehou.core.models import PeriodicJob

pytestmark = pytest.mark.django_db


@task()
def _every_minute_task() -> str:
    return "ran"


@task()
def _morning_task() -> str:
    return "ran"


@pytest.fixture
def registry(monkeypatch):
    """Only the jobs of a test, not the apps' (their tasks modules stay imported)."""
    jobs = {}
    monkeypatch.setattr(scheduler, "REGISTRY", jobs)
    monkeypatch.setattr(scheduler, "discover", lambda: jobs)
    return jobs


def _queued(name):
    return DBTaskResult.objects.filter(task_path=name).count()


def test_a_job_runs_once_per_period(registry):
    scheduler.periodic(every=dt.timedelta(minutes=1))(_every_minute_task)
    name = _every_minute_task.module_path
    now = timezone.now()
    assert scheduler.tick(now) == [name]  # due at once the first time
    assert scheduler.tick(now + dt.timedelta(seconds=30)) == []
    assert scheduler.tick(now + dt.timedelta(seconds=61)) == [name]
    assert _queued(name) == 2
    job = PeriodicJob.objects.get(name=name)
    assert job.next_run_at == now + dt.timedelta(seconds=121)
    assert job.last_task_id


def test_a_daily_job_waits_for_its_hour(registry):
    scheduler.periodic(daily_at=dt.time(8, 0))(_morning_task)
    name = _morning_task.module_path
    seven = timezone.make_aware(dt.datetime(2026, 12, 2, 7, 0))
    assert scheduler.tick(seven) == []
    assert scheduler.tick(seven + dt.timedelta(hours=1)) == [name]
    assert scheduler.tick(seven + dt.timedelta(hours=2)) == []
    assert scheduler.tick(seven + dt.timedelta(days=1, hours=1)) == [name]


def test_a_job_needs_exactly_one_schedule():
    with pytest.raises(ValueError):
        scheduler.periodic()
    with pytest.raises(ValueError):
        scheduler.periodic(every=dt.timedelta(minutes=1), daily_at=dt.time(8))


def test_the_apps_register_their_jobs():
    names = set(scheduler.discover())
    assert {
        "kehou.enrollment.tasks.waitlist_sweep_task",
        "kehou.enrollment.tasks.seats_release_due_task",
        "kehou.placement.tasks.allocation_runs_reap_task",
    } <= names


@pytest.mark.django_db(transaction=True)
def test_workers_ticking_at_once_enqueue_a_job_once(registry):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")
    scheduler.periodic(every=dt.timedelta(minutes=5))(_every_minute_task)
    name = _every_minute_task.module_path
    now = timezone.now()
    PeriodicJob.objects.create(name=name, next_run_at=now)
    barrier = threading.Barrier(8)
    results = []

    def tick():
        barrier.wait()
        try:
            results.append(scheduler.tick(now))
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(len(r) for r in results) == 1
    assert _queued(name) == 1


@pytest.mark.parametrize(
    ("reload", "reloader_child", "ticks"),
    [(False, False, True), (True, True, True), (True, False, False)],
)
def test_only_the_process_that_runs_tasks_ticks(monkeypatch, reload, reloader_child, ticks):
    """Under --reload the watching parent runs no tasks, so a ticker there would be a
    second one per worker."""
    from django.utils.autoreload import DJANGO_AUTORELOAD_ENV

    from kehou.core.management.commands import worker

    started = []
    monkeypatch.setattr(worker.Ticker, "start", lambda self: started.append(self))
    monkeypatch.setattr(worker.DbWorkerCommand, "handle", lambda self, *a, **o: None)
    if reloader_child:
        monkeypatch.setenv(DJANGO_AUTORELOAD_ENV, "true")
    else:
        monkeypatch.delenv(DJANGO_AUTORELOAD_ENV, raising=False)
    worker.Command().handle(reload=reload)
    assert bool(started) is ticks
