"""Roll call, hand-over and dismissal through the whole HTTP stack (issue 9, SPEC R15-R16):
a 3,000-child school's afternoon, and the 190,000-child city's dismissal peak, driven by
locust against gunicorn on PostgreSQL; afterwards the database is read to check that
every record arrived exactly once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehou .venv/bin/python bench/dismissal.py
    BENCH_DISMISSAL_DB=another_name DATABASE_URL=... .venv/bin/python bench/dismissal.py
    BENCH_DISMISSAL_SCHOOLS=1 BENCH_DISMISSAL_CITY_SECONDS=10 ...   # a quick look

Needs locust (`pip install -e ".[dev,bench]"`, as `make bench` does) and PostgreSQL: it
drops and recreates a database named $BENCH_DISMISSAL_DB (default kehou_bench_dismissal)
on the server DATABASE_URL points at, migrates it, seeds it, runs ANALYZE, and gives every
measurement its own copy of it (CREATE DATABASE ... TEMPLATE); the copies are dropped at
the end. About 10 minutes.

The seed: SCHOOLS (6) schools of 3,000 children each (one guardian each, who may
collect and has a login: dismissals and absences reach an inbox), one term covering
today with a published plan; each school has 75 activity groups of 40 children meeting
now, and today's sittings written straight to the table (one per group, its teacher
responsible), 75 teachers and 12 gate phones (gate staff on duty today), all logged in by
writing session rows. The pickup codes are `kehou.custody.codes.pickup_code` of the day.

Measurements, each on a fresh copy, against gunicorn with kehou/gunicorn_conf.py (the
production settings; KEHOU_COUNT_QUERIES=1 for the SQL statements per request in a
header). The load client is locust (headless, FastHttpUser; traffic to 127.0.0.1 only;
bounded by run time and user count), on the same machine, sharing its CPUs:

1. "school" and "classes": one school's afternoon, 10 minutes compressed fivefold into
   about 2; "school" is the first school (75 activity groups), "classes" the second, whose
   afternoon is one sitting of the plan for grades 1-6 with no one responsible, its roll
   taken class by class by the 60 head teachers (50 children each). Each teacher takes
   the roll of their group through POST /attendance/sittings/<pk>/sync/ (batches of 10
   marks a few seconds apart, about 2% absent and 3% late, the last batch with "close":
   true); every 4th teacher's phone
   re-sends one batch with the same id, later or twice at the same moment. Each teacher
   then hands the children present to a gate phone's staff (POST /custody/handover/), and
   12 gate phones dismiss each child once through POST /custody/gate/dismiss/ with the
   pickup code, at up to 3 a second each. Deliberate repeats, 1% each: the same phone
   again later (the same dismissal answered, repeat true), another phone later (409
   already_dismissed), two phones at the same moment (one 200, one 409).
2. "city peak": the city's 190,000 children leave in a 30-minute peak, about 110
   dismissals a second. Every child of the SCHOOLS schools is in their teacher's custody
   before the run (received through kehou.custody.chain, as their roll calls did), and
   gate phones of all the schools dismiss them in a city-wide order, paced at 110 and then
   250 requests/s (locust users at constant_throughput 5/3 a second each, so a run whose
   answers take longer than 600 ms falls behind its pace: the requests/s printed are what
   was achieved), CITY_SECONDS (60) each, with the same deliberate repeats.
3. "capacity": the same dismissals unpaced from CAPACITY_USERS users for CAPACITY_SECONDS;
   then the floor unpaced for as long: dismissals/s as a fraction of the floor's.

Every paced run also sends floor requests (3%: GET /login/ with a gate phone's session:
session and user loaded, redirected home), so latencies compare with the floor under the
same load. After each run the database is read: attendance rows against the distinct
marks sent (lost: sent but missing; duplicated: more than one row, or a batch answered
"applied" twice), every RollCallBatch id once, hand-overs, dismissals against the
children sent to the gate (none missing, none twice, no repeat answered as a new one),
open custodies against those expected (0 after the school's afternoon).

Prints, per run and per endpoint: requests/s, p50/p99 ms, responses by status, errors
(requests not answered as asked, other than the deliberate 409s; requests with no answer
included), SQL statements per request, lost and duplicated records, the CPU time per
request of gunicorn, PostgreSQL and locust; then each endpoint profiled in this process
through the test client (SQL statements, time, cProfile). The last line is one JSON
object; its top-level figures are those of the 250 requests/s run. Asserts nothing about
time: the machine is shared and the client runs on it.
"""

from __future__ import annotations

import collections
import cProfile
import datetime
import json
import os
import pstats
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehou.settings")
# The sessions and pickup codes made here must be those the servers read: they inherit
# this key.
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
    is_postgres,
    print_stats,
    write_sessions,
)
from throwaway_db import prepare_throwaway_database  # noqa: E402

SCHOOLS = max(2, int(os.environ.get("BENCH_DISMISSAL_SCHOOLS", "6")))
CHILDREN = 3000  # per school
GROUP = 40  # children per sitting
TEACHERS = CHILDREN // GROUP  # 75 sittings, one teacher each
GATES = 12  # gate phones per school
CLASSES_SCHOOL = 1  # this school's afternoon is one sitting of the plan, roll class by class
BATCH = 10  # marks per roll-call batch
RESEND_EVERY = 4  # every 4th teacher re-sends one batch
ABSENT, LATE = 0.02, 0.03  # shares of the marks
# Shares of the dismissals repeated deliberately: later by the same phone (the same
# dismissal answered again, repeat true), later by another phone (409 already_dismissed),
# by two phones at the same moment (one 200, one 409).
REPEATS = {"repeat_same": 0.01, "repeat_other": 0.01, "repeat_together": 0.01}
SCHOOL_SECONDS = 150  # bound of the compressed afternoon (it ends when the work is done)
SCHOOL_GATE_RATE = 3.0  # dismissals/s per gate phone in the compressed afternoon
CITY_RATES = [110, 250]
CITY_SECONDS = int(os.environ.get("BENCH_DISMISSAL_CITY_SECONDS", "60"))
PER_USER_RATE = 5 / 3  # requests/s of one locust user in a paced run (one every 600 ms)
FLOOR_SHARE = 0.03
CAPACITY_USERS = 48
CAPACITY_SECONDS = int(os.environ.get("BENCH_DISMISSAL_CAPACITY_SECONDS", "25"))
CSRF_SECRET = "benchcsrfsecret0123456789abcdefg"  # 32 characters, sent as cookie and header
LOCUSTFILE = BENCH / "dismissal_locust.py"
SYNC = "sync"
DISMISS = "dismiss"
HANDOVER = "handover"
FLOOR = "floor"


# ----------------------------------------------------------------------- seed


@dataclass
class SchoolSeed:
    pk: int
    gate_sessions: list[str]
    gate_staff: list[int]  # the staff records of the gate phones (on duty today)
    teachers: list[dict]  # per sitting: session, sitting, children [(student, code, guardian)]


@dataclass
class Seed:
    day: datetime.date
    schools: list[SchoolSeed] = field(default_factory=list)


def _seed(rng: random.Random) -> Seed:
    """SCHOOLS schools with today's sittings, teachers, gate phones and their sessions."""
    from django.utils import timezone

    from kehou.accounts.models import User
    from kehou.catalog.models import Activity, Menu, Offering, OfferingMeeting
    from kehou.custody.codes import pickup_code
    from kehou.custody.models import Duty
    from kehou.enrollment.models import Application, Enrollment
    from kehou.org.models import (
        ClassMembership,
        Guardian,
        Region,
        School,
        SchoolClass,
        SchoolYear,
        Staff,
        Student,
        StudentGuardian,
    )
    from kehou.policy.models import SchoolPlan
    from kehou.sittings.models import Sitting
    from kehou.terms.models import Term

    today = timezone.localdate()
    local = timezone.localtime()
    # The sittings began a few minutes ago and run for an hour and a half (within today).
    begins = max(local - datetime.timedelta(minutes=3), local.replace(hour=0, minute=0))
    ends = min(local + datetime.timedelta(minutes=90), local.replace(hour=23, minute=59))
    start, end = begins.time().replace(second=0, microsecond=0), ends.time().replace(second=0)
    city = Region.objects.create(code="371600", name="滨州市", level=Region.Level.CITY)
    county = Region.objects.create(code="371602", name="滨城区", parent=city)
    year = SchoolYear.objects.create(start_year=today.year if today.month >= 8 else today.year - 1)
    term = Term.objects.create(
        school_year=year,
        semester=1,
        start=today - datetime.timedelta(days=30),
        end=today + datetime.timedelta(days=90),
    )
    seed = Seed(day=today)
    for n in range(SCHOOLS):
        school = School.objects.create(
            code=f"37160200{n + 1:02d}", name=f"滨城第{n + 1}小学", region=county
        )
        plan = SchoolPlan.objects.create(
            school=school,
            term=term,
            status=SchoolPlan.Status.PUBLISHED,
            term_start=term.start,
            term_end=term.end,
            service_weekdays=list(range(7)),
        )
        classes = SchoolClass.objects.bulk_create(
            SchoolClass(school=school, school_year=year, grade=g, number=c)
            for g in range(1, 7)
            for c in range(1, 11)
        )
        students = Student.objects.bulk_create(
            (
                Student(
                    school=school,
                    student_number=f"G{371602201000000000 + n * 100000 + i}",
                    name=f"学生{n}-{i}",
                    gender=Student.Gender.FEMALE if i % 2 else Student.Gender.MALE,
                )
                for i in range(CHILDREN)
            ),
            batch_size=1000,
        )
        ClassMembership.objects.bulk_create(
            (
                ClassMembership(student=s, school_class=classes[i % 60], school_year=year)
                for i, s in enumerate(students)
            ),
            batch_size=1000,
        )
        # Every guardian has a login, so each dismissal and each unexplained absence is
        # told to an inbox (and queued for its channels), as in production.
        family_users = User.objects.bulk_create(
            (
                User(
                    phone=f"13{n}{i:08d}",
                    name=f"家长{n}-{i}",
                    role=User.Role.GUARDIAN,
                    password="!",
                )
                for i in range(CHILDREN)
            ),
            batch_size=1000,
        )
        guardians = Guardian.objects.bulk_create(
            (Guardian(school=school, name=u.name, phone=u.phone, user=u) for u in family_users),
            batch_size=1000,
        )
        StudentGuardian.objects.bulk_create(
            (
                StudentGuardian(
                    student=s, guardian=g, relation=StudentGuardian.Relation.MOTHER, is_primary=True
                )
                for s, g in zip(students, guardians, strict=True)
            ),
            batch_size=1000,
        )
        apps = Application.objects.bulk_create(
            (
                Application(
                    student=s,
                    term=term,
                    guardian=g,
                    status=Application.Status.APPROVED,
                    service_weekdays=list(range(7)),
                    starts_on=term.start,
                )
                for s, g in zip(students, guardians, strict=True)
            ),
            batch_size=1000,
        )
        menu = Menu.objects.create(school=school, term=term, status=Menu.Status.RUNNING)
        activities = Activity.objects.bulk_create(
            Activity(school=school, name=f"兴趣小组{k}", category="arts") for k in range(TEACHERS)
        )
        offerings = Offering.objects.bulk_create(
            Offering(
                menu=menu,
                activity=a,
                name=a.name,
                grade_from=1,
                grade_to=6,
                capacity=GROUP,
                taken=GROUP,
            )
            for a in activities
        )
        OfferingMeeting.objects.bulk_create(
            OfferingMeeting(offering=o, weekday=today.weekday(), start=start, end=end)
            for o in offerings
        )
        Enrollment.objects.bulk_create(
            (
                Enrollment(
                    student=s,
                    offering=offerings[i // GROUP],
                    application=app,
                    source=Enrollment.Source.SCHOOL,
                    starts_on=term.start,
                )
                for i, (s, app) in enumerate(zip(students, apps, strict=True))
            ),
            batch_size=1000,
        )
        users = User.objects.bulk_create(
            [
                User(
                    phone=f"15{n}{k:08d}",
                    name=f"老师{n}-{k}",
                    role=User.Role.TEACHER,
                    school=school,
                    password="!",
                )
                for k in range(TEACHERS)
            ]
            + [
                User(
                    phone=f"17{n}{k:08d}",
                    name=f"门卫{n}-{k}",
                    role=User.Role.GATE,
                    school=school,
                    password="!",
                )
                for k in range(GATES)
            ]
        )
        staff = Staff.objects.bulk_create(
            Staff(school=school, name=u.name, phone=u.phone, kind=Staff.Kind.SCHOOL_TEACHER, user=u)
            for u in users
        )
        Duty.objects.bulk_create(Duty(school=school, date=today, staff=s) for s in staff[TEACHERS:])
        sessions = write_sessions(users)
        code = {s.pk: pickup_code(s.pk, today) for s in students}
        family = list(zip(students, guardians, strict=True))
        if n == CLASSES_SCHOOL:
            # The basic service of the plan for grades 1-6, no one responsible: each head
            # teacher takes the roll of their class (50 children), class by class.
            sitting = Sitting.objects.create(
                school=school,
                term=term,
                plan=plan,
                date=today,
                timetable_weekday=today.weekday(),
                start=start,
                end=end,
                grade_from=1,
                grade_to=6,
                kind=Sitting.Kind.REGULAR,
                label="课后服务",
            )
            for c, school_class in enumerate(classes):
                school_class.head_teacher = staff[c]
            SchoolClass.objects.bulk_update(classes, ["head_teacher"])
            groups = [
                (c, sitting, [(s.pk, code[s.pk], g.pk) for s, g in family[c :: len(classes)]])
                for c in range(len(classes))
            ]
        else:
            sittings = Sitting.objects.bulk_create(
                Sitting(
                    school=school,
                    term=term,
                    plan=plan,
                    offering=o,
                    date=today,
                    timetable_weekday=today.weekday(),
                    start=start,
                    end=end,
                    grade_from=1,
                    grade_to=6,
                    kind=Sitting.Kind.OFFERING,
                    label=o.name,
                    responsible=staff[k],
                )
                for k, o in enumerate(offerings)
            )
            groups = [
                (
                    k,
                    sitting,
                    [(s.pk, code[s.pk], g.pk) for s, g in family[k * GROUP : (k + 1) * GROUP]],
                )
                for k, sitting in enumerate(sittings)
            ]
        seed.schools.append(
            SchoolSeed(
                pk=school.pk,
                gate_sessions=sessions[TEACHERS:],
                gate_staff=[s.pk for s in staff[TEACHERS:]],
                teachers=[
                    {
                        "session": sessions[k],
                        "sitting": sitting.pk,
                        "staff": staff[k].pk,
                        "children": children,
                    }
                    for k, sitting, children in groups
                ],
            )
        )
    print(
        f"seeded: {SCHOOLS} schools x {CHILDREN} children, {TEACHERS} sittings of {GROUP} "
        f"today {start:%H:%M}-{end:%H:%M} per school (school {CLASSES_SCHOOL + 1}: one sitting "
        f"of the plan, its roll taken by 60 head teachers), {GATES} gate phones per school",
        flush=True,
    )
    return seed


def _receive_all(seed: Seed) -> None:
    """Every child in the custody of their sitting's teacher, through the one custody path
    (what the roll calls of the afternoon did), before the city's dismissal peak."""
    from django.db import transaction
    from django.utils import timezone

    from kehou.custody import chain
    from kehou.org.models import Staff

    at = timezone.now()
    staff = {s.pk: s for s in Staff.objects.select_related("user")}
    with transaction.atomic():
        for school in seed.schools:
            for teacher in school.teachers:
                holder = staff[teacher["staff"]]
                chain.receive(
                    students=[c[0] for c in teacher["children"]],
                    holder=holder,
                    at=at,
                    by=holder.user,
                    school_id=school.pk,
                    sitting=teacher["sitting"],
                )


def _marks(rng: random.Random, children: list) -> list[tuple[int, str]]:
    marks = []
    for student, _code, _guardian in children:
        roll = rng.random()
        status = "absent" if roll < ABSENT else "late" if roll < ABSENT + LATE else "present"
        marks.append((student, status))
    return marks


def _school_plan(rng: random.Random, school: SchoolSeed) -> dict:
    """The compressed afternoon of one school: its teachers' marks, re-sent batches and
    hand-overs, its gate phones' pace."""
    return {
        "mode": "school",
        "teachers": [
            {
                "session": t["session"],
                "sitting": t["sitting"],
                "marks": _marks(rng, t["children"]),
                "children": t["children"],
                # every 4th teacher's phone re-sends one batch: later, or twice at once
                "resend": rng.randrange(len(t["children"]) // BATCH)
                if k % RESEND_EVERY == 0
                else None,
                "resend_together": k % (2 * RESEND_EVERY) == 0,
                "handover_to": school.gate_staff[k % GATES],
                "gate_sessions": school.gate_sessions,
            }
            for k, t in enumerate(school.teachers)
        ],
        "batch": BATCH,
        "gates": GATES,
        "gate_rate": SCHOOL_GATE_RATE,
        **REPEATS,
        "floor_sessions": school.gate_sessions,
        "floor_rate": 2.0,
    }


def _dismissal_jobs(rng: random.Random, schools: list[SchoolSeed]) -> list[dict]:
    """Every child once, in a city-wide order (the schools' gates interleaved), each with a
    gate phone of the child's school."""
    jobs = []
    for school in schools:
        for teacher in school.teachers:
            for student, code, guardian in teacher["children"]:
                session, other = rng.sample(school.gate_sessions, 2)
                jobs.append(
                    {
                        "session": session,
                        "other_session": other,
                        "student": student,
                        "code": code,
                        "guardian": guardian,
                    }
                )
    rng.shuffle(jobs)
    return jobs


# ----------------------------------------------------------------------- locust


def _locust(port: int, plan: dict, users: int, seconds: int, label: str) -> dict:
    """Run the locustfile headless against 127.0.0.1:`port` with `plan`; its log of every
    request and what it sent."""
    from django.conf import settings

    work = Path(tempfile.mkdtemp(prefix=f"kehou-dismissal-{label}-"))
    plan = {
        **plan,
        "csrf": CSRF_SECRET,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "out": str(work / "result.json"),
    }
    (work / "plan.json").write_text(json.dumps(plan))
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "15",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "BENCH_DISMISSAL_PLAN": str(work / "plan.json")}
    with open(work / "locust.log", "w") as log:
        status = subprocess.call(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    if not (work / "result.json").exists():
        log = (work / "locust.log").read_text()
        raise RuntimeError(f"locust wrote no result (exit {status}):\n{log[-3000:]}")
    result = json.loads((work / "result.json").read_text())
    result["locust_log"] = str(work / "locust.log")
    result["locust_status"] = status
    return result


# ----------------------------------------------------------------------- figures


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else 0.0


def _figures(requests: list[list], wall: float) -> dict:
    """Per endpoint and overall: count, requests/s, p50/p99 ms, statuses, errors, queries.
    A request is [endpoint, ms, status, queries, deliberate, ok] (status 0: no answer);
    an error is a request not ok, other than a deliberate repeat answered 409."""
    by = collections.defaultdict(list)
    for request in requests:
        by[request[0]].append(request)
    by["overall"] = requests
    figures = {}
    for name, rows in by.items():
        ms = [r[1] for r in rows]
        statuses = collections.Counter(r[2] for r in rows)
        deliberate_409 = sum(1 for r in rows if r[2] == 409 and r[4])
        errors = sum(1 for r in rows if not r[5] and not (r[2] == 409 and r[4]))
        queries = [r[3] for r in rows if r[3] is not None]
        figures[name] = {
            "requests": len(rows),
            "requests_per_s": round(len(rows) / wall, 1) if wall else 0.0,
            "p50_ms": round(_percentile(ms, 0.5), 1),
            "p99_ms": round(_percentile(ms, 0.99), 1),
            "max_ms": round(max(ms), 1) if ms else 0.0,
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "deliberate_409": deliberate_409,
            "errors": errors,
            "no_answer": statuses.get(0, 0),
            "queries_per_request": round(statistics.mean(queries), 1) if queries else None,
            "queries_max": max(queries) if queries else None,
        }
    return figures


def _check(url: str, result: dict, seed: Seed, custody_seeded: int) -> dict:
    """Every record exactly once: what the database holds against what locust sent."""
    from django.db.models import Count

    from kehou.attendance.models import Attendance, RollCallBatch
    from kehou.custody.models import Custody, Dismissal, Handover

    using = alias(url)
    # Roll call: the distinct marks sent, and each batch applied once whatever was re-sent.
    batches = result.get("batches", [])
    sent_marks: dict[tuple[int, int], str] = {}
    new_answers = collections.Counter()  # batch -> answers "applied now" (repeat false)
    for batch in batches:
        new_answers[batch["batch"]] += 0
        for student, status in batch["marks"]:
            sent_marks[(batch["sitting"], student)] = status
        if batch["status"] == 200 and batch["repeat"] is False:
            new_answers[batch["batch"]] += 1
    rows = collections.Counter()
    wrong_status = 0
    for sitting, student, status in Attendance.objects.using(using).values_list(
        "sitting_id", "student_id", "status"
    ):
        rows[(sitting, student)] += 1
        if sent_marks.get((sitting, student), status) != status:
            wrong_status += 1
    batch_rows = collections.Counter(
        str(pk) for pk in RollCallBatch.objects.using(using).values_list("pk", flat=True)
    )
    resent = [b for b in batches if b["deliberate"]]
    refused = collections.Counter(b["code"] for b in batches if 400 <= b["status"] < 500)
    roll = {
        "marks_sent": len(sent_marks),
        "attendance_rows": sum(rows.values()),
        "marks_lost": sum(1 for key in sent_marks if rows[key] == 0),
        "marks_twice": sum(1 for n in rows.values() if n > 1),
        "marks_never_sent": sum(1 for key in rows if key not in sent_marks),
        "marks_wrong_status": wrong_status,
        "batches_sent": len(new_answers),
        "batch_rows": sum(batch_rows.values()),
        "batches_lost": sum(1 for b in new_answers if batch_rows[b] == 0),
        "batches_twice": sum(1 for n in batch_rows.values() if n > 1),
        "batches_resent": len({b["batch"] for b in resent}),
        "resent_applied_once": sum(1 for b in {b["batch"] for b in resent} if new_answers[b] == 1),
        "batches_applied_twice": sum(max(0, n - 1) for n in new_answers.values()),
        "batches_refused": dict(refused),
    }

    # Hand-over: one Handover per teacher, each child handed over in it.
    handovers = result.get("handovers", [])
    handed = {
        "handovers_sent": len(handovers),
        "handover_rows": Handover.objects.using(using).count(),
        "children_handed_over": sum(h["children"] for h in handovers if h["status"] == 302),
        "custodies_from_handover": Custody.objects.using(using)
        .filter(began=Custody.Began.HANDOVER)
        .count(),
    }

    # Dismissal: the children sent to the gate against the rows; the deliberate repeats.
    sent = result.get("dismissals", [])
    primary = {d["student"]: d for d in sent if not d["deliberate"] and d["status"] == 200}
    sent_children = {d["student"] for d in sent if not d["deliberate"]}
    dismissed = collections.Counter(
        Dismissal.objects.using(using).filter(date=seed.day).values_list("student_id", flat=True)
    )
    new_dismissals = collections.Counter(
        d["student"] for d in sent if d["status"] == 200 and d["repeat"] is False
    )

    def right(d: dict) -> bool:
        if d["deliberate"] == "same":
            first = primary.get(d["student"])
            same = bool(first) and first["dismissal"] == d["dismissal"]
            return d["status"] == 200 and bool(d["repeat"]) and same
        return d["status"] == 409 and d["code"] == "already_dismissed"

    repeats = collections.Counter(d["deliberate"] for d in sent if d["deliberate"])
    wrong = collections.Counter(d["deliberate"] for d in sent if d["deliberate"] and not right(d))
    open_custodies = Custody.objects.using(using).filter(until__isnull=True).count()
    present = sum(1 for status in sent_marks.values() if status in ("present", "late"))
    gate = {
        "children_sent_to_gate": len(sent_children),
        "dismissal_rows": sum(dismissed.values()),
        "dismissals_lost": sum(1 for s in sent_children if dismissed[s] == 0),
        "dismissed_twice": sum(1 for n in dismissed.values() if n > 1),
        "dismissed_never_sent": sum(1 for s in dismissed if s not in sent_children),
        "answered_new_twice": sum(1 for n in new_dismissals.values() if n > 1),
        "deliberate_repeats": dict(repeats),
        "repeats_answered_wrong": dict(wrong),
        "open_custodies": open_custodies,
        "open_custodies_expected": custody_seeded + present - sum(dismissed.values()),
        "children_with_two_open_custodies": Custody.objects.using(using)
        .filter(until__isnull=True)
        .values("student")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count(),
    }
    lost = roll["marks_lost"] + roll["batches_lost"] + gate["dismissals_lost"]
    duplicated = (
        roll["marks_twice"]
        + roll["batches_twice"]
        + roll["batches_applied_twice"]
        + gate["dismissed_twice"]
        + gate["answered_new_twice"]
        + gate["children_with_two_open_custodies"]
    )
    return {**roll, **handed, **gate, "lost": lost, "duplicated": duplicated}


def _report(title: str, figures: dict, checked: dict, wall: float, note: str = "") -> None:
    print(f"\n--- {title}{note}: {wall:.1f} s")
    floor = figures.get(FLOOR)
    for name in (SYNC, HANDOVER, DISMISS, FLOOR, "overall"):
        f = figures.get(name)
        if not f:
            continue
        ratio = ""
        if floor and name != FLOOR and floor["p50_ms"]:
            ratio = (
                f"; x floor: p50 {f['p50_ms'] / floor['p50_ms']:.1f}, "
                f"p99 {f['p99_ms'] / max(floor['p99_ms'], 0.1):.1f}"
            )
        print(
            f"  {name:8} {f['requests']:6} requests, {f['requests_per_s']:6.1f}/s; "
            f"p50 {f['p50_ms']:.0f} ms, p99 {f['p99_ms']:.0f} ms, max {f['max_ms']:.0f} ms; "
            f"statuses {f['statuses']} (deliberate 409 {f['deliberate_409']}), "
            f"errors {f['errors']}; SQL statements per request {f['queries_per_request']} "
            f"(max {f['queries_max']}){ratio}"
        )
    items = list(checked.items())
    for start in range(0, len(items), 6):
        head = "  records: " if start == 0 else "           "
        print(head + ", ".join(f"{k} {v}" for k, v in items[start : start + 6]))


def _measure(
    key: str, label: str, url: str, plan: dict, users: int, seconds: int, seed, seeded
) -> dict:
    with Server("gunicorn", url, name="dismissal") as server:
        before = _cpu(server.process.pid)
        result = _locust(server.port, plan, users, seconds, key)
        cpu = _cpu_used(before, _cpu(server.process.pid), len(result["requests"]))
        errors = server.errors()
    wall = result["wall"]
    figures = _figures(result["requests"], wall)
    checked = _check(url, result, seed, seeded)
    note = f" (paced at {plan['rate']} requests/s)" if plan.get("rate") else ""
    _report(label, figures, checked, wall, note)
    print(
        f"  CPU ms per request: gunicorn {cpu['gunicorn_ms']}, PostgreSQL {cpu['postgres_ms']}, "
        f"locust {cpu['locust_ms']}; the machine was busy {cpu['busy_percent']}% of its "
        f"{os.cpu_count()} CPUs ({cpu['other_percent']}% by other processes)"
    )
    if result.get("notes"):
        print("  client: " + ", ".join(f"{k} {v}" for k, v in result["notes"].items()))
    for line in errors:
        print(f"  server error: {line}")
    if result["locust_status"] not in (0, 1):
        print(f"  locust exited {result['locust_status']}: see {result['locust_log']}")
    overall = figures["overall"]
    return {
        "requests_per_s": overall["requests_per_s"],
        "p50_ms": overall["p50_ms"],
        "p99_ms": overall["p99_ms"],
        "errors": overall["errors"],
        "lost": checked["lost"],
        "duplicated": checked["duplicated"],
        "wall_s": round(wall, 1),
        "endpoints": {k: v for k, v in figures.items() if k != "overall"},
        "records": checked,
        "client": result.get("notes", {}),
        "cpu": cpu,
        "server_errors": errors,
    }


def _cpu(gunicorn_pid: int) -> dict:
    """CPU seconds so far of gunicorn (master and workers), of each PostgreSQL process, of
    the children this process has waited for (locust), and of the whole machine."""
    import resource

    import psutil  # installed with locust

    def seconds(process) -> float:
        try:
            times = process.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return 0.0
        return times.user + times.system

    master = psutil.Process(gunicorn_pid)
    postgres = {}
    for process in psutil.process_iter(["name"]):
        if process.info["name"] and process.info["name"].startswith("postgres"):
            postgres[process.pid] = seconds(process)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine = psutil.cpu_times()
    return {
        "gunicorn": seconds(master) + sum(seconds(c) for c in master.children(recursive=True)),
        "postgres": postgres,
        "children": children.ru_utime + children.ru_stime,
        "busy": sum(machine) - machine.idle - getattr(machine, "iowait", 0.0),
        "all": sum(machine),
    }


def _cpu_used(before: dict, after: dict, requests: int) -> dict:
    per = 1000 / max(requests, 1)
    gunicorn = after["gunicorn"] - before["gunicorn"]
    postgres = sum(s - before["postgres"].get(pid, 0.0) for pid, s in after["postgres"].items())
    locust = after["children"] - before["children"]
    busy, total = after["busy"] - before["busy"], after["all"] - before["all"]
    return {
        "gunicorn_ms": round(gunicorn * per, 1),
        "postgres_ms": round(postgres * per, 1),
        "locust_ms": round(locust * per, 1),
        "busy_percent": round(100 * busy / total) if total else None,
        "other_percent": round(100 * (busy - gunicorn - postgres - locust) / total)
        if total
        else None,
    }


# ----------------------------------------------------------------------- profile


def _profile(url: str, seed: Seed) -> dict:
    """Each endpoint in this process through the test client, on a copy where the sittings
    wait for their roll: the SQL statements of one request, the time of 20 more without the
    profiler, and cProfile over 20 more (the teachers of the first school take the roll of
    their first 10 children, hand them to the gate, the gate dismisses one of each; the
    head teachers of the second school take the roll of 10 of their class)."""
    import dj_database_url
    from django.conf import settings
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    connections.close_all()
    connections["default"].settings_dict["NAME"] = dj_database_url.parse(url)["NAME"]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    school = seed.schools[0]

    def sync(teacher):
        client.cookies[settings.SESSION_COOKIE_NAME] = teacher["session"]
        at = timezone.now().isoformat()
        body = {
            "batch": str(uuid.uuid4()),
            "marks": [
                {"student": s, "status": "present", "at": at, "note": ""}
                for s, _c, _g in teacher["children"][:BATCH]
            ],
            "close": False,
        }
        return client.post(
            f"/attendance/sittings/{teacher['sitting']}/sync/",
            json.dumps(body),
            content_type="application/json",
            HTTP_ACCEPT="application/json",
        )

    def handover(teacher):
        client.cookies[settings.SESSION_COOKIE_NAME] = teacher["session"]
        students = [s for s, _c, _g in teacher["children"][:BATCH]]
        return client.post("/custody/handover/", {"to": school.gate_staff[0], "students": students})

    def dismiss(teacher):
        student, code, guardian = teacher["children"][0]
        client.cookies[settings.SESSION_COOKIE_NAME] = school.gate_sessions[0]
        return client.post(
            "/custody/gate/dismiss/",
            {"student": student, "code": code, "guardian": guardian, "how": "collected"},
            HTTP_ACCEPT="application/json",
        )

    heads = seed.schools[CLASSES_SCHOOL].teachers[:41]
    out = {}
    for name, call, teachers in (
        (SYNC, sync, school.teachers[:41]),
        ("sync_class", sync, heads),  # a head teacher's class at a sitting of the plan
        (HANDOVER, handover, school.teachers[:41]),
        (DISMISS, dismiss, school.teachers[:41]),
    ):
        with CaptureQueriesContext(connection) as captured:
            response = call(teachers[0])
        statements = list(captured.captured_queries)
        print(
            f"\nSQL of one {name} ({len(statements)} statements, status "
            f"{response.status_code} {response.content[:100]!r}):"
        )
        for q in statements:
            sql = " ".join(q["sql"].split())
            shown = sql if len(sql) <= 200 else f"{sql[:130]} … {sql[-65:]}"
            print(f"  {q['time']:>6}s  {shown}")
        t0 = time.perf_counter()
        statuses = collections.Counter([call(t).status_code for t in teachers[1:21]])
        plain = (time.perf_counter() - t0) / 20 * 1000
        profiler = cProfile.Profile()
        t0 = time.perf_counter()
        profiler.enable()
        statuses.update([call(t).status_code for t in teachers[21:41]])
        profiler.disable()
        profiled = (time.perf_counter() - t0) / 20 * 1000
        waited = sum(
            row[3]
            for (filename, _line, fn), row in pstats.Stats(profiler).stats.items()
            if fn == "wait" and filename.endswith("psycopg/connection.py")
        )
        waited = round(waited / 20 * 1000, 1)
        print(
            f"profile of {name}: {plain:.1f} ms a request in this process (20 one after the "
            f"other), {profiled:.1f} ms under cProfile, of which {waited} ms waiting for "
            f"PostgreSQL's answers; statuses {dict(statuses)}"
        )
        print_stats(profiler, "cumulative", 45, f"{name}: top functions by cumulative time")
        print_stats(profiler, "tottime", 15, f"{name}: top functions by own time")
        out[name] = {
            "queries": len(statements),
            "ms": round(plain, 1),
            "ms_profiled": round(profiled, 1),
            "db_wait_ms_profiled": waited,
        }
    connections.close_all()
    return out


# ----------------------------------------------------------------------- main


def main() -> None:
    label = prepare_throwaway_database(
        os.environ.get("BENCH_DISMISSAL_DB", "kehou_bench_dismissal")
    )
    if not is_postgres():
        sys.exit("bench/dismissal.py measures gunicorn on PostgreSQL: set DATABASE_URL")
    import django

    django.setup()
    from django.core.management import call_command

    cpus = os.cpu_count()
    load_before = os.getloadavg()[0]
    print(
        f"database: {label}; {cpus} CPUs shared by gunicorn, PostgreSQL and locust "
        f"(load average {load_before:.1f})"
    )
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(20261202)
    seed = _seed(rng)
    analyze()
    before = copy_database(["school", "classes", "profile"])
    _receive_all(seed)
    analyze()
    children = SCHOOLS * CHILDREN
    after = copy_database([f"city{rate}" for rate in CITY_RATES] + ["capacity", "floor"])
    copies = {**before, **after}
    print(f"seeded and copied in {time.perf_counter() - t0:.0f} s", flush=True)

    jobs = _dismissal_jobs(rng, seed.schools)
    gate_sessions = [s for sch in seed.schools for s in sch.gate_sessions]
    results = {}
    try:
        for key, school, title in (
            ("school", seed.schools[0], f"{TEACHERS} activity groups of {GROUP}"),
            ("classes", seed.schools[CLASSES_SCHOOL], "one sitting of the plan, 60 classes of 50"),
        ):
            plan = _school_plan(rng, school)
            results[key] = _measure(
                key,
                f"{key}: one school's afternoon ({title}), 10 minutes compressed fivefold",
                copies[key],
                plan,
                len(plan["teachers"]) + GATES + 1,
                SCHOOL_SECONDS,
                seed,
                0,
            )
        for rate in CITY_RATES:
            users = max(4, round(rate * (1 - FLOOR_SHARE) / PER_USER_RATE))
            results[f"city_{rate}"] = _measure(
                f"city{rate}",
                f"city peak at {rate} requests/s ({users} gate users, {CITY_SECONDS} s)",
                copies[f"city{rate}"],
                {
                    "mode": "city",
                    "rate": rate,
                    "jobs": jobs,
                    "per_user_rate": PER_USER_RATE,
                    "floor_users": 2,
                    "floor_rate": rate * FLOOR_SHARE / 2,
                    **REPEATS,
                    "floor_sessions": gate_sessions,
                },
                users + 2,
                CITY_SECONDS,
                seed,
                children,
            )
        capacity = _measure(
            "capacity",
            f"capacity: dismissals unpaced from {CAPACITY_USERS} users",
            copies["capacity"],
            {"mode": "capacity", "jobs": jobs, **{k: 0 for k in REPEATS}},
            CAPACITY_USERS,
            CAPACITY_SECONDS,
            seed,
            children,
        )
        floor = _measure(
            "floor",
            f"floor unpaced from {CAPACITY_USERS} users",
            copies["floor"],
            {"mode": "floor", "floor_sessions": gate_sessions},
            CAPACITY_USERS,
            CAPACITY_SECONDS,
            seed,
            children,
        )
        fraction = capacity["requests_per_s"] / max(floor["requests_per_s"], 0.1)
        print(f"\n  dismissals/s unpaced as a fraction of the floor's requests/s: {fraction:.2f}")
        results["capacity"] = {**capacity, "fraction_of_floor": round(fraction, 3)}
        results["floor"] = floor
        profile = _profile(copies["profile"], seed)
    finally:
        drop_copies(copies)
    top = results.get("city_250", {})
    summary = {
        "requests_per_s": top.get("requests_per_s"),
        "p50_ms": top.get("p50_ms"),
        "p99_ms": top.get("p99_ms"),
        "errors": top.get("errors"),
        "lost": top.get("lost"),
        "duplicated": top.get("duplicated"),
        "lost_all_runs": sum(r.get("lost", 0) for r in results.values()),
        "duplicated_all_runs": sum(r.get("duplicated", 0) for r in results.values()),
        "errors_all_runs": sum(r.get("errors", 0) for r in results.values()),
        **results,
        "profile": profile,
        "compression": "school: 10 minutes in about 2 (fivefold); city: 110 requests/s is "
        "190,000 dismissals in 30 minutes",
        "seed": f"{SCHOOLS} schools x {CHILDREN} children, {TEACHERS} sittings of {GROUP}",
        "machine": {
            "cpus": cpus,
            "client_on_same_machine": True,
            "load_average_before": round(load_before, 1),
            "load_average_after": round(os.getloadavg()[0], 1),
        },
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
