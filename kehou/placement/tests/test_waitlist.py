"""Waiting lists after an allocation: one order for the allocation, the seat path and the
family's page; accepting an offer ends the places the child would no longer take."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kehou.allocation import Child, Offering, allocate
from kehou.catalog.models import Menu
from kehou.core import errors
from kehou.enrollment import seats
from kehou.enrollment import services as enrollment_services
from kehou.enrollment.models import Enrollment, WaitlistEntry
from kehou.org.access import SYSTEM
from kehou.testing import factories as f


def _entry(app, offering, *, lottery, tier=1):
    return WaitlistEntry.objects.create(
        offering=offering,
        student_id=app.student_id,
        application=app,
        tier=tier,
        lottery_number=lottery,
    )


def _guardian_user(app):
    guardian = app.guardian
    if guardian.user_id is None:
        guardian.user = f.UserFactory(role="guardian", phone=guardian.phone)
        guardian.save(update_fields=["user"])
    return guardian.user


def _withdraw(enrolment, actor):
    with transaction.atomic():
        enrollment_services.enrollment_withdraw(
            enrollment=enrolment, actor=actor, on=timezone.localdate()
        )


@pytest.fixture
def two_offers(north):
    """k = 1. The persona's child ranks A, B (both Monday 16:00) and C (Tuesday), holds C,
    waits for A and B; their holders leave, so the child is offered A and B at once."""
    menu = f.menu(north.school, status=Menu.Status.ALLOCATED, k=1)
    a = f.offering(menu, "A 剪纸", capacity=1)
    b = f.offering(menu, "B 合唱", capacity=1)
    c = f.offering(menu, "C 科学", capacity=1, weekday=1)
    mine = f.application(north.child, menu.term, choices=[a, b, c], guardian=north.guardian)
    holders = []
    for name, offering in (("甲", a), ("乙", b)):
        kid = f.child(north.school, north.school_class, name=name)
        holders.append(f.enrol(f.application(kid, menu.term, choices=[offering]), offering))
    f.enrol(mine, c)
    _entry(mine, a, lottery=5)
    _entry(mine, b, lottery=5)
    for holder in holders:
        _withdraw(holder, north.admin)
    for offering in (a, b):
        seats.offer_free_seats(offering_id=offering.pk)
    offers = {
        e.offering_id: e
        for e in WaitlistEntry.objects.filter(application=mine, status=WaitlistEntry.Status.OFFERED)
    }
    assert set(offers) == {a.pk, b.pk}
    return menu, mine, a, b, c, offers


def test_accepting_an_offer_ends_the_open_offer_of_a_lower_choice(
    north, two_offers, django_capture_on_commit_callbacks
):
    menu, mine, a, b, c, offers = two_offers
    user = _guardian_user(mine)
    # when the family accepts its 1st choice
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_services.waitlist_accept(entry=offers[a.pk], actor=user)
    # then the offer of its 2nd choice ends and gives its held seat back
    offers[b.pk].refresh_from_db()
    assert offers[b.pk].status == WaitlistEntry.Status.REMOVED
    b.refresh_from_db()
    assert b.held == 0
    # and it cannot be accepted any more: no second seat at the same time
    with pytest.raises(ValidationError) as refused:
        enrollment_services.waitlist_accept(entry=offers[b.pk], actor=user)
    assert errors.codes(refused.value) == {"offer_not_open"}
    held = set(
        Enrollment.objects.filter(student=north.child, status="active").values_list(
            "offering_id", flat=True
        )
    )
    assert held == {a.pk}


def test_a_lower_choice_accepted_first_ends_nothing_above_it(north, two_offers):
    menu, mine, a, b, c, offers = two_offers
    user = _guardian_user(mine)
    # when the family first accepts its 2nd choice, its 1st is still wanted and stays open
    enrollment_services.waitlist_accept(entry=offers[b.pk], actor=user)
    offers[a.pk].refresh_from_db()
    assert offers[a.pk].status == WaitlistEntry.Status.OFFERED
    # and taking it then ends the 2nd choice's seat (same time)
    enrollment_services.waitlist_accept(entry=offers[a.pk], actor=user)
    held = set(
        Enrollment.objects.filter(student=north.child, status="active").values_list(
            "offering_id", flat=True
        )
    )
    assert held == {a.pk}


@pytest.fixture
def queue(north):
    """Offering A, full; four children wait for it with lottery numbers 820, 125, 126 and a
    tier-0 child with 900."""
    menu = f.menu(north.school, status=Menu.Status.ALLOCATED)
    a = f.offering(menu, "A 剪纸", capacity=1)
    holder = f.child(north.school, north.school_class, name="甲")
    f.enrol(f.application(holder, menu.term, choices=[a]), a)
    entries = {}
    for name, lottery, tier in (("乙", 820, 1), ("丙", 125, 1), ("丁", 126, 1), ("戊", 900, 0)):
        kid = f.child(north.school, north.school_class, name=name)
        app = f.application(kid, menu.term, choices=[a])
        entries[lottery] = _entry(app, a, lottery=lottery, tier=tier)
    return menu, a, entries


def test_the_waiting_list_follows_the_draw(queue):
    """Priority group first, then the lottery number as drawn: the child just below the
    cut-off is next, not the one the draw put last."""
    menu, a, entries = queue
    positions = {n: seats.waiting_position(e) for n, e in entries.items()}
    assert positions == {900: 1, 125: 2, 126: 3, 820: 4}
    # the seat path offers in the same order
    Enrollment.objects.filter(offering=a).update(status="withdrawn")
    a.__class__.objects.filter(pk=a.pk).update(taken=0)
    [first] = seats.offer_free_seats(offering_id=a.pk, actor=SYSTEM)
    assert first.pk == entries[900].pk
    # and the positions of all entries at once agree with one entry's
    waiting = list(WaitlistEntry.objects.filter(offering=a, status="waiting"))
    assert seats.waiting_positions(waiting) == {e.pk: seats.waiting_position(e) for e in waiting}
    assert sorted(seats.waiting_positions(waiting).values()) == [1, 2, 3]


def test_the_core_lists_in_the_same_order_as_the_seat_path():
    offerings = [Offering("a", 1)]
    children = [Child(i, 3, 1, ("a",)) for i in range(1, 6)]
    result = allocate(children, offerings, seed="s", lottery={1: 3, 2: 5, 3: 1, 4: 4, 5: 2})
    assert result.waitlists["a"] == (5, 1, 4, 2)  # 2, 3, 4, 5 in lottery order


def test_an_offer_no_longer_wanted_cannot_be_accepted(north, two_offers):
    """The school seated the child in its 1st choice meanwhile: the open offer of its 2nd
    choice (same time) is refused, not taken as a second seat at the same time."""
    from kehou.catalog.models import Offering as OfferingRow
    from kehou.testing import snapshots

    menu, mine, a, b, c, offers = two_offers
    OfferingRow.objects.filter(pk=a.pk).update(capacity=2)
    a.refresh_from_db()
    f.enrol(mine, a)
    before = snapshots.everything()
    with pytest.raises(ValidationError) as refused:
        enrollment_services.waitlist_accept(entry=offers[b.pk], actor=_guardian_user(mine))
    assert errors.codes(refused.value) == {"offer_not_wanted"}
    assert snapshots.everything() == before
