import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kehou.testing.clock import freeze_now

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 10, 20, 10, 0, tzinfo=BEIJING)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _frozen(request):
    """Every payments test runs on 20 October 2026, 10:00 in Beijing."""
    if request.node.get_closest_marker("browser"):
        yield
        return
    with freeze_now(NOW):
        yield
