"""Reads for the web pages (SPEC R1, R2, R26).

Every function takes the acting user and starts from kehou.org.access, so a page can
never show more than the user's scope. Functions named `access_*` raise Http404 outside
the scope; the others return querysets or plain data already narrowed.
"""

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kehou.accounts.models import User
from kehou.core.labels import category_label
from kehou.lib.validators import mask_mobile
from kehou.org import access
from kehou.org.models import (
    AuthorisedCollector,
    ClassMembership,
    ExternalOrganisation,
    Guardian,
    Region,
    School,
    SchoolClass,
    SchoolYear,
    Staff,
    Student,
    StudentGuardian,
)

ACTIVE = Q(is_active=True)


def may_see_full_phones(user: User) -> bool:
    """Full guardian phones only for the school's admin (and superusers); everyone else
    sees them masked: teachers and gate staff need only to compare, the bureau not at all."""
    return user.is_superuser or user.role == User.Role.SCHOOL_ADMIN


def may_see_school_lists(user: User) -> bool:
    """Class and student lists: school staff and the bureau, never a guardian."""
    return user.is_superuser or user.role in {
        User.Role.BUREAU,
        User.Role.SCHOOL_ADMIN,
        User.Role.TEACHER,
        User.Role.GATE,
    }


def may_see_staff_list(user: User) -> bool:
    return user.is_superuser or user.role in {
        User.Role.BUREAU,
        User.Role.SCHOOL_ADMIN,
        User.Role.TEACHER,
    }


def access_school_for_lists(user: User, school_pk: int) -> School:
    """The school whose lists the user opens; 404 for guardians and outside the scope."""
    if not may_see_school_lists(user):
        raise Http404
    return access.access_school(user, school_pk)


def access_school_for_staff_list(user: User, school_pk: int) -> School:
    if not may_see_staff_list(user):
        raise Http404
    return access.access_school(user, school_pk)


def _priority_counts() -> dict:
    return {
        "disability": Count("pk", filter=Q(has_disability=True)),
        "left_behind": Count("pk", filter=Q(is_left_behind=True)),
        "migrant": Count("pk", filter=Q(is_migrant_child=True)),
        "low_income": Count("pk", filter=~Q(low_income_basis="")),
        "boarders": Count("pk", filter=Q(is_boarder=True)),
    }


# ----- bureau ---------------------------------------------------------------------------


@dataclass
class RegionSummary:
    schools: int = 0
    students: int = 0
    # [(county name, {school_type: n}, total)]
    by_county: list = dataclass_field(default_factory=list)
    school_types: list = dataclass_field(
        default_factory=list
    )  # [(value, label)] present in the data
    urban: dict = dataclass_field(default_factory=dict)  # {"schools": n, "students": n}
    rural: dict = dataclass_field(default_factory=dict)


def region_summary_for(user: User) -> RegionSummary:
    """Schools by county and type, students, urban and rural: four aggregate queries."""
    schools = access.schools_for(user)
    rows = (
        schools.values("region__name", "region__code", "school_type")
        .annotate(n=Count("pk"))
        .order_by("region__code", "school_type")
    )
    labels = dict(School.Type.choices)
    counties: dict[str, dict] = {}
    types_present: set[str] = set()
    for row in rows:
        counties.setdefault(row["region__name"], {})[row["school_type"]] = row["n"]
        types_present.add(row["school_type"])
    school_types = [(v, labels[v]) for v, _ in School.Type.choices if v in types_present]
    by_county = [
        (name, [counts.get(v, 0) for v, _ in school_types], sum(counts.values()))
        for name, counts in counties.items()
    ]
    by_urban = {
        row["is_urban"]: row["n"] for row in schools.values("is_urban").annotate(n=Count("pk"))
    }
    students = access.students_for(user).filter(ACTIVE)
    students_by_urban = {
        row["school__is_urban"]: row["n"]
        for row in students.values("school__is_urban").annotate(n=Count("pk"))
    }
    return RegionSummary(
        schools=sum(by_urban.values()),
        students=sum(students_by_urban.values()),
        by_county=by_county,
        school_types=school_types,
        urban={"schools": by_urban.get(True, 0), "students": students_by_urban.get(True, 0)},
        rural={"schools": by_urban.get(False, 0), "students": students_by_urban.get(False, 0)},
    )


def school_list_for(
    user: User,
    *,
    county: str = "",
    school_type: str = "",
    urban: str = "",
    q: str = "",
) -> QuerySet[School]:
    """Schools in scope with their student count, in one query."""
    schools = access.schools_for(user).select_related("region")
    if county:
        schools = schools.filter(region__code=county)
    if school_type:
        schools = schools.filter(school_type=school_type)
    if urban == "urban":
        schools = schools.filter(is_urban=True)
    elif urban == "rural":
        schools = schools.filter(is_urban=False)
    if q:
        schools = schools.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return schools.annotate(
        student_count=Count("students", filter=Q(students__is_active=True))
    ).order_by("region__code", "code")


def counties_for(user: User):
    """The counties a bureau user may filter by."""
    return access.regions_for(user).filter(level="county").order_by("code")


# ----- a school --------------------------------------------------------------------------


def latest_school_year(school: School) -> SchoolYear | None:
    return SchoolYear.objects.filter(classes__school=school).order_by("-start_year").first()


@dataclass
class SchoolSummary:
    school: School
    school_year: SchoolYear | None
    classes: int
    students: int
    boarders: int
    staff: int
    external_staff: int
    priority: dict | None  # None when the user may not see priority facts


def school_summary_for(user: User, school: School) -> SchoolSummary:
    """Counts for a school the caller already obtained through access."""
    year = latest_school_year(school)
    students = access.students_for(user).filter(ACTIVE, school=school)
    counts = students.aggregate(total=Count("pk"), **_priority_counts())
    staff = access.staff_for(user).filter(ACTIVE, school=school)
    staff_counts = staff.aggregate(
        total=Count("pk"), external=Count("pk", filter=Q(kind=Staff.Kind.EXTERNAL))
    )
    priority = None
    if access.may_see_priority_facts(user):
        priority = {k: counts[k] for k in ("disability", "left_behind", "migrant", "low_income")}
    return SchoolSummary(
        school=school,
        school_year=year,
        classes=access.classes_for(user).filter(school=school, school_year=year).count()
        if year
        else 0,
        students=counts["total"],
        boarders=counts["boarders"],
        staff=staff_counts["total"],
        external_staff=staff_counts["external"],
        priority=priority,
    )


def leadership_for(user: User, school: School):
    access.access_school(user, school.pk)
    return school.leadership.all()


def class_list_for(user: User, school: School, *, head_teacher_first: bool = False):
    """The school's classes in its latest school year, each with its student count."""
    year = latest_school_year(school)
    if year is None:
        return SchoolClass.objects.none()
    classes = (
        access.classes_for(user)
        .filter(school=school, school_year=year)
        .select_related("head_teacher", "school_year")
        .annotate(
            student_count=Count("memberships", filter=Q(memberships__student__is_active=True))
        )
    )
    if head_teacher_first:
        classes = classes.annotate(
            mine=Case(
                When(head_teacher__user=user, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("mine", "grade", "number")
    else:
        classes = classes.order_by("grade", "number")
    return classes


def teacher_classes_for(user: User):
    if not user.school_id:
        return SchoolClass.objects.none()
    school = access.access_school(user, user.school_id)
    return class_list_for(user, school, head_teacher_first=True)


@dataclass
class StudentFilters:
    q: str = ""
    grade: int | None = None
    class_id: int | None = None
    boarder: str = ""  # "yes" / "no" / ""
    priority: str = ""  # "disability" / "left_behind" / "migrant" / "low_income" / "any"


PRIORITY_FILTERS = {
    "disability": Q(has_disability=True),
    "left_behind": Q(is_left_behind=True),
    "migrant": Q(is_migrant_child=True),
    "low_income": ~Q(low_income_basis=""),
    "any": Q(has_disability=True)
    | Q(is_left_behind=True)
    | Q(is_migrant_child=True)
    | ~Q(low_income_basis=""),
}


def student_list_for(user: User, school: School, filters: StudentFilters) -> QuerySet[Student]:
    """Students of one school on roll, with their class this year prefetched (no N+1).

    Priority filters are ignored for users who may not see priority facts, so the
    filter cannot be used to learn them either."""
    year = latest_school_year(school)
    students = access.students_for(user).filter(ACTIVE, school=school)
    if filters.q:
        students = students.filter(
            Q(name__icontains=filters.q) | Q(student_number__icontains=filters.q)
        )
    if year is not None:
        memberships = ClassMembership.objects.filter(school_year=year).select_related(
            "school_class"
        )
        students = students.prefetch_related(
            Prefetch("memberships", queryset=memberships, to_attr="current_memberships")
        )
        if filters.grade:
            students = students.filter(
                memberships__school_year=year, memberships__school_class__grade=filters.grade
            )
        if filters.class_id:
            students = students.filter(
                memberships__school_year=year, memberships__school_class_id=filters.class_id
            )
    if filters.boarder == "yes":
        students = students.filter(is_boarder=True)
    elif filters.boarder == "no":
        students = students.filter(is_boarder=False)
    if filters.priority in PRIORITY_FILTERS and access.may_see_priority_facts(user):
        students = students.filter(PRIORITY_FILTERS[filters.priority])
    return students.order_by("student_number").distinct()


def classes_in_year(student_ids, school_year_id: int) -> dict[int, SchoolClass]:
    """Each student's class in the school year (the one definition of a child's class and
    grade for a term: `term.school_year_id`). A student without one is missing."""
    return {
        m.student_id: m.school_class
        for m in ClassMembership.objects.filter(
            student_id__in=student_ids, school_year_id=school_year_id
        ).select_related("school_class")
    }


def class_in_year(student: Student, school_year_id: int) -> SchoolClass | None:
    return classes_in_year([student.pk], school_year_id).get(student.pk)


def grade_in_year(student: Student, school_year_id: int) -> int | None:
    """The child's grade in that school year, None when they are in no class."""
    school_class = class_in_year(student, school_year_id)
    return school_class.grade if school_class else None


def current_class(student: Student) -> SchoolClass | None:
    """The class from a prefetched `current_memberships`, or the latest membership."""
    memberships = getattr(student, "current_memberships", None)
    if memberships is not None:
        return memberships[0].school_class if memberships else None
    membership = (
        student.memberships.select_related("school_class")
        .order_by("-school_year__start_year")
        .first()
    )
    return membership.school_class if membership else None


def staff_list_for(user: User, school: School, *, today: datetime.date):
    """Staff with their vetting status for `today` (`problems`: empty means assignable)."""
    staff = list(
        access.staff_for(user)
        .filter(school=school)
        .select_related("organisation")
        .order_by("-is_active", "kind", "name")
    )
    for member in staff:
        member.problems = member.vetting_problems(today)
    return staff


# ----- a student -------------------------------------------------------------------------


@dataclass
class ContactRow:
    name: str
    relation: str
    phone: str
    is_primary: bool = False
    may_collect: bool = True
    guardian_pk: int | None = None
    has_login: bool = False


@dataclass
class StudentDetail:
    student: Student
    school_class: SchoolClass | None
    guardians: list[ContactRow]
    collectors: list[ContactRow]
    show_priority: bool
    history: list | None  # None when the user may not see the change history


def _contacts(user: User, student: Student, *, today: datetime.date):
    full = may_see_full_phones(user)
    shown = (lambda p: p) if full else mask_mobile
    links = StudentGuardian.objects.filter(student=student).select_related("guardian")
    guardians = [
        ContactRow(
            name=link.guardian.name,
            relation=link.get_relation_display(),
            phone=shown(link.guardian.phone),
            is_primary=link.is_primary,
            may_collect=link.may_collect,
            guardian_pk=link.guardian_id,
            has_login=link.guardian.user_id is not None,
        )
        for link in links.order_by("-is_primary", "guardian__name")
    ]
    collectors = [
        ContactRow(name=c.name, relation=c.relation, phone=shown(c.phone))
        for c in AuthorisedCollector.objects.filter(student=student)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("name")
    ]
    return guardians, collectors


def student_detail_for(user: User, student_pk: int, *, today: datetime.date) -> StudentDetail:
    student = access.access_student(user, student_pk)
    guardians, collectors = _contacts(user, student, today=today)
    return StudentDetail(
        student=student,
        school_class=current_class(student),
        guardians=guardians,
        collectors=collectors,
        show_priority=access.may_see_priority_facts(user),
        history=student_history_for(user, student) if access.may_see_audit(user) else None,
    )


def access_student_history(user: User, student_pk: int) -> tuple[Student, list]:
    """The change history page: 404 for a user who may not see audit or the student."""
    if not access.may_see_audit(user):
        raise Http404
    student = access.access_student(user, student_pk)
    return student, student_history_for(user, student)


@dataclass
class HistoryRow:
    timestamp: datetime.datetime
    actor: str
    action: str
    is_create: bool
    object_label: str
    object_repr: str
    changes: list  # [(field label, old, new)]


def student_history_for(user: User, student: Student, *, limit: int = 200) -> list[HistoryRow]:
    """LogEntry rows for the student, their memberships, guardian links, guardians and
    collectors, newest first. The caller has already checked access to the student."""
    if not access.may_see_audit(user):
        return []
    ct = ContentType.objects.get_for_models(
        Student, ClassMembership, StudentGuardian, Guardian, AuthorisedCollector
    )
    membership_pks = list(student.memberships.values_list("pk", flat=True))
    link_pks, guardian_pks = [], []
    for link_pk, guardian_pk in student.guardian_links.values_list("pk", "guardian_id"):
        link_pks.append(link_pk)
        guardian_pks.append(guardian_pk)
    collector_pks = list(student.collectors.values_list("pk", flat=True))

    def pks(values):
        return [str(v) for v in values]

    condition = Q(content_type=ct[Student], object_pk=str(student.pk))
    for model, values in (
        (ClassMembership, membership_pks),
        (StudentGuardian, link_pks),
        (Guardian, guardian_pks),
        (AuthorisedCollector, collector_pks),
    ):
        if values:
            condition |= Q(content_type=ct[model], object_pk__in=pks(values))
    entries = list(
        LogEntry.objects.filter(condition)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[:limit]
    )
    labels = {ct[m].pk: m._meta.verbose_name for m in ct}
    return _history_rows(entries, labels)


ACTION_LABELS = {
    LogEntry.Action.CREATE: _("Created"),
    LogEntry.Action.UPDATE: _("Changed"),
    LogEntry.Action.DELETE: _("Deleted"),
    LogEntry.Action.ACCESS: _("Viewed"),
}
# auditlog masks "None" too when a masked field (a phone) was empty.
_EMPTY = {"", "None", "**ne"}


def _as_pk(field, value):
    """The related record's id stored in an entry, or None when the entry holds something
    else (older bulk entries stored a display name): that is shown as stored."""
    if value is None or str(value) in _EMPTY:
        return None
    try:
        return field.related_model._meta.pk.to_python(str(value))
    except (TypeError, ValueError, ValidationError):
        return None


def _history_rows(entries: list[LogEntry], labels: dict) -> list[HistoryRow]:
    """Readable rows: field labels and choice labels in the user's language, related
    objects by name (fetched in one query per related model, not one per value)."""
    parsed, wanted = [], defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        fields = []
        for name, values in (entry.changes_dict or {}).items():
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            # Reverse relations and the id say nothing a person needs to read.
            if not getattr(field, "concrete", False) or field.primary_key:
                continue
            old, new = (list(values) + [None, None])[:2]
            if field.is_relation:
                wanted[field.related_model].update(
                    pk for pk in (_as_pk(field, v) for v in (old, new)) if pk is not None
                )
            fields.append((field, old, new))
        parsed.append((entry, fields))
    names = {
        model: {str(pk): str(obj) for pk, obj in model._default_manager.in_bulk(pks).items()}
        for model, pks in wanted.items()
    }

    def shown(field, value) -> str:
        if value is None or str(value) in _EMPTY:
            return "—"
        value = str(value)
        if field.is_relation:
            return names.get(field.related_model, {}).get(value, value)
        if field.get_internal_type() == "BooleanField":
            return str(_("Yes")) if value == "True" else str(_("No"))
        if field.choices:
            return str(dict((str(k), v) for k, v in field.flatchoices).get(value, value))
        return value

    rows = []
    for entry, fields in parsed:
        changes = []
        for field, old, new in fields:
            label = (
                field.related_model._meta.verbose_name if field.is_relation else field.verbose_name
            )
            changes.append((capfirst(label), shown(field, old), shown(field, new)))
        rows.append(
            HistoryRow(
                timestamp=entry.timestamp,
                actor=entry.actor.name if entry.actor else "",
                action=ACTION_LABELS.get(entry.action, ""),
                is_create=entry.action == LogEntry.Action.CREATE,
                object_label=labels.get(entry.content_type_id, ""),
                object_repr=entry.object_repr,
                changes=changes,
            )
        )
    return rows


# ----- guardians and the gate ------------------------------------------------------------


def children_for_guardian(user: User) -> list[Student]:
    """The guardian's own children with school and latest class."""
    if user.role != User.Role.GUARDIAN and not user.is_superuser:
        return []
    memberships = ClassMembership.objects.select_related("school_class").order_by(
        "-school_year__start_year"
    )
    return list(
        access.students_for(user)
        .filter(ACTIVE)
        .select_related("school")
        .prefetch_related(
            Prefetch("memberships", queryset=memberships, to_attr="current_memberships")
        )
        .order_by("name")
    )


@dataclass(frozen=True)
class Collector:
    """Someone who may collect a child on a day (R16): a guardian the school lists as
    collecting (`StudentGuardian.may_collect`), or an authorised collector whose
    authorisation has not lapsed. The phone is masked."""

    name: str
    relation: str
    phone: str = ""
    guardian_id: int | None = None
    collector_id: int | None = None
    until: datetime.date | None = None


def collector_valid_on(day: datetime.date) -> Q:
    """Authorised collectors whose authorisation covers `day`."""
    return Q(valid_until__isnull=True) | Q(valid_until__gte=day)


def collectors_on(student_ids, day: datetime.date) -> dict[int, list[Collector]]:
    """Who may collect each child on `day`: the collecting guardians (the primary first),
    then the authorised collectors; two queries however many children."""
    ids = list(student_ids)
    found: dict[int, list[Collector]] = {pk: [] for pk in ids}
    links = (
        StudentGuardian.objects.filter(student_id__in=ids, may_collect=True)
        .select_related("guardian")
        .order_by("-is_primary", "guardian__name", "pk")
    )
    for link in links:
        found[link.student_id].append(
            Collector(
                name=link.guardian.name,
                relation=link.get_relation_display(),
                phone=mask_mobile(link.guardian.phone),
                guardian_id=link.guardian_id,
            )
        )
    for c in AuthorisedCollector.objects.filter(
        collector_valid_on(day), student_id__in=ids
    ).order_by("name", "pk"):
        found[c.student_id].append(
            Collector(
                name=c.name,
                relation=c.relation,
                phone=mask_mobile(c.phone),
                collector_id=c.pk,
                until=c.valid_until,
            )
        )
    return found


@dataclass
class GateResult:
    student: Student
    school_class: SchoolClass | None
    collectors: list[Collector]


def gate_search_for(user: User, q: str, *, today: datetime.date, limit: int = 20):
    """Who may collect a child: searched by name or student number, phones masked.
    Four queries however many children match."""
    q = q.strip()
    if not q:
        return []
    memberships = ClassMembership.objects.select_related("school_class").order_by(
        "-school_year__start_year"
    )
    students = list(
        access.students_for(user)
        .filter(ACTIVE)
        .filter(Q(name__icontains=q) | Q(student_number=q))
        .prefetch_related(
            Prefetch("memberships", queryset=memberships, to_attr="current_memberships"),
        )
        .order_by("name")[:limit]
    )
    collectors = collectors_on([s.pk for s in students], today)
    return [
        GateResult(
            student=student,
            school_class=current_class(student),
            collectors=collectors[student.pk],
        )
        for student in students
    ]


# ----- everyday records: the edit pages (SPEC R2, R26) ------------------------------------


def access_student_for_edit(user: User, student_pk: int) -> Student:
    """A child the user may edit: the school's own admin only (404 for everyone else, the
    bureau included: it oversees schools, it does not keep their children's records)."""
    student = access.access_student(user, student_pk)
    if not access.may_manage_school(user, student.school):
        raise Http404
    return student


def access_guardian_link_for_edit(user: User, student_pk: int, guardian_pk: int):
    student = access_student_for_edit(user, student_pk)
    link = (
        StudentGuardian.objects.filter(student=student, guardian_id=guardian_pk)
        .select_related("guardian", "student__school")
        .first()
    )
    if link is None:
        raise Http404
    return link


def access_staff_for_edit(user: User, staff_pk: int) -> Staff:
    staff = _get_or_404(
        access.staff_for(user).select_related("school__region", "user", "organisation"),
        staff_pk,
    )
    if not access.may_manage_school(user, staff.school):
        raise Http404
    return staff


def _get_or_404(queryset, pk):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def login_is_shared_beyond(login: User, school: School) -> bool:
    """Whether a login opens anything of a school other than `school`: a guardian record
    another school keeps (docs/adr/0007-guardians-across-schools.md), a child of another
    school, or a staff record or login of another school.

    One school's admin must not hand such a login a password (`guardian_password_reset`)
    nor move the phone it logs in with (`guardian_update`, `account_update`): either would
    put another school's children within their reach. The answer is never shown to them
    as such: the refusals and notes it leads to name no school."""
    if login.school_id is not None and login.school_id != school.pk:
        return True
    if Staff.objects.filter(user=login).exclude(school=school).exists():
        return True
    if Guardian.objects.filter(user=login).exclude(school=school).exists():
        return True
    return (
        Student.objects.filter(guardian_links__guardian__user=login).exclude(school=school).exists()
    )


def login_follows_record(guardian: Guardian, login: User | None) -> bool:
    """Whether a change of the school's record of a guardian moves the phone their login
    logs in with: only for a login that logs in with the record's phone and opens nothing
    beyond the record's school (`login_is_shared_beyond`). Otherwise the record changes
    alone and the login keeps its phone, still holding the record (the family keeps its
    child); the bureau's system administrator moves such a login's phone."""
    return (
        login is not None
        and login.phone == guardian.phone
        and not login_is_shared_beyond(login, guardian.school)
    )


def may_manage_account(user: User, account: User) -> bool:
    """Who manages a login: the school's admin for the school's teachers, gate staff and
    admins; the bureau over the school for its admins; the bureau above for a bureau
    officer. Guardians' logins change with their guardian record (`guardian_update`)."""
    if not access.is_acting(user) or account.is_superuser and not user.is_superuser:
        return False
    if user.is_superuser:
        return True
    if account.role in access.SCHOOL_ROLES and account.school_id:
        if access.may_manage_school(user, account.school):
            return True
        return account.role == User.Role.SCHOOL_ADMIN and access.may_oversee(
            user, account.school.region
        )
    if account.role == User.Role.BUREAU and account.region_id:
        return (
            user.role == User.Role.BUREAU
            and user.region_id != account.region_id
            and access.may_oversee(user, account.region)
        )
    return False


def school_accounts_for(user: User, school: School) -> list[User]:
    """The logins of a school (admins, teachers, gate staff) the user may manage."""
    access.access_school(user, school.pk)
    accounts = (
        User.objects.filter(school=school, role__in=access.SCHOOL_ROLES)
        .select_related("school__region")
        .order_by("-is_active", "role", "name")
    )
    return [a for a in accounts if may_manage_account(user, a)]


def access_account_for_edit(user: User, account_pk: int) -> User:
    account = User.objects.select_related("school__region", "region").filter(pk=account_pk).first()
    if account is None or not may_manage_account(user, account):
        raise Http404
    return account


def history_of(user: User, obj, *, limit: int = 50) -> list[HistoryRow]:
    """The change history of one staff record, login or organisation, newest first; for
    users who may see it (the school's admin for staff and logins, the bureau for the
    organisations it vets). The caller has already checked access to `obj`."""
    if not (access.may_see_audit(user) or user.role == User.Role.BUREAU):
        return []
    content_type = ContentType.objects.get_for_model(type(obj))
    entries = list(
        LogEntry.objects.filter(content_type=content_type, object_pk=str(obj.pk))
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[:limit]
    )
    rows = _history_rows(entries, {content_type.pk: type(obj)._meta.verbose_name})
    if isinstance(obj, ExternalOrganisation):
        _name_categories(rows)
    return rows


def _name_categories(rows: list[HistoryRow]) -> None:
    """What an organisation may offer is stored as codes (["sports"]): show their names."""
    label = capfirst(ExternalOrganisation._meta.get_field("offers").verbose_name)

    def named(value: str) -> str:
        try:
            codes = json.loads(value.replace("'", '"'))
        except ValueError:
            return value
        if not isinstance(codes, list):
            return value
        return "、".join(str(category_label(code)) for code in codes) or "—"

    for row in rows:
        row.changes = [
            (name, named(old), named(new)) if name == label else (name, old, new)
            for name, old, new in row.changes
        ]


# ----- external organisations -----------------------------------------------------------


def _region_and_above(region: Region) -> Q:
    return Q(region__code__in=[code for code in region.path.split("/") if code])


def bureau_officers(school: School) -> list[User]:
    """The active bureau officers of the school's county or of a region above it: whom a
    school's matter goes to (an escalated complaint, a proposed exemplary case)."""
    return list(
        User.objects.filter(role=User.Role.BUREAU, is_active=True).filter(
            _region_and_above(school.region)
        )
    )


def organisations_for(user: User) -> QuerySet[ExternalOrganisation]:
    """The bureau: every organisation registered in its region or below, and those of the
    regions above (which its schools may use too). School staff: the approved organisations
    their school may engage. Guardians: none."""
    organisations = ExternalOrganisation.objects.select_related("region")
    if not access.is_acting(user):
        return organisations.none()
    if user.is_superuser:
        return organisations.all()
    if user.role == User.Role.BUREAU and user.region_id:
        return organisations.filter(
            Q(region__path__startswith=user.region.path) | _region_and_above(user.region)
        )
    if user.role in access.SCHOOL_ROLES and user.school_id:
        school = access.access_school(user, user.school_id)
        return approved_organisations_for_school(school)
    return organisations.none()


def approved_organisations_for_school(school: School) -> QuerySet[ExternalOrganisation]:
    """What the school may engage today: approved, registered with its county or above, no
    record of violations, licence in force (`ExternalOrganisation.is_usable_on`)."""
    today = timezone.localdate()
    return (
        ExternalOrganisation.objects.select_related("region")
        .filter(_region_and_above(school.region))
        .filter(status=ExternalOrganisation.Status.APPROVED, has_violation_record=False)
        .filter(Q(licence_valid_until__isnull=True) | Q(licence_valid_until__gte=today))
    )


def organisation_list_for(user: User, *, status: str = "", q: str = ""):
    organisations = organisations_for(user)
    if status:
        organisations = organisations.filter(status=status)
    if q:
        organisations = organisations.filter(Q(name__icontains=q) | Q(credit_code__startswith=q))
    organisations = list(organisations.order_by("status", "name"))
    for organisation in organisations:
        organisation.may_vet = may_vet(user, organisation.region)
    return organisations


def access_organisation(user: User, pk: int) -> ExternalOrganisation:
    return _get_or_404(organisations_for(user), pk)


def access_organisation_for_vetting(user: User, pk: int) -> ExternalOrganisation:
    organisation = access_organisation(user, pk)
    if not may_vet(user, organisation.region):
        raise Http404
    return organisation


def may_vet(user: User, region: Region) -> bool:
    """A bureau officer of the organisation's region or above (or a superuser)."""
    is_bureau = getattr(user, "role", None) == User.Role.BUREAU
    return (user.is_superuser or is_bureau) and access.may_oversee(user, region)


def vetting_regions_for(user: User) -> QuerySet[Region]:
    """Where the user may register an organisation: their region and those below it."""
    if not (user.is_superuser or user.role == User.Role.BUREAU):
        return Region.objects.none()
    return access.regions_for(user).exclude(level=Region.Level.PROVINCE).order_by("path")


def access_staff(user: User, school: School, staff_pk: int) -> Staff:
    """A staff member of `school` the user sees (404 otherwise)."""
    staff = access.staff_for(user).filter(school=school, pk=staff_pk).first()
    if staff is None:
        raise Http404
    return staff


def access_guardian_of(user: User, student: Student, guardian_pk: int) -> Guardian:
    """A guardian of `student` (already in the user's scope), 404 otherwise."""
    guardian = Guardian.objects.filter(student_links__student=student, pk=guardian_pk).first()
    if guardian is None:
        raise Http404
    return guardian
