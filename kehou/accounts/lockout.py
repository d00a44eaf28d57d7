"""Limits on guessing passwords (and activation details), by phone + address and by address.

Two counts of recent failures (`LoginFailure`), each over a sliding window:

- one phone from one network address: `ACCOUNT_FAILURES` failures within
  `ACCOUNT_WINDOW_MINUTES` pause logins to that phone *from that address*. Someone
  elsewhere typing wrong passwords for a teacher's phone does not lock the teacher out;
- one network address, whatever the phones: `ADDRESS_FAILURES` failures within
  `ADDRESS_WINDOW_MINUTES` pause every login from that address, so one machine cannot
  try a few passwords on each of many accounts. A school's or a carrier's shared
  address sees some typos, hence a higher limit (settings.LOGIN_LOCKOUT).

A pause ends when the oldest failure that caused it leaves its window. A try during a
pause is refused before the password is checked (even a right one) and is not stored,
so it does not extend the pause: the time the page gives is the true end.

The address is REMOTE_ADDR, or the header settings.LOGIN_CLIENT_ADDRESS_HEADER names
when a proxy in front sets it (nginx: `proxy_set_header X-Real-IP $remote_addr`).
A header a client could send itself must not be named there.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils import timezone

from kehou.accounts.models import LoginFailure
from kehou.lib.validators import mask_mobile, normalise_mobile

logger = logging.getLogger("kehou.accounts")

KEEP = datetime.timedelta(days=1)

DEFAULTS = {
    "ACCOUNT_FAILURES": 5,
    "ACCOUNT_WINDOW_MINUTES": 15,
    "ADDRESS_FAILURES": 30,
    "ADDRESS_WINDOW_MINUTES": 15,
}


@dataclass(frozen=True)
class Lock:
    """Logins are paused: for one phone from one address ("account") or for every
    phone from one address ("address"), until `until`."""

    scope: str
    until: datetime.datetime
    failures: int

    def minutes_left(self, now: datetime.datetime | None = None) -> int:
        seconds = (self.until - (now or timezone.now())).total_seconds()
        return max(1, -(-int(seconds) // 60))


def limits() -> dict[str, int]:
    return {**DEFAULTS, **getattr(settings, "LOGIN_LOCKOUT", {})}


def client_address(request) -> str:
    header = getattr(settings, "LOGIN_CLIENT_ADDRESS_HEADER", "")
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        if value:
            return value.split(",")[0].strip()[:45]
    return (request.META.get("REMOTE_ADDR") or "unknown")[:45]


def phone_of(username: object) -> str:
    return normalise_mobile(username)[:20]


def _lock(failures: QuerySet, limit: int, minutes: int, scope: str, now) -> Lock | None:
    window = datetime.timedelta(minutes=minutes)
    recent = list(
        failures.filter(at__gt=now - window).order_by("-at").values_list("at", flat=True)[:limit]
    )
    if limit < 1 or len(recent) < limit:
        return None
    # After the limit-th most recent failure leaves the window, fewer than `limit` remain.
    return Lock(scope=scope, until=recent[limit - 1] + window, failures=limit)


def lock_for(request, username: object, *, now: datetime.datetime | None = None) -> Lock | None:
    """The pause that stops a login to `username` from this request's address, if any
    (the one that ends later when both apply)."""
    now = now or timezone.now()
    rules = limits()
    address = client_address(request)
    from_address = LoginFailure.objects.filter(address=address)
    locks = [
        _lock(
            from_address.filter(phone=phone_of(username)),
            rules["ACCOUNT_FAILURES"],
            rules["ACCOUNT_WINDOW_MINUTES"],
            "account",
            now,
        ),
        _lock(
            from_address,
            rules["ADDRESS_FAILURES"],
            rules["ADDRESS_WINDOW_MINUTES"],
            "address",
            now,
        ),
    ]
    locks = [lock for lock in locks if lock]
    return max(locks, key=lambda lock: lock.until) if locks else None


def record_failure(request, username: object) -> None:
    now = timezone.now()
    phone, address = phone_of(username), client_address(request)
    LoginFailure.objects.create(phone=phone, address=address, at=now)
    LoginFailure.objects.filter(at__lt=now - KEEP).delete()
    logger.warning("login failed for %s from %s", mask_mobile(phone), address)


@receiver(user_login_failed, dispatch_uid="kehou.accounts.lockout.failed")
def _on_failure(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    lock = getattr(request, "login_lock", None)
    if lock is not None:
        # Refused because paused: not a guess that was checked, and storing it would
        # move the end of the pause.
        logger.warning(
            "login refused while paused (%s) for %s from %s",
            lock.scope,
            mask_mobile(phone_of(credentials.get("username"))),
            client_address(request),
        )
        return
    record_failure(request, credentials.get("username"))


@receiver(user_logged_in, dispatch_uid="kehou.accounts.lockout.logged_in")
def _on_success(sender, request, user, **kwargs):
    """A right password clears this phone's failures from this address; the address's
    failures for other phones stay, so logging in to one's own account does not reset
    the limit that protects the others."""
    if request is None:
        return
    address = client_address(request)
    LoginFailure.objects.filter(phone=user.phone, address=address).delete()
    logger.info("login of %s from %s", mask_mobile(user.phone), address)
