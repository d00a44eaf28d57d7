"""Reads for the inbox pages. Each takes the user: a user sees their own notifications
only, and another's is a 404 (it does not exist for them). A GET never writes."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from kehou.notifications import channels as ch
from kehou.notifications.models import ChannelChoice, Notification


def inbox(user) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    if not getattr(user, "pk", None):
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-pk")


def access_notification(user, pk: int) -> Notification:
    return get_object_or_404(inbox(user).prefetch_related("deliveries"), pk=pk)


def unread_count(user) -> int:
    """For the navigation on every page: one COUNT on the inbox index."""
    if not getattr(user, "is_authenticated", False) or not user.pk:
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def channel_choice(user) -> ChannelChoice | None:
    return ChannelChoice.objects.filter(user_id=user.pk).first()


@dataclass(frozen=True)
class ChannelState:
    name: str
    label: str
    available: bool
    address: str  # where the user is reached on it now ("" = not reached)


def channel_states(user) -> list[ChannelState]:
    """Each channel, whether this deployment can send on it, and where it reaches the
    user now (their choice, or the defaults)."""
    choice = channel_choice(user)
    out = []
    for channel in ch.all_channels():
        available = channel.available()
        address = channel.address_for(user, choice) if available else ""
        out.append(ChannelState(channel.name, str(channel.label), available, address))
    return out
