"""Deliveries: planning one per chosen channel, and the worker's sending of them.

`plan` gives each new notification one `Delivery` per channel its recipient is reached on
(`channels_for`): the channels of their `ChannelChoice`, or without one the defaults (the
inbox, plus SMS to the login phone when an SMS gateway is configured; see
`kehou.notifications.channels.default_sms`). A channel the deployment cannot send on
(no gateway) gets no delivery.

`send_due` is the worker's part (kehou.notifications.tasks): each delivery that is due
(pending, or failed with its next attempt come) is claimed by a conditional UPDATE that
counts the attempt and pushes `next_attempt_at` past the time one send may take, so two
workers never send it twice; the outcome is then written: sent (with the provider's
reference), failed with the next attempt after a pause that doubles each time, or given
up after `KEHOU_DELIVERY_MAX_ATTEMPTS` or a failure that will not pass. A worker that dies
between the claim and the outcome leaves the delivery due again once the claim expires,
so a delivery is sent at least once and, short of such a crash, exactly once.

Timing: `notify` asks the worker to send right after its transaction commits, and the
retry sweep runs every minute, so a guardian is reached within a minute or two unless the
channel itself is failing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from kehou.notifications import channels as ch
from kehou.notifications.models import ChannelChoice, Delivery, Notification

logger = logging.getLogger("kehou.notifications")

Status = Delivery.Status
DUE = (Status.PENDING, Status.FAILED)
# How long a claim holds a delivery: longer than one send may take (the SMTP timeout).
CLAIM = dt.timedelta(minutes=2)
FIRST_PAUSE = dt.timedelta(minutes=1)
LONGEST_PAUSE = dt.timedelta(hours=1)
BATCH = 200


def max_attempts() -> int:
    return int(getattr(settings, "KEHOU_DELIVERY_MAX_ATTEMPTS", 6))


def pause_after(attempts: int) -> dt.timedelta:
    """The wait before the next attempt after `attempts` failed ones: 1, 2, 4 … minutes,
    at most an hour."""
    return min(FIRST_PAUSE * (2 ** max(attempts - 1, 0)), LONGEST_PAUSE)


# --------------------------------------------------------------------------- planning


def channels_for(user, choice: ChannelChoice | None) -> list[tuple[str, str]]:
    """(channel, address) for each channel besides the inbox that reaches `user` now."""
    out = []
    for channel in ch.all_channels():
        address = channel.address_for(user, choice)
        if address and channel.available():
            out.append((channel.name, address))
    return out


def plan(notifications: Sequence[Notification]) -> list[Delivery]:
    """One pending Delivery per (notification, chosen channel); a notification that has
    its deliveries already is not planned again (UNIQUE notification + channel)."""
    notifications = [n for n in notifications if n.pk]
    if not notifications:
        return []
    recipients = {n.recipient_id for n in notifications}
    choices = {c.user_id: c for c in ChannelChoice.objects.filter(user_id__in=recipients)}
    users = {n.recipient_id: n.recipient for n in notifications}
    reach = {pk: channels_for(user, choices.get(pk)) for pk, user in users.items()}
    now = timezone.now()
    planned = [
        Delivery(notification=n, channel=name, address=address[:200], next_attempt_at=now)
        for n in notifications
        for name, address in reach[n.recipient_id]
    ]
    if planned:
        Delivery.objects.bulk_create(planned, batch_size=1000, ignore_conflicts=True)
    return planned


def enqueue_sending() -> None:
    """Ask the worker to send what is due now (a failure to enqueue is caught by the
    retry sweep a minute later, so it never fails the caller)."""
    from kehou.notifications.tasks import deliveries_send_task

    try:
        deliveries_send_task.enqueue()
    except Exception:
        logger.exception("could not enqueue the sending of notifications")


def enqueue_after_commit() -> None:
    """`enqueue_sending` once the current transaction commits, once per transaction
    however many notifications it made (an allocation notifies thousands of families)."""
    if any(callback is enqueue_sending for _sids, callback, _robust in connection.run_on_commit):
        return
    transaction.on_commit(enqueue_sending, robust=True)


# --------------------------------------------------------------------------- sending


def due(now: dt.datetime) -> Q:
    return Q(status__in=DUE, next_attempt_at__lte=now)


def claim(delivery_id: int, attempts: int, now: dt.datetime) -> bool:
    """Take the delivery for one attempt; False if another worker has it (or it is no
    longer due). The UPDATE re-reads the row it changes, so of two workers racing for it
    exactly one sees `attempts` unchanged."""
    return bool(
        Delivery.objects.filter(due(now), pk=delivery_id, attempts=attempts).update(
            attempts=F("attempts") + 1, next_attempt_at=timezone.now() + CLAIM
        )
    )


def send_one(delivery: Delivery, now: dt.datetime | None = None) -> str:
    """Claim and attempt one delivery; returns its status afterwards ("" if not claimed)."""
    now = now or timezone.now()
    if not claim(delivery.pk, delivery.attempts, now):
        return ""
    attempts = delivery.attempts + 1
    notification = delivery.notification
    try:
        reference = ch.channel(delivery.channel).send(
            address=delivery.address,
            title=notification.title,
            body=notification.body,
            link=notification.link,
        )
    except ch.DeliveryFailed as failure:
        return _failed(delivery, attempts, failure)
    except Exception as error:  # a channel's bug must not stop the other deliveries
        logger.exception("delivery %s: the %s channel failed", delivery.pk, delivery.channel)
        return _failed(delivery, attempts, ch.DeliveryFailed(f"{type(error).__name__}: {error}"))
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        provider_reference=str(reference or "")[:200],
        last_error="",
    )
    return Status.SENT


def _failed(delivery: Delivery, attempts: int, failure: ch.DeliveryFailed) -> str:
    give_up = not failure.retry or attempts >= max_attempts()
    status = Status.GAVE_UP if give_up else Status.FAILED
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status,
        last_error=failure.message[:500],
        next_attempt_at=timezone.now() + pause_after(attempts),
    )
    logger.warning(
        "delivery %s (%s) attempt %d failed%s: %s",
        delivery.pk,
        delivery.channel,
        attempts,
        ", giving up" if give_up else "",
        failure.message,
    )
    return status


def send_due(now: dt.datetime | None = None, *, limit: int | None = None) -> dict[str, int]:
    """Send every delivery due at `now` (the worker). Returns counts by outcome."""
    now = now or timezone.now()
    counts = {Status.SENT: 0, Status.FAILED: 0, Status.GAVE_UP: 0, "taken": 0}
    done = 0
    seen: set[int] = set()
    while limit is None or done < limit:
        batch = list(
            Delivery.objects.filter(due(now))
            .exclude(pk__in=seen)
            .select_related("notification")
            .order_by("next_attempt_at", "pk")[:BATCH]
        )
        if not batch:
            break
        for delivery in batch:
            seen.add(delivery.pk)
            outcome = send_one(delivery, now)
            counts[outcome or "taken"] += 1
            done += 1
            if limit is not None and done >= limit:
                break
    return {str(k): v for k, v in counts.items()}
