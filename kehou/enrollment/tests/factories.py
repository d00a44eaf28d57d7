"""Helpers for the enrollment tests (the shared factories are the lead's): menus and offerings
written straight to the tables; these tests are about applications and seats, not menus."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kehou.catalog.models import Activity, Category, Menu, Offering, OfferingMeeting
from kehou.enrollment.models import AgreementSignature, Application, SafetyAgreement
from kehou.org.models import ClassMembership, StudentGuardian
from kehou.testing import factories as f


def agreement(school, *, version: int = 1) -> SafetyAgreement:
    return SafetyAgreement.objects.create(
        school=school,
        version=version,
        title="课后服务安全协议",
        text="学校与家长约定双方责任与权利。",
    )


def term():
    return f.TermFactory()


def menu(
    school,
    *,
    mode: str = Menu.Mode.LOTTERY,
    status: str = Menu.Status.WINDOW_OPEN,
    k: int = 1,
    closes_in: dt.timedelta = dt.timedelta(days=3),
) -> Menu:
    now = timezone.now()
    return Menu.objects.create(
        school=school,
        term=f.TermFactory(),
        mode=mode,
        status=status,
        max_extended_per_child=k,
        window_opens_at=now - dt.timedelta(hours=1),
        window_closes_at=now + closes_in,
    )


def offering(
    menu: Menu,
    name: str = "剪纸",
    *,
    capacity: int = 10,
    category: str = Category.ARTS,
    weekday: int = 0,
    start: dt.time = dt.time(16, 0),
    end: dt.time = dt.time(17, 0),
    grades: tuple[int, int] = (1, 6),
) -> Offering:
    activity = Activity.objects.create(school=menu.school, name=name, category=category)
    o = Offering.objects.create(
        menu=menu,
        activity=activity,
        name=name,
        grade_from=grades[0],
        grade_to=grades[1],
        capacity=capacity,
    )
    OfferingMeeting.objects.create(offering=o, weekday=weekday, start=start, end=end)
    return o


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


def approved(student, term, *, guardian=None, signed_by=None, starts_on=None) -> Application:
    """An approved application with a signature, written straight to the tables."""
    guardian = guardian or student.guardian_links.first().guardian
    app = Application.objects.create(
        student=student,
        term=term,
        guardian=guardian,
        status=Application.Status.APPROVED,
        service_weekdays=[0, 1, 2, 3, 4],
        starts_on=starts_on or term.start,
    )
    found = SafetyAgreement.objects.filter(school=student.school).order_by("-version").first()
    if found is not None and signed_by is not None:
        AgreementSignature.objects.create(application=app, agreement=found, signed_by=signed_by)
    return app
