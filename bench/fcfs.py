"""First come, first served through the whole HTTP stack (issue 4, SPEC R12 FCFS):
3,000 families of one school claim a seat at the same moment.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehou .venv/bin/python bench/fcfs.py
    .venv/bin/python bench/fcfs.py            # SQLite in a temp directory, for comparison

On PostgreSQL it drops and recreates a database named kehou_bench_fcfs on that server and
migrates it. It seeds one school with 3,000 children (one guardian each, approved
applications), a menu of 60 offerings in FCFS mode with its window open (about 1,800 seats,
so many offerings fill and waiting lists form), logs every guardian in by writing a session
row directly (3,000 argon2 logins would measure the password hasher, not the claim), starts
`kehou runserver --noreload` (threaded) on 127.0.0.1, and fires the 3,000 claims (one POST
per family, each to an offering of the child's grade) from a pool of 50 client threads that
start together. Traffic goes only to 127.0.0.1; the run is bounded (3,000 requests, a 60 s
timeout each) and the server it started is stopped at the end.

Prints: claims per second, p50/p99 latency, responses by status (number of 5xx), seats taken
and waiting-list entries, and offerings over-filled (taken > capacity, or more active
enrolments than capacity, or a counter that disagrees with the rows: must be 0).
Asserts nothing about time.
"""

from __future__ import annotations

import datetime
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehou.settings")

from throwaway_db import prepare_throwaway_database  # noqa: E402

N_FAMILIES = 3000
N_OFFERINGS = 60
CLIENT_THREADS = 50
GRADES = 6
CLASSES_PER_GRADE = 10
CSRF_SECRET = "benchcsrfsecret0123456789abcdefg"  # 32 characters, sent as cookie and header
TIMEOUT = 60


def _seed(rng: random.Random) -> list[tuple[str, int, int]]:
    """The school, families, menu and sessions; returns (session key, application, offering)
    for each family's claim."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

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
        Guardian(name=u.name, phone=u.phone, user=u) for u in users
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

    store = SessionStore()
    backend = settings.AUTHENTICATION_BACKENDS[-1]
    expire = now + datetime.timedelta(hours=2)
    sessions, claims = [], []
    for user, app in zip(users, apps, strict=True):
        key = get_random_string(32)
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(
            Session(session_key=key, session_data=store.encode(data), expire_date=expire)
        )
        eligible = by_grade[class_of[app.student_id].grade]
        pick = rng.choices(eligible, weights=[weights[o.pk] for o in eligible])[0]
        claims.append((key, app.pk, pick.pk))
    Session.objects.bulk_create(sessions, batch_size=1000)
    print(
        f"seeded: {N_FAMILIES} families, {len(offerings)} offerings, "
        f"{sum(o.capacity for o in offerings)} seats",
        flush=True,
    )
    return claims


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(port: int, log) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "kehou", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env={**os.environ, "KEHOU_DEBUG": ""},
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/accounts/login/")
            conn.getresponse().read()
            conn.close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the server did not start within 30 s")


def _fire(port: int, claims) -> tuple[float, list[float], dict[int, int]]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENT_THREADS)
    started = threading.local()

    def one(claim):
        key, app_pk, offering_pk = claim
        if not getattr(started, "yes", False):
            started.yes = True
            barrier.wait(timeout=60)
        path = f"/apply/applications/{app_pk}/claim/{offering_pk}/"
        headers = {
            "Cookie": f"sessionid={key}; csrftoken={CSRF_SECRET}",
            "X-CSRFToken": CSRF_SECRET,
            "Content-Length": "0",
        }
        t0 = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
            conn.request("POST", path, body=b"", headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
            conn.close()
        except OSError:
            status = 0  # connection refused/reset or timeout
        elapsed = time.perf_counter() - t0
        with lock:
            latencies.append(elapsed)
            statuses[status] = statuses.get(status, 0) + 1

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as pool:
        list(pool.map(one, claims))
    return time.perf_counter() - t0, latencies, statuses


def _check() -> dict[str, int]:
    from django.db import connection
    from django.db.models import Count, F, Q

    from kehou.catalog.models import Offering
    from kehou.enrollment.models import Enrollment, WaitlistEntry

    connection.close()  # see what the server committed
    rows = Offering.objects.annotate(
        active=Count("enrollments", filter=Q(enrollments__status=Enrollment.Status.ACTIVE))
    )
    return {
        "seats taken": Enrollment.objects.filter(status=Enrollment.Status.ACTIVE).count(),
        "waiting-list entries": WaitlistEntry.objects.count(),
        "full offerings": rows.filter(taken=F("capacity")).count(),
        "over-filled offerings": rows.filter(
            Q(taken__gt=F("capacity")) | Q(active__gt=F("capacity")) | ~Q(active=F("taken"))
        ).count(),
        "children seated twice in one offering": Enrollment.objects.filter(
            status=Enrollment.Status.ACTIVE
        )
        .values("student", "offering")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count(),
    }


def main() -> None:
    label = prepare_throwaway_database("kehou_bench_fcfs")
    import django

    django.setup()
    from django.core.management import call_command

    print(f"database: {label}", flush=True)
    call_command("migrate", verbosity=0)
    claims = _seed(random.Random(20260901))
    port = _free_port()
    with tempfile.NamedTemporaryFile("w+", prefix="kehou-fcfs-server-", suffix=".log") as log:
        server = _start_server(port, log)
        try:
            wall, latencies, statuses = _fire(port, claims)
        finally:
            server.terminate()
            server.wait(timeout=10)
        errors = sum(n for status, n in statuses.items() if status >= 500 or status == 0)
        latencies.sort()
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"claims: {len(claims)} from {CLIENT_THREADS} client threads, runserver (threaded)")
        print(f"wall time: {wall:.2f} s  ->  {len(claims) / wall:.0f} claims/s")
        print(
            f"latency: p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
        )
        print("responses by status:", dict(sorted(statuses.items())), f"-> 5xx/failed: {errors}")
        for name, value in _check().items():
            print(f"{name}: {value}")
        if errors:
            log.seek(0)
            tail = log.read()[-3000:]
            print("server log (tail):\n" + tail)


if __name__ == "__main__":
    main()
