import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kehou.testing.clock import freeze_now

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 10, 13, 15, 0, tzinfo=BEIJING)  # a Tuesday of the autumn term
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _frozen(request):
    """Every safety test runs on 13 October 2026, 15:00 in Beijing (the browser tests on
    the real clock: the live server and the browser keep their own)."""
    if request.node.get_closest_marker("browser"):
        yield
        return
    with freeze_now(NOW):
        yield
