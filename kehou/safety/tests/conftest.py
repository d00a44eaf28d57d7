import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kehou.testing.clock import freeze_now

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 10, 13, 15, 0, tzinfo=BEIJING)  # a Tuesday of the autumn term
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _frozen():
    """Every safety test runs on 13 October 2026, 15:00 in Beijing."""
    with freeze_now(NOW):
        yield
