"""A mark carries its sitting's day; on PostgreSQL the marks table is partitioned by month
and the daily job creates the coming months' partitions (moving any marks the DEFAULT
partition caught for them)."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from kehou.attendance import partitions, services, tasks
from kehou.attendance.models import Attendance
from kehou.lib.months import next_month
from kehou.testing import factories as f
from kehou.testing.clock import freeze_now
from kehou.testing.worker import run_queued_tasks

DAY = dt.date(2026, 10, 13)

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="partitioning is PostgreSQL's; on SQLite the table is a plain table",
)


def _at(day: dt.date, h: int, m: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(h, m)))


def _months_later(day: dt.date, n: int) -> dt.date:
    first = day.replace(day=1)
    for _ in range(n):
        first = next_month(first)
    return first


def _partition_of(mark: Attendance) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM attendance_attendance WHERE id = %s",
            [mark.pk],
        )
        return cursor.fetchone()[0]


def _mark(school, day: dt.date, student, plan=None) -> Attendance:
    sitting = f.roll_sitting(school, day=day, plan=plan)
    return Attendance.objects.create(
        school=school,
        sitting=sitting,
        day=sitting.date,
        student=student,
        status="present",
        marked_at=_at(day, 16, 2),
    )


@pytest.mark.django_db
def test_marks_written_by_roll_call_and_by_closing_carry_the_sitting_day(north):
    # given north's sitting on DAY with two children, one marked present by the teacher
    sitting = f.roll_sitting(north.school, day=DAY, responsible=north.teacher.staff)
    f.application(north.child, sitting.term)
    other = f.child(north.school, north.school_class, name="周四")
    f.application(other, sitting.term)
    with freeze_now(_at(DAY, 16, 5)):
        services.roll_mark(
            sitting=sitting,
            marks=[(north.child.pk, "present", _at(DAY, 16, 2), "")],
            actor=north.teacher,
        )
    # when the roll is closed (the other child is marked absent by kehou)
    with freeze_now(_at(DAY, 17, 0)):
        services.roll_close(sitting=sitting, actor=north.teacher)
    # then both marks carry the sitting's day
    assert sorted(Attendance.objects.values_list("student_id", "status", "day")) == sorted(
        [(north.child.pk, "present", DAY), (other.pk, "absent", DAY)]
    )


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite no-op")
def test_the_partition_job_does_nothing_on_sqlite():
    assert partitions.months_ahead_ensure() == {}


@on_postgres
@pytest.mark.django_db
def test_the_table_is_partitioned_by_month_with_a_default_partition():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relkind, p.partstrat FROM pg_class c "
            "JOIN pg_partitioned_table p ON p.partrelid = c.oid "
            "WHERE c.relname = 'attendance_attendance'"
        )
        assert cursor.fetchone() == ("p", "r")
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'attendance_attendance'::regclass"
        )
        names = {row[0] for row in cursor.fetchall()}
    today = timezone.localdate()
    assert partitions.DEFAULT_PARTITION in names
    for n in range(partitions.MONTHS_AHEAD + 1):
        assert partitions.partition_name(_months_later(today, n)) in names


@on_postgres
@pytest.mark.django_db
def test_one_mark_per_child_and_sitting_still_holds_on_the_partitioned_table(north):
    from django.db import IntegrityError, transaction

    mark = _mark(north.school, DAY, north.child)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(
            school=north.school,
            sitting=mark.sitting,
            day=mark.day,
            student=north.child,
            status="absent",
            marked_at=mark.marked_at,
        )


@on_postgres
@pytest.mark.django_db
def test_the_daily_job_creates_the_coming_months_and_moves_marks_the_default_caught(north):
    # given a mark for a month beyond the partitions made so far: the DEFAULT keeps it
    today = timezone.localdate()
    far = _months_later(today, partitions.MONTHS_AHEAD + 2)
    plan = f.SchoolPlanFactory(school=north.school, status="published")
    early = _mark(north.school, far.replace(day=6), north.child, plan)
    assert _partition_of(early) == partitions.DEFAULT_PARTITION
    # when that month's first day comes and the daily job runs
    with freeze_now(_at(far, 3, 0)):
        tasks.attendance_partitions_ahead_task.enqueue()
        assert run_queued_tasks() == 1
        # then the month has its partition, holding the mark the DEFAULT had caught,
        assert _partition_of(early) == partitions.partition_name(far)
        # a new mark of the month lands there, and one of the months ahead in its own
        later = _mark(north.school, far.replace(day=20), north.child, plan)
        assert _partition_of(later) == partitions.partition_name(far)
        ahead = _months_later(far, partitions.MONTHS_AHEAD)
        last = _mark(north.school, ahead.replace(day=3), north.child, plan)
        assert _partition_of(last) == partitions.partition_name(ahead)
        # and running it again changes nothing
        assert partitions.months_ahead_ensure() == {}
    assert Attendance.objects.filter(pk__in=[early.pk, later.pk, last.pk]).count() == 3
