"""The locust users of bench/dismissal.py (it runs them, headless; not on their own).

The plan (what to send, the sessions, the pace) comes from the JSON file named by
$BENCH_DISMISSAL_PLAN; every request and what it sent and got are written to the plan's
`out` file when locust quits, for bench/dismissal.py to report and to check against the
database. Modes:

- school: teachers take the roll of their sitting in batches through the sync endpoint
  (one batch re-sent with the same id where the plan says so: later, or twice at once),
  hand the children present to the gate's staff, and those children join the gate's
  queue; gate phones dismiss them at a pace; one floor user.
- city: gate phones dismiss the plan's children in its order, paced per user; floor users.
- capacity: the same dismissals, unpaced. floor: the floor request only, unpaced.

Dismissals are repeated deliberately: later by the same phone (the same dismissal
answered again), later by another phone (409 already_dismissed), by two phones at the
same moment (one 200, one 409). A request that got no answer or a 5xx is sent again, as a
phone retries, and counted.
"""

from __future__ import annotations

import collections
import json
import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, constant, constant_throughput, events, task
from locust.exception import StopUser

PLAN = json.loads(Path(os.environ["BENCH_DISMISSAL_PLAN"]).read_text())
MODE = PLAN["mode"]
RETRIES = 3

SYNC, DISMISS, HANDOVER, FLOOR = "sync", "dismiss", "handover", "floor"
# What each endpoint answers when it did what was asked (the hand-over is a page: it
# redirects on success and shows the page again with the refusal).
OK = {SYNC: 200, DISMISS: 200, HANDOVER: 302, FLOOR: 302}
REQUESTS: list[list] = []  # [endpoint, ms, status, queries, deliberate, ok, started]
BATCHES: list[dict] = []
HANDOVERS: list[dict] = []
DISMISSALS: list[dict] = []
NOTES: collections.Counter = collections.Counter()
JOBS: collections.deque = collections.deque(PLAN.get("jobs", []))
TEACHERS: collections.deque = collections.deque(PLAN.get("teachers", []))
STATE = {"teachers_done": 0, "in_flight": 0, "finished": False}
rng = random.Random(20261202)


def _body(response) -> dict:
    try:
        return json.loads(response.content or b"{}")
    except (ValueError, TypeError):
        return {}


def _code(body: dict) -> str | None:
    errors = body.get("errors") or []
    return errors[0].get("code") if errors and isinstance(errors[0], dict) else None


def _write() -> None:
    starts = [r[6] for r in REQUESTS]
    ends = [r[6] + r[1] / 1000 for r in REQUESTS]
    result = {
        "requests": [r[:6] for r in REQUESTS],
        "wall": (max(ends) - min(starts)) if REQUESTS else 0.0,
        "batches": BATCHES,
        "dismissals": DISMISSALS,
        "handovers": HANDOVERS,
        "notes": dict(NOTES),
    }
    Path(PLAN["out"]).write_text(json.dumps(result))


@events.quitting.add_listener
def _on_quitting(environment, **kwargs):
    _write()


class Phone(FastHttpUser):
    """A logged-in phone: sends each request with the session it is given, keeps no
    cookies of its own."""

    abstract = True
    concurrency = 4

    def on_start(self) -> None:
        self.client.cookiejar.set_policy(DefaultCookiePolicy(allowed_domains=[]))

    def headers(self, session: str) -> dict:
        return {
            "Cookie": f"{PLAN['session_cookie']}={session}; {PLAN['csrf_cookie']}={PLAN['csrf']}",
            "X-CSRFToken": PLAN["csrf"],
            "Accept": "application/json",
        }

    def send(self, endpoint, method, path, session, *, body=None, form=None, deliberate=""):
        """One request, timed; returns (status, body, record) where record is the line
        of REQUESTS (its deliberate flag may be set afterwards)."""
        headers = self.headers(session)
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        elif form is not None:
            data = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.time()
        t0 = time.perf_counter()
        response = self.client.request(
            method, path, name=endpoint, data=data, headers=headers, allow_redirects=False
        )
        ms = (time.perf_counter() - t0) * 1000
        status = response.status_code or 0
        queries = None
        if response.headers:
            value = response.headers.get("X-Kehou-Queries")
            queries = int(value) if value else None
        record = [endpoint, ms, status, queries, deliberate, status == OK[endpoint], started]
        REQUESTS.append(record)
        return status, _body(response) if status else {}, record

    def finish(self) -> None:
        if not STATE["finished"]:
            STATE["finished"] = True
            gevent.spawn_later(0.5, self.environment.runner.quit)


# ----------------------------------------------------------------------- roll call


class TeacherBase(Phone):
    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        super().on_start()
        self.plan = TEACHERS.popleft()

    def sync(self, body: dict, *, deliberate: str = "") -> None:
        """Send one batch; again (the same batch) after no answer or a 5xx."""
        path = f"/attendance/sittings/{self.plan['sitting']}/sync/"
        for attempt in range(RETRIES + 1):
            status, answer, _ = self.send(
                SYNC, "POST", path, self.plan["session"], body=body, deliberate=deliberate
            )
            BATCHES.append(
                {
                    "batch": body["batch"],
                    "sitting": self.plan["sitting"],
                    "marks": [[m["student"], m["status"]] for m in body["marks"]],
                    "deliberate": deliberate,
                    "attempt": attempt,
                    "status": status,
                    "applied": answer.get("applied"),
                    "repeat": answer.get("repeat"),
                    "code": _code(answer),
                }
            )
            if status and status < 500:
                return
            NOTES["sync sent again after no answer or a 5xx"] += 1
            gevent.sleep(1)

    @task
    def afternoon(self) -> None:
        plan, size = self.plan, PLAN["batch"]
        gevent.sleep(rng.uniform(0, 12))  # the teachers begin over the first 12 seconds
        marks = plan["marks"]
        chunks = [marks[i : i + size] for i in range(0, len(marks), size)]
        for i, chunk in enumerate(chunks):
            if i:
                gevent.sleep(rng.uniform(1.5, 3.5))
            # the instant of the tap (the server takes its Beijing day from it)
            tapped = datetime.fromtimestamp(time.time(), UTC) - timedelta(seconds=rng.uniform(0, 2))
            body = {
                "batch": str(uuid.uuid4()),
                "marks": [
                    {"student": s, "status": st, "at": tapped.isoformat(), "note": ""}
                    for s, st in chunk
                ],
                "close": i == len(chunks) - 1,
            }
            if plan["resend"] == i and plan["resend_together"]:
                # the phone's queue sends the batch twice at once (a flaky connection)
                both = [gevent.spawn(self.sync, body, deliberate=kind) for kind in ("", "together")]
                gevent.joinall(both)
                NOTES["batches sent twice at once"] += 1
                continue
            self.sync(body)
            if plan["resend"] == i:  # the phone never saw the answer: it sends it again
                gevent.sleep(rng.uniform(0.2, 1.0))
                self.sync(body, deliberate="again")
                NOTES["batches sent again later"] += 1
        there = [s for s, st in marks if st in ("present", "late")]
        # The children present go to the duty staff at the gate in one hand-over.
        status, _, _ = self.send(
            HANDOVER,
            "POST",
            "/custody/handover/",
            plan["session"],
            form={"to": plan["handover_to"], "students": there},
        )
        HANDOVERS.append({"sitting": plan["sitting"], "children": len(there), "status": status})
        gates = plan["gate_sessions"]
        arriving = []
        present = set(there)
        for student, code, guardian in plan["children"]:
            if student in present:
                session, other = rng.sample(gates, 2)
                arriving.append(
                    {
                        "session": session,
                        "other_session": other,
                        "student": student,
                        "code": code,
                        "guardian": guardian,
                    }
                )
        rng.shuffle(arriving)
        JOBS.extend(arriving)
        STATE["teachers_done"] += 1
        raise StopUser()


# ----------------------------------------------------------------------- the gate


class GateBase(Phone):
    abstract = True

    def dismiss_once(self, job: dict, session: str, *, deliberate: str = ""):
        form = {
            "student": job["student"],
            "code": job["code"],
            "guardian": job["guardian"],
            "how": "collected",
        }
        return self.send(
            DISMISS,
            "POST",
            "/custody/gate/dismiss/",
            session,
            form=form,
            deliberate=deliberate,
        )

    def log(self, job, status, answer, *, deliberate: str, attempt: int = 0) -> None:
        DISMISSALS.append(
            {
                "student": job["student"],
                "deliberate": deliberate,
                "attempt": attempt,
                "status": status,
                "code": _code(answer),
                "dismissal": answer.get("dismissal"),
                "repeat": answer.get("repeat"),
            }
        )

    @task
    def dismiss(self) -> None:
        if not JOBS:
            if MODE != "school" or (
                STATE["teachers_done"] == len(PLAN["teachers"]) and not STATE["in_flight"]
            ):
                self.finish()
            gevent.sleep(0.1)
            return
        job = JOBS.popleft()
        STATE["in_flight"] += 1
        try:
            self._dismiss(job)
        finally:
            STATE["in_flight"] -= 1

    def _dismiss(self, job: dict) -> None:
        again = job.get("again", "")
        if not again and rng.random() < PLAN["repeat_together"]:
            # two gate phones take the same child at the same moment: one 200, one 409
            sessions = (job["session"], job["other_session"])
            pair = [gevent.spawn(self.dismiss_once, job, s) for s in sessions]
            gevent.joinall(pair)
            (s1, a1, r1), (s2, a2, r2) = (g.value for g in pair)
            if s2 == 200 and s1 != 200:
                (s1, a1, r1), (s2, a2, r2) = (s2, a2, r2), (s1, a1, r1)
            r2[4] = "together"
            self.log(job, s1, a1, deliberate="")
            self.log(job, s2, a2, deliberate="together")
            NOTES["dismissals sent by two phones at once"] += 1
            return
        session = job["other_session"] if again == "other" else job["session"]
        for attempt in range(RETRIES + 1):
            status, answer, _ = self.dismiss_once(job, session, deliberate=again)
            self.log(job, status, answer, deliberate=again, attempt=attempt)
            if status and status < 500:
                break
            NOTES["dismissal sent again after no answer or a 5xx"] += 1
            gevent.sleep(1)
        if status == 200 and not again:
            roll = rng.random()
            kind = (
                "same"  # the same phone sends it again: the same dismissal, repeat true
                if roll < PLAN["repeat_same"]
                else "other"  # another phone, later: 409 already_dismissed
                if roll < PLAN["repeat_same"] + PLAN["repeat_other"]
                else ""
            )
            if kind:
                JOBS.insert(min(len(JOBS), rng.randrange(5, 50)), {**job, "again": kind})
                NOTES[f"dismissals repeated later ({kind} phone)"] += 1


# ----------------------------------------------------------------------- the floor


class FloorBase(Phone):
    """GET /login/ with a gate phone's session: session and user loaded, redirected."""

    abstract = True

    @task
    def floor(self) -> None:
        self.send(FLOOR, "GET", "/login/", rng.choice(PLAN["floor_sessions"]))


# ----------------------------------------------------------------------- per mode

if MODE == "school":

    class Teacher(TeacherBase):
        fixed_count = len(PLAN["teachers"])

    class Gate(GateBase):
        fixed_count = PLAN["gates"]
        wait_time = constant_throughput(PLAN["gate_rate"])

    class Floor(FloorBase):
        fixed_count = 1
        wait_time = constant_throughput(PLAN["floor_rate"])

elif MODE == "city":

    class Gate(GateBase):
        wait_time = constant_throughput(PLAN["per_user_rate"])

    class Floor(FloorBase):
        fixed_count = PLAN["floor_users"]
        wait_time = constant_throughput(PLAN["floor_rate"])

elif MODE == "capacity":

    class Gate(GateBase):
        wait_time = constant(0)

else:

    class Floor(FloorBase):
        wait_time = constant(0)
