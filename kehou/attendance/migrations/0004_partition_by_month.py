"""On PostgreSQL, the marks table becomes PARTITIONED BY RANGE (day), one partition a month
(from the earliest mark's month, or MONTHS_BEHIND months back, to MONTHS_AHEAD months
after this one; kehou.attendance.partitions) and a DEFAULT partition for the days outside
them. Nothing happens on SQLite.

A partitioned table's primary key and unique constraints must include the partition key:
the key becomes (id, day) and "one mark per child and sitting" (sitting, student, day),
the same rule since a sitting has one day. Django's model keeps `id` as the pk and the
uniqueness (sitting, student). The id keeps counting on from the highest id. No foreign
key points at this table (none could: `id` alone is no longer unique to PostgreSQL), and
the migration stops if one does. Rows are copied into the new table, then indexes and
the foreign keys it holds are rebuilt from the old table's own definitions.
"""

import datetime as dt

from django.db import migrations
from django.utils import timezone

TABLE = "attendance_attendance"
OLD = f"{TABLE}_unpartitioned"
PARTITION_KEY = "day"


def _definitions(cursor):
    """The table's indexes (other than those of its primary key and unique constraints),
    its unique constraints (name, columns) and foreign keys (name, definition)."""
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
        "AND c.conrelid = i.indrelid)",
        [TABLE],
    )
    indexes = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT c.conname, array_agg(a.attname::text ORDER BY k.n) FROM pg_constraint c "
        "CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n) "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum "
        "WHERE c.conrelid = %s::regclass AND c.contype = 'u' GROUP BY c.conname",
        [TABLE],
    )
    uniques = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f'",
        [TABLE],
    )
    foreign = cursor.fetchall()
    return indexes, uniques, foreign


def _columns(cursor, table):
    cursor.execute(
        "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [table],
    )
    return cursor.fetchone()[0]


def _rebuild(cursor, *, partitioned: bool):
    """Copy the table into a new one, partitioned by month or not, with the same columns,
    indexes and foreign keys; its primary key and unique constraints with or without
    `day`."""
    from kehou.attendance import partitions
    from kehou.lib import months

    cursor.execute(
        "SELECT conname, conrelid::regclass::text FROM pg_constraint "
        "WHERE confrelid = %s::regclass",
        [TABLE],
    )
    pointing = cursor.fetchall()
    if pointing:
        raise RuntimeError(
            f"{TABLE} cannot be rebuilt while foreign keys point at it: {pointing}"
        )
    indexes, uniques, foreign = _definitions(cursor)
    cursor.execute(f'ALTER TABLE "{TABLE}" RENAME TO "{OLD}"')
    like = f'LIKE "{OLD}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY'
    tail = f" PARTITION BY RANGE ({PARTITION_KEY})" if partitioned else ""
    cursor.execute(f'CREATE TABLE "{TABLE}" ({like}){tail}')
    if partitioned:
        cursor.execute(
            f'CREATE TABLE "{partitions.DEFAULT_PARTITION}" PARTITION OF "{TABLE}" DEFAULT'
        )
        cursor.execute(f'SELECT min({PARTITION_KEY}) FROM "{OLD}"')
        today = timezone.localdate()
        earliest = months.add_months(months.first_of(today), -partitions.MONTHS_BEHIND)
        earliest = min(cursor.fetchone()[0] or earliest, earliest)
        last = months.add_months(months.first_of(today), partitions.MONTHS_AHEAD)
        for first in months.months_from(earliest, last):
            partitions.month_partition_create(cursor, first)
    columns = _columns(cursor, OLD)
    cursor.execute(
        f'INSERT INTO "{TABLE}" ({columns}) OVERRIDING SYSTEM VALUE SELECT {columns} FROM "{OLD}"'
    )
    cursor.execute(f'DROP TABLE "{OLD}"')
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    sequence = cursor.fetchone()[0]
    cursor.execute(f'SELECT max(id) FROM "{TABLE}"')
    highest = cursor.fetchone()[0]
    cursor.execute(
        "SELECT setval(%s, %s, %s)", [sequence, highest or 1, highest is not None]
    )
    cursor.execute(f'ALTER SEQUENCE {sequence} RENAME TO "{TABLE}_id_seq"')

    key = ["id", PARTITION_KEY] if partitioned else ["id"]
    cursor.execute(
        f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{TABLE}_pkey" PRIMARY KEY ({", ".join(key)})'
    )
    for name, cols in uniques:
        cols = [c for c in cols if c != PARTITION_KEY] + ([PARTITION_KEY] if partitioned else [])
        cursor.execute(
            f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{name}" UNIQUE ({", ".join(cols)})'
        )
    for definition in indexes:  # a partitioned table's read "ON ONLY"
        cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
    for name, definition in foreign:
        cursor.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{name}" {definition}')


def partition(apps, schema_editor):
    from kehou.attendance import partitions

    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if not partitions.is_partitioned(cursor):
            _rebuild(cursor, partitioned=True)


def unpartition(apps, schema_editor):
    from kehou.attendance import partitions

    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if partitions.is_partitioned(cursor):
            _rebuild(cursor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [("attendance", "0003_attendance_day")]

    operations = [migrations.RunPython(partition, unpartition)]
