"""Sending notifications. `notify` is how every other app tells someone something.

It is called by a service that has already checked its actor's scope, inside that
service's transaction: the inbox items and their deliveries are written with the event
that caused them (or not at all), and the worker is asked to send them after commit.
Texts are stored as given, in the school's language (callers build them under
`in_inbox_language()`), because a message sent by the worker has no request to take a
language from.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import translation

from kehou.accounts.models import User
from kehou.notifications.models import Notification


def in_inbox_language():
    """The language notifications are written in (the site's default, Chinese)."""
    return translation.override(settings.LANGUAGE_CODE)


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str,
    link: str = "",
    key: str | None = None,
    school=None,
) -> list[Notification]:
    """Put a message in each recipient's inbox and queue it on the channels each chose.

    `key` names the event (e.g. "absence:<attendance id>"): a recipient who already has a
    notification with this key gets nothing new, so the code that noticed the event may
    run again safely. Returns the notifications created.
    """
    from kehou.notifications import delivery

    users = {u.pk: u for u in recipients if u is not None and u.pk and u.is_active}
    if not users:
        return []
    if key is not None:
        already = set(
            Notification.objects.filter(recipient_id__in=list(users), key=key).values_list(
                "recipient_id", flat=True
            )
        )
        users = {pk: u for pk, u in users.items() if pk not in already}
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                school=school,
                kind=kind,
                title=str(title)[:200],
                body=str(body)[:2000],
                link=link,
                key=key or "",
            )
            for user in users.values()
        ],
        ignore_conflicts=key is not None,
    )
    if key is not None:
        created = list(Notification.objects.filter(recipient_id__in=list(users), key=key))
    deliveries = delivery.plan(created)
    if deliveries:
        transaction.on_commit(delivery.enqueue_sending)
    return created
