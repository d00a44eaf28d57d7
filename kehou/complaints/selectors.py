"""Reads of complaints (R20): the shared counts for the dashboard and the monthly report,
the lists each role sees, and the follow-up by code (no login)."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kehou.complaints.models import Complaint


def overdue_q(today: dt.date | None = None) -> Q:
    """Not replied yet and past its time limit (a complaint without one is never late)."""
    today = today or timezone.localdate()
    return Q(state__in=Complaint.WAITING, due_on__isnull=False, due_on__lt=today)


def complaint_counts(school_ids: Iterable[int], since: dt.date, until: dt.date) -> dict[int, int]:
    """Complaints and reports received per school on the days [since, until], every kind
    and state; each school asked for is in the answer (0 when none). One query."""
    ids = list(school_ids)
    counts = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    rows = (
        Complaint.objects.filter(school_id__in=ids, received_on__gte=since, received_on__lte=until)
        .values("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["school_id"]] = row["n"]
    return counts


def counts_by_state(school_ids: Iterable[int]) -> dict[str, int]:
    """The schools' complaints now, by state: a key for each Complaint.State (closed
    included, so "open" is every key but "closed" and "overdue"), plus "overdue": those
    not replied past their time limit (already counted under their state). One query."""
    ids = list(school_ids)
    keys = [*Complaint.State.values, "overdue"]
    if not ids:
        return dict.fromkeys(keys, 0)
    aggregates = {state: Count("pk", filter=Q(state=state)) for state in Complaint.State.values}
    aggregates["overdue"] = Count("pk", filter=overdue_q())
    found = Complaint.objects.filter(school_id__in=ids).aggregate(**aggregates)
    return {key: found[key] or 0 for key in keys}


def with_people(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return queryset.select_related("school", "school__region", "assigned_to", "student")
