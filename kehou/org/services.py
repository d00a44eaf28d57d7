"""Writes of the organisation's people (SPEC R2, R26): a guardian's own activation."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kehou.accounts.models import User
from kehou.core.errors import refusal
from kehou.lib.validators import is_mobile, normalise_mobile
from kehou.org.models import Guardian

# One message for every mismatch: it must not tell a stranger which of phone, number
# or name was right.
ACTIVATION_REFUSED = _(
    "These details do not match the school's records, or the account is already active. "
    "Check them, or ask your child's class teacher."
)


@transaction.atomic
def guardian_activate(*, phone: str, student_number: str, child_name: str, password: str) -> User:
    """Create the login of a guardian who came from a roster (Guardian without user).

    The guardian proves who they are with their phone on record, and their child's
    student number and name together; no one else acts here (the guardian has no login
    yet), so there is no actor to check. Any mismatch is one refusal,
    `activation_refused`, and writes nothing."""
    phone = normalise_mobile(phone)
    if not is_mobile(phone):
        raise refusal("activation_refused", ACTIVATION_REFUSED)
    guardian = (
        Guardian.objects.select_for_update(of=("self",))
        .filter(
            phone=phone,
            user__isnull=True,
            student_links__student__student_number__iexact=student_number.strip(),
            student_links__student__name="".join(child_name.split()),
            student_links__student__is_active=True,
        )
        .first()
    )
    if guardian is None or User.objects.filter(phone=phone).exists():
        raise refusal("activation_refused", ACTIVATION_REFUSED)
    user = User.objects.create_user(phone, password, name=guardian.name, role=User.Role.GUARDIAN)
    guardian.user = user
    guardian.save(update_fields=["user"])
    return user
