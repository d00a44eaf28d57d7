from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kehou.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from kehou.accounts import lockout  # noqa: F401  (connects the login signals)
