"""Periodic jobs: background tasks that run on a schedule, in production and in the
embedded default alike.

A task becomes periodic with `@periodic(every=...)` (or `daily_at=` a Beijing time) above
its `@task()`. Every worker (`kehou worker`) calls `tick()` every few seconds; `tick`
enqueues each job that is due, once per period however many workers there are, by
claiming it with a conditional UPDATE on its `PeriodicJob` row. The task then runs in a
worker like any other, with its result and any failure recorded by django-tasks-db.

Why a table of our own rather than a scheduler library: the schedulers made for
django-tasks were not in the registries these machines reach, and APScheduler or Celery
beat would bring a second job store and a process that must be the only one of its kind.
One small table, claimed race-safely, works on both databases and with any number of
workers.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger("kehou.scheduler")


@dataclass(frozen=True)
class Periodic:
    name: str
    task: object  # a django_tasks Task
    every: dt.timedelta | None = None
    daily_at: dt.time | None = None  # Beijing time

    def next_after(self, now: dt.datetime) -> dt.datetime:
        if self.every is not None:
            return now + self.every
        local = timezone.localtime(now)
        candidate = local.replace(
            hour=self.daily_at.hour, minute=self.daily_at.minute, second=0, microsecond=0
        )
        if candidate <= local:
            candidate += dt.timedelta(days=1)
        return candidate

    def first_run(self, now: dt.datetime) -> dt.datetime:
        return now if self.every is not None else self.next_after(now)


REGISTRY: dict[str, Periodic] = {}


def periodic(*, every: dt.timedelta | None = None, daily_at: dt.time | None = None):
    """Run the decorated django-tasks task on a schedule: every `every`, or once a day at
    `daily_at` (Beijing time). Put it above `@task()`."""
    if (every is None) == (daily_at is None):
        raise ValueError("give exactly one of every= and daily_at=")
    if every is not None and every < dt.timedelta(seconds=1):
        raise ValueError("a periodic job runs at most once a second")

    def register(task):
        name = task.module_path
        REGISTRY[name] = Periodic(name=name, task=task, every=every, daily_at=daily_at)
        return task

    return register


def discover() -> dict[str, Periodic]:
    """Import every app's `tasks` module, so that their periodic jobs are registered."""
    autodiscover_modules("tasks")
    return REGISTRY


def tick(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every job that is due at `now`; returns the names enqueued."""
    from kehou.core.models import PeriodicJob

    now = now or timezone.now()
    enqueued = []
    for job in discover().values():
        row, _created = PeriodicJob.objects.get_or_create(
            name=job.name, defaults={"next_run_at": job.first_run(now)}
        )
        with transaction.atomic():
            claimed = PeriodicJob.objects.filter(pk=row.pk, next_run_at__lte=now).update(
                next_run_at=job.next_after(now), last_enqueued_at=now
            )
            if claimed:
                result = job.task.enqueue()
                PeriodicJob.objects.filter(pk=row.pk).update(last_task_id=str(result.id))
                enqueued.append(job.name)
    if enqueued:
        logger.info("periodic jobs enqueued: %s", ", ".join(enqueued))
    return enqueued
