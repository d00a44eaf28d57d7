"""Shared builders for the terms tests."""

import datetime as dt

from kehou.sittings.models import Sitting
from kehou.terms.models import CalendarYear, SpecialDay
from kehou.testing import factories as f

D = dt.date
T = dt.time
AUTUMN_2026 = (D(2026, 9, 1), D(2026, 12, 31))


def published_plan(school, *, start=None, end=None, weekdays=(0, 1, 2, 3, 4), slots=None, **kw):
    """A published plan with one grades 1-6 16:00-18:00 slot unless `slots` says otherwise
    (a list of PlanSlotFactory keyword dicts)."""
    start, end = start or AUTUMN_2026[0], end or AUTUMN_2026[1]
    plan = f.SchoolPlanFactory(
        school=school,
        term_start=start,
        term_end=end,
        service_weekdays=list(weekdays),
        status=kw.pop("status", "published"),
        **kw,
    )
    for slot in slots if slots is not None else [{}]:
        f.PlanSlotFactory(plan=plan, **slot)
    return plan


def enter_2027(actor):
    """The 2027 notice, as the bureau would enter it (a plausible one: the real notice is
    published in late 2026)."""
    from kehou.terms.services import calendar_year_enter

    days = [(D(2027, 1, 1), "holiday", "元旦", None)]
    days += [(D(2027, 2, d), "holiday", "春节", None) for d in range(6, 13)]
    days += [(D(2027, 2, 14), "makeup_workday", "春节", 4)]
    days += [(D(2027, 1, 2), "makeup_workday", "元旦", None)]
    return calendar_year_enter(year=2027, days=days, source="国办发明电〔2026〕1号", actor=actor)


def snapshot():
    """Everything this app writes, to assert that a refusal changed nothing."""
    return (
        sorted(
            Sitting.objects.values_list(
                "id", "plan_id", "slot_id", "date", "start", "end", "roll_taken_at"
            )
        ),
        sorted(CalendarYear.objects.values_list("id", "year", "source")),
        sorted(SpecialDay.objects.values_list("id", "date", "kind", "name", "follows_weekday")),
    )
