"""Allocation end to end with the database (SPEC R12): a 3,000-child school, 60 offerings,
5-6 ranked choices per child, k = 1 and k = 2.

    .venv/bin/python bench/allocation_e2e.py                 # SQLite in a temp directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehou .venv/bin/python bench/allocation_e2e.py

On PostgreSQL it drops and recreates a database named kehou_alloc_bench on that server.
Prints, per k: time to load the inputs, the mechanism alone, explanations + metrics, the
writes (enrolments, waiting lists, outcomes, seat counters) and the whole run, and the ratio
of the mechanism to the end-to-end time. Asserts nothing about time (target: under 5 s).
"""

import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehou.settings")

from throwaway_db import prepare_throwaway_database  # noqa: E402

N_CHILDREN = 3000
N_OFFERINGS = 60  # 58 extended + 2 homework-tutoring fallbacks
GRADES = 6
CLASSES_PER_GRADE = 10


def _school(rng: random.Random):
    from kehou.accounts.models import User
    from kehou.allocation import seed_commitment
    from kehou.catalog.models import (
        EXTENDED_CATEGORIES,
        Activity,
        Category,
        Menu,
        Offering,
        OfferingMeeting,
    )
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

    city = Region.objects.create(code="371600", name="滨州市", level=Region.Level.CITY)
    county = Region.objects.create(code="371602", name="滨城区", parent=city)
    school = School.objects.create(code="3716020001", name="滨城实验小学", region=county)
    User.objects.create(
        phone="13800000001", name="校长", role=User.Role.SCHOOL_ADMIN, school=school
    )
    year = SchoolYear.objects.create(start_year=2026)
    term = Term.objects.create(
        school_year=year,
        semester=1,
        start=datetime.date(2026, 9, 1),
        end=datetime.date(2027, 1, 22),
    )
    classes = SchoolClass.objects.bulk_create(
        SchoolClass(school=school, school_year=year, grade=g, number=n)
        for g in range(1, GRADES + 1)
        for n in range(1, CLASSES_PER_GRADE + 1)
    )
    students, guardians = [], []
    for i in range(N_CHILDREN):
        students.append(
            Student(
                school=school,
                student_number=f"G{371602201901010000 + i}",
                name=f"学生{i}",
                gender="F" if i % 2 else "M",
                is_left_behind=rng.random() < 0.05,
                is_migrant_child=rng.random() < 0.06,
                has_disability=rng.random() < 0.01,
                low_income_basis="dibao" if rng.random() < 0.03 else "",
            )
        )
        guardians.append(Guardian(school=school, name=f"家长{i}", phone=f"139{i:08d}"))
    Student.objects.bulk_create(students, batch_size=1000)
    Guardian.objects.bulk_create(guardians, batch_size=1000)
    students = list(Student.objects.filter(school=school).order_by("pk"))
    guardians = list(Guardian.objects.order_by("pk"))
    ClassMembership.objects.bulk_create(
        (
            ClassMembership(student=s, school_class=classes[i % len(classes)], school_year=year)
            for i, s in enumerate(students)
        ),
        batch_size=1000,
    )
    StudentGuardian.objects.bulk_create(
        (
            StudentGuardian(student=s, guardian=g, relation="mother", is_primary=True)
            for s, g in zip(students, guardians, strict=True)
        ),
        batch_size=1000,
    )
    menu = Menu.objects.create(school=school, term=term, status=Menu.Status.WINDOW_OPEN)
    seed = "bench-seed-2026"
    menu.lottery_seed, menu.lottery_seed_hash = seed, seed_commitment(seed)
    menu.save()
    cats = sorted(EXTENDED_CATEGORIES)
    slots = [
        (datetime.time(16, 0), datetime.time(17, 0)),
        (datetime.time(17, 0), datetime.time(18, 0)),
    ]
    for i in range(N_OFFERINGS - 2):
        lo = rng.choice([1, 1, 3, 4])
        activity = Activity.objects.create(
            school=school, name=f"活动{i}", category=cats[i % len(cats)]
        )
        o = Offering.objects.create(
            menu=menu,
            activity=activity,
            name=f"活动{i}",
            grade_from=lo,
            grade_to=min(6, lo + rng.choice([2, 3, 5])),
            capacity=rng.choice([30, 40, 45, 50]),
        )
        weekday = i % 5
        start, end = slots[(i // 5) % 2]
        OfferingMeeting.objects.create(offering=o, weekday=weekday, start=start, end=end)
    hw = Activity.objects.create(school=school, name="作业辅导", category=Category.HOMEWORK)
    for g in (1, 4):
        o = Offering.objects.create(
            menu=menu,
            activity=hw,
            name=f"作业辅导{g}",
            grade_from=g,
            grade_to=g + 2,
            capacity=200,
            is_fallback=True,
        )
        OfferingMeeting.objects.create(offering=o, weekday=4, start=slots[1][0], end=slots[1][1])
    return menu


def _reset(menu, k: int) -> None:
    from kehou.catalog.models import Menu, Offering
    from kehou.enrollment.models import Enrollment, SeatEvent, WaitlistEntry
    from kehou.placement.models import AllocationOutcome

    AllocationOutcome.objects.all().delete()
    SeatEvent.objects.all().delete()
    WaitlistEntry.objects.all().delete()
    Enrollment.objects.all().delete()
    Offering.objects.update(taken=0, held=0)
    Offering.objects.filter(menu=menu, is_fallback=True).update(capacity=200)
    Menu.objects.filter(pk=menu.pk).update(status=Menu.Status.CLOSED, max_extended_per_child=k)


def main() -> None:
    where = prepare_throwaway_database("kehou_alloc_bench")
    import django

    django.setup()
    from django.core.management import call_command

    from kehou.enrollment.models import Choice, Enrollment, SeatEvent, WaitlistEntry
    from kehou.org.access import SYSTEM
    from kehou.placement import services
    from kehou.placement.demo import demo_choices_seed

    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    t = time.perf_counter()
    menu = _school(rng)
    summary = demo_choices_seed(menu=menu, seed=2026)
    print(f"Database: {where}")
    print(
        f"School built in {time.perf_counter() - t:.1f} s: {N_CHILDREN} children, "
        f"{N_OFFERINGS} offerings, {summary.applications} applications, "
        f"{Choice.objects.count()} ranked choices"
    )
    for k in (1, 2):
        _reset(menu, k)
        t0 = time.perf_counter()
        run = services.allocation_run(menu=menu, actor=SYSTEM, confirmed=True)
        wall = time.perf_counter() - t0
        tm = run.metrics["timing"]
        o = run.metrics["overall"]
        other = wall - tm["load_seconds"] - tm["mechanism_seconds"] - tm["write_seconds"]
        print(
            f"k={k}: load {tm['load_seconds']:.3f} s · mechanism {tm['mechanism_seconds']:.3f} s"
            f" · explanations+metrics+digests {other:.3f} s · write {tm['write_seconds']:.3f} s"
            f" · end to end {wall:.3f} s · mechanism/end-to-end "
            f"{tm['mechanism_seconds'] / wall:.1%}"
        )
        rows = Enrollment.objects.count() + WaitlistEntry.objects.count()
        print(
            f"     write: {rows} seats and waiting-list places, {SeatEvent.objects.count()} seat "
            f"changes recorded, {tm['write_seconds'] / max(rows, 1) * 1e6:.0f} µs per seat"
        )
        print(
            f"     enrolments {Enrollment.objects.count()}, first choice {o['first_choice']:.1%},"
            f" top three {o['top_three']:.1%}, fallback {o['fallback']},"
            f" nothing at all {o['zero_activities']}, justified envy {o['justified_envy']},"
            f" waste {o['waste']}, rounds {run.metrics['rounds']}"
        )


if __name__ == "__main__":
    main()
