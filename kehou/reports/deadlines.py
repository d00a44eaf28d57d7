"""When a month's report is due, from the policy profile each school follows (003:
每月24日报送). A locality that states no due day has none: its reports are never late."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from kehou.lib.months import next_month
from kehou.policy_rules.model import ProfileRules


def _codes(path: str) -> list[str]:
    """The region codes from a region's path up to the root, nearest first."""
    return [code for code in path.split("/") if code][::-1]


def rules_by_school(schools: Iterable) -> dict[int, ProfileRules | None]:
    """{school pk: the rules of the profile it follows}; `schools` with their region
    loaded. One query for any number of schools."""
    from kehou.policy.models import PolicyProfile
    from kehou.policy.selectors import profile_rules

    schools = list(schools)
    codes = {code for s in schools for code in _codes(s.region.path)}
    profiles = {
        p.region.code: p
        for p in PolicyProfile.objects.filter(region__code__in=codes).select_related("region")
    }
    parsed: dict[int, ProfileRules] = {}
    found: dict[int, ProfileRules | None] = {}
    for school in schools:
        profile = next((profiles[c] for c in _codes(school.region.path) if c in profiles), None)
        if profile is None:
            found[school.pk] = None
            continue
        if profile.pk not in parsed:
            parsed[profile.pk] = profile_rules(profile)
        found[school.pk] = parsed[profile.pk]
    return found


def due_on(rules: ProfileRules | None, month: dt.date) -> dt.date | None:
    """Day N of the month after `month` by the profile's report_due_day, else None."""
    rule = rules.report_due_day if rules is not None else None
    if rule is None or not rule.value:
        return None
    following = next_month(month.replace(day=1))
    return following.replace(day=min(int(rule.value), 28))


def reminder_on(rules: ProfileRules | None, month: dt.date) -> dt.date | None:
    """The day the school admins are reminded, report_reminder_days before the due day;
    None without a due day or a reminder rule."""
    due = due_on(rules, month)
    rule = rules.report_reminder_days if rules is not None else None
    if due is None or rule is None or not rule.value:
        return None
    return due - dt.timedelta(days=int(rule.value))
