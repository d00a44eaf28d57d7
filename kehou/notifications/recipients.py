"""Who is told about a child: the logins of the child's guardians (Guardian.user of the
child's StudentGuardian links), active ones only. For the services that notify families
(seat offers, application decisions, allocation results, absences, late collection)."""

from __future__ import annotations

from collections.abc import Iterable

from kehou.accounts.models import User
from kehou.org.models import StudentGuardian

CHUNK = 900  # ids per query (SQLite's older limit on parameters)


def guardian_users(student_ids: Iterable[int]) -> dict[int, list[User]]:
    """{student id: [guardian User, …]} in one query; a child without a guardian login
    is left out."""
    ids = {pk for pk in student_ids if pk}
    if not ids:
        return {}
    out: dict[int, list[User]] = {}
    ordered = sorted(ids)
    links = [
        link
        for start in range(0, len(ordered), CHUNK)
        for link in StudentGuardian.objects.filter(
            student_id__in=ordered[start : start + CHUNK],
            guardian__user__isnull=False,
            guardian__user__is_active=True,
        )
        .select_related("guardian__user")
        .order_by("student_id", "-is_primary", "pk")
    ]
    for link in links:
        users = out.setdefault(link.student_id, [])
        if all(u.pk != link.guardian.user_id for u in users):
            users.append(link.guardian.user)
    return out


def guardians_of(student) -> list[User]:
    """The guardian logins of one child."""
    pk = getattr(student, "pk", student)
    return guardian_users([pk]).get(pk, [])
