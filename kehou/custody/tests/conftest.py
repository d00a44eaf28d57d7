import datetime as dt

import pytest

from kehou.custody import chain
from kehou.testing import factories as f

TODAY = dt.date(2026, 10, 12)  # a Monday


def at(hour: int, minute: int = 0) -> dt.datetime:
    """A moment of TODAY, Beijing time."""
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(TODAY, dt.time(hour, minute)))


@pytest.fixture
def day(north):
    """North's child present at a sitting 16:00-17:30 today, with the class teacher."""
    from django.db import transaction

    plan = f.SchoolPlanFactory(school=north.school, status="published")
    sitting = f.SittingFactory(
        plan=plan, date=TODAY, start=dt.time(16, 0), end=dt.time(17, 30), room="301"
    )
    teacher = north.teacher.staff
    with transaction.atomic():
        chain.receive(
            students=[north.child],
            holder=teacher,
            at=at(16, 0),
            by=north.teacher,
            school_id=north.school.pk,
            sitting=sitting,
        )
    return sitting
