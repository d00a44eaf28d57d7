import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kehou.testing.clock import freeze_now

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 10, 20, 16, 30, tzinfo=BEIJING)  # a Tuesday of the autumn term
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _frozen(request):
    if request.node.get_closest_marker("browser"):
        yield
        return
    with freeze_now(NOW):
        yield
