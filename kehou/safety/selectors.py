"""Reads of the safety records (R17), scoped through kehou.org.access; `access_*` raise
Http404 outside the scope. A GET never writes.

Who sees what:
- the school's admin and its own teachers: every safety record of their school;
- a bureau officer: for each school of their region, the counts (incidents by severity,
  open and overdue defects, the last drill, insurance coverage); the serious incidents
  themselves, the inspections, the defects and the drills. An incident without serious
  injury stays within the school (it names children).
- guardians, gate staff and external instructors: nothing here (no page yet; a guardian
  is told of an incident by the school, as the incident records).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from kehou.accounts.models import User
from kehou.enrollment.models import Application
from kehou.org import access
from kehou.org.models import School, SchoolClass, Staff, Student
from kehou.org.selectors import classes_in_year
from kehou.safety import checklists
from kehou.safety.models import (
    Area,
    ChecklistItem,
    Defect,
    Drill,
    Incident,
    Inspection,
)
from kehou.terms.models import Term

# --------------------------------------------------------------------------- scope


def may_see_region(user: User) -> bool:
    return user.is_authenticated and (
        user.is_superuser or (user.role == User.Role.BUREAU and user.region_id is not None)
    )


def access_school_safety(user: User, school_pk: int) -> School:
    """The school whose safety records `user` reads: its admin and own teachers, a bureau
    officer above it; 404 for everyone else."""
    school = access.access_school(user, school_pk)
    if access.is_school_staff(user, school) or access.may_oversee(user, school.region):
        return school
    raise Http404


def access_school_for_recording(user: User, school_pk: int) -> School:
    """The school whose records `user` may add to (its admin and own teachers)."""
    school = access.access_school(user, school_pk)
    if not access.is_school_staff(user, school):
        raise Http404
    return school


def access_school_for_managing(user: User, school_pk: int) -> School:
    """The school whose checklist `user` may change (its admin)."""
    school = access.access_school(user, school_pk)
    if not access.may_manage_school(user, school):
        raise Http404
    return school


def _reader_schools(user: User) -> QuerySet[School]:
    """The schools whose records `user` reads in full (their own) or in part (the region)."""
    if user.is_superuser:
        return School.objects.all()
    if user.role == User.Role.BUREAU:
        return access.schools_for(user)
    if user.school_id and user.role in {User.Role.SCHOOL_ADMIN, User.Role.TEACHER}:
        if access.is_external_instructor(user):
            return School.objects.none()
        return School.objects.filter(pk=user.school_id)
    return School.objects.none()


def incidents_for(user: User) -> QuerySet[Incident]:
    """Incidents `user` may open: their school's, or a region's serious ones."""
    incidents = Incident.objects.filter(school__in=_reader_schools(user))
    if user.is_authenticated and user.role == User.Role.BUREAU and not user.is_superuser:
        incidents = incidents.filter(severity=Incident.Severity.SERIOUS)
    return incidents


def access_incident(user: User, pk: int) -> Incident:
    incidents = incidents_for(user).select_related(
        "school", "guardian_informed_by", "recorded_by", "closed_by"
    )
    return get_object_or_404(incidents, pk=pk)


def access_inspection(user: User, pk: int) -> Inspection:
    inspections = Inspection.objects.filter(school__in=_reader_schools(user)).select_related(
        "school", "recorded_by"
    )
    return get_object_or_404(inspections, pk=pk)


def access_defect(user: User, pk: int) -> Defect:
    defects = Defect.objects.filter(school__in=_reader_schools(user)).select_related(
        "school", "responsible", "result__inspection", "rectified_by", "closed_by"
    )
    return get_object_or_404(defects, pk=pk)


def access_checklist_item(user: User, pk: int) -> ChecklistItem:
    item = get_object_or_404(ChecklistItem.objects.select_related("school"), pk=pk)
    if not access.may_manage_school(user, item.school):
        raise Http404
    return item


def may_record(user: User, school: School) -> bool:
    return access.is_school_staff(user, school)


def may_close(user: User, school: School) -> bool:
    return access.may_manage_school(user, school)


# --------------------------------------------------------------------------- people


def school_students(school: School) -> list[Student]:
    return list(Student.objects.filter(school=school, is_active=True).order_by("name", "pk"))


def school_staff(school: School) -> list[Staff]:
    """Anyone on the school's staff may be involved, inspect or be responsible (an
    external coach too)."""
    return list(Staff.objects.filter(school=school, is_active=True).order_by("name", "pk"))


def school_classes(school: School, term: Term | None) -> list[SchoolClass]:
    classes = SchoolClass.objects.filter(school=school)
    if term is not None:
        classes = classes.filter(school_year_id=term.school_year_id)
    return list(classes.order_by("-school_year__start_year", "grade", "number"))


# --------------------------------------------------------------------------- incidents


def school_incidents(user: User, school: School, *, status: str = "") -> list[Incident]:
    """The school's incidents `user` may open (a bureau officer: the serious ones)."""
    incidents = incidents_for(user).filter(school=school).prefetch_related("students")
    if status == "open":
        incidents = incidents.exclude(status=Incident.Status.CLOSED)
    elif status in Incident.Status.values:
        incidents = incidents.filter(status=status)
    return list(incidents)


# --------------------------------------------------------------------------- checklist


@dataclass
class ChecklistLine:
    key: str
    text: str
    own: ChecklistItem | None = None


@dataclass
class ChecklistArea:
    area: str
    label: str
    lines: list[ChecklistLine] = field(default_factory=list)


def checklist(school: School) -> list[ChecklistArea]:
    """The school's checklist: the default items of each area, then its own."""
    areas = {code: ChecklistArea(code, str(label)) for code, label in Area.choices}
    for item in checklists.DEFAULT_ITEMS:
        areas[item.area].lines.append(ChecklistLine(item.key, _(item.text)))
    for own in ChecklistItem.objects.filter(school=school, is_active=True):
        areas[own.area].lines.append(ChecklistLine(own.key, own.text, own))
    return [areas[code] for code in checklists.AREAS]


def result_text(result) -> str:
    """An inspection result's item in the page's language (a default item is translated;
    the school's own item reads as the school wrote it)."""
    return _(result.text) if result.item_code else result.text


# --------------------------------------------------------------------------- inspections


def school_inspections(school: School) -> list[Inspection]:
    return list(
        Inspection.objects.filter(school=school)
        .prefetch_related("inspectors")
        .annotate(
            checked=Count("results", distinct=True),
            defects=Count("results", filter=Q(results__ok=False), distinct=True),
        )
    )


def inspection_results(inspection: Inspection) -> list[tuple[str, list]]:
    """The results grouped by area, in the checklist's order, each with its text."""
    labels = dict(Area.choices)
    by_area = defaultdict(list)
    for result in inspection.results.select_related("defect__responsible"):
        result.shown_text = result_text(result)
        by_area[result.area].append(result)
    return [(str(labels[a]), by_area[a]) for a in checklists.AREAS if by_area[a]]


def defects_of(school: School, *, today: dt.date, status: str = "") -> list[Defect]:
    """The school's defects, overdue first, then by deadline; each with `overdue`."""
    defects = Defect.objects.filter(school=school).select_related(
        "responsible", "result__inspection"
    )
    if status == "open":
        defects = defects.exclude(status=Defect.Status.CLOSED)
    elif status in Defect.Status.values:
        defects = defects.filter(status=status)
    rows = list(defects)
    for defect in rows:
        defect.overdue = defect.is_overdue(today)
        defect.item_text = result_text(defect.result)
    rows.sort(key=lambda d: (not d.overdue, d.status == Defect.Status.CLOSED, d.deadline))
    return rows


def overdue_q(today: dt.date) -> Q:
    return Q(status=Defect.Status.OPEN, deadline__lt=today)


# --------------------------------------------------------------------------- drills


def school_drills(school: School) -> list[Drill]:
    return list(Drill.objects.filter(school=school).prefetch_related("classes"))


def last_drills(school: School) -> list[tuple[str, str, dt.date | None]]:
    """(kind, label, last date or None) for every kind of drill."""
    last = dict(
        Drill.objects.filter(school=school)
        .values_list("kind")
        .annotate(last=Max("held_on"))
        .values_list("kind", "last")
    )
    return [(kind, str(label), last.get(kind)) for kind, label in Drill.Kind.choices]


# --------------------------------------------------------------------------- insurance


@dataclass
class InsuranceRow:
    application: Application
    student: Student
    school_class: SchoolClass | None
    insured: bool


@dataclass
class InsuranceClass:
    school_class: SchoolClass | None
    rows: list[InsuranceRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def insured(self) -> int:
        return sum(1 for r in self.rows if r.insured)

    @property
    def uninsured(self) -> int:
        return self.total - self.insured


@dataclass
class Insurance:
    term: Term | None
    classes: list[InsuranceClass]

    @property
    def total(self) -> int:
        return sum(c.total for c in self.classes)

    @property
    def insured(self) -> int:
        return sum(c.insured for c in self.classes)

    @property
    def uninsured(self) -> int:
        return self.total - self.insured

    @property
    def percent(self) -> int | None:
        return round(100 * self.insured / self.total) if self.total else None

    @property
    def without(self) -> list[InsuranceRow]:
        return [r for c in self.classes for r in c.rows if not r.insured]


def insurance(school: School, term: Term | None) -> Insurance:
    """The accident insurance of the term's participants (approved applications), by class,
    from what the family answered on the application (seed 000: "积极引导家长自愿为参加
    课后服务的学生购买意外伤害险")."""
    if term is None:
        return Insurance(None, [])
    applications = list(
        Application.objects.filter(
            student__school=school, term=term, status=Application.Status.APPROVED
        ).select_related("student")
    )
    classes = classes_in_year([a.student_id for a in applications], term.school_year_id)
    groups: dict[int | None, InsuranceClass] = {}
    for app in applications:
        school_class = classes.get(app.student_id)
        key = school_class.pk if school_class else None
        group = groups.setdefault(key, InsuranceClass(school_class))
        group.rows.append(InsuranceRow(app, app.student, school_class, app.has_accident_insurance))
    for group in groups.values():
        group.rows.sort(key=lambda r: (r.student.student_number, r.student.pk))
    ordered = sorted(
        groups.values(),
        key=lambda g: (
            g.school_class is None,
            g.school_class.grade if g.school_class else 0,
            g.school_class.number if g.school_class else 0,
        ),
    )
    return Insurance(term, ordered)


# --------------------------------------------------------------------------- overview


@dataclass
class SchoolOverview:
    school: School
    open_incidents: list[Incident]
    open_defects: int
    overdue_defects: list[Defect]
    last_drills: list[tuple[str, str, dt.date | None]]
    insurance: Insurance


def school_overview(
    user: User, school: School, *, today: dt.date, term: Term | None
) -> SchoolOverview:
    defects = defects_of(school, today=today, status="open")
    return SchoolOverview(
        school=school,
        open_incidents=school_incidents(user, school, status="open"),
        open_defects=len(defects),
        overdue_defects=[d for d in defects if d.overdue],
        last_drills=last_drills(school),
        insurance=insurance(school, term),
    )


@dataclass
class RegionRow:
    school: School
    incidents: dict[str, int]  # by severity, in the period
    open_incidents: int
    open_defects: int
    overdue_defects: int
    last_drill: dt.date | None
    participants: int
    insured: int

    @property
    def serious(self) -> int:
        return self.incidents.get(Incident.Severity.SERIOUS, 0)

    @property
    def incident_total(self) -> int:
        return sum(self.incidents.values())

    @property
    def insured_percent(self) -> int | None:
        return round(100 * self.insured / self.participants) if self.participants else None


def region_overview(user: User, *, today: dt.date, term: Term | None) -> list[RegionRow]:
    """Per school of the officer's region: incidents of the term by severity, open
    incidents, open and overdue defects, the last drill, insurance coverage of the term's
    participants. A few grouped queries, whatever the number of schools."""
    if not may_see_region(user):
        raise Http404
    schools = list(
        access.schools_for(user).select_related("region").order_by("region__path", "code")
    )
    ids = [s.pk for s in schools]
    incidents = Incident.objects.filter(school_id__in=ids)
    if term is not None:
        incidents = incidents.filter(
            occurred_at__date__gte=term.start, occurred_at__date__lte=term.end
        )
    by_severity: dict[int, dict[str, int]] = defaultdict(dict)
    for school_id, severity, n in (
        incidents.values_list("school_id", "severity").annotate(n=Count("pk")).order_by()
    ):
        by_severity[school_id][severity] = n
    open_incidents = _counts(
        Incident.objects.filter(school_id__in=ids).exclude(status=Incident.Status.CLOSED)
    )
    defects = Defect.objects.filter(school_id__in=ids)
    open_defects = _counts(defects.exclude(status=Defect.Status.CLOSED))
    overdue = _counts(defects.filter(overdue_q(today)))
    last = dict(
        Drill.objects.filter(school_id__in=ids)
        .values_list("school_id")
        .annotate(last=Max("held_on"))
        .values_list("school_id", "last")
        .order_by()
    )
    participants, insured = {}, {}
    if term is not None:
        approved = Application.objects.filter(
            student__school_id__in=ids, term=term, status=Application.Status.APPROVED
        )
        participants = _counts(approved, "student__school_id")
        insured = _counts(approved.filter(has_accident_insurance=True), "student__school_id")
    return [
        RegionRow(
            school=s,
            incidents=by_severity.get(s.pk, {}),
            open_incidents=open_incidents.get(s.pk, 0),
            open_defects=open_defects.get(s.pk, 0),
            overdue_defects=overdue.get(s.pk, 0),
            last_drill=last.get(s.pk),
            participants=participants.get(s.pk, 0),
            insured=insured.get(s.pk, 0),
        )
        for s in schools
    ]


def _counts(queryset, key: str = "school_id") -> dict[int, int]:
    return dict(queryset.values_list(key).annotate(n=Count("pk")).values_list(key, "n").order_by())


def region_serious_incidents(user: User, *, term: Term | None) -> list[Incident]:
    if not may_see_region(user):
        raise Http404
    incidents = incidents_for(user).filter(severity=Incident.Severity.SERIOUS)
    if term is not None:
        incidents = incidents.filter(
            occurred_at__date__gte=term.start, occurred_at__date__lte=term.end
        )
    return list(incidents.select_related("school"))


def region_overdue_defects(user: User, *, today: dt.date) -> list[Defect]:
    if not may_see_region(user):
        raise Http404
    defects = (
        Defect.objects.filter(school__in=access.schools_for(user))
        .filter(overdue_q(today))
        .select_related("school", "responsible", "result")
    )
    rows = list(defects)
    for defect in rows:
        defect.overdue = True
        defect.item_text = result_text(defect.result)
    return rows


def student_label_for(school: School, students: list[Student]):
    """A function naming a child with their class this school year ("王小北 · 三年级1班")."""
    from kehou.org.selectors import latest_school_year

    year = latest_school_year(school)
    classes = classes_in_year([s.pk for s in students], year.pk) if year else {}

    def label(student: Student) -> str:
        school_class = classes.get(student.pk)
        return f"{student.name} · {school_class.name}" if school_class else student.name

    return label
