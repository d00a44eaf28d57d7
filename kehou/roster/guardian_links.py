"""Guardian records that no login confirmed yet, and the code that confirms one
(docs/adr/0007-guardians-across-schools.md).

A school's roster creates its own guardian records. A family with no login activates with
what the school knows (ADR 0002). A family that already has a login (a child at another
school) takes on this school's record by entering, logged in, the code this school hands
out; the code fits only the record with the login's own phone number. The school's list
shows every record without a login alike, so it never tells whether a phone has an account
anywhere else.
"""

import hmac
import unicodedata
from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import Http404
from django.utils.crypto import salted_hmac

from kehou.accounts.models import User
from kehou.org import access
from kehou.org.models import Guardian, School, StudentGuardian

# No 0/O, 1/I/L: the code is read off paper and typed on a phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def link_code(guardian: Guardian) -> str:
    """The record's code, e.g. "K7QF-3MZX": derived from the record and the secret key,
    so nothing is stored; it changes if the record's phone changes."""
    digest = salted_hmac(
        "kehou.roster.guardian_link", f"{guardian.pk}:{guardian.school_id}:{guardian.phone}"
    ).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars[:4]) + "-" + "".join(chars[4:])


def normal_code(text: str) -> str:
    """A code as typed: full-width letters, lower case, spaces and dashes forgiven."""
    text = unicodedata.normalize("NFKC", text or "").upper()
    return "".join(c for c in text if c in ALPHABET)


def is_guardian_login(user) -> bool:
    return access.is_acting(user) and getattr(user, "role", None) == User.Role.GUARDIAN


def unconfirmed_record_for(user, code: str) -> Guardian | None:
    """The record without a login that `code` opens for this guardian's login: only a
    record with the login's own phone, so a code is useless to anyone else."""
    if not is_guardian_login(user):
        return None
    wanted = normal_code(code)
    if len(wanted) != CODE_LENGTH:
        return None
    for guardian in Guardian.objects.filter(phone=user.phone, user__isnull=True).select_related(
        "school"
    ):
        if hmac.compare_digest(normal_code(link_code(guardian)), wanted):
            return guardian
    return None


@dataclass
class PendingChild:
    name: str
    relation: str


def children_of(guardian: Guardian) -> list[PendingChild]:
    links = (
        StudentGuardian.objects.filter(guardian=guardian, student__is_active=True)
        .select_related("student")
        .order_by("student__name")
    )
    return [PendingChild(link.student.name, link.get_relation_display()) for link in links]


@dataclass
class PendingRecord:
    guardian: Guardian
    code: str
    children: list[str]


def pending_links_for(user, school: School) -> list[PendingRecord]:
    """The school's guardian records that no login has confirmed yet, for its admin:
    each with its children and the code to hand to the family. 404 for anyone else."""
    if not access.may_manage_school(user, school):
        raise Http404
    links = StudentGuardian.objects.filter(student__is_active=True).select_related("student")
    records = (
        Guardian.objects.filter(school=school, user__isnull=True)
        .prefetch_related(Prefetch("student_links", queryset=links, to_attr="active_links"))
        .order_by("name", "phone")
    )
    return [
        PendingRecord(
            guardian=g,
            code=link_code(g),
            children=sorted(link.student.name for link in g.active_links),
        )
        for g in records
        if g.active_links
    ]
