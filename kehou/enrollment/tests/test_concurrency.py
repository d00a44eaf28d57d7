"""FCFS under concurrency (research/reliability.md §2 TC-1): threads released together by a
Barrier, each on its own database connection, claim one offering. Exactly `capacity` seats
are taken, the rest are on the waiting list, and nothing fails.

PostgreSQL's default max_connections is 100, so at most 90 threads run at once there; the
200-request case runs through a bounded pool of 60 workers (each claim still races every
other in flight). SQLite (IMMEDIATE + WAL) runs the same tests: its writers queue.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from kehou.catalog.models import Menu, Offering
from kehou.enrollment import services
from kehou.enrollment.models import Application, Enrollment, WaitlistEntry
from kehou.org.models import ClassMembership, Guardian, Student, StudentGuardian
from kehou.testing import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

SEATS = 30


def _families(school, school_class, term, n: int) -> list[Application]:
    """n children, each with a guardian and an approved application (bulk, for speed)."""
    base = Student.objects.count()
    students = Student.objects.bulk_create(
        Student(
            school=school,
            student_number=f"G{990000000000000000 + base + i}",
            name=f"抢课{i}",
            gender=Student.Gender.FEMALE,
        )
        for i in range(n)
    )
    guardians = Guardian.objects.bulk_create(
        Guardian(school=school, name=f"家长{i}", phone=f"1870{base + i:07d}") for i in range(n)
    )
    ClassMembership.objects.bulk_create(
        ClassMembership(student=s, school_class=school_class, school_year=school_class.school_year)
        for s in students
    )
    StudentGuardian.objects.bulk_create(
        StudentGuardian(student=s, guardian=g, relation=StudentGuardian.Relation.MOTHER)
        for s, g in zip(students, guardians, strict=True)
    )
    return Application.objects.bulk_create(
        Application(
            student=s,
            term=term,
            guardian=g,
            status=Application.Status.APPROVED,
            starts_on=term.start,
        )
        for s, g in zip(students, guardians, strict=True)
    )


def _claim_all(apps, offering, actor, *, workers: int):
    """The first `workers` claims wait at one Barrier and start together; the rest follow as
    soon as a worker is free, so `workers` claims are in flight at every moment."""
    results, errors = [], []
    lock = threading.Lock()
    parties = min(workers, len(apps))
    barrier = threading.Barrier(parties)

    def one(item):
        index, app = item
        try:
            if index < parties:
                barrier.wait(timeout=30)
            result = services.fcfs_claim(application=app, offering=offering, actor=actor)
            with lock:
                results.append(result)
        except Exception as error:  # noqa: BLE001 - every error is a failure of the test
            with lock:
                errors.append(repr(error))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, enumerate(apps)))
    return results, errors


def _setup(north, term, n):
    menu = f.menu(north.school, mode=Menu.Mode.FCFS)
    offering = f.offering(menu, capacity=SEATS)
    apps = _families(north.school, north.school_class, term, n)
    return offering, apps


def _assert_exactly_filled(offering, n, results, errors):
    assert errors == []
    offering = Offering.objects.get(pk=offering.pk)
    seats = Enrollment.objects.filter(offering=offering, status=Enrollment.Status.ACTIVE)
    assert seats.count() == SEATS == offering.taken
    assert sum(isinstance(r, Enrollment) for r in results) == SEATS
    waiting = WaitlistEntry.objects.filter(offering=offering)
    assert waiting.count() == n - SEATS
    # arrival numbers are a sequence 1..n-SEATS, none given twice
    assert sorted(waiting.values_list("lottery_number", flat=True)) == list(range(1, n - SEATS + 1))
    assert not set(seats.values_list("student", flat=True)) & set(
        waiting.values_list("student", flat=True)
    )


def _max_threads() -> int:
    return 90 if connection.vendor == "postgresql" else 200


def test_concurrent_claims_admit_exactly_the_capacity(north, term):
    # given: more families than seats, all released at once
    n = _max_threads()
    offering, apps = _setup(north, term, n)
    # when
    results, errors = _claim_all(apps, offering, north.admin, workers=n)
    # then
    _assert_exactly_filled(offering, n, results, errors)


def test_200_claims_through_a_bounded_pool_admit_exactly_30(north, term):
    n = 200
    offering, apps = _setup(north, term, n)
    results, errors = _claim_all(apps, offering, north.admin, workers=60)
    _assert_exactly_filled(offering, n, results, errors)


def test_double_click_gives_one_seat(north, term):
    # given: one child, the same claim sent ten times at once
    menu = f.menu(north.school, mode=Menu.Mode.FCFS)
    offering = f.offering(menu, capacity=SEATS)
    app = f.application(north.child, term)
    # when
    results, errors = _claim_all([app] * 10, offering, north.guardian_user, workers=10)
    # then
    assert errors == []
    assert len({r.pk for r in results}) == 1
    assert Enrollment.objects.filter(student=north.child).count() == 1
    offering.refresh_from_db()
    assert offering.taken == 1


def test_last_seat_race_between_two_children(north, term):
    menu = f.menu(north.school, mode=Menu.Mode.FCFS)
    offering = f.offering(menu, capacity=1)
    a = f.application(f.child(north.school, north.school_class), term)
    b = f.application(f.child(north.school, north.school_class), term)
    results, errors = _claim_all([a, b], offering, north.admin, workers=2)
    assert errors == []
    assert sorted(type(r).__name__ for r in results) == ["Enrollment", "WaitlistEntry"]
    offering.refresh_from_db()
    assert offering.taken == 1
