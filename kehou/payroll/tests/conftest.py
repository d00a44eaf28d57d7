import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kehou.org.access import SYSTEM
from kehou.policy import services as policy
from kehou.testing import factories as f
from kehou.testing.clock import freeze_now

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 10, 15, 0, tzinfo=BEIJING)  # October is over
TODAY = NOW.date()
OCTOBER = dt.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def _frozen(request):
    if request.node.get_closest_marker("browser"):
        yield
        return
    with freeze_now(NOW):
        yield


@pytest.fixture
def floor(north, south):
    """Both counties follow Jiangsu's 000 (每课时不低于60元)."""
    policy.profile_templates_install(actor=SYSTEM)
    policy.profile_adopt(template_key="jiangsu_000", region=north.county, actor=SYSTEM)
    policy.profile_adopt(template_key="jiangsu_000", region=south.county, actor=SYSTEM)


@pytest.fixture
def plan(north):
    return f.SchoolPlanFactory(school=north.school, status="published")


def teacher_staff(personas):
    return personas.teacher.staff


def plan_sitting(plan, day, *, responsible, start=dt.time(16, 0), end=dt.time(17, 20), **kw):
    """A sitting of the basic service (homework tutoring for pay): 80 minutes = 2 class-hours
    of 40 minutes."""
    return f.SittingFactory(
        plan=plan, date=day, start=start, end=end, responsible=responsible, **kw
    )


def group_sitting(plan, offering, day, *, responsible, start=dt.time(16, 0), end=dt.time(17, 0)):
    return f.SittingFactory(
        plan=plan,
        date=day,
        start=start,
        end=end,
        kind="offering",
        offering=offering,
        label=offering.name,
        responsible=responsible,
    )
