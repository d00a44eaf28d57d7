"""Writes of passwords (issue 8, item 9; research S2): one's own change, and the temporary
password a school admin gives (docs/adr/0008).

`password_change` is the user acting on their own account: it needs their current
password (or the temporary one) and no other scope. `temporary_password_give` is the
write under the school admin's resets; it checks no scope itself and is called only by
the scoped services in kehou.org.services (`staff_password_reset`,
`guardian_password_reset`), which decide who may reset whom (kehou.org.access).
Both are audited: an auditlog entry on the user, without the password.
"""

import datetime
import secrets

from auditlog.models import LogEntry
from django.contrib.auth import password_validation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehou.accounts.models import User
from kehou.core.errors import Problems, refusal

# Letters and digits that cannot be mistaken for each other when read out or written
# down (no 0/O, 1/l/I): the admin reads the password to the person or hands it on paper.
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TEMPORARY_LENGTH = 10
TEMPORARY_VALID = datetime.timedelta(days=7)


def password_problems(
    password: str, user: User, *, field: str, problems: Problems | None = None
) -> Problems:
    """The rules of settings.AUTH_PASSWORD_VALIDATORS as refusals on `field` (added to
    `problems` when given)."""
    problems = Problems() if problems is None else problems
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        for error in exc.error_list:
            problems.add(
                error.code or "password_invalid", error.message, field=field, **(error.params or {})
            )
    return problems


def password_change(*, user: User, current_password: str, new_password: str) -> None:
    """The user chooses a new password. Refused (writes nothing) when the current
    password is wrong or the new one breaks a rule; after a temporary password the new
    one must differ from it."""
    if not (user and user.is_authenticated and user.is_active and isinstance(user, User)):
        raise refusal("not_signed_in", _("Log in first."))
    problems = Problems()
    if not user.check_password(current_password):
        problems.add(
            "current_password_wrong",
            _("The current password is wrong."),
            field="current_password",
        )
    elif current_password == new_password:
        problems.add(
            "password_unchanged",
            _("The new password must differ from the current one."),
            field="new_password",
        )
    password_problems(new_password, user, field="new_password", problems=problems)
    problems.raise_if_any()
    with transaction.atomic():
        user.set_password(new_password)
        user.temporary_password_until = None
        user.save(update_fields=["password", "temporary_password_until"])
        _log(user, actor=user, event="password_changed")


def temporary_password_give(*, user: User, given_by: User | None) -> str:
    """A new temporary password for `user`, returned once to be shown to the admin and
    never stored in clear. It opens only the page to choose a new password, for
    TEMPORARY_VALID; the old password stops working at once, and so do the user's
    sessions (their session hash follows the password). Call inside the caller's
    transaction, after its scope check."""
    password = "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(TEMPORARY_LENGTH))
    user.set_password(password)
    user.temporary_password_until = timezone.now() + TEMPORARY_VALID
    user.save(update_fields=["password", "temporary_password_until"])
    _log(user, actor=given_by, event="temporary_password_given")
    return password


def _log(user: User, *, actor, event: str) -> None:
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=str(user.pk),
        object_id=user.pk,
        object_repr=str(user.name)[:200],
        action=LogEntry.Action.UPDATE,
        changes={"password": ["***", "***"]},
        actor=actor if isinstance(actor, User) and actor.pk else None,
        additional_data={"event": event},
    )
