"""The month's bills and pay sheets of the demo city on PostgreSQL (issue 10, "Measured,
not asserted"): a school's and the whole city's, with time, peak memory and the SQL
statements of a school's run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehou .venv/bin/python bench/money.py
    BENCH_MONEY_SCHOOLS=5 DATABASE_URL=... .venv/bin/python bench/money.py   # a quick look

Knobs (environment): BENCH_MONEY_SCHOOLS (362), BENCH_MONEY_STUDENTS (190,000 for the
full city, else the same children per school: 190,000 × schools / 362), BENCH_MONEY_WORKERS
(the worker processes of the parallel city run; default: the cores), BENCH_MONEY_MONTH
(2026-10), BENCH_MONEY_DB (kehou_bench_money), BENCH_MONEY_PROFILE (1: profile a school's
run with cProfile; 0 skips it), BENCH_MONEY_KEEP (1 keeps the database afterwards).

It drops and recreates the database $BENCH_MONEY_DB on the server DATABASE_URL points at
(the database named there is left alone) and, in a child process (so that its memory is
not counted), migrates it and seeds:
- the demo city (kehou.demo.seed.seed_city: schools, classes, children, guardians, staff,
  the city's profile, terms and every school's published plan for the autumn term);
- every school's sittings of the autumn term (kehou.sittings.services.sittings_generate,
  as the demo does), each plan sitting given a responsible teacher of its school (round
  robin; written straight to the table) and one sitting of the month per school cancelled
  (weather: a refund on flat lines);
- an approved application for every child with a guardian (straight to the table): all of
  the plan's weekdays for most, two to four of them for 30%, extended care for 20%; 1%
  joined on the 12th of the month, 1% withdrew on the 15th;
- two duty teachers (值班) per school on every service day of the month;
- the city's fee standards through `fee_standard_enter` (basic service 150 yuan per month,
  extended care 5 yuan per service day) and every school's pay rates through
  `pay_rates_set` (60 yuan a class-hour, the floor; 80 a club session; 50 a duty day).

Then, in this process, in this order (every run through the services the worker and the
pages call, actor SYSTEM):
1. "school": `bill_run` of the largest school for the month (statements counted with
   CaptureQueriesContext), then its re-run (which must change nothing);
2. "city": `bill_run` of every other school, one after the other in this one process as
   the single worker would; city_s is the largest school's run plus these (every school
   billed once); then the next month with BENCH_MONEY_WORKERS processes side by side, as
   that many `kehou worker`s would (city_parallel_s);
3. the same for pay: `pay_sheet_compute` of the largest school, its re-run, then every
   other school;
4. cProfile of the largest school's bill run and pay sheet of the following month (fresh,
   as the measured ones were), top functions by cumulative time.

Peak memory is this process's ru_maxrss (resource.getrusage), which excludes the seeding
child; tracemalloc is not used (it slows Python about fourfold). Asserts nothing about
time (targets: a school under 2 s, the city under 60 s). The last line printed is one JSON
object of the figures.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import resource
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
SCHOOLS = int(os.environ.get("BENCH_MONEY_SCHOOLS", FULL_SCHOOLS))
STUDENTS = int(
    os.environ.get("BENCH_MONEY_STUDENTS", round(FULL_STUDENTS * SCHOOLS / FULL_SCHOOLS))
)
MONTH = dt.date.fromisoformat(os.environ.get("BENCH_MONEY_MONTH", "2026-10") + "-01")
DB_NAME = os.environ.get("BENCH_MONEY_DB", "kehou_bench_money")
PROFILE = os.environ.get("BENCH_MONEY_PROFILE", "1") == "1"
KEEP = os.environ.get("BENCH_MONEY_KEEP", "0") == "1"
WORKERS = int(os.environ.get("BENCH_MONEY_WORKERS", os.cpu_count() or 2))
SEED = 2026
STAGE_ENV = "BENCH_MONEY_STAGE"


def _month_end(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _next_month(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1)


def _mib(kib: int) -> float:
    return kib / 1024


# --------------------------------------------------------------------------- seeding


def seed() -> None:
    """Runs in the child process: migrate, the city, its sittings, applications, duties,
    fee standards and pay rates. Prints its own timings."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from kehou.billing.models import SittingCancellation
    from kehou.billing.services import fee_standard_enter
    from kehou.core.db import analyze
    from kehou.custody.models import Duty
    from kehou.demo.seed import seed_city
    from kehou.enrollment.models import Application
    from kehou.org.access import SYSTEM
    from kehou.org.models import Region, School, Staff, Student, StudentGuardian
    from kehou.payroll.services import pay_rates_set
    from kehou.policy.models import SchoolPlan
    from kehou.sittings.models import Sitting
    from kehou.sittings.services import CalendarNotReady, PlanNotPublished, sittings_generate
    from kehou.terms.models import Term

    rng = random.Random(SEED)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate            {time.perf_counter() - t0:7.1f} s", flush=True)

    t0 = time.perf_counter()
    summary = seed_city(schools=SCHOOLS, students=STUDENTS, seed=SEED)
    print(
        f"seed_city          {time.perf_counter() - t0:7.1f} s  ({summary.schools:,} schools, "
        f"{summary.students:,} students, {summary.staff:,} staff)",
        flush=True,
    )
    term = Term.objects.filter(start__lte=MONTH, end__gte=MONTH).get()
    schools = list(School.objects.order_by("pk"))

    t0 = time.perf_counter()
    created, pending = 0, set()
    for school in schools:
        try:
            report = sittings_generate(school=school, term=term, actor=SYSTEM)
        except (CalendarNotReady, PlanNotPublished) as refused:
            print(f"  {school.code}: no sittings ({refused})", flush=True)
            continue
        created += report.created
        pending.update(report.pending_years)
    print(
        f"sittings_generate  {time.perf_counter() - t0:7.1f} s  ({created:,} sittings of the "
        f"term; years without a calendar: {sorted(pending) or 'none'})",
        flush=True,
    )

    t0 = time.perf_counter()
    first, last = MONTH, _month_end(MONTH)
    teachers: dict[int, list[int]] = {}
    for pk, school_id in (
        Staff.objects.filter(kind=Staff.Kind.SCHOOL_TEACHER)
        .order_by("pk")
        .values_list("pk", "school_id")
    ):
        teachers.setdefault(school_id, []).append(pk)
    duties, cancellations = [], []
    with transaction.atomic(), connection.cursor() as cursor:
        for school in schools:
            staff = teachers.get(school.pk)
            if not staff:
                continue
            # Plan sittings have nobody responsible until the school says who: round robin.
            cursor.execute(
                "UPDATE sittings_sitting SET responsible_id = (%s::bigint[])[1 + (id %% %s)] "
                "WHERE school_id = %s AND term_id = %s AND responsible_id IS NULL",
                [staff, len(staff), school.pk, term.pk],
            )
            days = sorted(
                set(
                    Sitting.objects.filter(
                        school=school, date__gte=first, date__lte=last
                    ).values_list("date", flat=True)
                )
            )
            for day in days:
                for staff_id in rng.sample(staff, min(2, len(staff))):
                    duties.append(Duty(school=school, date=day, staff_id=staff_id))
            month_sittings = list(
                Sitting.objects.filter(
                    school=school, date__gte=first, date__lte=last, offering__isnull=True
                ).values_list("pk", flat=True)
            )
            if month_sittings:
                cancellations.append(
                    SittingCancellation(sitting_id=rng.choice(month_sittings), reason="暴雨停课")
                )
        Duty.objects.bulk_create(duties, batch_size=2000)
        SittingCancellation.objects.bulk_create(cancellations)

        weekdays = dict(
            SchoolPlan.objects.filter(term=term, status="published").values_list(
                "school_id", "service_weekdays"
            )
        )
        guardian_of: dict[int, int] = {}
        for student_id, guardian_id in StudentGuardian.objects.order_by("pk").values_list(
            "student_id", "guardian_id"
        ):
            guardian_of.setdefault(student_id, guardian_id)
        apps = []

        for student_id, school_id in Student.objects.order_by("pk").values_list("pk", "school_id"):
            guardian_id = guardian_of.get(student_id)
            days = sorted(weekdays.get(school_id) or [])
            if guardian_id is None or not days:
                continue
            chosen = days
            if rng.random() < 0.3 and len(days) > 2:
                chosen = sorted(rng.sample(days, rng.randint(2, len(days) - 1)))
            roll = rng.random()
            app = Application(
                student_id=student_id,
                term=term,
                guardian_id=guardian_id,
                status=Application.Status.APPROVED,
                service_weekdays=chosen,
                wants_extended_care=rng.random() < 0.2,
                starts_on=term.start,
            )
            if roll < 0.01:
                app.starts_on = first.replace(day=12)
            elif roll < 0.02:
                app.status = Application.Status.WITHDRAWN
                app.withdrawn_on = first.replace(day=15)
            apps.append(app)
        Application.objects.bulk_create(apps, batch_size=5000)
    print(
        f"month's data       {time.perf_counter() - t0:7.1f} s  ({len(apps):,} applications, "
        f"{len(duties):,} duty days, {len(cancellations):,} cancelled sittings)",
        flush=True,
    )

    t0 = time.perf_counter()
    city = Region.objects.filter(parent__isnull=True).order_by("pk").first()
    common = {
        "region": city,
        "funding_mode": "mixed",
        "document_title": "关于规范中小学课后服务收费的通知",
        "document_number": "滨发改〔2026〕8号",
        "valid_from": term.start,
        "actor": SYSTEM,
    }
    fee_standard_enter(covers="basic", unit="month", amount_yuan="150", **common)
    fee_standard_enter(covers="extended_care", unit="service_day", amount_yuan="5", **common)
    for school in schools:
        pay_rates_set(
            school=school,
            effective_from=term.start,
            per_class_hour="60",
            per_tutoring_hour="60",
            per_club_session="80",
            per_duty_day="50",
            class_hour_minutes=40,
            actor=SYSTEM,
        )
    analyze()
    print(
        f"standards, rates   {time.perf_counter() - t0:7.1f} s  (and ANALYZE)",
        flush=True,
    )
    connection.close()


def _prepare() -> str:
    """A fresh database; returns a label."""
    from throwaway_db import prepare_throwaway_database

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/money.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    return prepare_throwaway_database(DB_NAME)


def _drop() -> None:
    import psycopg

    base, _, _name = os.environ["DATABASE_URL"].rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


# --------------------------------------------------------------------------- measuring


def _profile(fn, top: int = 18) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    tottime = io.StringIO()
    pstats.Stats(profiler, stream=tottime).sort_stats("tottime").print_stats(12)
    return out.getvalue() + tottime.getvalue()


def _statements(captured) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for q in captured.captured_queries:
        word = q["sql"].split(None, 1)[0].upper()
        kinds[word] = kinds.get(word, 0) + 1
    return kinds


def _slowest(captured, top: int = 5) -> list[tuple[float, str]]:
    rows = sorted(((float(q["time"]), q["sql"]) for q in captured.captured_queries), reverse=True)
    return [(t, sql[:160]) for t, sql in rows[:top]]


def _bill_schools(pks: list[int], month: dt.date, term_pk: int) -> int:
    """In a worker process (started afresh, as `kehou worker` is): the month's bill run
    of each school."""
    import django

    django.setup()
    from django.db import connections

    from kehou.billing.models import Period
    from kehou.billing.services import bill_run
    from kehou.org.access import SYSTEM
    from kehou.org.models import School
    from kehou.terms.models import Term

    term = Term.objects.get(pk=term_pk)
    for school in School.objects.filter(pk__in=pks):
        run = bill_run(
            school=school,
            term=term,
            period=Period.MONTH,
            month=month,
            confirmed=True,
            actor=SYSTEM,
        )
        if run.status != "done":
            raise SystemExit(f"bill run of {school} {run.status}: {run.refusal_message}")
    connections.close_all()
    return len(pks)


def _in_workers(pks: list[int], month: dt.date, term_pk: int, workers: int) -> int:
    """The schools dealt round-robin (largest first) to `workers` new processes (spawned:
    a fork would share the parent's pooled connections)."""
    import multiprocessing

    slices = [pks[i::workers] for i in range(workers)]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        return sum(pool.starmap(_bill_schools, [(part, month, term_pk) for part in slices]))


def measure() -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from kehou.billing.models import Bill, BillLine, Period, Refund
    from kehou.billing.services import bill_run
    from kehou.org.access import SYSTEM
    from kehou.org.models import School
    from kehou.payroll.models import PayItem, PayLine
    from kehou.payroll.services import pay_sheet_compute
    from kehou.terms.models import Term

    term = Term.objects.filter(start__lte=MONTH, end__gte=MONTH).get()
    schools = list(School.objects.annotate(n=Count("students", distinct=True)).order_by("-n", "pk"))
    largest, others = schools[0], schools[1:]
    figures: dict = {"schools": len(schools), "month": f"{MONTH:%Y-%m}"}
    print(f"\nlargest school     {largest.name} ({largest.n:,} children)", flush=True)

    def bills(school, month=MONTH):
        run = bill_run(
            school=school,
            term=term,
            period=Period.MONTH,
            month=month,
            confirmed=True,
            actor=SYSTEM,
        )
        if run.status != "done":
            raise SystemExit(f"bill run of {school} {run.status}: {run.refusal_message}")
        return run

    def pay(school, month=MONTH):
        return pay_sheet_compute(school=school, month=month, actor=SYSTEM)

    # -- bills: one school, its re-run, the city
    with CaptureQueriesContext(connection) as captured:
        t0 = time.perf_counter()
        run = bills(largest)
        school_s = time.perf_counter() - t0
    figures["school_s"] = round(school_s, 3)
    figures["school_statements"] = len(captured.captured_queries)
    print(
        f"bills, school      {school_s:7.2f} s  {len(captured.captured_queries)} statements "
        f"{_statements(captured)}; {run.summary}",
        flush=True,
    )
    for t, sql in _slowest(captured, 3):
        print(f"    {t * 1000:7.1f} ms  {sql}")
    with CaptureQueriesContext(connection) as captured:
        t0 = time.perf_counter()
        rerun = bills(largest)
        rerun_s = time.perf_counter() - t0
    figures["school_rerun_s"] = round(rerun_s, 3)
    print(
        f"bills, re-run      {rerun_s:7.2f} s  {len(captured.captured_queries)} statements; "
        f"created {rerun.summary['created']}, updated {rerun.summary['updated']}, "
        f"unchanged {rerun.summary['unchanged']}",
        flush=True,
    )

    per_school = [school_s]
    t0 = time.perf_counter()
    for school in others:
        t1 = time.perf_counter()
        bills(school)
        per_school.append(time.perf_counter() - t1)
    city_s = school_s + (time.perf_counter() - t0)
    figures["city_s"] = round(city_s, 2)
    figures["school_median_s"] = round(statistics.median(per_school), 3)
    figures["school_max_s"] = round(max(per_school), 3)
    month_bills = Bill.objects.filter(period_start=MONTH)
    figures["bills"] = month_bills.count()
    figures["bill_lines"] = BillLine.objects.filter(bill__period_start=MONTH).count()
    figures["refunds"] = Refund.objects.filter(bill__period_start=MONTH, amount_fen__gt=0).count()
    figures["waived"] = month_bills.filter(waived=True).count()
    print(
        f"bills, city        {city_s:7.2f} s  sequential, one process ({len(schools)} schools; "
        f"per school median {figures['school_median_s']:.3f} s, max "
        f"{figures['school_max_s']:.3f} s); {figures['bills']:,} bills, "
        f"{figures['bill_lines']:,} lines, {figures['waived']:,} waived, "
        f"{figures['refunds']:,} refunds",
        flush=True,
    )

    # -- bills: the next month of the city with as many workers as cores (as `kehou worker`
    # processes would run one school's bill run each, side by side)
    following = _next_month(MONTH)
    t0 = time.perf_counter()
    done = _in_workers([s.pk for s in schools], following, term.pk, WORKERS)
    parallel_s = time.perf_counter() - t0
    figures["city_workers"] = WORKERS
    figures["city_parallel_s"] = round(parallel_s, 2)
    print(
        f"bills, city        {parallel_s:7.2f} s  {WORKERS} worker processes, "
        f"{following:%Y-%m} ({done} schools)",
        flush=True,
    )

    # -- pay: one school, its re-run, the city
    with CaptureQueriesContext(connection) as captured:
        t0 = time.perf_counter()
        sheet, _changed = pay(largest)
        pay_school_s = time.perf_counter() - t0
    figures["pay_school_s"] = round(pay_school_s, 3)
    figures["pay_school_statements"] = len(captured.captured_queries)
    print(
        f"pay, school        {pay_school_s:7.2f} s  {len(captured.captured_queries)} statements "
        f"{_statements(captured)}; {sheet.lines.count()} people, "
        f"{sheet.total_fen / 100:,.2f} yuan",
        flush=True,
    )
    t0 = time.perf_counter()
    _sheet, changed = pay(largest)
    figures["pay_school_rerun_s"] = round(time.perf_counter() - t0, 3)
    print(
        f"pay, re-run        {figures['pay_school_rerun_s']:7.2f} s  changed: {changed}",
        flush=True,
    )
    pay_per_school = [pay_school_s]
    t0 = time.perf_counter()
    for school in others:
        t1 = time.perf_counter()
        pay(school)
        pay_per_school.append(time.perf_counter() - t1)
    pay_city_s = pay_school_s + (time.perf_counter() - t0)
    figures["pay_city_s"] = round(pay_city_s, 2)
    figures["pay_school_max_s"] = round(max(pay_per_school), 3)
    figures["pay_lines"] = PayLine.objects.filter(sheet__month=MONTH).count()
    figures["pay_items"] = PayItem.objects.filter(line__sheet__month=MONTH).count()
    print(
        f"pay, city          {pay_city_s:7.2f} s  sequential, one process (per school median "
        f"{statistics.median(pay_per_school):.3f} s, max {figures['pay_school_max_s']:.3f} s); "
        f"{figures['pay_lines']:,} pay lines, {figures['pay_items']:,} items",
        flush=True,
    )

    figures["peak_mib"] = round(_mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss), 1)
    print(f"peak memory        {figures['peak_mib']:,.1f} MiB (ru_maxrss of this process)")

    if PROFILE:
        following = _next_month(MONTH)
        print(f"\n--- cProfile: bill run of {largest.name}, {following:%Y-%m} (fresh) ---")
        print(_profile(lambda: bills(largest, following)))
        print(f"--- cProfile: pay sheet of {largest.name}, {following:%Y-%m} (fresh) ---")
        print(_profile(lambda: pay(largest, following)))
    connection.close()
    return figures


def main() -> None:
    if os.environ.get(STAGE_ENV) == "seed":
        seed()
        return
    label = _prepare()
    print(f"database           {label}; {SCHOOLS} schools, {STUDENTS:,} students", flush=True)
    started = time.perf_counter()
    env = {**os.environ, STAGE_ENV: "seed"}
    status = subprocess.call([sys.executable, __file__], env=env)
    if status:
        sys.exit(status)
    seed_s = time.perf_counter() - started
    print(f"seeding in all     {seed_s:7.1f} s (child process)", flush=True)
    try:
        figures = measure()
    finally:
        if not KEEP:
            _drop()
    figures["seed_s"] = round(seed_s, 1)
    figures["students"] = STUDENTS
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
