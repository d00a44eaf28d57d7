"""Sending notifications. `notify` is how every other app tells someone something.

It is called by a service that has already checked its actor's scope, inside that
service's transaction: the inbox items and their deliveries are written with the event
that caused them (or not at all), and the worker is asked to send them after commit.
Texts are stored as given, in the school's language (callers build them under
`in_inbox_language()`), because a message sent by the worker has no request to take a
language from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kehou.accounts.models import User
from kehou.core.errors import Problems
from kehou.notifications import channels as ch
from kehou.notifications.models import ChannelChoice, Notification
from kehou.org import access


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

    key = key or None
    users = {u.pk: u for u in recipients if u is not None and u.pk and u.is_active}
    if not users:
        return []
    if key is not None:
        already = {n.recipient_id for n in _with_key(list(users), key)}
        users = {pk: u for pk, u in users.items() if pk not in already}
        if not users:
            return []
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
        batch_size=CHUNK,
    )
    if key is not None:
        created = _with_key(list(users), key)
    deliveries = delivery.plan(created)
    if deliveries:
        delivery.enqueue_after_commit()
    return created


CHUNK = 900  # recipients per query (SQLite's older limit on parameters)


def _with_key(user_ids: list[int], key: str) -> list[Notification]:
    return [
        n
        for start in range(0, len(user_ids), CHUNK)
        for n in Notification.objects.filter(
            recipient_id__in=user_ids[start : start + CHUNK], key=key
        ).select_related("recipient")
    ]


# --------------------------------------------------------------------------- the inbox


def _require_own(actor, user) -> None:
    """A user's inbox and channels are theirs alone (kehou itself may act for them)."""
    if actor is access.SYSTEM:
        return
    if not access.is_acting(actor) or not isinstance(actor, User) or actor.pk != user.pk:
        raise access.OutOfScope


def notification_read(*, notification: Notification, actor) -> Notification:
    """The recipient has read it (opening it, or "mark read"); a second time changes
    nothing. The row records the moment; only its recipient may mark it."""
    _require_own(actor, notification.recipient)
    now = timezone.now()
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
    notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_read_all(*, actor) -> int:
    """Mark every unread notification of the actor's own inbox read; returns how many."""
    if not access.is_acting(actor) or not isinstance(actor, User) or not actor.pk:
        raise access.OutOfScope
    with transaction.atomic():
        return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
            read_at=timezone.now()
        )


# --------------------------------------------------------------------------- channels

OPENID = re.compile(r"[A-Za-z0-9_-]{6,64}", re.ASCII)


def channel_choice_save(
    *,
    user: User,
    actor,
    by_email: bool = False,
    email: str = "",
    by_sms: bool = False,
    by_wechat: bool = False,
    wechat_openid: str = "",
) -> ChannelChoice:
    """Save which channels besides the inbox reach `user`, and where (their own choice).

    Refused, every problem at once: e-mail without a valid address, WeChat without a
    valid account id, a channel this deployment cannot send on. An address may stay when
    its channel is off (it is kept for the next time)."""
    _require_own(actor, user)
    email = (email or "").strip()
    wechat_openid = (wechat_openid or "").strip()
    problems = Problems()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.add(
                "email_invalid",
                _("“%(email)s” is not an e-mail address."),
                field="email",
                email=email[:100],
            )
        if len(email) > 254:
            problems.add("email_too_long", _("The e-mail address is too long."), field="email")
    elif by_email:
        problems.add(
            "email_required",
            _("Give the e-mail address to send notifications to, or leave e-mail off."),
            field="email",
        )
    if wechat_openid and not OPENID.fullmatch(wechat_openid):
        problems.add(
            "wechat_openid_invalid",
            _("The WeChat account id is 6 to 64 letters, digits, “-” or “_”."),
            field="wechat_openid",
        )
    elif by_wechat and not wechat_openid:
        problems.add(
            "wechat_openid_required",
            _("Give your WeChat account id, or leave WeChat off."),
            field="wechat_openid",
        )
    for wanted, name, field in ((by_sms, ch.SMS, "by_sms"), (by_wechat, ch.WECHAT, "by_wechat")):
        channel = ch.channel(name)
        if wanted and not channel.available():
            problems.add(
                "channel_unavailable",
                _("%(channel)s cannot be sent from this service yet."),
                field=field,
                channel=channel.label,
            )
    problems.raise_if_any()
    with transaction.atomic():
        choice, _created = ChannelChoice.objects.update_or_create(
            user=user,
            defaults={
                "by_email": bool(by_email),
                "email": email,
                "by_sms": bool(by_sms),
                "by_wechat": bool(by_wechat),
                "wechat_openid": wechat_openid,
            },
        )
    return choice
