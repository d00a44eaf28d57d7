"""Reads of complaints (R20): the shared counts for the dashboard and the monthly report,
the lists each role sees, and the follow-up by code (no login)."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kehou.accounts.models import User
from kehou.complaints.codes import normalise_code
from kehou.complaints.models import Complaint, ComplaintEvent
from kehou.org import access
from kehou.org.models import School
from kehou.policy.selectors import profile_for_school, profile_rules


def overdue_q(today: dt.date | None = None) -> Q:
    """Not replied yet and past its time limit (a complaint without one is never late)."""
    today = today or timezone.localdate()
    return Q(state__in=Complaint.WAITING, due_on__isnull=False, due_on__lt=today)


def complaint_counts(school_ids: Iterable[int], since: dt.date, until: dt.date) -> dict[int, int]:
    """Complaints and reports received per school on the days [since, until], every kind
    and state; each school asked for is in the answer (0 when none). One query."""
    ids = list(school_ids)
    counts = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    rows = (
        Complaint.objects.filter(school_id__in=ids, received_on__gte=since, received_on__lte=until)
        .values("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["school_id"]] = row["n"]
    return counts


def counts_by_state(school_ids: Iterable[int]) -> dict[str, int]:
    """The schools' complaints now, by state: a key for each Complaint.State (closed
    included, so "open" is every key but "closed" and "overdue"), plus "overdue": those
    not replied past their time limit (already counted under their state). One query."""
    ids = list(school_ids)
    keys = [*Complaint.State.values, "overdue"]
    if not ids:
        return dict.fromkeys(keys, 0)
    aggregates = {state: Count("pk", filter=Q(state=state)) for state in Complaint.State.values}
    aggregates["overdue"] = Count("pk", filter=overdue_q())
    found = Complaint.objects.filter(school_id__in=ids).aggregate(**aggregates)
    return {key: found[key] or 0 for key in keys}


def with_people(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return queryset.select_related("school", "school__region", "assigned_to", "student")


# --------------------------------------------------------------------------- rules


def due_on_for(school: School, received_on: dt.date) -> dt.date | None:
    """The reply is due `complaint_reply_days` after receipt, from the locality's policy
    profile; None when the profile states no time limit (or there is no profile)."""
    profile = profile_for_school(school)
    rule = profile_rules(profile).complaint_reply_days if profile else None
    if rule is None or rule.value is None:
        return None
    return received_on + dt.timedelta(days=int(rule.value))


def bureau_q(today: dt.date | None = None) -> Q:
    """What the bureau sees and may handle of a school's complaints: the escalated and the
    late ones. The rest stay with the school."""
    return Q(escalated_at__isnull=False) | overdue_q(today)


def is_overdue(complaint: Complaint, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        complaint.state in Complaint.WAITING
        and complaint.due_on is not None
        and complaint.due_on < today
    )


def bureau_may_handle(user, complaint: Complaint) -> bool:
    if not access.is_acting(user) or getattr(user, "role", None) != User.Role.BUREAU:
        return False
    if not access.may_oversee(user, complaint.school.region):
        return False
    return complaint.escalated_at is not None or is_overdue(complaint)


def may_direct(user, complaint: Complaint) -> bool:
    """Assign, reply and close: the school's admin, or the bureau over an escalated or
    late complaint (the person assigned only records the handling)."""
    return access.may_manage_school(user, complaint.school) or bureau_may_handle(user, complaint)


def may_file_publicly(user, school: School) -> bool:
    """Anyone may use a school's public complaint form, signed in or not, except those
    who answer that school's complaints: its admin, the bureau over it, kehou itself."""
    if user is None or not user.is_authenticated:
        return True
    if user.is_superuser:
        return False
    return not (access.may_manage_school(user, school) or access.may_oversee(user, school.region))


# --------------------------------------------------------------------------- lists


def handled_by(user) -> QuerySet[Complaint]:
    """The complaints `user` works on: the school admin their school's, a staff member
    those assigned to them, a bureau officer the escalated and late ones of their region
    (guardians: `family_complaints`)."""
    complaints = Complaint.objects.all()
    if not access.is_acting(user):
        return complaints.none()
    if user.is_superuser:
        return complaints
    if user.role == User.Role.SCHOOL_ADMIN and user.school_id:
        return complaints.filter(school_id=user.school_id)
    if user.role in access.SCHOOL_ROLES and user.school_id:
        return complaints.filter(school_id=user.school_id, assigned_to=user)
    if user.role == User.Role.BUREAU and user.region_id:
        return complaints.filter(bureau_q(), school__in=access.schools_for(user))
    return complaints.none()


def access_complaint(user, pk: int) -> Complaint:
    """One complaint with its history, for those who work on it; 404 for anyone else."""
    try:
        return with_people(handled_by(user)).get(pk=pk)
    except Complaint.DoesNotExist as exc:
        raise Http404 from exc


def events_of(complaint: Complaint) -> list[ComplaintEvent]:
    return list(complaint.events.select_related("actor").order_by("at", "pk"))


def school_list(user, school: School, *, state: str = "") -> list[Complaint]:
    complaints = with_people(handled_by(user).filter(school=school))
    if state == "overdue":
        complaints = complaints.filter(overdue_q())
    elif state == "open":
        complaints = complaints.exclude(state=Complaint.State.CLOSED)
    elif state in Complaint.State.values:
        complaints = complaints.filter(state=state)
    return list(complaints)


def access_school_complaints(user, school_pk: int) -> School:
    """The school whose complaint list `user` reads: its admin (and a superuser); 404 for
    anyone else (a bureau officer reads the region's list)."""
    school = access.access_school(user, school_pk)
    if not access.may_manage_school(user, school):
        raise Http404
    return school


def may_see_region(user) -> bool:
    return access.is_acting(user) and (
        user.is_superuser or (user.role == User.Role.BUREAU and user.region_id is not None)
    )


def region_list(user, *, state: str = "") -> list[Complaint]:
    """For a bureau officer: the escalated and late complaints of every school of their
    region, the late ones first."""
    if not may_see_region(user):
        raise Http404
    complaints = with_people(
        Complaint.objects.filter(bureau_q(), school__in=access.schools_for(user))
    )
    if state == "overdue":
        complaints = complaints.filter(overdue_q())
    elif state == "open":
        complaints = complaints.exclude(state=Complaint.State.CLOSED)
    elif state in Complaint.State.values:
        complaints = complaints.filter(state=state)
    return list(complaints.order_by("due_on", "-received_at", "-pk"))


def family_complaints(user) -> list[Complaint]:
    """A guardian's own complaints, with their codes and the replies."""
    if not access.is_acting(user) or user.role != User.Role.GUARDIAN:
        return []
    return list(with_people(Complaint.objects.filter(submitted_by=user)))


def family_children(user) -> list:
    """The children a guardian may file a complaint about (their own)."""
    if not access.is_acting(user) or user.role != User.Role.GUARDIAN:
        return []
    return list(access.students_for(user).select_related("school").order_by("name"))


def assignees(complaint: Complaint, user) -> list[User]:
    """Whom `user` may give the complaint to: the school's active staff logins (and for a
    bureau officer, themselves)."""
    people = list(
        User.objects.filter(
            school_id=complaint.school_id, role__in=access.SCHOOL_ROLES, is_active=True
        ).order_by("role", "name")
    )
    if getattr(user, "role", None) == User.Role.BUREAU:
        people.insert(0, user)
    return people


# --------------------------------------------------------------------------- follow-up


def follow(raw_code: object) -> Complaint | None:
    """The complaint with this code, or None. One indexed query on every path (a code
    that cannot be one is looked up as an impossible value), so the answer's shape and
    time tell nothing about which codes exist."""
    code = normalise_code(raw_code) or "-"
    return Complaint.objects.select_related("school").only(*FOLLOW_FIELDS).filter(code=code).first()


# What the follow-up page shows: never the handling notes, the assignee or the submitter.
FOLLOW_FIELDS = (
    "code",
    "kind",
    "topic",
    "state",
    "received_on",
    "due_on",
    "escalated_at",
    "reply",
    "replied_at",
    "closed_at",
    "school__name",
    "school__code",
)


def public_school(key: str) -> School:
    """The school of a public complaint form, by its 10-digit code or its pk; 404 else."""
    key = str(key or "").strip()
    schools = School.objects.select_related("region")
    try:
        if len(key) == 10 and key.isdigit():
            return schools.get(code=key)
        if key.isdigit():
            return schools.get(pk=int(key))
    except School.DoesNotExist as exc:
        raise Http404 from exc
    raise Http404
