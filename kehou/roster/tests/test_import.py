"""Importing a roster (SPEC R3): happy path, re-import, changes, round trip, audit."""

import io

import openpyxl
from auditlog.models import LogEntry
from django.utils import timezone

from kehou.lib.school_calendar import school_year_start
from kehou.org.models import (
    AuthorisedCollector,
    ClassMembership,
    Guardian,
    SchoolClass,
    Staff,
    Student,
    StudentGuardian,
)
from kehou.roster.schema import CLASSES, GUARDIANS, STAFF, STUDENTS
from kehou.roster.services import roster_export, roster_import, roster_template
from kehou.roster.tests.helpers import row, sample_rows, set_cell, workbook
from kehou.testing.snapshots import everything


def _counts(report) -> dict:
    return {s: (c.created, c.updated, c.unchanged) for s, c in report.counts.items()}


def test_happy_path_creates_everything(north):
    # when
    report = roster_import(school=north.school, data=workbook(sample_rows()), actor=north.admin)
    # then
    assert report.ok, report.lines()
    assert _counts(report) == {
        "班级": (1, 0, 1),
        "学生": (2, 0, 0),
        "监护人": (3, 0, 0),
        "教职工": (2, 0, 0),
        "授权接送人": (1, 0, 0),
    }
    zhang = Student.objects.get(school=north.school, student_number="G320506201501010011")
    assert zhang.gender == "M" and zhang.is_left_behind and zhang.low_income_basis == "dibao"
    membership = ClassMembership.objects.get(student=zhang)
    assert membership.school_class == north.school_class
    assert membership.school_year.start_year == school_year_start(timezone.localdate())
    father = Guardian.objects.get(phone="13900001111")
    assert father.student_links.count() == 2  # one guardian for two siblings
    link = StudentGuardian.objects.get(student=zhang, guardian=father)
    assert link.relation == "father" and link.is_primary and link.may_collect
    coach = Staff.objects.get(school=north.school, phone="13600000002")
    assert coach.kind == "external" and coach.external_kind == "coach"
    assert coach.background_check_result == "passed" and str(coach.pay_per_class_hour) == "80.00"
    new_class = SchoolClass.objects.get(school=north.school, grade=4, number=2)
    assert new_class.head_teacher.phone == "13600000001"
    assert AuthorisedCollector.objects.get(student=zhang).relation == "邻居"


def test_reimporting_the_same_file_changes_nothing(north):
    # given
    data = workbook(sample_rows())
    roster_import(school=north.school, data=data, actor=north.admin)
    before = everything()
    # when
    report = roster_import(school=north.school, data=data, actor=north.admin)
    # then
    assert report.ok and report.changed == 0
    assert all(c.created == 0 and c.updated == 0 for c in report.counts.values())
    assert everything() == before  # not even an audit entry


def test_changed_file_updates_only_changed_fields(north):
    # given
    rows = sample_rows()
    roster_import(school=north.school, data=workbook(rows), actor=north.admin)
    set_cell(rows, STUDENTS, 1, "name", "张二丫")
    set_cell(rows, STUDENTS, 0, "number", 2)
    rows[CLASSES.name].append(row(CLASSES, grade=3, number=2))
    set_cell(rows, GUARDIANS, 2, "may_collect", "否")
    set_cell(rows, STAFF, 1, "pay_per_class_hour", "90元")
    # when
    report = roster_import(school=north.school, data=workbook(rows), actor=north.admin)
    # then
    assert report.ok, report.lines()
    assert _counts(report) == {
        "班级": (1, 0, 2),
        "学生": (0, 2, 0),
        "监护人": (0, 1, 2),
        "教职工": (0, 1, 1),
        "授权接送人": (0, 0, 1),
    }
    second = Student.objects.get(student_number="G320506201501010012")
    assert second.name == "张二丫"
    entry = LogEntry.objects.get_for_object(second).get(action=LogEntry.Action.UPDATE)
    assert entry.changes_dict == {"name": ["张二", "张二丫"]}
    assert entry.actor == north.admin
    first = Student.objects.get(student_number="G320506201501010011")
    assert first.memberships.get().school_class.number == 2
    assert not StudentGuardian.objects.get(guardian__phone="13900002222").may_collect


def test_students_missing_from_the_file_are_kept(north):
    # given: the persona child is not in the file
    report = roster_import(school=north.school, data=workbook(sample_rows()), actor=north.admin)
    # then
    assert Student.objects.filter(pk=north.child.pk, is_active=True).exists()
    assert any("不会删除" in line for line in report.lines())


def test_audit_entries_name_the_importing_user(north):
    # when
    roster_import(school=north.school, data=workbook(sample_rows()), actor=north.admin)
    # then
    for model in (Student, ClassMembership, Guardian, StudentGuardian, Staff, AuthorisedCollector):
        objects = model.objects.exclude(pk__in=_persona_pks(north, model))
        for obj in objects:
            entry = LogEntry.objects.get_for_object(obj).get()
            assert entry.action == LogEntry.Action.CREATE and entry.actor == north.admin
    father = Guardian.objects.get(phone="13900001111")
    phone_change = LogEntry.objects.get_for_object(father).get().changes_dict["phone"]
    assert "13900001111" not in phone_change[1]  # masked


def _persona_pks(north, model) -> list[int]:
    persona = {
        Student: [north.child.pk],
        Guardian: [north.guardian.pk],
        StudentGuardian: list(
            StudentGuardian.objects.filter(student=north.child).values_list("pk", flat=True)
        ),
        ClassMembership: list(
            ClassMembership.objects.filter(student=north.child).values_list("pk", flat=True)
        ),
        Staff: list(Staff.objects.filter(phone="13800000002").values_list("pk", flat=True)),
    }
    return persona.get(model, [])


def test_dry_run_counts_but_writes_nothing(north):
    before = everything()
    report = roster_import(
        school=north.school, data=workbook(sample_rows()), actor=north.admin, dry_run=True
    )
    assert report.ok and report.counts["学生"].created == 2
    assert everything() == before


def test_export_then_import_changes_nothing(north):
    # given
    roster_import(school=north.school, data=workbook(sample_rows()), actor=north.admin)
    before = everything()
    # when
    exported = roster_export(school=north.school, actor=north.admin)
    report = roster_import(school=north.school, data=exported, actor=north.admin)
    # then
    assert report.ok, report.lines()
    assert report.changed == 0
    assert report.counts["学生"].unchanged == 3  # the persona child too
    assert everything() == before


def test_export_escapes_formulas_and_round_trips(north):
    # given: text a spreadsheet would run as a formula
    rows = sample_rows()
    set_cell(rows, STAFF, 1, "pay_terms", '=HYPERLINK("http://evil.example","点我")')
    set_cell(rows, STAFF, 1, "subjects", "+1 体育")
    set_cell(rows, STAFF, 0, "qualification", "@教师资格")
    roster_import(school=north.school, data=workbook(rows), actor=north.admin)
    # when
    exported = roster_export(school=north.school, actor=north.admin)
    # then
    sheet = openpyxl.load_workbook(io.BytesIO(exported))["教职工"]
    cells = [c for r in sheet.iter_rows(min_row=2) for c in r if isinstance(c.value, str)]
    assert all(c.data_type != "f" for c in cells)
    texts = {c.value for c in cells}
    assert '\'=HYPERLINK("http://evil.example","点我")' in texts
    assert "'+1 体育" in texts and "'@教师资格" in texts
    coach = Staff.objects.get(phone="13600000002")
    assert coach.pay_terms.startswith("=HYPERLINK")
    report = roster_import(school=north.school, data=exported, actor=north.admin)
    assert report.ok and report.changed == 0


def test_template_imports_cleanly_and_has_help(north):
    # given
    data = roster_template()
    book = openpyxl.load_workbook(io.BytesIO(data))
    # then
    assert book.sheetnames == ["说明", "班级", "学生", "监护人", "教职工", "授权接送人"]
    assert [c.value for c in book["学生"][1]] == STUDENTS.headers
    assert book["学生"].data_validations.dataValidation  # dropdowns
    before = everything()
    report = roster_import(school=north.school, data=data, actor=north.admin)
    assert report.ok and report.changed == 0
    assert everything() == before


def test_guardian_known_at_another_school_is_a_record_of_this_school(north, south):
    # given: south's guardian appears in north's file under another name
    rows = sample_rows()
    set_cell(rows, GUARDIANS, 2, "phone", south.guardian.phone)
    set_cell(rows, GUARDIANS, 2, "name", "别名")
    # when
    report = roster_import(school=north.school, data=workbook(rows), actor=north.admin)
    # then: south's record is untouched and nothing is said about it (ADR 0007)
    assert report.ok
    assert report.warnings == []
    south.guardian.refresh_from_db()
    assert south.guardian.name != "别名"
    assert south.guardian.student_links.count() == 1
    north_record = Guardian.objects.get(school=north.school, phone=south.guardian.phone)
    assert north_record.name == "别名" and north_record.user is None


def test_large_import_uses_a_bounded_number_of_queries(north, django_assert_max_num_queries):
    # given: 300 students, each with two guardians
    rows = sample_rows()
    for i in range(300):
        number = f"G32050620160{i:07d}"
        rows[STUDENTS.name].append(
            row(STUDENTS, student_number=number, name=f"学生{i}", gender="女", grade=3, number=1)
        )
        for j, relation in enumerate(["父亲", "母亲"]):
            rows[GUARDIANS.name].append(
                row(
                    GUARDIANS,
                    student_number=number,
                    name=f"家长{i}-{j}",
                    relation=relation,
                    phone=f"1580{i:04d}{j:03d}",
                )
            )
    data = workbook(rows)
    # when / then: no per-row queries
    with django_assert_max_num_queries(80):
        report = roster_import(school=north.school, data=data, actor=north.admin)
    assert report.ok and report.counts["学生"].created == 302
