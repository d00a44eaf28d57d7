"""Writes of custody and dismissal (SPEC R16): walk-home consent, hand-over, dismissal,
alerts, duty, the end-of-day rules and the gate's visitor register.

Every service checks its actor's scope first (`kehou.org.access` and the few rules of
this module's `_require_*`), validates everything, then writes in one
`transaction.atomic`. Custody rows change only through `kehou.custody.chain`.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehou.core.errors import Problems, refusal
from kehou.custody.models import WalkHomeConsent
from kehou.org import access
from kehou.org.models import Guardian, Student, StudentGuardian

STATEMENT_MAX = 1000


# ----- walk-home consent (自行离校) ---------------------------------------------------------


def consent_in_force(student_id: int, day: dt.date) -> WalkHomeConsent | None:
    """The consent on file that lets the child walk home alone on `day`: not withdrawn,
    from valid_from, until valid_until (or open-ended). The newest when several."""
    return (
        WalkHomeConsent.objects.filter(
            student_id=student_id, withdrawn_at__isnull=True, valid_from__lte=day
        )
        .exclude(valid_until__lt=day)
        .order_by("-recorded_at", "-pk")
        .first()
    )


@transaction.atomic
def walk_home_consent_give(
    *,
    student: Student,
    guardian: Guardian,
    statement: str,
    valid_from: dt.date,
    valid_until: dt.date | None,
    on_paper: bool,
    actor,
) -> WalkHomeConsent:
    """A guardian's written consent that the child walks home alone, on file.

    Given in the app by the guardian themself (`guardian` is then their own record), or
    recorded by the child's school admin from a signed paper form (`on_paper` must then
    be true, and `guardian` is one of the child's guardians who signed it)."""
    student = Student.objects.select_related("school").get(pk=student.pk)
    own = access.require_guardian_or_school_admin(actor, student)
    recorder = _person(actor)
    problems = Problems()
    if own is not None and own.pk != guardian.pk:
        raise access.OutOfScope
    if own is None and not on_paper:
        problems.add(
            "consent_needs_paper",
            _("The school records a consent only from a form the guardian signed."),
            field="on_paper",
        )
    if not StudentGuardian.objects.filter(student=student, guardian_id=guardian.pk).exists():
        problems.add(
            "not_a_guardian",
            _("%(name)s is not one of this child's guardians."),
            field="guardian",
            name=guardian.name,
        )
    statement = (statement or "").strip()
    if not statement:
        problems.add(
            "statement_required",
            _("Write what the guardian agrees to (e.g. the way home)."),
            field="statement",
        )
    elif len(statement) > STATEMENT_MAX:
        problems.add(
            "statement_too_long",
            _("The statement is at most %(n)s characters."),
            field="statement",
            n=STATEMENT_MAX,
        )
    today = timezone.localdate()
    if not isinstance(valid_from, dt.date):
        problems.add("valid_from_required", _("Give the first day."), field="valid_from")
    elif valid_until is not None:
        if valid_until < valid_from:
            problems.add(
                "consent_range_reversed",
                _("The last day is before the first day."),
                field="valid_until",
            )
        elif valid_until < today:
            problems.add(
                "consent_already_over",
                _("The last day has already passed."),
                field="valid_until",
            )
    if not student.is_active:
        problems.add("student_not_on_roll", _("The child is no longer on the school's roll."))
    problems.raise_if_any()
    return WalkHomeConsent.objects.create(
        school_id=student.school_id,
        student=student,
        guardian_id=guardian.pk,
        statement=statement,
        on_paper=bool(on_paper),
        valid_from=valid_from,
        valid_until=valid_until,
        recorded_by=recorder,
    )


def _person(actor):
    """The signed-in user who acts; kehou itself (SYSTEM) records none of these."""
    user = access.user_of(actor)
    if user is None:
        raise refusal("needs_a_person", _("A person must record this."))
    return user


@transaction.atomic
def walk_home_consent_withdraw(*, consent: WalkHomeConsent, actor) -> WalkHomeConsent:
    """The guardian (any guardian of the child) or the school admin withdraws a consent;
    from now on the child is not let walk home alone on it. Withdrawing twice changes
    nothing the second time."""
    target = (
        WalkHomeConsent.objects.select_for_update(of=("self",))
        .select_related("student__school")
        .filter(pk=consent.pk)
        .first()
    )
    if target is None:
        raise access.OutOfScope
    access.require_guardian_or_school_admin(actor, target.student)
    if target.withdrawn_at is None:
        target.withdrawn_at = timezone.now()
        target.save(update_fields=["withdrawn_at"])
    return target
