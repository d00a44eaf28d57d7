"""Rosters in and out (SPEC R3): the template, the import and the export.

The import validates the whole workbook before it writes anything; one bad cell anywhere
means nothing is written and the school gets the full list of problems, each naming the
sheet, the row as Excel numbers it, and the column. A clean workbook is applied in one
transaction as upserts on natural keys, so importing the same file twice changes nothing,
and records missing from the file are left alone (never deleted).

Writes are bulk (a 3,000-student school is one upload), so django-auditlog's signals do
not fire; every created or changed child, membership, guardian, link, collector and staff
record gets its audit entry through kehou.org.audit instead.
"""

import time
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehou.core.db import analyze_after_commit
from kehou.core.errors import refusal
from kehou.core.labels import class_label
from kehou.lib.school_calendar import school_year_start
from kehou.org import access
from kehou.org import services as org_services
from kehou.org.audit import log_bulk_changes, log_bulk_created
from kehou.org.models import (
    AuthorisedCollector,
    ClassMembership,
    ExternalOrganisation,
    Guardian,
    School,
    SchoolClass,
    SchoolYear,
    Staff,
    Student,
    StudentGuardian,
)
from kehou.roster import guardian_links
from kehou.roster.schema import (
    CLASSES,
    COLLECTORS,
    GUARDIANS,
    SHEETS,
    STAFF,
    STUDENTS,
    CellError,
    SheetSpec,
)
from kehou.roster.workbook import RosterFileError, build_workbook, check_upload, read_workbook

IN_CHUNK = 500  # SQLite allows 999 parameters per query

# One message for every code that does not fit: it must not tell which part was wrong.
LINK_CODE_REFUSED = gettext_lazy(
    "This code does not match a guardian record with your phone number, or it was already "
    "used. Check it, or ask the school that gave it to you."
)

# What a roster row sets on a child: the school's editable fields, less the student number
# that finds the row's child.
STUDENT_FIELDS = [f for f in org_services.STUDENT_FIELDS if f != "student_number"]
STAFF_FIELDS = [
    "name",
    "gender",
    "kind",
    "subjects",
    "external_kind",
    "organisation_id",
    "qualification",
    "background_check_date",
    "background_check_result",
    "agreement_start",
    "agreement_end",
    "pay_per_class_hour",
    "pay_terms",
]
LINK_FIELDS = ["relation", "is_primary", "may_collect"]
COLLECTOR_FIELDS = ["name", "relation", "valid_until"]


@dataclass(frozen=True)
class RowError:
    """One problem: sheet, Excel row (0 for the whole file), column header, reason."""

    sheet: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        if not self.sheet:
            return self.reason
        values = {"sheet": self.sheet, "row": self.row, "column": self.column}
        values["reason"] = self.reason
        if not self.column:
            return _("%(sheet)s row %(row)d: %(reason)s") % values
        return _("%(sheet)s row %(row)d %(column)s: %(reason)s") % values


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class ImportReport:
    school: School
    start_year: int  # the school year (学年) the classes and memberships belong to
    dry_run: bool
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, SheetCounts] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> int:
        return sum(c.created + c.updated for c in self.counts.values())

    @property
    def school_year_label(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}"

    def lines(self) -> list[str]:
        """The report as plain text, for the command line."""
        if self.errors:
            head = _("%(n)d problem(s) found; nothing was imported.") % {"n": len(self.errors)}
            return [head, *(str(e) for e in self.errors)]
        lines = []
        if self.dry_run:
            lines.append(_("Dry run: the file is valid; nothing was written."))
        for sheet, c in self.counts.items():
            lines.append(
                _("%(sheet)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
                % {
                    "sheet": sheet,
                    "created": c.created,
                    "updated": c.updated,
                    "unchanged": c.unchanged,
                }
            )
        lines.extend(self.warnings)
        lines.append(not_deleted_note())
        return lines


def not_deleted_note() -> str:
    return _(
        "Students, guardians, staff and collectors that are not in the file were left "
        "unchanged; nothing is deleted by an import."
    )


def roster_template() -> bytes:
    """An empty roster workbook: the sheets and headers, dropdowns, and a 说明 sheet."""
    return build_workbook({})


def current_start_year() -> int:
    """The start year of today's school year (Beijing date)."""
    return school_year_start(timezone.localdate())


def roster_import(
    *,
    school: School,
    data: bytes,
    actor,
    start_year: int | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Validate the whole workbook; if it is clean, apply it in one transaction.

    The school's admin only (OutOfScope for anyone else). `start_year` names the school
    year (today's by default). Returns a report with every error (and nothing written) or
    the counts per sheet. `dry_run` validates and counts but rolls the transaction back.
    """
    access.require_school_admin(actor, school)
    started = time.perf_counter()
    start_year = start_year or current_start_year()
    report = ImportReport(school=school, start_year=start_year, dry_run=dry_run)
    try:
        check_upload(data)
        raw = read_workbook(data)
    except RosterFileError as exc:
        report.errors.append(RowError("", 0, "", str(exc)))
        return report
    report.warnings.extend(raw.warnings)
    report.errors.extend(RowError(*e) for e in raw.errors)
    parsed = _parse_cells(raw.sheets, report.errors)
    context = _Context.load(school=school, start_year=start_year, parsed=parsed)
    _check_rules(parsed, context, report.errors)
    if report.errors:
        report.errors.sort(key=_error_order)
        report.seconds = time.perf_counter() - started
        return report
    try:
        with transaction.atomic():
            # Two imports for one school queue here (PostgreSQL; SQLite serialises writers).
            School.objects.select_for_update().filter(pk=school.pk).exists()
            context.school_year = SchoolYear.objects.get_or_create(start_year=start_year)[0]
            _apply(parsed, context, report, actor=access.user_of(actor))
            if dry_run:
                transaction.set_rollback(True)
            elif report.changed:
                analyze_after_commit(
                    Student, Guardian, StudentGuardian, ClassMembership, Staff, AuthorisedCollector
                )
    except IntegrityError:
        report.counts.clear()
        report.errors.append(
            RowError(
                "",
                0,
                "",
                _(
                    "The same records were changed by someone else at the same moment; nothing "
                    "was imported. Please upload the file again."
                ),
            )
        )
    report.seconds = time.perf_counter() - started
    return report


def roster_export(*, school: School, actor, start_year: int | None = None) -> bytes:
    """The school's roster in the template's shape, so that importing it changes nothing.

    The school's admin only (OutOfScope for anyone else). Students are those with a class
    in the school year (today's by default); guardians and collectors are theirs. Text
    cells that a spreadsheet would run as a formula are escaped.
    """
    access.require_school_admin(actor, school)
    start_year = start_year or current_start_year()
    classes = (
        SchoolClass.objects.filter(school=school, school_year__start_year=start_year)
        .select_related("head_teacher")
        .order_by("grade", "number")
    )
    memberships = (
        ClassMembership.objects.filter(school_year__start_year=start_year, student__school=school)
        .select_related("student", "school_class")
        .order_by("school_class__grade", "school_class__number", "student__student_number")
    )
    student_ids = set()
    student_rows = []
    for m in memberships:
        student_ids.add(m.student_id)
        values = {f: getattr(m.student, f) for f in STUDENT_FIELDS}
        values.update(
            student_number=m.student.student_number,
            grade=m.school_class.grade,
            number=m.school_class.number,
        )
        student_rows.append(_export_row(STUDENTS, values))
    links = (
        StudentGuardian.objects.filter(student__school=school)
        .select_related("student", "guardian")
        .order_by("student__student_number", "-is_primary", "id")
    )
    collectors = (
        AuthorisedCollector.objects.filter(student__school=school)
        .select_related("student")
        .order_by("student__student_number", "id")
    )
    staff = Staff.objects.filter(school=school).select_related("organisation").order_by("id")
    rows = {
        CLASSES.name: [
            _export_row(
                CLASSES,
                {
                    "grade": c.grade,
                    "number": c.number,
                    "head_teacher_phone": c.head_teacher.phone if c.head_teacher else "",
                },
            )
            for c in classes
        ],
        STUDENTS.name: student_rows,
        GUARDIANS.name: [
            _export_row(
                GUARDIANS,
                {
                    "student_number": link.student.student_number,
                    "name": link.guardian.name,
                    "phone": link.guardian.phone,
                    **{f: getattr(link, f) for f in LINK_FIELDS},
                },
            )
            for link in links
            if link.student_id in student_ids
        ],
        STAFF.name: [
            _export_row(
                STAFF,
                {
                    **{f: getattr(s, f) for f in STAFF_FIELDS if f != "organisation_id"},
                    "phone": s.phone,
                    "credit_code": s.organisation.credit_code if s.organisation else "",
                },
            )
            for s in staff
        ],
        COLLECTORS.name: [
            _export_row(
                COLLECTORS,
                {
                    "student_number": c.student.student_number,
                    **{f: getattr(c, f) for f in COLLECTOR_FIELDS},
                    "phone": c.phone,
                },
            )
            for c in collectors
            if c.student_id in student_ids
        ],
    }
    return build_workbook(rows)


def _export_row(spec: SheetSpec, values: dict) -> list:
    row = []
    for column in spec.columns:
        value = values.get(column.key)
        if column.kind in ("choice", "bool"):
            value = column.label_for(value)
        row.append("" if value is None else value)
    return row


# --- validation -------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, object]
    ok: bool


def _parse_cells(sheets, errors: list[RowError]) -> dict[str, list[_Row]]:
    parsed: dict[str, list[_Row]] = {}
    for name, sheet in sheets.items():
        rows = []
        for number, cells in sheet.rows:
            values, ok = {}, True
            for column in sheet.spec.columns:
                try:
                    values[column.key] = column.parse(cells[column.key])
                except CellError as exc:
                    errors.append(RowError(name, number, column.header, str(exc)))
                    values[column.key] = None
                    ok = False
            rows.append(_Row(number, values, ok))
        parsed[name] = rows
    return parsed


@dataclass
class _Context:
    """What the database already holds, loaded once (no per-row queries)."""

    school: School
    classes: dict[tuple[int, int], SchoolClass]
    students: dict[str, Student]
    staff: dict[str, Staff]
    organisations: dict[str, ExternalOrganisation]
    school_year: SchoolYear | None = None  # found or created when the import is applied

    @classmethod
    def load(cls, *, school, start_year: int, parsed) -> "_Context":
        credit_codes = {
            r.values["credit_code"] for r in parsed.get(STAFF.name, []) if r.values["credit_code"]
        }
        return cls(
            school=school,
            classes={
                (c.grade, c.number): c
                for c in SchoolClass.objects.filter(
                    school=school, school_year__start_year=start_year
                )
            },
            students={s.student_number: s for s in Student.objects.filter(school=school)},
            staff={s.phone: s for s in Staff.objects.filter(school=school)},
            # Only organisations registered with the school's county or above: the import
            # says nothing about another county's register.
            organisations={
                o.credit_code: o
                for o in ExternalOrganisation.objects.filter(
                    credit_code__in=credit_codes,
                    region__code__in=[c for c in school.region.path.split("/") if c],
                )
            },
        )


def _check_rules(parsed, context: _Context, errors: list[RowError]) -> None:
    """Rules across cells, rows and sheets."""

    def error(spec: SheetSpec, row: _Row, key: str, reason: str) -> None:
        errors.append(RowError(spec.name, row.number, spec.column(key).header, reason))

    def duplicate(first: int) -> str:
        return _("the same as row %(row)d") % {"row": first}

    staff_phones = set(context.staff)
    seen: dict = {}
    for row in parsed.get(STAFF.name, []):
        v = row.values
        if v["phone"]:
            if v["phone"] in seen:
                error(STAFF, row, "phone", duplicate(seen[v["phone"]]))
            seen.setdefault(v["phone"], row.number)
            staff_phones.add(v["phone"])
        if v["kind"] == Staff.Kind.EXTERNAL and v["external_kind"] == "":
            error(STAFF, row, "external_kind", _("required for external staff"))
        if v["kind"] == Staff.Kind.SCHOOL_TEACHER and v["external_kind"]:
            error(STAFF, row, "external_kind", _("leave empty for school teachers"))
        if v["credit_code"]:
            if v["credit_code"] not in context.organisations:
                error(STAFF, row, "credit_code", _("no organisation with this code is registered"))
            elif v["kind"] == Staff.Kind.SCHOOL_TEACHER:
                error(STAFF, row, "credit_code", _("only external staff belong to an organisation"))
        start, end = v["agreement_start"], v["agreement_end"]
        if start and end and end < start:
            error(STAFF, row, "agreement_end", _("earlier than the agreement start date"))

    class_keys = set(context.classes)
    seen = {}
    for row in parsed.get(CLASSES.name, []):
        v = row.values
        if v["grade"] and v["number"]:
            key = (v["grade"], v["number"])
            if key in seen:
                error(CLASSES, row, "number", duplicate(seen[key]))
            seen.setdefault(key, row.number)
            class_keys.add(key)
            if v["grade"] not in context.school.grades:
                error(CLASSES, row, "grade", _("this school does not teach this grade"))
        phone = v["head_teacher_phone"]
        if phone and phone not in staff_phones:
            error(
                CLASSES,
                row,
                "head_teacher_phone",
                _("no staff member with this phone, neither in sheet 教职工 nor in the system"),
            )

    student_numbers = set(context.students)
    seen = {}
    for row in parsed.get(STUDENTS.name, []):
        v = row.values
        if v["student_number"]:
            if v["student_number"] in seen:
                error(STUDENTS, row, "student_number", duplicate(seen[v["student_number"]]))
            seen.setdefault(v["student_number"], row.number)
            student_numbers.add(v["student_number"])
        if v["grade"] and v["number"] and (v["grade"], v["number"]) not in class_keys:
            error(
                STUDENTS,
                row,
                "number",
                _("class %(name)s is neither in sheet 班级 nor in the system")
                % {"name": class_label(v["grade"], v["number"])},
            )

    def check_student(spec, row) -> None:
        number = row.values["student_number"]
        if number and number not in student_numbers:
            error(
                spec,
                row,
                "student_number",
                _("no student with this number, neither in sheet 学生 nor in the system"),
            )

    names: dict[str, tuple[str, int]] = {}
    seen = {}
    primaries: dict[str, int] = {}
    for row in parsed.get(GUARDIANS.name, []):
        v = row.values
        check_student(GUARDIANS, row)
        if v["phone"] and v["name"]:
            first_name, first_row = names.setdefault(v["phone"], (v["name"], row.number))
            if first_name != v["name"]:
                error(
                    GUARDIANS,
                    row,
                    "name",
                    _("this phone number belongs to %(name)s on row %(row)d")
                    % {"name": first_name, "row": first_row},
                )
        if v["phone"] and v["student_number"]:
            key = (v["student_number"], v["phone"])
            if key in seen:
                error(GUARDIANS, row, "phone", duplicate(seen[key]))
            seen.setdefault(key, row.number)
        if v["is_primary"] and v["student_number"]:
            if v["student_number"] in primaries:
                error(
                    GUARDIANS,
                    row,
                    "is_primary",
                    _("the student already has a primary contact on row %(row)d")
                    % {"row": primaries[v["student_number"]]},
                )
            primaries.setdefault(v["student_number"], row.number)

    seen = {}
    for row in parsed.get(COLLECTORS.name, []):
        v = row.values
        check_student(COLLECTORS, row)
        if v["phone"] and v["student_number"]:
            key = (v["student_number"], v["phone"])
            if key in seen:
                error(COLLECTORS, row, "phone", duplicate(seen[key]))
            seen.setdefault(key, row.number)


_SHEET_ORDER = {s.name: i for i, s in enumerate(SHEETS)}


def _error_order(e: RowError):
    spec = next((s for s in SHEETS if s.name == e.sheet), None)
    column = spec.headers.index(e.column) if spec and e.column in spec.headers else -1
    return (_SHEET_ORDER.get(e.sheet, -1), e.row, column)


# --- applying ---------------------------------------------------------------------------


class _Upsert:
    """Collects creates and field changes for one model, then writes them in bulk."""

    def __init__(self, model, fields: list[str]):
        self.model = model
        self.fields = fields
        self.created: list = []
        self.changed: list[tuple[object, dict[str, list[str]]]] = []

    def put(self, obj, values: dict, make) -> tuple[object, str]:
        if obj is None:
            obj = make()
            self.created.append(obj)
            return obj, "created"
        changes = {}
        for name in self.fields:
            old, new = getattr(obj, name), values[name]
            if old != new:
                changes[name.removesuffix("_id")] = [str(old), str(new)]
                setattr(obj, name, new)
        if changes:
            self.changed.append((obj, changes))
            return obj, "updated"
        return obj, "unchanged"

    def save(self, *, actor, audit_fields: list[str] | None) -> None:
        if self.created:
            self.model.objects.bulk_create(self.created, batch_size=500)
        if self.changed:
            changed = _changed(self.changed)
            names = {n for n in self.fields if n.removesuffix("_id") in changed}
            self.model.objects.bulk_update(
                [o for o, _ in self.changed], sorted(names), batch_size=500
            )
        if audit_fields is not None:
            log_bulk_created(self.created, actor=actor, fields=audit_fields)
            log_bulk_changes(self.changed, actor=actor)


def _changed(changes) -> set[str]:
    return {name for _, c in changes for name in c}


def _status(counts: SheetCounts, *statuses: str) -> None:
    if statuses[0] == "created":
        counts.created += 1
    elif "updated" in statuses or "created" in statuses:
        counts.updated += 1
    else:
        counts.unchanged += 1


def _apply(parsed, ctx: _Context, report: ImportReport, *, actor) -> None:
    school, year = ctx.school, ctx.school_year
    for spec in SHEETS:
        if spec.name in parsed:
            report.counts[spec.name] = SheetCounts()

    # Staff first: classes point at their head teacher.
    staff = _Upsert(Staff, STAFF_FIELDS)
    for row in parsed.get(STAFF.name, []):
        v = dict(row.values)
        org = ctx.organisations.get(v.pop("credit_code"))
        v["organisation_id"] = org.pk if org else None
        values = {f: v[f] for f in STAFF_FIELDS}
        obj, status = staff.put(
            ctx.staff.get(v["phone"]),
            values,
            lambda v=v, values=values: Staff(school=school, phone=v["phone"], **values),
        )
        ctx.staff[v["phone"]] = obj
        _status(report.counts[STAFF.name], status)
    staff.save(actor=actor, audit_fields=["name", "phone", "kind", "external_kind"])

    classes = _Upsert(SchoolClass, ["head_teacher_id"])
    for row in parsed.get(CLASSES.name, []):
        v = row.values
        head = ctx.staff[v["head_teacher_phone"]].pk if v["head_teacher_phone"] else None
        key = (v["grade"], v["number"])
        obj, status = classes.put(
            ctx.classes.get(key),
            {"head_teacher_id": head},
            lambda v=v, head=head: SchoolClass(
                school=school,
                school_year=year,
                grade=v["grade"],
                number=v["number"],
                head_teacher_id=head,
            ),
        )
        ctx.classes[key] = obj
        _status(report.counts[CLASSES.name], status)
    classes.save(actor=actor, audit_fields=None)  # classes hold no personal data

    student_rows = parsed.get(STUDENTS.name, [])
    students = _Upsert(Student, STUDENT_FIELDS)
    student_status = []
    for row in student_rows:
        v = row.values
        values = {f: v[f] for f in STUDENT_FIELDS}
        obj, status = students.put(
            ctx.students.get(v["student_number"]),
            values,
            lambda v=v, values=values: Student(
                school=school, student_number=v["student_number"], **values
            ),
        )
        ctx.students[v["student_number"]] = obj
        student_status.append(status)
    students.save(
        actor=actor, audit_fields=["student_number", *STUDENT_FIELDS]
    )  # before memberships: they need the new students' ids

    memberships = _Upsert(ClassMembership, ["school_class_id"])
    existing = {
        m.student_id: m
        for m in ClassMembership.objects.filter(
            school_year=year, student__school=school
        ).select_related("student", "school_class")
    }
    for row, first in zip(student_rows, student_status, strict=True):
        v = row.values
        student = ctx.students[v["student_number"]]
        school_class = ctx.classes[(v["grade"], v["number"])]
        membership, status = memberships.put(
            existing.get(student.pk),
            {"school_class_id": school_class.pk},
            lambda student=student, school_class=school_class: ClassMembership(
                student=student, school_class=school_class, school_year=year
            ),
        )
        membership.school_class = school_class  # keeps the audit text right, no query
        _status(report.counts[STUDENTS.name], first, status)
    memberships.save(actor=actor, audit_fields=["student", "school_class"])

    _apply_guardians(parsed.get(GUARDIANS.name, []), ctx, report, actor=actor)

    collectors = _Upsert(AuthorisedCollector, COLLECTOR_FIELDS)
    existing = {
        (c.student_id, c.phone): c
        for c in AuthorisedCollector.objects.filter(student__school=school)
    }
    for row in parsed.get(COLLECTORS.name, []):
        v = row.values
        student = ctx.students[v["student_number"]]
        values = {f: v[f] for f in COLLECTOR_FIELDS}
        _collector, status = collectors.put(
            existing.get((student.pk, v["phone"])),
            values,
            lambda student=student, v=v, values=values: AuthorisedCollector(
                student=student, phone=v["phone"], **values
            ),
        )
        _status(report.counts[COLLECTORS.name], status)
    collectors.save(actor=actor, audit_fields=["student", "name", "relation", "phone"])


def _apply_guardians(rows: list[_Row], ctx: _Context, report: ImportReport, *, actor) -> None:
    if not rows:
        return
    school = ctx.school
    names = {}
    for row in rows:
        names.setdefault(row.values["phone"], row.values["name"])
    phones = list(names)
    # Only this school's own guardian records: a phone another school also knows is a
    # new record here, so the import neither reveals nor touches anyone outside the
    # school, and links to a login only when the guardian confirms it (ADR 0007).
    existing: dict[str, Guardian] = {}
    for i in range(0, len(phones), IN_CHUNK):
        existing.update(
            (g.phone, g)
            for g in Guardian.objects.filter(school=school, phone__in=phones[i : i + IN_CHUNK])
        )
    guardians = _Upsert(Guardian, ["name"])
    guardian_status: dict[str, str] = {}
    for phone, name in names.items():
        obj, guardian_status[phone] = guardians.put(
            existing.get(phone),
            {"name": name},
            lambda phone=phone, name=name: Guardian(school=school, phone=phone, name=name),
        )
        existing[phone] = obj
    guardians.save(actor=actor, audit_fields=["school", "name", "phone"])

    links = _Upsert(StudentGuardian, LINK_FIELDS)
    current_links = {
        (link.student_id, link.guardian_id): link
        for link in StudentGuardian.objects.filter(student__school=school).select_related(
            "student", "guardian"
        )
    }
    counted: set[str] = set()
    for row in rows:
        v = row.values
        student = ctx.students[v["student_number"]]
        guardian = existing[v["phone"]]
        values = {f: v[f] for f in LINK_FIELDS}
        _link, status = links.put(
            current_links.get((student.pk, guardian.pk)),
            values,
            lambda student=student, guardian=guardian, values=values: StudentGuardian(
                student=student, guardian=guardian, **values
            ),
        )
        # A guardian's own change (a new name) counts once, on their first row.
        person = "unchanged" if v["phone"] in counted else guardian_status[v["phone"]]
        counted.add(v["phone"])
        _status(report.counts[GUARDIANS.name], status, "updated" if person != "unchanged" else "")
    links.save(actor=actor, audit_fields=["student", "guardian", *LINK_FIELDS])


# --- a guardian takes on a school's record (docs/adr/0007) --------------------------------


def guardian_link_confirm(*, code: str, actor, confirmed: bool = False) -> Guardian:
    """A guardian, logged in, takes on a school's record of them with the code that school
    handed out: its children then appear in their account.

    Guardian logins only (OutOfScope for anyone else). The code must fit a record without
    a login that carries the login's own phone (one refusal for every mismatch, which says
    nothing about any record); the guardian first sees the children and confirms."""
    if not guardian_links.is_guardian_login(actor):
        raise access.OutOfScope
    guardian = guardian_links.unconfirmed_record_for(actor, code)
    if guardian is None:
        raise refusal("link_code_refused", LINK_CODE_REFUSED, field="code")
    if not confirmed:
        raise refusal(
            "confirmation_required",
            _("Check that these are your children, then confirm."),
            field="code",
        )
    with transaction.atomic():
        if not Guardian.objects.filter(pk=guardian.pk, user__isnull=True).update(user=actor):
            raise refusal("link_code_refused", LINK_CODE_REFUSED, field="code")
        guardian.user = actor
        log_bulk_changes([(guardian, {"user": ["None", str(actor.pk)]})], actor=actor)
    return guardian
