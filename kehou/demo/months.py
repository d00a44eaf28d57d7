"""The roll calls of the term's past months in every school (issue 11): what the monthly
report, the dashboard and the staff record count.

The main school's current month is replayed through the services (kehou.demo.day), with
custody and dismissals; the full months before it are written as their roll calls only,
in bulk: every child on each sitting's roster is marked (most present, some late, a few
absent) by the sitting's responsible adult, and the roll is closed. Custody of those days
is not replayed: nothing after a closed month reads it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from kehou.attendance.models import Attendance
from kehou.billing.models import SittingCancellation
from kehou.lib.months import first_of, months_from, previous_month
from kehou.org.models import School, Staff
from kehou.sittings.models import Sitting
from kehou.sittings.selectors import day_rosters

ABSENT_SHARE = 0.04
LATE_SHARE = 0.03
BATCH = 5000


@dataclass
class MonthsStory:
    months: list[dt.date]
    sittings: int = 0
    marks: int = 0


def _when(day: dt.date, at: dt.time, minutes: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at)) + dt.timedelta(minutes=minutes)


def _write(marks: list[Attendance], sittings: list[Sitting]) -> None:
    Attendance.objects.bulk_create(marks, batch_size=BATCH)
    Sitting.objects.bulk_update(
        sittings, ["roll_taken_at", "roll_closed_at", "roll_closed_by"], batch_size=500
    )


def seed_past_months(*, schools: list[School], first_day: dt.date, seed: int | str) -> MonthsStory:
    """Roll calls for every sitting of `schools` from `first_day` to the end of last month."""
    rng = random.Random(f"months-{seed}")
    today = timezone.localdate()
    story = MonthsStory(months=months_from(first_day, previous_month(first_of(today))))
    if not story.months:
        return story
    until = first_of(today)
    cancelled = set(SittingCancellation.objects.values_list("sitting_id", flat=True))
    pending: list[Attendance] = []
    taken: list[Sitting] = []
    for school in schools:
        user_of = dict(
            Staff.objects.filter(school=school, user__isnull=False).values_list("pk", "user_id")
        )
        days = sorted(
            set(
                Sitting.objects.filter(
                    school=school, date__gte=story.months[0], date__lt=until
                ).values_list("date", flat=True)
            )
        )
        for day in days:
            for roster in day_rosters(school, day):
                sitting = roster.sitting
                if sitting.pk in cancelled or sitting.roll_taken_at is not None:
                    continue
                here = [e.student.pk for e in roster.entries if not e.elsewhere]
                if not here:
                    continue
                taker = user_of.get(sitting.responsible_id)
                for n, pk in enumerate(here):
                    draw = rng.random()
                    status = Attendance.Status.PRESENT
                    if draw < ABSENT_SHARE:
                        status = Attendance.Status.ABSENT
                    elif draw < ABSENT_SHARE + LATE_SHARE:
                        status = Attendance.Status.LATE
                    minutes = 8 if status == Attendance.Status.LATE else 1 + n // 15
                    marked = _when(day, sitting.start, minutes)
                    pending.append(
                        Attendance(
                            school_id=school.pk,
                            sitting_id=sitting.pk,
                            day=day,
                            student_id=pk,
                            status=status,
                            marked_by_id=taker,
                            marked_at=marked,
                            received_at=marked,
                        )
                    )
                sitting.roll_taken_at = _when(day, sitting.start, 1)
                sitting.roll_closed_at = _when(day, sitting.start, 20)
                sitting.roll_closed_by_id = taker
                taken.append(sitting)
                story.sittings += 1
                story.marks += len(here)
            if len(pending) >= BATCH:
                _write(pending, taken)
                pending, taken = [], []
    _write(pending, taken)
    return story
