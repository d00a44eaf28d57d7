"""The attendance table's monthly partitions on PostgreSQL (nothing on SQLite).

Migration 0004 turns `attendance_attendance` into a table partitioned by range of `day`,
one partition a month and a DEFAULT partition for any day outside them (a mark entered
for a month nobody created a partition for yet). `months_ahead_ensure`, run daily by
`kehou.attendance.tasks.attendance_partitions_ahead_task`, keeps this month and the next
`MONTHS_AHEAD` months created before any mark arrives for them, and gives every month
the DEFAULT partition caught marks of its own partition.

PostgreSQL refuses to create a month's partition while the DEFAULT partition holds rows of
that month; those rows are then moved: the month's table is created on its own, the rows
moved into it from the DEFAULT partition, and the table attached as the month's
partition, in one transaction during which no mark is written.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from kehou.lib.months import add_months, first_of, months_from, next_month

TABLE = "attendance_attendance"
DEFAULT_PARTITION = f"{TABLE}_default"
MONTHS_AHEAD = 12
MONTHS_BEHIND = 12  # created by the migration, for marks entered late and seeded months


def partition_name(first: dt.date) -> str:
    return f"{TABLE}_{first:%Y_%m}"


def is_partitioned(cursor) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s))",
        [TABLE],
    )
    return cursor.fetchone()[0]


def _columns(cursor) -> str:
    cursor.execute(
        "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
        "WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped",
        [TABLE],
    )
    return cursor.fetchone()[0]


def month_partition_create(cursor, first: dt.date) -> str:
    """Create the partition of the month beginning on `first` unless it exists. Returns
    "exists", "created" or "moved <n>" (created with n rows taken from the DEFAULT
    partition). Call inside a transaction."""
    name = partition_name(first)
    until = next_month(first)
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    if cursor.fetchone()[0]:
        return "exists"
    # No mark is written until the transaction ends (the table first: a writer holds it
    # before the DEFAULT partition, so locking the partition first could deadlock).
    cursor.execute(f'LOCK TABLE "{TABLE}" IN SHARE ROW EXCLUSIVE MODE')
    cursor.execute(
        f'SELECT count(*) FROM "{DEFAULT_PARTITION}" WHERE day >= %s AND day < %s',
        [first, until],
    )
    stranded = cursor.fetchone()[0]
    if not stranded:
        cursor.execute(
            f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{TABLE}" '
            "FOR VALUES FROM (%s) TO (%s)",
            [first, until],
        )
        return "created"
    columns = _columns(cursor)
    cursor.execute(
        f'CREATE TABLE "{name}" (LIKE "{TABLE}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'
    )
    cursor.execute(
        f'WITH moved AS (DELETE FROM "{DEFAULT_PARTITION}" WHERE day >= %s AND day < %s '
        f'RETURNING {columns}) INSERT INTO "{name}" ({columns}) SELECT {columns} FROM moved',
        [first, until],
    )
    cursor.execute(
        f'ALTER TABLE "{TABLE}" ATTACH PARTITION "{name}" FOR VALUES FROM (%s) TO (%s)',
        [first, until],
    )
    return f"moved {stranded}"


def months_ahead_ensure(*, today: dt.date | None = None, ahead: int = MONTHS_AHEAD) -> dict:
    """Create the partitions of this month and the `ahead` months after it that are
    missing, and of every month the DEFAULT partition holds marks of (moving them).
    Returns {partition name: what was done} for those not already there; {} on SQLite or
    when the table is not partitioned."""
    if connection.vendor != "postgresql":
        return {}
    today = today or timezone.localdate()
    last = add_months(first_of(today), ahead)
    done = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if not is_partitioned(cursor):
            return {}
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', day)::date FROM \"{DEFAULT_PARTITION}\""
        )
        caught = {row[0] for row in cursor.fetchall()}
        for first in sorted(set(months_from(today, last)) | caught):
            outcome = month_partition_create(cursor, first)
            if outcome != "exists":
                done[partition_name(first)] = outcome
    return done
