"""The demo's autumn term as it happened (issue 4, R12-R14): the main school ran its
allocation before term began, a child left an offering in October and another joined one,
and every school's sittings are generated, with rosters derived from those dated seats.

All of it goes through the real services (as SYSTEM, the way an operator's command acts):
`menu_close_window`, `allocation_run`, `menu_start_running`, `enrollment_withdraw`,
`enrollment_place`, `sittings_generate`. The services date what they do by the clock: seats
an allocation takes count from the day it ran, or from the term's first day if that is
later, and every seat change records when it was made. So each step runs with the clock
set to its moment in the story (`_at`), and the seats and their history carry the dates
they would have had: the window closed on 31 August at 17:00, the allocation ran at 18:00
(seats from 1 September), the menu started running on the first morning of term, a child
left an offering from 15 October and another joined one from 19 October.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kehou.allocation import seed_commitment
from kehou.catalog import services as catalog
from kehou.catalog.models import EXTENDED_CATEGORIES, Menu, Offering
from kehou.enrollment import services as enrollment
from kehou.enrollment.models import Application, Enrollment, WaitlistEntry
from kehou.org.access import SYSTEM
from kehou.org.models import School
from kehou.org.selectors import classes_in_year
from kehou.placement.services import allocation_run
from kehou.sittings import selectors as sitting_reads
from kehou.sittings import services as sittings
from kehou.terms.models import Term

LEAVING_REASON = "家长申请退出该项目（时间冲突）"
JOIN_ATTEMPTS = 50
EXTENDED = sorted(str(category) for category in EXTENDED_CATEGORIES)


@dataclass
class TermHistory:
    school: str = ""
    enrolments: int = 0  # seats the allocation took
    left: Enrollment | None = None  # the seat that ends in October
    joined: Enrollment | None = None  # the seat taken in October


@dataclass
class SittingsSummary:
    created: int = 0
    skipped: str = ""  # why some days (or all) have no sittings yet


def _moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@contextmanager
def _at(moment: dt.datetime) -> Iterator[None]:
    """Run the block with kehou's clock (`timezone.now`, hence `timezone.localdate`) at
    `moment`: the demo replays a term that began before it was seeded."""
    with mock.patch.object(timezone, "now", lambda: moment):
        yield


def replay_autumn(
    *, school: School, term: Term, seed: int | str, family_student_ids: Sequence[int] = ()
) -> TermHistory:
    """The main school's term so far. Its window opened on 24 August with a lottery seed
    drawn from the demo's `seed` (so the same demo seed gives the same allocation on a
    fresh database). `family_student_ids` (the demo guardian's children) are preferred for
    the October withdrawal, so that family's pages show it."""
    year = term.school_year.start_year
    menu = Menu.objects.get(school=school, term=term)
    history = TermHistory(school=school.name)
    lottery = hashlib.sha256(f"demo-lottery:{seed}:{school.code}".encode()).hexdigest()[:32]
    Menu.objects.filter(pk=menu.pk).update(
        window_opens_at=_moment(dt.date(year, 8, 24), 8),
        window_closes_at=_moment(dt.date(year, 8, 31), 17),
        lottery_seed=lottery,
        lottery_seed_hash=seed_commitment(lottery),
    )
    with _at(_moment(dt.date(year, 8, 31), 18)):
        catalog.menu_close_window(menu=menu, actor=SYSTEM)
        allocation_run(menu=menu, actor=SYSTEM, confirmed=True)
    history.enrolments = Enrollment.objects.filter(offering__menu=menu).count()
    with _at(_moment(term.start, 7, 30)):
        catalog.menu_start_running(menu=menu, actor=SYSTEM)
    leaving_day = dt.date(year, 10, 15)
    with _at(_moment(leaving_day, 8)):
        history.left = _leave(menu, on=leaving_day, prefer=family_student_ids)
    joining_day = dt.date(year, 10, 19)
    with _at(_moment(joining_day - dt.timedelta(days=3), 10)):
        history.joined = _join(menu, on=joining_day)
    return history


def _extended_seats(menu: Menu):
    return Enrollment.objects.filter(
        offering__menu=menu,
        offering__is_fallback=False,
        offering__activity__category__in=EXTENDED,
        status=Enrollment.Status.ACTIVE,
    )


def _leave(menu: Menu, *, on: dt.date, prefer: Sequence[int]) -> Enrollment | None:
    """A child leaves an extended offering nobody waits for (so no seat is offered on)."""
    waited_for = WaitlistEntry.objects.filter(
        offering__menu=menu, status=WaitlistEntry.Status.WAITING
    ).values("offering_id")
    seats = list(_extended_seats(menu).exclude(offering_id__in=waited_for).order_by("pk"))
    seats.sort(key=lambda seat: seat.student_id not in prefer)
    if not seats:
        return None
    return enrollment.enrollment_withdraw(
        enrollment=seats[0], actor=SYSTEM, on=on, reason=LEAVING_REASON
    )


def _join(menu: Menu, *, on: dt.date) -> Enrollment | None:
    """The school places a child in an offering with a free seat (中途参与): children
    without an extended offering first, never the one who just left."""
    open_offerings = list(
        Offering.objects.filter(
            menu=menu, is_fallback=False, taken__lt=F("capacity") - F("held")
        ).order_by("pk")
    )
    holding = set(_extended_seats(menu).values_list("student_id", flat=True))
    leaving = set(
        Enrollment.objects.filter(offering__menu=menu, ends_on__isnull=False).values_list(
            "student_id", flat=True
        )
    )
    applications = sorted(
        (
            app
            for app in Application.objects.filter(
                term=menu.term, student__school=menu.school, status=Application.Status.APPROVED
            )
            if app.student_id not in leaving
        ),
        key=lambda app: (app.student_id in holding, app.pk),
    )
    classes = classes_in_year([a.student_id for a in applications], menu.term.school_year_id)
    attempts = 0
    for app in applications:
        school_class = classes.get(app.student_id)
        if school_class is None:
            continue
        for offering in open_offerings:
            if not offering.grade_from <= school_class.grade <= offering.grade_to:
                continue
            attempts += 1
            if attempts > JOIN_ATTEMPTS:
                return None
            try:
                with transaction.atomic():
                    return enrollment.enrollment_place(
                        application=app, offering=offering, on=on, actor=SYSTEM
                    )
            except ValidationError:  # a time clash or the k limit: try the next
                continue
    return None


def generate_sittings(*, schools: Sequence[School], term: Term) -> SittingsSummary:
    """Every school's sittings of the term, or why the calendar does not allow them yet."""
    summary = SittingsSummary()
    for school in schools:
        try:
            report = sittings.sittings_generate(school=school, term=term, actor=SYSTEM)
        except sittings.CalendarNotReady as refused:  # the same calendar for every school
            summary.skipped = "；".join(refused.messages)
            return summary
        except sittings.PlanNotPublished:
            continue
        summary.created += report.created
        if report.pending_years and not summary.skipped:
            summary.skipped = "；".join(sitting_reads.calendar_problems(report.plan))
    return summary
