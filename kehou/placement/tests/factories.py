"""Small school menus for the placement tests, written straight to the tables (no catalog
services: these tests are about allocation, not menu validation)."""

from __future__ import annotations

import datetime as dt

from kehou.allocation import seed_commitment
from kehou.catalog.models import Activity, Category, Menu, Offering, OfferingMeeting
from kehou.enrollment.models import Application, Choice
from kehou.org.models import ClassMembership, StudentGuardian
from kehou.testing import factories as f

SEED = "0123456789abcdef0123456789abcdef"


def closed_menu(school, *, k: int = 1, mechanism: str = "da", status=Menu.Status.CLOSED) -> Menu:
    term = f.TermFactory()
    return Menu.objects.create(
        school=school,
        term=term,
        status=status,
        mechanism=mechanism,
        max_extended_per_child=k,
        lottery_seed=SEED,
        lottery_seed_hash=seed_commitment(SEED),
    )


def offering(
    menu: Menu,
    name: str,
    *,
    capacity: int,
    category: str = Category.ARTS,
    weekday: int = 0,
    start: dt.time = dt.time(16, 0),
    end: dt.time = dt.time(17, 0),
    grades: tuple[int, int] = (1, 6),
    fallback: bool = False,
) -> Offering:
    activity = Activity.objects.create(school=menu.school, name=name, category=category)
    o = Offering.objects.create(
        menu=menu,
        activity=activity,
        name=name,
        grade_from=grades[0],
        grade_to=grades[1],
        capacity=capacity,
        is_fallback=fallback,
    )
    OfferingMeeting.objects.create(offering=o, weekday=weekday, start=start, end=end)
    return o


def homework(menu: Menu, *, capacity: int = 2) -> Offering:
    return offering(
        menu,
        "作业辅导",
        capacity=capacity,
        category=Category.HOMEWORK,
        weekday=4,
        fallback=True,
    )


def child(school, school_class, *, guardian=None, **facts):
    student = f.StudentFactory(school=school, **facts)
    ClassMembership.objects.create(
        student=student, school_class=school_class, school_year=school_class.school_year
    )
    guardian = guardian or f.GuardianFactory()
    StudentGuardian.objects.create(
        student=student, guardian=guardian, relation=StudentGuardian.Relation.MOTHER
    )
    return student


def apply(student, menu: Menu, offerings, *, guardian=None) -> Application:
    guardian = guardian or student.guardian_links.first().guardian
    app = Application.objects.create(
        student=student, term=menu.term, guardian=guardian, status=Application.Status.APPROVED
    )
    for rank, o in enumerate(offerings, 1):
        Choice.objects.create(application=app, offering=o, rank=rank)
    return app
