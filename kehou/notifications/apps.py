from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "kehou.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # A user's choice of channels and addresses is kept with its history. Inbox items
        # and deliveries record their own story (read_at; attempts, sent_at, last_error).
        from auditlog.registry import auditlog

        from kehou.notifications.models import ChannelChoice

        if not auditlog.contains(ChannelChoice):
            auditlog.register(ChannelChoice, mask_fields=["email", "wechat_openid"])
