"""First come, first served through the whole HTTP stack (issue 4, SPEC R12 FCFS): 3,000
families of one school claim a seat, through runserver and through gunicorn, on the same
database in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehou .venv/bin/python bench/fcfs.py
    BENCH_FCFS_DB=another_name DATABASE_URL=... .venv/bin/python bench/fcfs.py
    .venv/bin/python bench/fcfs.py            # SQLite in a temp directory, for comparison

On PostgreSQL it drops and recreates a database named $BENCH_FCFS_DB (default
kehou_bench_fcfs) on that server, migrates it, seeds it and runs ANALYZE (a freshly
seeded database has no statistics, and the planner then picks very slow plans); every
measurement below then runs on its own copy of that database (CREATE DATABASE ...
TEMPLATE), so each starts from the same seats. On SQLite the copies are files.

The seed: one school with 3,000 children (one guardian each, approved applications), a
menu of 60 offerings in FCFS mode with its window open (about 1,800 seats, so many
offerings fill and waiting lists form), and every guardian logged in by writing a session
row directly (3,000 argon2 logins would measure the password hasher, not the claim).

The servers run the production settings (KEHOU_DEBUG unset, a throwaway secret key, the
connection pool on PostgreSQL) with KEHOU_COUNT_QUERIES=1, which adds a middleware that
reports the number of SQL statements of each request in a header (bench only):

1. `kehou runserver --noreload` (threaded), then gunicorn with kehou/gunicorn_conf.py
   (2 gthread workers × 8 threads by default): the 3,000 claims (one POST per family, each
   to an offering of the child's grade) from 50 client threads that start together; then
   the floor, an authenticated request that does nothing (GET /login/ with the session:
   session and user loaded, redirected home), 3,000 times from 50 threads.
2. A burst against gunicorn: 300 families press "报名" at the same instant (300 client
   threads released by one barrier, each opening its own connection); the same burst
   against runserver for comparison.
3. A profile of one claim in this process through Django's test client on the seeded
   database (cProfile, top functions by cumulative time), with its SQL statements.

Traffic goes only to 127.0.0.1; every request has a 60 s timeout and the servers started
here are stopped at the end. The load client runs on the same machine as the server and
the database, and shares its CPUs: the figures are ratios within one run, not capacity.
Prints claims/s, p50/p99 latency, responses by status (5xx, of which 503 "busy", and
connections dropped), seats taken, waiting-list entries, over-filled offerings (taken >
capacity, more active enrolments than capacity, or a counter that disagrees with the rows:
must be 0), SQL statements per claim, the floor and claims/s as a fraction of it. The last
line is one JSON object with these figures. Asserts nothing about time.
"""

from __future__ import annotations

import cProfile
import datetime
import http.client
import json
import os
import pstats
import random
import secrets
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehou.settings")
# Production settings need a secret key; the sessions written here must be readable by
# the servers, so they inherit this one.
os.environ.setdefault("KEHOU_SECRET_KEY", "bench-" + secrets.token_urlsafe(32))
os.environ.pop("KEHOU_DEBUG", None)
# This process copies the database it seeds: it must hold no pooled connections to it.
os.environ["KEHOU_DB_POOL"] = "0"

from serving import (  # noqa: E402
    Server,
    alias,
    analyze,
    copy_database,
    drop_copies,
    print_stats,
    write_sessions,
)
from throwaway_db import prepare_throwaway_database  # noqa: E402

N_FAMILIES = 3000
N_OFFERINGS = 60
CLIENT_THREADS = 50
BURST = 300
GRADES = 6
CLASSES_PER_GRADE = 10
CSRF_SECRET = "benchcsrfsecret0123456789abcdefg"  # 32 characters, sent as cookie and header
TIMEOUT = 60
PROFILED_CLAIMS = 20


@dataclass
class Claim:
    session: str
    application: int
    offering: int

    @property
    def path(self) -> str:
        return f"/apply/applications/{self.application}/claim/{self.offering}/"


def _seed(rng: random.Random) -> list[Claim]:
    """The school, families, menu and sessions; returns each family's claim."""
    from django.utils import timezone

    from kehou.accounts.models import User
    from kehou.catalog.models import (
        EXTENDED_CATEGORIES,
        Activity,
        Menu,
        Offering,
        OfferingMeeting,
    )
    from kehou.enrollment.models import Application
    from kehou.org.models import (
        ClassMembership,
        Guardian,
        Region,
        School,
        SchoolClass,
        SchoolYear,
        Student,
        StudentGuardian,
    )
    from kehou.terms.models import Term

    today = timezone.localdate()
    city = Region.objects.create(code="371600", name="滨州市", level=Region.Level.CITY)
    county = Region.objects.create(code="371602", name="滨城区", parent=city)
    school = School.objects.create(code="3716020001", name="滨城实验小学", region=county)
    year = SchoolYear.objects.create(start_year=today.year if today.month >= 8 else today.year - 1)
    term = Term.objects.create(
        school_year=year,
        semester=1,
        start=today - datetime.timedelta(days=30),
        end=today + datetime.timedelta(days=90),
    )
    classes = SchoolClass.objects.bulk_create(
        SchoolClass(school=school, school_year=year, grade=g, number=n)
        for g in range(1, GRADES + 1)
        for n in range(1, CLASSES_PER_GRADE + 1)
    )
    students = Student.objects.bulk_create(
        Student(
            school=school,
            student_number=f"G{371602201801010000 + i}",
            name=f"学生{i}",
            gender=Student.Gender.FEMALE if i % 2 else Student.Gender.MALE,
            is_left_behind=rng.random() < 0.05,
        )
        for i in range(N_FAMILIES)
    )
    class_of = {s.pk: classes[i % len(classes)] for i, s in enumerate(students)}
    ClassMembership.objects.bulk_create(
        ClassMembership(student=s, school_class=class_of[s.pk], school_year=year) for s in students
    )
    users = User.objects.bulk_create(
        User(phone=f"1390000{i:04d}", name=f"家长{i}", role=User.Role.GUARDIAN, password="!")
        for i in range(N_FAMILIES)
    )
    guardians = Guardian.objects.bulk_create(
        Guardian(school=school, name=u.name, phone=u.phone, user=u) for u in users
    )
    StudentGuardian.objects.bulk_create(
        StudentGuardian(
            student=s, guardian=g, relation=StudentGuardian.Relation.MOTHER, is_primary=True
        )
        for s, g in zip(students, guardians, strict=True)
    )
    apps = Application.objects.bulk_create(
        Application(
            student=s,
            term=term,
            guardian=g,
            status=Application.Status.APPROVED,
            service_weekdays=[0, 1, 2, 3, 4],
            starts_on=today,
        )
        for s, g in zip(students, guardians, strict=True)
    )
    now = timezone.now()
    menu = Menu.objects.create(
        school=school,
        term=term,
        mode=Menu.Mode.FCFS,
        status=Menu.Status.WINDOW_OPEN,
        max_extended_per_child=2,
        window_opens_at=now - datetime.timedelta(minutes=5),
        window_closes_at=now + datetime.timedelta(hours=2),
    )
    categories = sorted(EXTENDED_CATEGORIES)
    offerings = []
    for i in range(N_OFFERINGS):
        activity = Activity.objects.create(
            school=school, name=f"项目{i}", category=categories[i % len(categories)]
        )
        grade_from = 1 + 2 * (i % 3)  # grades 1-2, 3-4 or 5-6
        offering = Offering.objects.create(
            menu=menu,
            activity=activity,
            name=f"项目{i}",
            grade_from=grade_from,
            grade_to=grade_from + 1,
            capacity=rng.choice([20, 25, 30, 35, 40]),
        )
        OfferingMeeting.objects.create(
            offering=offering,
            weekday=i % 5,
            start=datetime.time(16, 0),
            end=datetime.time(17, 0),
        )
        offerings.append(offering)
    # Popular offerings draw more claims (a Zipf-like pull), as real rushes do.
    weights = {o.pk: 1 / (1 + i % 20) for i, o in enumerate(offerings)}
    by_grade = {g: [o for o in offerings if o.grade_from <= g <= o.grade_to] for g in range(1, 7)}

    claims = []
    keys = write_sessions(users)
    for key, app in zip(keys, apps, strict=True):
        eligible = by_grade[class_of[app.student_id].grade]
        pick = rng.choices(eligible, weights=[weights[o.pk] for o in eligible])[0]
        claims.append(Claim(key, app.pk, pick.pk))
    print(
        f"seeded: {N_FAMILIES} families, {len(offerings)} offerings, "
        f"{sum(o.capacity for o in offerings)} seats",
        flush=True,
    )
    return claims


# ----------------------------------------------------------------------- check


def _check(url: str) -> dict[str, int]:
    from django.db.models import Count, F, Q

    from kehou.catalog.models import Offering
    from kehou.enrollment.models import Enrollment, WaitlistEntry

    using = alias(url)
    rows = Offering.objects.using(using).annotate(
        active=Count("enrollments", filter=Q(enrollments__status=Enrollment.Status.ACTIVE))
    )
    active = Enrollment.objects.using(using).filter(status=Enrollment.Status.ACTIVE)
    return {
        "seats taken": active.count(),
        "waiting-list entries": WaitlistEntry.objects.using(using).count(),
        "full offerings": rows.filter(taken=F("capacity")).count(),
        "over-filled offerings": rows.filter(
            Q(taken__gt=F("capacity")) | Q(active__gt=F("capacity")) | ~Q(active=F("taken"))
        ).count(),
        "children seated twice in one offering": active.values("student", "offering")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count(),
    }


# ----------------------------------------------------------------------- load


@dataclass
class Run:
    wall: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    queries: list[int] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)  # why a request got no answer
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(
        self, started: float, status: int, queries: str | None, failure: str | None = None
    ) -> None:
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies.append(elapsed)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if queries is not None:
                self.queries.append(int(queries))
            if failure is not None:
                self.failures[failure] = self.failures.get(failure, 0) + 1

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.count / self.wall if self.wall else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000

    @property
    def errors_5xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    @property
    def dropped(self) -> int:
        return self.statuses.get(0, 0)

    @property
    def queries_mean(self) -> float | None:
        return round(statistics.mean(self.queries), 1) if self.queries else None


def _request(port: int, method: str, path: str, session: str, run: Run) -> None:
    from django.conf import settings

    headers = {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; "
        f"{settings.CSRF_COOKIE_NAME}={CSRF_SECRET}",
        "X-CSRFToken": CSRF_SECRET,
        "Content-Length": "0",
    }
    started = time.perf_counter()
    status, queries, failure = 0, None, None  # 0: connection refused or reset, or timed out
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        conn.request(method, path, body=b"" if method == "POST" else None, headers=headers)
        response = conn.getresponse()
        response.read()
        status, queries = response.status, response.getheader("X-Kehou-Queries")
        conn.close()
    except (OSError, http.client.HTTPException) as error:
        failure = type(error).__name__
    run.record(started, status, queries, failure)


def _pool(port: int, requests: list[tuple[str, str, str]]) -> Run:
    """Each (method, path, session) once, from CLIENT_THREADS threads that start together."""
    run = Run()
    barrier = threading.Barrier(CLIENT_THREADS)
    started = threading.local()

    def one(spec):
        if not getattr(started, "yes", False):
            started.yes = True
            barrier.wait(timeout=60)
        _request(port, *spec, run)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as executor:
        list(executor.map(one, requests))
    run.wall = time.perf_counter() - t0
    return run


def _burst(port: int, claims: list[Claim]) -> Run:
    """Every claim released at the same instant: one thread and one connection each."""
    run = Run()
    barrier = threading.Barrier(len(claims) + 1)

    def one(claim: Claim):
        barrier.wait(timeout=120)
        _request(port, "POST", claim.path, claim.session, run)

    threads = [threading.Thread(target=one, args=(c,)) for c in claims]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=120)
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    run.wall = time.perf_counter() - t0
    return run


# ----------------------------------------------------------------------- profile


def _profile(claims: list[Claim]) -> dict:
    """Claims in this process through the test client on the seeded database: the SQL of
    one, and cProfile over PROFILED_CLAIMS of them (after a few to warm up)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()

    def claim(c: Claim) -> int:
        client.cookies[settings.SESSION_COOKIE_NAME] = c.session
        return client.post(c.path).status_code

    warm, one, profiled = claims[:5], claims[5], claims[6 : 6 + PROFILED_CLAIMS]
    for c in warm:
        claim(c)
    with CaptureQueriesContext(connection) as captured:
        status = claim(one)
    statements = list(captured.captured_queries)  # the next request clears the log
    print(f"\nSQL of one claim ({len(statements)} statements, status {status}):")
    for q in statements:
        sql = " ".join(q["sql"].split())
        shown = sql if len(sql) <= 200 else f"{sql[:130]} … {sql[-65:]}"
        print(f"  {q['time']:>6}s  {shown}")

    # Without the profiler: the best of three rounds of ten (the machine is shared).
    timed = claims[6 + PROFILED_CLAIMS : 6 + PROFILED_CLAIMS + 30]
    rounds = []
    for start in range(0, 30, 10):
        t0 = time.perf_counter()
        for c in timed[start : start + 10]:
            claim(c)
        rounds.append((time.perf_counter() - t0) / 10 * 1000)
    plain = min(rounds)

    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    for c in profiled:
        claim(c)
    profiler.disable()
    per_claim = (time.perf_counter() - t0) / len(profiled) * 1000
    print(
        f"\nprofile: one claim in this process takes {plain:.1f} ms (best of 3 rounds of 10, "
        f"one after the other); {len(profiled)} more under cProfile, {per_claim:.1f} ms each"
    )
    print_stats(profiler, "cumulative", 30, "top functions by cumulative time")
    print_stats(profiler, "tottime", 15, "top functions by own time")
    waited = None
    if connection.vendor == "postgresql":
        waited = sum(
            row[3]
            for (filename, _line, name), row in pstats.Stats(profiler).stats.items()
            if name == "wait" and filename.endswith("psycopg/connection.py")
        )
        waited = round(waited / len(profiled) * 1000, 1)
        print(f"waiting for PostgreSQL's answers: {waited} ms per claim (under cProfile)")
    return {
        "ms_per_claim": round(plain, 1),
        "ms_per_claim_profiled": round(per_claim, 1),
        "db_wait_ms_per_claim": waited,
        "queries_per_claim": len(statements),
    }


# ----------------------------------------------------------------------- report


def _report_run(title: str, run: Run) -> None:
    print(title)
    print(
        f"  {run.count} in {run.wall:.2f} s -> {run.per_second:.0f}/s; "
        f"p50 {run.percentile(0.5):.0f} ms, p99 {run.percentile(0.99):.0f} ms, "
        f"max {max(run.latencies) * 1000:.0f} ms"
    )
    print(
        f"  responses by status: {dict(sorted(run.statuses.items()))} -> 5xx {run.errors_5xx} "
        f"(503 busy {run.statuses.get(503, 0)}), dropped {run.dropped} {run.failures or ''}; "
        f"SQL statements per request {run.queries_mean}"
    )


def _measure(kind: str, url: str, claims: list[Claim]) -> dict:
    with Server(kind, url, name="fcfs") as server:
        run = _pool(server.port, [("POST", c.path, c.session) for c in claims])
        floor = _pool(server.port, [("GET", "/login/", c.session) for c in claims])
        errors = server.errors()
    label = "runserver (threaded)" if kind == "runserver" else "gunicorn (kehou/gunicorn_conf.py)"
    print(f"\n--- {label}: {len(claims)} claims from {CLIENT_THREADS} client threads")
    _report_run("claims:", run)
    _report_run("floor (GET /login/ logged in: session + user, redirected home):", floor)
    checked = _check(url)
    for name, value in checked.items():
        print(f"  {name}: {value}")
    print(f"  claims/s as a fraction of the floor: {run.per_second / floor.per_second:.2f}")
    for line in errors:
        print(f"  server error: {line}")
    return {
        "claims_per_s": round(run.per_second, 1),
        "p50_ms": round(run.percentile(0.5)),
        "p99_ms": round(run.percentile(0.99)),
        "errors_5xx": run.errors_5xx,
        "busy_503": run.statuses.get(503, 0),
        "dropped": run.dropped,
        "dropped_why": run.failures,
        "over_filled": checked["over-filled offerings"],
        "seats_taken": checked["seats taken"],
        "waiting": checked["waiting-list entries"],
        "queries_per_claim": run.queries_mean,
        "floor_per_s": round(floor.per_second, 1),
        "floor_queries": floor.queries_mean,
        "fraction_of_floor": round(run.per_second / floor.per_second, 3),
    }


def _measure_burst(kind: str, url: str, claims: list[Claim]) -> dict:
    with Server(kind, url, name="fcfs") as server:
        run = _burst(server.port, claims)
        errors = server.errors()
    print(f"\n--- burst: {len(claims)} claims released at one instant against {kind}")
    _report_run("claims:", run)
    checked = _check(url)
    for name, value in checked.items():
        print(f"  {name}: {value}")
    for line in errors:
        print(f"  server error: {line}")
    return {
        "claims": run.count,
        "wall_s": round(run.wall, 2),
        "claims_per_s": round(run.per_second, 1),
        "p50_ms": round(run.percentile(0.5)),
        "p99_ms": round(run.percentile(0.99)),
        "max_ms": round(max(run.latencies) * 1000),
        "errors_5xx": run.errors_5xx,
        "busy_503": run.statuses.get(503, 0),
        "dropped": run.dropped,
        "dropped_why": run.failures,
        "answered": sum(n for status, n in run.statuses.items() if status),
        "over_filled": checked["over-filled offerings"],
        "queries_per_claim": run.queries_mean,
    }


def main() -> None:
    label = prepare_throwaway_database(os.environ.get("BENCH_FCFS_DB", "kehou_bench_fcfs"))
    import django

    django.setup()
    from django.core.management import call_command

    cpus = os.cpu_count()
    load_before = os.getloadavg()[0]
    print(
        f"database: {label}; {cpus} CPUs shared by the servers, the database and the client "
        f"(load average {load_before:.1f})"
    )
    call_command("migrate", verbosity=0)
    claims = _seed(random.Random(20260901))
    analyze()
    copies = copy_database(["runserver", "gunicorn", "burst", "burst_runserver"])
    burst = random.Random(7).sample(claims, BURST)
    try:
        result = {
            "runserver": _measure("runserver", copies["runserver"], claims),
            "gunicorn": _measure("gunicorn", copies["gunicorn"], claims),
            "burst": _measure_burst("gunicorn", copies["burst"], burst),
            # the same burst against runserver, for comparison: its listen queue is short
            "burst_runserver": _measure_burst("runserver", copies["burst_runserver"], burst),
        }
    finally:
        drop_copies(copies)
    result["profile"] = _profile(claims)
    result["machine"] = {
        "cpus": cpus,
        "client_on_same_machine": True,
        "load_average_before": round(load_before, 1),
        "load_average_after": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
