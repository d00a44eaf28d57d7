import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kehou.testing.clock import freeze_now

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 10, 15, 0, tzinfo=BEIJING)  # October's figures are the last
TODAY = NOW.date()
SEPTEMBER = dt.date(2026, 9, 1)
OCTOBER = dt.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def _frozen(request):
    if request.node.get_closest_marker("browser"):
        yield
        return
    with freeze_now(NOW):
        yield
