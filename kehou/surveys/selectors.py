"""The figures other apps read from the surveys (the monthly report, the dashboard, the
staff record): each in one query for any number of schools or staff.

`since` and `until` are school days (dates, both included); a response counts on the
local day it was submitted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Avg, Count, Q
from django.utils import timezone

from kehou.surveys.models import SATISFIED_FROM, Answer


def _day_bounds(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def satisfaction(
    school_ids: Iterable[int], since: dt.date, until: dt.date
) -> dict[int, tuple[int, int]]:
    """{school id: (answers, satisfied)} to the overall-satisfaction question of any
    survey, from responses submitted in [since, until]; satisfied = 4 or 5. A school
    without such answers is left out."""
    ids = sorted({pk for pk in school_ids if pk})
    if not ids or until < since:
        return {}
    start, end = _day_bounds(since, until)
    rows = (
        Answer.objects.filter(
            school_id__in=ids,
            question__is_overall_satisfaction=True,
            scale__isnull=False,
            response__submitted_at__gte=start,
            response__submitted_at__lt=end,
        )
        .values("school_id")
        .annotate(total=Count("pk"), satisfied=Count("pk", filter=Q(scale__gte=SATISFIED_FROM)))
        .order_by()
    )
    return {row["school_id"]: (row["total"], row["satisfied"]) for row in rows}


def ratings_by_staff(
    staff_ids: Iterable[int], since: dt.date, until: dt.date
) -> dict[int, tuple[int, float]]:
    """{staff id: (ratings, mean 1–5)} from the 1–5 questions that rate an offering, whose
    instructor is the rated staff, from responses submitted in [since, until]. Staff
    without ratings are left out."""
    ids = sorted({pk for pk in staff_ids if pk})
    if not ids or until < since:
        return {}
    start, end = _day_bounds(since, until)
    rows = (
        Answer.objects.filter(
            question__offering__instructor_id__in=ids,
            scale__isnull=False,
            response__submitted_at__gte=start,
            response__submitted_at__lt=end,
        )
        .values("question__offering__instructor_id")
        .annotate(total=Count("pk"), mean=Avg("scale"))
        .order_by()
    )
    return {
        row["question__offering__instructor_id"]: (row["total"], round(float(row["mean"]), 2))
        for row in rows
    }
