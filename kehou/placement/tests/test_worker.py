"""Allocation runs in the background worker (`kehou worker`), and a worker that dies mid-run
(research/reliability.md TC-4): the result is all there or not at all, and the menu can be
allocated again."""

import datetime as dt
import subprocess
import sys
import textwrap

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from kehou.catalog.models import Menu, Offering
from kehou.core import errors
from kehou.enrollment.models import Enrollment, SeatEvent, WaitlistEntry
from kehou.placement import services
from kehou.placement.models import AllocationOutcome, AllocationRun
from kehou.testing import factories as f
from kehou.testing.clock import freeze_now
from kehou.testing.worker import ROOT, WORKER_COMMAND, worker_environment

pytestmark = pytest.mark.django_db(transaction=True)

# A worker whose process dies (os._exit: no cleanup, no rollback by Python) right after
# the first rows of the result went to the database, inside the write transaction.
DYING_WORKER = textwrap.dedent(
    """
    import os
    import django

    django.setup()
    from django.core.management import call_command
    from kehou.enrollment.models import Enrollment

    real = Enrollment.objects.bulk_create

    def bulk_create_then_die(*args, **kwargs):
        real(*args, **kwargs)
        os._exit(9)

    Enrollment.objects.bulk_create = bulk_create_then_die
    call_command("worker", "--batch", "--no-scheduler", "--no-startup-delay", "--no-reload")
    """
)


def _worker(code: str | None = None) -> subprocess.CompletedProcess:
    """`kehou worker --batch` (or `code`) in a new process, on the test database."""
    command = (
        [sys.executable, "-c", code]
        if code
        else [sys.executable, *WORKER_COMMAND, "--batch", "--no-scheduler"]
    )
    connection.close()  # let the other process write (SQLite) and see committed rows
    return subprocess.run(
        command, cwd=ROOT, env=worker_environment(), capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def closed_menu(north):
    menu = f.menu(north.school, status=Menu.Status.CLOSED)
    a = f.offering(menu, "A 剪纸", capacity=1)
    b = f.offering(menu, "B 合唱", capacity=2, weekday=1)
    f.homework(menu, capacity=1)
    for i in range(4):
        kid = f.child(north.school, north.school_class, name=f"童{i}")
        f.application(kid, menu.term, choices=[a, b])
    return menu


def _nothing_written(menu) -> bool:
    return (
        not Enrollment.objects.exists()
        and not WaitlistEntry.objects.exists()
        and not AllocationOutcome.objects.exists()
        and not SeatEvent.objects.exists()
        and set(Offering.objects.filter(menu=menu).values_list("taken", flat=True)) == {0}
        and Menu.objects.get(pk=menu.pk).status == Menu.Status.CLOSED
    )


def test_the_worker_runs_a_queued_allocation(north, closed_menu):
    run = services.allocation_start(menu=closed_menu, actor=north.admin, confirmed=True)
    assert AllocationRun.objects.get(pk=run.pk).status == AllocationRun.Status.QUEUED
    result = _worker()
    assert result.returncode == 0, result.stderr
    run.refresh_from_db()
    assert run.status == AllocationRun.Status.DONE and run.progress == 100
    assert Enrollment.objects.filter(status=Enrollment.Status.ACTIVE).count() >= 4
    assert Menu.objects.get(pk=closed_menu.pk).status == Menu.Status.ALLOCATED


def test_a_worker_killed_mid_run_writes_nothing_and_the_menu_can_be_allocated_again(
    north, closed_menu
):
    # given a real run started from the page
    run = services.allocation_start(menu=closed_menu, actor=north.admin, confirmed=True)
    # when its worker dies in the middle of writing the result
    died = _worker(DYING_WORKER)
    assert died.returncode == 9, died.stderr
    # then nothing of the result is in the database
    assert _nothing_written(closed_menu)
    run.refresh_from_db()
    assert run.status == AllocationRun.Status.RUNNING
    # while its lease runs, nobody can start a second real run of the menu
    with pytest.raises(ValidationError) as refused:
        services.allocation_start(menu=closed_menu, actor=north.admin, confirmed=True)
    assert errors.codes(refused.value) == {"run_in_progress"}
    # once the lease has lapsed the run counts as interrupted and a new run may start
    later = timezone.now() + dt.timedelta(minutes=10)
    with freeze_now(later):
        assert not AllocationRun.objects.get(pk=run.pk).is_live
        again = services.allocation_start(menu=closed_menu, actor=north.admin, confirmed=True)
    run.refresh_from_db()
    assert run.status == AllocationRun.Status.INTERRUPTED and run.error
    # and the new run writes the whole result
    result = _worker()
    assert result.returncode == 0, result.stderr
    again.refresh_from_db()
    assert again.status == AllocationRun.Status.DONE
    assert AllocationOutcome.objects.filter(run=again).count() == 4
    for offering in Offering.objects.filter(menu=closed_menu):
        active = offering.enrollments.filter(status=Enrollment.Status.ACTIVE).count()
        assert offering.taken == active <= offering.capacity
    assert SeatEvent.objects.filter(kind=SeatEvent.Kind.TAKEN).count() == Enrollment.objects.count()


def test_a_failed_run_is_recorded_with_its_reason_and_the_task_too(north, closed_menu):
    from django_tasks_db.models import DBTaskResult

    run = services.allocation_start(menu=closed_menu, actor=north.admin, confirmed=True)
    # the menu is allocated by someone else before the worker gets to the run
    Menu.objects.filter(pk=closed_menu.pk).update(status=Menu.Status.ALLOCATED)
    result = _worker()
    assert result.returncode == 0, result.stderr
    run.refresh_from_db()
    assert run.status == AllocationRun.Status.FAILED
    assert "已经分配过" in run.error or "allocated already" in run.error
    task = DBTaskResult.objects.get(id=run.task_id)
    assert task.status == "FAILED"
