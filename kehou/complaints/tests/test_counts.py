"""The shared counts (the dashboard and the monthly report read them)."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import kehou.testing.factories as f
from kehou.complaints.selectors import complaint_counts, counts_by_state


def test_complaint_counts_per_school_in_the_range_in_one_query(north, south):
    today = timezone.localdate()
    f.complaint(north.school, received_on=today)
    f.complaint(north.school, received_on=today - dt.timedelta(days=10), state="closed")
    f.complaint(north.school, received_on=today - dt.timedelta(days=40))  # before the range
    f.complaint(south.school, received_on=today, kind="report")
    with CaptureQueriesContext(connection) as queries:
        counts = complaint_counts(
            [north.school.pk, south.school.pk], today - dt.timedelta(days=30), today
        )
    assert counts == {north.school.pk: 2, south.school.pk: 1}
    assert len(queries) == 1
    assert complaint_counts([north.school.pk], today + dt.timedelta(days=1), today) == {
        north.school.pk: 0
    }


def test_counts_by_state_with_the_overdue_in_one_query(north, south):
    today = timezone.localdate()
    f.complaint(north.school, due_on=today - dt.timedelta(days=1))  # late
    f.complaint(north.school, state="assigned", due_on=today)  # due today: not late
    f.complaint(north.school, state="replied", due_on=today - dt.timedelta(days=3))
    f.complaint(north.school, state="handled")  # no time limit
    f.complaint(south.school, due_on=today - dt.timedelta(days=1))  # another school
    with CaptureQueriesContext(connection) as queries:
        counts = counts_by_state([north.school.pk])
    assert len(queries) == 1
    assert counts == {
        "received": 1,
        "assigned": 1,
        "handled": 1,
        "replied": 1,
        "closed": 0,
        "overdue": 1,
    }
    assert counts_by_state([]) == dict.fromkeys(counts, 0)
