import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kehou.org.access import SYSTEM
from kehou.testing.clock import freeze_now

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 10, 13, 10, 0, tzinfo=BEIJING)  # a Tuesday of the autumn term
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _frozen(request):
    """Every complaints test runs on 13 October 2026, 10:00 in Beijing (the browser tests
    on the real clock: the live server and the browser keep their own)."""
    if request.node.get_closest_marker("browser"):
        yield
        return
    with freeze_now(NOW):
        yield


@pytest.fixture
def reply_within(city):
    """Give the city's profile (Anxi's template adopted) a time limit of `days`."""
    from kehou.policy import services as policy
    from kehou.policy.selectors import profile_rules

    def set_days(days: int | None):
        profile = getattr(city, "policy_profile", None) or policy.profile_adopt(
            template_key="anxi_003", region=city, actor=SYSTEM
        )
        values = policy.profile_values_of(profile_rules(profile))
        if values.complaint_reply_days == days:
            return profile
        values = dataclasses.replace(values, complaint_reply_days=days)
        return policy.profile_update(
            profile=profile, values=values, note="投诉答复时限", actor=SYSTEM
        )

    return set_days
