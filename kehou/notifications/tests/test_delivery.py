"""Deliveries: planned per chosen channel, sent by the worker once, retried with a
growing pause, given up; e-mail through Django's mail backend, SMS through the gateway."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kehou.core import scheduler
from kehou.notifications import delivery
from kehou.notifications.models import ChannelChoice, Delivery, Notification
from kehou.notifications.services import notify
from kehou.testing.clock import freeze_now
from kehou.testing.worker import run_queued_tasks

Status = Delivery.Status


def _tell(user, key="absence:1", **kw):
    return notify(
        recipients=[user],
        kind=Notification.Kind.ABSENCE,
        title=kw.pop("title", "王小北今天未到"),
        body=kw.pop("body", "课后服务点名时王小北未到，也没有请假。"),
        link=kw.pop("link", "/inbox/"),
        key=key,
        **kw,
    )


def test_without_a_choice_or_gateway_the_inbox_alone_gets_it(north):
    [notification] = _tell(north.guardian_user)
    assert notification.recipient == north.guardian_user
    assert not Delivery.objects.exists()


def test_an_email_reaches_the_outbox_through_the_worker(north, django_capture_on_commit_callbacks):
    # given a guardian who chose e-mail
    ChannelChoice.objects.create(user=north.guardian_user, by_email=True, email="mum@example.cn")
    # when a notice is sent and the transaction commits, then the worker runs
    with django_capture_on_commit_callbacks(execute=True):
        _tell(north.guardian_user)
    assert run_queued_tasks() == 1
    # then the mail went out and the delivery says so
    [message] = mail.outbox
    assert message.to == ["mum@example.cn"]
    assert message.subject == "王小北今天未到"
    assert "没有请假" in message.body and "/inbox/" in message.body
    sent = Delivery.objects.get()
    assert (sent.channel, sent.status, sent.attempts) == ("email", Status.SENT, 1)
    assert sent.sent_at is not None and sent.last_error == ""


def test_the_site_address_makes_the_link_absolute(north, settings):
    settings.KEHOU_SITE_URL = "https://kehou.example.cn/"
    ChannelChoice.objects.create(user=north.guardian_user, by_email=True, email="mum@example.cn")
    _tell(north.guardian_user, link="/allocation/mine/")
    delivery.send_due()
    assert "https://kehou.example.cn/allocation/mine/" in mail.outbox[0].body


def test_sms_goes_to_the_login_phone_by_default_through_the_gateway(north, sms):
    _tell(north.guardian_user)
    planned = Delivery.objects.get()
    assert (planned.channel, planned.address) == ("sms", north.guardian_user.phone)
    assert delivery.send_due()["sent"] == 1
    [message] = sms.sent
    assert message.address == north.guardian_user.phone
    assert message.title == "王小北今天未到"
    planned.refresh_from_db()
    assert planned.status == Status.SENT and planned.provider_reference == message.reference


def test_a_user_who_turned_sms_off_gets_none(north, sms):
    ChannelChoice.objects.create(user=north.guardian_user, by_sms=False)
    _tell(north.guardian_user)
    assert not Delivery.objects.exists()


def test_wechat_goes_to_the_openid_given(north, wechat):
    ChannelChoice.objects.create(
        user=north.guardian_user, by_wechat=True, wechat_openid="oABC123_def-456"
    )
    _tell(north.guardian_user)
    delivery.send_due()
    assert [m.address for m in wechat.sent] == ["oABC123_def-456"]


def test_a_gateway_that_cannot_be_loaded_is_unavailable_and_nothing_crashes(north, settings):
    settings.KEHOU_SMS_GATEWAY = "kehou.nowhere.Gateway"
    ChannelChoice.objects.create(user=north.guardian_user, by_sms=True)
    _tell(north.guardian_user)
    assert not Delivery.objects.exists()


def test_the_same_key_notifies_once(north, sms):
    first = _tell(north.guardian_user, key="absence:7")
    again = _tell(north.guardian_user, key="absence:7")
    assert len(first) == 1 and again == []
    assert Notification.objects.count() == 1 and Delivery.objects.count() == 1
    # another event, or another recipient, is another notification
    _tell(north.guardian_user, key="absence:8")
    _tell(north.teacher, key="absence:7")
    assert Notification.objects.count() == 3


def test_planning_twice_makes_no_second_delivery(north, sms):
    notifications = _tell(north.guardian_user)
    delivery.plan(notifications)
    assert Delivery.objects.count() == 1


def test_an_inactive_user_is_not_notified(north):
    north.guardian_user.is_active = False
    north.guardian_user.save()
    assert _tell(north.guardian_user) == []


def test_a_failure_is_retried_after_a_pause_then_sent(north, sms):
    t0 = timezone.now()
    with freeze_now(t0):
        _tell(north.guardian_user)
    sms.fail_times(2)
    with freeze_now(t0):
        assert delivery.send_due()["failed"] == 1
        # not due again at once
        assert delivery.send_due() == {"sent": 0, "failed": 0, "gave_up": 0, "taken": 0}
    row = Delivery.objects.get()
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert row.next_attempt_at == t0 + dt.timedelta(minutes=1)
    assert "told to fail" in row.last_error
    with freeze_now(t0 + dt.timedelta(minutes=1)):
        delivery.send_due()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 2)
    assert row.next_attempt_at == t0 + dt.timedelta(minutes=3)  # then 2 minutes
    with freeze_now(t0 + dt.timedelta(minutes=3)):
        assert delivery.send_due()["sent"] == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 3, "")
    assert len(sms.sent) == 1


def test_it_gives_up_after_the_last_attempt(north, sms, settings):
    settings.KEHOU_DELIVERY_MAX_ATTEMPTS = 3
    _tell(north.guardian_user)
    sms.fail_times(99)
    moment = timezone.now()
    for _attempt in range(5):
        with freeze_now(moment):
            delivery.send_due()
        moment += dt.timedelta(hours=2)
    row = Delivery.objects.get()
    assert (row.status, row.attempts) == (Status.GAVE_UP, 3)
    assert sms.calls == 3 and sms.sent == []


def test_a_failure_that_will_not_pass_gives_up_at_once(north, sms):
    _tell(north.guardian_user)
    sms.fail_times(1, retry=False)
    delivery.send_due()
    row = Delivery.objects.get()
    assert (row.status, row.attempts) == (Status.GAVE_UP, 1)


def test_a_channel_that_raises_anything_counts_as_a_failure(north, sms, monkeypatch):
    _tell(north.guardian_user)
    monkeypatch.setattr(sms, "send", lambda **kw: 1 / 0)
    assert delivery.send_due()["failed"] == 1
    assert "ZeroDivisionError" in Delivery.objects.get().last_error


def test_two_claims_of_one_delivery_one_wins(north, sms):
    _tell(north.guardian_user)
    row = Delivery.objects.get()
    now = timezone.now()
    assert delivery.claim(row.pk, row.attempts, now) is True
    assert delivery.claim(row.pk, row.attempts, now) is False
    # and the claim holds it: nothing is due until the claim expires
    assert delivery.send_due(now) == {"sent": 0, "failed": 0, "gave_up": 0, "taken": 0}


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_delivery_exactly_once(north, sms):
    # given twenty guardians told at once
    users = [north.guardian_user, north.teacher, north.admin, north.gate]
    for number, user in enumerate(users):
        _tell(user, key=f"absence:{number}")
    sms.delay = 0.02
    assert Delivery.objects.count() == len(users)
    # when two workers send at the same moment
    start = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            start.wait()
            outcomes.append(delivery.send_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then each was sent once, by one of them
    assert len(outcomes) == 2
    assert sorted(m.address for m in sms.sent) == sorted(u.phone for u in users)
    assert sum(o["sent"] for o in outcomes) == len(users)
    assert set(Delivery.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


def test_one_sending_task_per_transaction_however_many_notices(
    north, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for number in range(5):
            _tell(north.guardian_user, key=f"absence:{number}")
    assert DBTaskResult.objects.count() == 1
    run_queued_tasks()
    assert len(sms.sent) == 5


def test_the_retry_sweep_runs_every_minute():
    jobs = scheduler.discover()
    sweep = jobs["kehou.notifications.tasks.deliveries_retry_task"]
    assert sweep.every == dt.timedelta(minutes=1)


def test_a_pending_delivery_whose_sending_was_lost_goes_with_the_sweep(north, sms):
    # given a notice whose enqueued sending never ran (no commit callback here)
    _tell(north.guardian_user)
    assert not DBTaskResult.objects.exists()
    # when the scheduler's tick enqueues the sweep and the worker runs it
    scheduler.tick()
    run_queued_tasks()
    # then it was sent
    assert len(sms.sent) == 1
