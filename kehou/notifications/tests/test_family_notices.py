"""Families hear of what they must act on: a seat offered from the waiting list, the
school's decision on an application, the allocation's results; each once."""

import datetime as dt

import pytest
from django.utils import timezone

from kehou.catalog.models import Menu
from kehou.enrollment import seats
from kehou.enrollment import services as enrollment
from kehou.enrollment.models import WaitlistEntry
from kehou.notifications.models import Delivery, Notification
from kehou.org.access import SYSTEM, OutOfScope
from kehou.placement import services as placement
from kehou.testing import factories as f
from kehou.testing.worker import run_queued_tasks


@pytest.fixture
def term():
    today = timezone.localdate()
    return f.TermFactory(start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=90))


def _waiting(north, term):
    menu = f.menu(north.school, term=term, status=Menu.Status.ALLOCATED)
    offering = f.offering(menu, "剪纸", capacity=1)
    app = f.application(north.child, term, choices=[offering])
    WaitlistEntry.objects.create(
        offering=offering, student=north.child, application=app, tier=1, lottery_number=1
    )
    return offering


def test_an_offer_reaches_the_guardians_inbox_once(north, south, term):
    offering = _waiting(north, term)
    [entry] = seats.offer_free_seats(offering_id=offering.pk, actor=SYSTEM)
    [notice] = Notification.objects.all()
    assert notice.recipient == north.guardian_user
    assert notice.kind == Notification.Kind.SEAT_OFFER
    assert notice.link == "/allocation/mine/"
    assert "剪纸" in notice.title and north.child.name in notice.title
    assert timezone.localtime(entry.respond_by).strftime("%Y-%m-%d %H:%M") in notice.body
    assert notice.school == north.school
    # the sweep running again offers nothing new and tells nobody twice
    assert seats.offer_all_free_seats(actor=SYSTEM) == 0
    assert Notification.objects.count() == 1
    assert not Notification.objects.filter(recipient=south.guardian_user).exists()


def test_the_offer_goes_out_by_sms_through_the_worker(
    north, term, sms, django_capture_on_commit_callbacks
):
    offering = _waiting(north, term)
    with django_capture_on_commit_callbacks(execute=True):
        seats.offer_free_seats(offering_id=offering.pk, actor=SYSTEM)
    run_queued_tasks()
    [message] = sms.sent
    assert message.address == north.guardian_user.phone and "剪纸" in message.title
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_a_guardian_without_a_login_is_simply_not_told(north, term):
    north.guardian.user = None
    north.guardian.save()
    seats.offer_free_seats(offering_id=_waiting(north, term).pk, actor=SYSTEM)
    assert WaitlistEntry.objects.get().status == WaitlistEntry.Status.OFFERED
    assert not Notification.objects.exists()


def test_an_approval_tells_the_family(north, term):
    app = f.application(north.child, term, status="teacher_reviewed")
    enrollment.application_approve(application=app, actor=north.admin)
    [notice] = Notification.objects.filter(recipient=north.guardian_user)
    assert notice.kind == Notification.Kind.APPLICATION
    assert "已获批准" in notice.title and notice.link == "/apply/family/"


def test_a_refusal_tells_the_family_the_reason(north, term):
    app = f.application(north.child, term, status="teacher_reviewed")
    enrollment.application_refuse(application=app, actor=north.admin, reason="名额已满")
    [notice] = Notification.objects.filter(recipient=north.guardian_user)
    assert "未获批准" in notice.title and "名额已满" in notice.body


def test_a_refused_decision_tells_nobody(north, south, term):
    app = f.application(north.child, term, status="teacher_reviewed")
    with pytest.raises(OutOfScope):
        enrollment.application_approve(application=app, actor=south.admin)
    assert not Notification.objects.exists()


def test_the_allocation_results_reach_every_family(north, term):
    menu = f.menu(north.school, term=term, status=Menu.Status.CLOSED)
    a = f.offering(menu, "A 剪纸", capacity=1)
    f.homework(menu, capacity=5)
    other = f.child(north.school, north.school_class, name="张小二")
    f.application(north.child, term, choices=[a])
    f.application(other, term, choices=[a])
    placement.allocation_run(menu=menu, actor=north.admin, confirmed=True)
    notices = Notification.objects.filter(kind=Notification.Kind.PLACEMENT)
    other_guardian = other.guardian_links.get().guardian
    assert other_guardian.user is None  # a guardian without a login is not told
    assert [n.recipient for n in notices] == [north.guardian_user]
    assert notices.get().link == "/allocation/mine/"


def test_a_trial_run_tells_nobody(north, term):
    menu = f.menu(north.school, term=term, status=Menu.Status.CLOSED)
    a = f.offering(menu, "A 剪纸", capacity=1)
    f.homework(menu, capacity=5)
    f.application(north.child, term, choices=[a])
    placement.allocation_run(menu=menu, actor=north.admin, dry_run=True)
    assert not Notification.objects.exists()
