"""Notifications: an inbox for every user, and delivery over the channels they chose.

A `Notification` is one message to one user; it is their inbox item, whatever else
happens. Each channel the user chose (kehou.notifications.channels: e-mail through
Django's mail backends, SMS and WeChat template messages through adapters a deployment
plugs in) gets a `Delivery`, sent by the worker, retried with a growing pause, and every
attempt's outcome is kept on it. `key` makes a notification idempotent: the same event
(one absence, one seat offer) notifies a user once however often the code that noticed it
runs.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Notification(models.Model):
    class Kind(models.TextChoices):
        ABSENCE = "absence", _("Unexplained absence")
        LATE_COLLECTION = "late_collection", _("Not yet collected")
        DISMISSED = "dismissed", _("Left school")
        ALERT = "alert", _("Safety alert")
        LEAVE = "leave", _("Leave request")
        SEAT_OFFER = "seat_offer", _("A seat is offered")
        APPLICATION = "application", _("Application decision")
        PLACEMENT = "placement", _("Allocation result")
        GENERAL = "general", _("Notice")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="notifications", on_delete=models.CASCADE
    )
    school = models.ForeignKey(
        "org.School", null=True, blank=True, related_name="+", on_delete=models.CASCADE
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), max_length=2000)
    link = models.CharField(_("link"), max_length=300, blank=True)  # a path within kehou
    key = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            # The unread count in every page's navigation.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~Q(key=""),
                name="notification_once_per_key",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One notification on one channel: pending until the worker sends it, retried on a
    failure that may pass, given up after the last attempt."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        WECHAT = "wechat", _("WeChat")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        GAVE_UP = "gave_up", pgettext_lazy("delivery status", "Failed")

    notification = models.ForeignKey(
        Notification, related_name="deliveries", on_delete=models.CASCADE
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_reference = models.CharField(
        pgettext_lazy("delivery", "reference"), max_length=200, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.status}"


class ChannelChoice(models.Model):
    """Which channels a user wants besides the inbox, and where. No row = the defaults
    (`kehou.notifications.delivery.channels_for`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, related_name="channel_choice", on_delete=models.CASCADE
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    by_email = models.BooleanField(_("by e-mail"), default=False)
    by_sms = models.BooleanField(_("by SMS"), default=False)
    by_wechat = models.BooleanField(_("by WeChat"), default=False)
    wechat_openid = models.CharField(_("WeChat account id"), max_length=64, blank=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("channel choice")
        verbose_name_plural = _("channel choices")

    def __str__(self) -> str:
        return str(self.user_id)
