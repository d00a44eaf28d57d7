"""The region's monthly report, the dashboard and the 003 form on a month of the whole
city's attendance, on PostgreSQL (R22–R24, "a province stays possible": docs/scaling.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehou .venv/bin/python bench/reports.py
    BENCH_REPORTS_SCHOOLS=10 DATABASE_URL=... .venv/bin/python bench/reports.py   # a quick look

Knobs (environment): BENCH_REPORTS_SCHOOLS (362), BENCH_REPORTS_STUDENTS (190,000 for the
full city, else the same children per school), BENCH_REPORTS_MONTH (2026-10),
BENCH_REPORTS_DB (kehou_bench_reports), BENCH_REPORTS_KEEP (1 keeps the database),
BENCH_REPORTS_REUSE (1 measures again on the database a kept run left, without seeding),
BENCH_REPORTS_TIMEOUT (120: seconds the city's refresh gets at the server's work_mem
before it is run again with work_mem 256MB).

It drops and recreates the database $BENCH_REPORTS_DB on the server DATABASE_URL points
at (the database named there is left alone) and, in a child process, migrates it (the
attendance table is partitioned by month there) and seeds:
- the demo city (kehou.demo.seed.seed_city: schools, classes, children, staff, the city's
  profile, terms and every school's published plan for the autumn term);
- the month's plan sittings of every school: the days and slots from the real planning
  code (kehou.sittings.planning.schedule_of / wanted_sittings, the holiday calendar
  included), written with COPY; a responsible teacher each (round robin) and the roll
  taken and closed;
- the marks, with one INSERT … SELECT (foreign-key triggers off for it): a row per child
  per sitting of the month whose grades include the child's, for the 92% of children who
  take part, on four of five weekdays for a fifth of them, at extended care, evening and
  Saturday sittings for a fifth of them; of the marks about 2% absent, 2% on leave, 3%
  late.

Then, in this process (the figures are times on this machine, never asserted):
1. the report: `kehou.reports.figures.refresh_months` for the largest school alone (the
   baseline), then for every school at once (statements counted), then
   `kehou.reports.selectors.region_table` as the city bureau's officer; report_s is the
   city's refresh plus the table;
2. the dashboard: every page of kehou.dashboard through Django's test Client, logged in
   as the city officer, three times each; dashboard_ms is the slowest page's median;
3. the export: `kehou.reports.selectors.region_xlsx` (003's summary form), then the
   report's region page and the form's download through the test Client;
4. the partitioning: the month's marks counted per school through `day` (the partition
   key: one partition scanned) and through the sitting's date (a join), with the
   partitions PostgreSQL's plan reads.
The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehou.settings")
os.environ.setdefault("KEHOU_SECRET_KEY", "bench-only-secret-key")
os.environ.pop("KEHOU_DEBUG", None)

FULL_SCHOOLS, FULL_STUDENTS = 362, 190_000
SCHOOLS = int(os.environ.get("BENCH_REPORTS_SCHOOLS", FULL_SCHOOLS))
STUDENTS = int(
    os.environ.get("BENCH_REPORTS_STUDENTS", round(FULL_STUDENTS * SCHOOLS / FULL_SCHOOLS))
)
MONTH = dt.date.fromisoformat(os.environ.get("BENCH_REPORTS_MONTH", "2026-10") + "-01")
DB_NAME = os.environ.get("BENCH_REPORTS_DB", "kehou_bench_reports")
KEEP = os.environ.get("BENCH_REPORTS_KEEP", "0") == "1"
# 1: measure again on the database a run with BENCH_REPORTS_KEEP=1 left (no seeding).
REUSE = os.environ.get("BENCH_REPORTS_REUSE", "0") == "1"
# The city's refresh is given this long at the server's work_mem, then run again with
# REFRESH_WORK_MEM (a hashed IN (subquery) must fit in work_mem, else PostgreSQL
# rescans the subquery for every row).
TIMEOUT_S = int(os.environ.get("BENCH_REPORTS_TIMEOUT", "120"))
REFRESH_WORK_MEM = "256MB"
SEED = 2026
STAGE_ENV = "BENCH_REPORTS_STAGE"
REPEAT = 3


# --------------------------------------------------------------------------- seeding

SITTING_COLUMNS = (
    "school_id",
    "term_id",
    "plan_id",
    "slot_id",
    "date",
    "timetable_weekday",
    "start",
    "end",
    "grade_from",
    "grade_to",
    "kind",
    "label",
    "room",
    "is_makeup_day",
    "in_vacation",
)

# One mark per child per plan sitting of the month whose grades include the child's class
# of that school year; `r` a stable pseudo-random 0..99 per (sitting, child).
MARKS_SQL = """
INSERT INTO attendance_attendance
    (school_id, sitting_id, student_id, day, status, note, marked_at, received_at)
SELECT s.school_id, s.id, m.student_id, s.date,
       CASE WHEN h.r < 2 THEN 'absent' WHEN h.r < 4 THEN 'leave'
            WHEN h.r < 7 THEN 'late' ELSE 'present' END,
       '',
       ((s.date + s.start) AT TIME ZONE 'Asia/Shanghai')
           + make_interval(mins => CASE WHEN h.r BETWEEN 4 AND 6 THEN 8 ELSE 1 END),
       ((s.date + s.start) AT TIME ZONE 'Asia/Shanghai') + interval '10 minutes'
FROM sittings_sitting s
JOIN org_schoolclass c
  ON c.school_id = s.school_id AND c.school_year_id = %(year)s
 AND c.grade BETWEEN s.grade_from AND s.grade_to
JOIN org_classmembership m ON m.school_class_id = c.id
JOIN org_student st ON st.id = m.student_id AND st.is_active
CROSS JOIN LATERAL (SELECT (hashint8(s.id * 1000003 + st.id) & 2147483647) %% 100 AS r) h
WHERE s.date BETWEEN %(first)s AND %(last)s AND s.offering_id IS NULL
  AND st.id %% 100 < 92 AND (s.kind = 'regular' OR st.id %% 5 = 1)
  AND NOT (st.id %% 5 = 0 AND (st.id + s.timetable_weekday) %% 5 = 0)
"""


def seed() -> None:
    """Runs in the child process: migrate, the city, the month's sittings and marks."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from kehou.core.db import analyze
    from kehou.demo.seed import seed_city
    from kehou.lib.months import month_end
    from kehou.lib.school_calendar import school_year_start
    from kehou.org.models import SchoolYear, Staff
    from kehou.policy.models import SchoolPlan
    from kehou.sittings import planning
    from kehou.terms.models import Term
    from kehou.terms.services import calendar_overrides

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, skip_checks=True)
    print(f"migrate            {time.perf_counter() - t0:7.1f} s", flush=True)

    t0 = time.perf_counter()
    summary = seed_city(schools=SCHOOLS, students=STUDENTS, seed=SEED)
    print(
        f"seed_city          {time.perf_counter() - t0:7.1f} s  ({summary.schools:,} schools, "
        f"{summary.students:,} students, {summary.staff:,} staff)",
        flush=True,
    )

    t0 = time.perf_counter()
    first, last = MONTH, month_end(MONTH)
    term = Term.objects.filter(start__lte=MONTH, end__gte=MONTH).get()
    overrides = calendar_overrides()
    plans = SchoolPlan.objects.filter(term=term, status="published").prefetch_related(
        "slots", "vacation_weeks", "makeup_days"
    )
    buffer, count, refused = io.StringIO(), 0, 0
    for plan in plans:
        try:
            schedule = planning.schedule_of(plan, overrides)
        except planning.CalendarNotReady:
            refused += 1
            continue
        month_days = [d for d in schedule.days if first <= d.date <= last]
        wanted = planning.wanted_sittings(plan, planning.Schedule(month_days, []), [])
        for s in wanted.values():
            values = [getattr(s, c) for c in SITTING_COLUMNS]
            buffer.write("\t".join("\\N" if v is None else str(v) for v in values) + "\n")
            count += 1
    teachers: dict[int, list[int]] = {}
    for pk, school_id in (
        Staff.objects.filter(kind=Staff.Kind.SCHOOL_TEACHER)
        .order_by("pk")
        .values_list("pk", "school_id")
    ):
        teachers.setdefault(school_id, []).append(pk)
    with transaction.atomic(), connection.cursor() as cursor:
        columns = ", ".join(f'"{c}"' for c in SITTING_COLUMNS)
        with cursor.copy(f"COPY sittings_sitting ({columns}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        for school_id, staff in teachers.items():
            cursor.execute(
                "UPDATE sittings_sitting SET responsible_id = (%s::bigint[])[1 + (id %% %s)] "
                "WHERE school_id = %s AND date BETWEEN %s AND %s",
                [staff, len(staff), school_id, first, last],
            )
        cursor.execute(
            "UPDATE sittings_sitting SET "
            "roll_taken_at = ((date + start) AT TIME ZONE 'Asia/Shanghai') + interval '1 minute', "
            "roll_closed_at = ((date + start) AT TIME ZONE 'Asia/Shanghai') "
            "+ interval '25 minutes' WHERE date BETWEEN %s AND %s",
            [first, last],
        )
    print(
        f"sittings (COPY)    {time.perf_counter() - t0:7.1f} s  ({count:,} plan sittings of "
        f"{first:%Y-%m}; {refused} plans without a ready calendar)",
        flush=True,
    )

    t0 = time.perf_counter()
    year = SchoolYear.objects.get(start_year=school_year_start(MONTH))
    with transaction.atomic(), connection.cursor() as cursor:
        # The rows are valid by construction: no foreign-key trigger per row (superuser).
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(MARKS_SQL, {"year": year.pk, "first": first, "last": last})
        marks = cursor.rowcount
    print(f"marks (INSERT…SELECT) {time.perf_counter() - t0:4.1f} s  ({marks:,} marks)", flush=True)
    t0 = time.perf_counter()
    analyze()
    print(f"ANALYZE            {time.perf_counter() - t0:7.1f} s", flush=True)
    connection.close()


def _prepare() -> str:
    from throwaway_db import prepare_throwaway_database

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/reports.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    return prepare_throwaway_database(DB_NAME)


def _drop() -> None:
    import psycopg

    base, _, _name = os.environ["DATABASE_URL"].rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


# --------------------------------------------------------------------------- measuring


def _timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def _partitions_read(cursor, sql: str, params) -> list[str]:
    cursor.execute("EXPLAIN " + sql, params)
    plan = "\n".join(row[0] for row in cursor.fetchall())
    return sorted(
        {
            word
            for word in plan.replace("(", " ").replace(")", " ").split()
            if word.startswith("attendance_attendance_")
        }
    )


def _dashboard_pages(largest) -> list[tuple[str, str]]:
    from django.urls import reverse

    month = f"{MONTH:%Y-%m}"
    return [
        ("overview", reverse("dashboard:overview")),
        ("overview, month", reverse("dashboard:overview") + f"?month={month}"),
        ("schools", reverse("dashboard:schools") + f"?month={month}"),
        ("school", reverse("dashboard:school", args=[largest.pk]) + f"?month={month}"),
    ]


def _report_pages() -> list[tuple[str, str]]:
    from django.urls import reverse

    month = f"{MONTH:%Y-%m}"
    return [
        ("region table", reverse("reports:region") + f"?month={month}"),
        ("003 form download", reverse("reports:region_xlsx", args=[month])),
    ]


def _time_pages(client, kind: str, pages: list[tuple[str, str]]) -> dict:
    """GET each page REPEAT times; {label: url, status, first and median ms}."""
    out = {}
    for label, url in pages:
        times, status = [], None
        for _ in range(REPEAT):
            t0 = time.perf_counter()
            try:
                response = client.get(url)
            except Exception as error:  # another app's page not ready: say so, go on
                status = f"{type(error).__name__}: {error}"[:200]
                break
            times.append((time.perf_counter() - t0) * 1000)
            status = response.status_code
        if not times:
            out[label] = {"url": url, "status": status}
            print(f"{kind:<18} failed: {status}  {label}: {url}", flush=True)
            continue
        out[label] = {
            "url": url,
            "status": status,
            "first_ms": round(times[0], 1),
            "median_ms": round(statistics.median(times), 1),
        }
        print(
            f"{kind:<18} {statistics.median(times):7.1f} ms median of {REPEAT} "
            f"(first {times[0]:.1f} ms), {status}  {label}: {url}",
            flush=True,
        )
    return out


def _city_refresh(connection, refresh_months, ids, figures):
    """refresh_months of every school at once, at the server's work_mem within TIMEOUT_S;
    if that does not finish, again with REFRESH_WORK_MEM (both recorded)."""
    from django.db import OperationalError
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        figures["work_mem"] = cursor.fetchone()[0]
        cursor.execute(f"SET statement_timeout = '{TIMEOUT_S}s'")
    try:
        with CaptureQueriesContext(connection) as captured:
            written, refresh_s = _timed(lambda: refresh_months(ids, MONTH))
        figures["report_refresh_default_work_mem_s"] = round(refresh_s, 2)
        return written, refresh_s, captured
    except OperationalError as error:
        figures["report_refresh_default_work_mem_s"] = f"> {TIMEOUT_S} (cancelled)"
        print(
            f"report, city       did not finish in {TIMEOUT_S} s at work_mem "
            f"{figures['work_mem']} ({str(error).splitlines()[0]}); again at work_mem "
            f"{REFRESH_WORK_MEM}",
            flush=True,
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
    with connection.cursor() as cursor:
        cursor.execute(f"SET work_mem = '{REFRESH_WORK_MEM}'")
    try:
        with CaptureQueriesContext(connection) as captured:
            written, refresh_s = _timed(lambda: refresh_months(ids, MONTH))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET work_mem")
    figures["report_refresh_work_mem"] = REFRESH_WORK_MEM
    return written, refresh_s, captured


def measure() -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from kehou.accounts.models import User
    from kehou.attendance.models import Attendance
    from kehou.demo.seed import PHONE_CITY_OFFICER
    from kehou.lib.months import month_end
    from kehou.org.models import School
    from kehou.reports.figures import refresh_months
    from kehou.reports.models import SchoolMonth
    from kehou.reports.selectors import region_table, region_xlsx
    from kehou.sittings.models import Sitting

    first, last = MONTH, month_end(MONTH)
    officer = User.objects.get(phone=PHONE_CITY_OFFICER)
    schools = list(School.objects.annotate(n=Count("students", distinct=True)).order_by("-n", "pk"))
    largest = schools[0]
    ids = [s.pk for s in schools]
    figures: dict = {
        "month": f"{MONTH:%Y-%m}",
        "schools": len(schools),
        "students": STUDENTS,
        "sittings": Sitting.objects.filter(date__gte=first, date__lte=last).count(),
        "marks": Attendance.objects.filter(day__gte=first, day__lte=last).count(),
    }
    print(
        f"\nmonth              {figures['month']}: {figures['sittings']:,} sittings, "
        f"{figures['marks']:,} marks; largest school {largest.name} ({largest.n:,} children)",
        flush=True,
    )

    # -- 1. the report
    _n, one_s = _timed(lambda: refresh_months([largest.pk], MONTH))
    figures["report_one_school_s"] = round(one_s, 3)
    print(f"report, 1 school   {one_s:7.2f} s  (refresh_months of the largest school)")
    written, refresh_s, captured = _city_refresh(connection, refresh_months, ids, figures)
    figures["report_refresh_s"] = round(refresh_s, 2)
    figures["report_statements"] = len(captured.captured_queries)
    print(
        f"report, city       {refresh_s:7.2f} s  refresh_months of {written} schools at once, "
        f"{len(captured.captured_queries)} statements; {refresh_s / one_s:.1f}× one school",
        flush=True,
    )
    slow = sorted(((float(q["time"]), q["sql"]) for q in captured.captured_queries), reverse=True)
    for t, sql in slow[:3]:
        print(f"    {t * 1000:8.1f} ms  {sql[:150]}")
    table, table_s = _timed(lambda: region_table(officer, MONTH))
    figures["region_table_s"] = round(table_s, 3)
    figures["report_s"] = round(refresh_s + table_s, 2)
    figures["school_months"] = SchoolMonth.objects.filter(month=MONTH).count()
    total = table.total
    print(
        f"region table       {table_s:7.2f} s  ({len(table.rows)} rows; the city's "
        f"{total.get('marks', 0):,} marks, {total.get('students_taking_part', 0):,} children "
        f"taking part); report_s {figures['report_s']:.2f} s",
        flush=True,
    )

    # -- 2. the dashboard
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(officer)
    pages = _time_pages(client, "dashboard", _dashboard_pages(largest))
    ok = [p["median_ms"] for p in pages.values() if p["status"] == 200]
    figures["dashboard_pages"] = pages
    figures["dashboard_ms"] = max(ok) if ok else None

    # -- 3. the export
    data, export_s = _timed(lambda: region_xlsx(officer, MONTH))
    figures["export_s"] = round(export_s, 3)
    figures["export_bytes"] = len(data)
    print(f"003 form (.xlsx)   {export_s:7.2f} s  ({len(data):,} bytes)", flush=True)
    # ... and the report's own pages (kehou.reports.views), which read the same selectors
    figures["report_pages"] = _time_pages(client, "report page", _report_pages())

    # -- 4. the partition key against the join
    by_day = (
        "SELECT school_id, count(*) FROM attendance_attendance "
        "WHERE day BETWEEN %s AND %s GROUP BY school_id"
    )
    by_sitting = (
        "SELECT a.school_id, count(*) FROM attendance_attendance a "
        "JOIN sittings_sitting s ON s.id = a.sitting_id "
        "WHERE s.date BETWEEN %s AND %s GROUP BY a.school_id"
    )
    with connection.cursor() as cursor:
        read_by_day = _partitions_read(cursor, by_day, [first, last])
        read_by_sitting = _partitions_read(cursor, by_sitting, [first, last])
        runs = {}
        for label, sql in (("day", by_day), ("sitting_date", by_sitting)):
            samples = []
            for _ in range(REPEAT):
                t0 = time.perf_counter()
                cursor.execute(sql, [first, last])
                cursor.fetchall()
                samples.append((time.perf_counter() - t0) * 1000)
            runs[label] = statistics.median(samples)
        cursor.execute(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'attendance_attendance'::regclass"
        )
        figures["partitions"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_total_relation_size(%s)", [f"attendance_attendance_{MONTH:%Y_%m}"]
        )
        figures["month_partition_mib"] = round(cursor.fetchone()[0] / 2**20, 1)
    figures["count_by_day_ms"] = round(runs["day"], 1)
    figures["count_by_sitting_date_ms"] = round(runs["sitting_date"], 1)
    print(
        f"marks per school   {runs['day']:7.1f} ms by day (reads {', '.join(read_by_day)}); "
        f"{runs['sitting_date']:.1f} ms through the sitting's date (reads "
        f"{len(read_by_sitting)} partitions); ratio {runs['sitting_date'] / runs['day']:.1f}",
        flush=True,
    )
    print(
        f"partitions         {figures['partitions']} (the month's: "
        f"{figures['month_partition_mib']:,.1f} MiB with its indexes)"
    )
    connection.close()
    return figures


def main() -> None:
    if os.environ.get(STAGE_ENV) == "seed":
        seed()
        return
    keep = KEEP or REUSE
    if REUSE:
        base, _, _name = os.environ["DATABASE_URL"].rpartition("/")
        os.environ["DATABASE_URL"] = f"{base}/{DB_NAME}"
        print(f"database           PostgreSQL ({DB_NAME}), seeded by an earlier run", flush=True)
        seed_s = None
    else:
        label = _prepare()
        print(f"database           {label}; {SCHOOLS} schools, {STUDENTS:,} students", flush=True)
        started = time.perf_counter()
        env = {**os.environ, STAGE_ENV: "seed"}
        status = subprocess.call([sys.executable, __file__], env=env)
        if status:
            if not keep:
                _drop()
            sys.exit(status)
        seed_s = round(time.perf_counter() - started, 1)
        print(f"seeding in all     {seed_s:7.1f} s (child process)", flush=True)
    try:
        figures = measure()
    finally:
        if not keep:
            _drop()
    figures["seed_s"] = seed_s
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
