"""The seat path's invariants under any order of operations (research/reliability.md TC-3):
hypothesis plays claims, withdrawals (today and ahead), releases, offers, accepts,
declines and expiries against one menu, and after every step the counters equal the rows,
no offering is over-filled, no child holds two seats of one offering, and every seat
change left its SeatEvent."""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from kehou.catalog.models import Menu, Offering
from kehou.enrollment import seats, services
from kehou.enrollment.models import Enrollment, SeatEvent, WaitlistEntry
from kehou.org.access import SYSTEM
from kehou.testing import factories as f
from kehou.testing.clock import freeze_now

pytestmark = pytest.mark.django_db

Status = WaitlistEntry.Status


@contextmanager
def refusals_allowed():
    """A refused step (a full offering, a clash, an expired offer) is a fine outcome."""
    try:
        with transaction.atomic():
            yield
    except ValidationError:
        pass


class SeatPath(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        school = f.SchoolFactory()
        school_class = f.SchoolClassFactory(school=school)
        today = timezone.localdate()
        term = f.TermFactory(start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=90))
        self.menu = f.menu(school, term=term, mode=Menu.Mode.FCFS, k=2)
        self.offerings = [
            f.offering(self.menu, f"项目{i}", capacity=c, weekday=i)
            for i, c in enumerate((1, 2, 1))
        ]
        self.apps = [f.application(f.child(school, school_class), term) for _ in range(5)]
        self.now = timezone.now()

    def _at(self):
        return freeze_now(self.now)

    @rule(child=st.integers(0, 4), which=st.integers(0, 2))
    def claim(self, child, which):
        with self._at(), refusals_allowed():
            services.fcfs_claim(
                application=self.apps[child], offering=self.offerings[which], actor=SYSTEM
            )

    @rule(pick=st.integers(0, 50), ahead=st.sampled_from([0, 0, 3]))
    def withdraw(self, pick, ahead):
        held = list(
            Enrollment.objects.filter(
                offering__menu=self.menu, status=Enrollment.Status.ACTIVE, ends_on__isnull=True
            ).order_by("pk")
        )
        if not held:
            return
        on = timezone.localtime(self.now).date() + dt.timedelta(days=ahead)
        with self._at(), refusals_allowed():
            services.enrollment_withdraw(enrollment=held[pick % len(held)], actor=SYSTEM, on=on)

    @rule(days=st.integers(1, 4))
    def time_passes(self, days):
        self.now += dt.timedelta(days=days)
        with self._at():
            seats.release_due(timezone.localdate(), actor=SYSTEM)
            seats.expire_overdue(self.now, actor=SYSTEM)

    @rule()
    def offer(self):
        with self._at():
            for offering in self.offerings:
                seats.offer_free_seats(offering_id=offering.pk, actor=SYSTEM)

    @rule(pick=st.integers(0, 50), accept=st.booleans())
    def answer(self, pick, accept):
        offers = list(
            WaitlistEntry.objects.filter(offering__menu=self.menu, status=Status.OFFERED).order_by(
                "pk"
            )
        )
        if not offers:
            return
        entry = offers[pick % len(offers)]
        with self._at(), refusals_allowed(), transaction.atomic():
            if accept:
                seats.accept(entry=entry, actor=SYSTEM)
            else:
                seats.decline(entry=entry, actor=SYSTEM)

    @invariant()
    def counters_equal_the_rows(self):
        for offering in Offering.objects.filter(menu=self.menu):
            active = offering.enrollments.filter(status=Enrollment.Status.ACTIVE).count()
            offered = offering.waitlist.filter(status=Status.OFFERED).count()
            assert offering.taken == active, offering
            assert offering.held == offered, offering
            assert offering.taken + offering.held <= offering.capacity, offering

    @invariant()
    def one_active_seat_per_child_and_offering(self):
        twice = (
            Enrollment.objects.filter(offering__menu=self.menu, status=Enrollment.Status.ACTIVE)
            .values("student", "offering")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        assert not twice.exists()

    @invariant()
    def every_seat_change_is_in_the_history(self):
        enrolments = Enrollment.objects.filter(offering__menu=self.menu)
        events = SeatEvent.objects.filter(offering__menu=self.menu)
        assert events.filter(kind=SeatEvent.Kind.TAKEN).count() == enrolments.count()
        released = enrolments.filter(status=Enrollment.Status.WITHDRAWN)
        assert events.filter(kind=SeatEvent.Kind.RELEASED).count() == released.count()
        ever_offered = WaitlistEntry.objects.filter(
            offering__menu=self.menu,
            status__in=[Status.OFFERED, Status.ACCEPTED, Status.DECLINED, Status.EXPIRED],
        )
        assert events.filter(kind=SeatEvent.Kind.OFFERED).count() >= ever_offered.count()


def test_the_seat_path_keeps_its_invariants_whatever_happens():
    run_state_machine_as_test(
        SeatPath,
        settings=settings(
            max_examples=10,
            stateful_step_count=20,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
