"""Delivery channels behind one interface: e-mail, SMS, WeChat template messages.

A channel knows where a user is reached on it (`address_for`) and sends one message
there (`send`, returning the provider's reference), raising `DeliveryFailed` when it could
not: `retry=True` for a failure that may pass (a timeout, a busy gateway), `retry=False`
for one that will not (an address the provider refuses). The worker
(kehou.notifications.delivery) records every attempt on the `Delivery`.

- E-mail goes through Django's mail backends (`EMAIL_BACKEND`, `DEFAULT_FROM_EMAIL`):
  SMTP in production, a file per message under var/mail in the demo, `mail.outbox` in tests.
- SMS and WeChat go through a gateway adapter the deployment plugs in, named by a dotted
  path in `KEHOU_SMS_GATEWAY` / `KEHOU_WECHAT_GATEWAY` (environment variables of the same
  names). kehou ships no real gateway: a provider's adapter is a class with
  `send(*, address, title, body, link) -> str` (see `Gateway`), and
  `kehou.notifications.testing.RecordingGateway` is the test double. With no gateway
  configured the channel is unavailable: the channel page says so and nothing is planned
  on it.
"""

from __future__ import annotations

import logging
import smtplib
from abc import ABC, abstractmethod
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("kehou.notifications")

EMAIL, SMS, WECHAT = "email", "sms", "wechat"  # Delivery.Channel values


class DeliveryFailed(Exception):
    """A channel could not send. `retry`: whether trying again later may succeed."""

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.message = str(message)
        self.retry = retry


class Gateway(Protocol):
    """What an SMS or WeChat adapter provides (a provider's SDK wrapped by the deployment).

    `address` is the mobile number (SMS) or the openid (WeChat); `link` is an absolute URL
    or "" (a WeChat template message opens it). Returns the provider's message id; raises
    DeliveryFailed on failure."""

    def send(self, *, address: str, title: str, body: str, link: str) -> str: ...


class Channel(ABC):
    """One way besides the inbox to reach a user."""

    name: str
    label = ""

    def available(self) -> bool:
        """Whether this deployment can send on this channel at all."""
        return True

    @abstractmethod
    def address_for(self, user, choice) -> str:
        """Where `user` is reached on this channel given their ChannelChoice (or None for
        the defaults); "" when they are not reached on it."""

    @abstractmethod
    def send(self, *, address: str, title: str, body: str, link: str) -> str:
        """Send one message; return the provider's reference or raise DeliveryFailed."""


def absolute(link: str) -> str:
    """A path within kehou as a URL a phone can open (settings.KEHOU_SITE_URL + path)."""
    if not link or "://" in link:
        return link
    base = getattr(settings, "KEHOU_SITE_URL", "").rstrip("/")
    return f"{base}{link}" if base else link


class EmailChannel(Channel):
    name = EMAIL
    label = _("E-mail")

    def address_for(self, user, choice) -> str:
        if choice is None or not choice.by_email:
            return ""
        return choice.email

    def send(self, *, address: str, title: str, body: str, link: str) -> str:
        text = f"{body}\n\n{absolute(link)}" if link else body
        try:
            sent = send_mail(
                subject=title,
                message=text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[address],
            )
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryFailed(f"address refused: {error}", retry=False) from error
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryFailed(f"{type(error).__name__}: {error}") from error
        if not sent:
            raise DeliveryFailed("the mail backend sent nothing")
        return ""


class GatewayChannel(Channel):
    """A channel whose sending is the deployment's adapter (SMS, WeChat)."""

    setting = ""

    def gateway(self) -> Gateway | None:
        return gateway(self.setting)

    def available(self) -> bool:
        return self.gateway() is not None

    def send(self, *, address: str, title: str, body: str, link: str) -> str:
        adapter = self.gateway()
        if adapter is None:
            raise DeliveryFailed(f"{self.setting} is not configured", retry=False)
        try:
            return str(adapter.send(address=address, title=title, body=body, link=absolute(link)))
        except DeliveryFailed:
            raise
        except Exception as error:  # a provider's SDK raises what it raises
            raise DeliveryFailed(f"{type(error).__name__}: {error}") from error


class SmsChannel(GatewayChannel):
    """A text message to the user's login phone (the number they sign in with)."""

    name = SMS
    label = _("SMS")
    setting = "KEHOU_SMS_GATEWAY"

    def address_for(self, user, choice) -> str:
        wanted = choice.by_sms if choice is not None else default_sms()
        return user.phone if wanted else ""


class WeChatChannel(GatewayChannel):
    """A WeChat template message to the openid the user gave (their account with the
    school's official account)."""

    name = WECHAT
    label = _("WeChat")
    setting = "KEHOU_WECHAT_GATEWAY"

    def address_for(self, user, choice) -> str:
        if choice is None or not choice.by_wechat:
            return ""
        return choice.wechat_openid


def default_sms() -> bool:
    """Without a choice of their own a user gets the inbox, and SMS to their login phone
    when the deployment has an SMS gateway (a guardian is told about an absence without
    having set anything up). `KEHOU_SMS_BY_DEFAULT=0` turns this off."""
    return bool(getattr(settings, "KEHOU_SMS_BY_DEFAULT", True))


CHANNELS: tuple[Channel, ...] = (EmailChannel(), SmsChannel(), WeChatChannel())


def all_channels() -> tuple[Channel, ...]:
    return CHANNELS


def channel(name: str) -> Channel:
    for each in CHANNELS:
        if each.name == name:
            return each
    raise KeyError(name)


_gateways: dict[str, object] = {}


def gateway(setting: str) -> Gateway | None:
    """The adapter instance named by the setting (one per process), or None."""
    path = getattr(settings, setting, "") or ""
    if not path:
        return None
    key = f"{setting}={path}"
    if key not in _gateways:
        try:
            _gateways[key] = import_string(path)()
        except Exception:
            # Unavailable, said once: the channel page shows it, nothing is planned on it.
            logger.exception("%s names %r, which could not be loaded", setting, path)
            _gateways[key] = None
    return _gateways[key]


@receiver(setting_changed)
def _forget_gateways(*, setting, **kwargs) -> None:
    if setting in ("KEHOU_SMS_GATEWAY", "KEHOU_WECHAT_GATEWAY"):
        _gateways.clear()
