"""Every kind of bad row is reported by sheet, Excel row and column, and nothing is written."""

import pytest

from kehou.org.models import ExternalOrganisation
from kehou.roster.schema import CLASSES, COLLECTORS, GUARDIANS, STAFF, STUDENTS
from kehou.roster.services import RowError, roster_import
from kehou.roster.tests.helpers import row, sample_rows, set_cell, workbook
from kehou.testing.snapshots import everything

S, G, C, T, K = STUDENTS, GUARDIANS, CLASSES, STAFF, COLLECTORS

CASES = {
    "required name": ([(S, 0, "name", "")], ("学生", 2, "姓名")),
    "bad guardian phone": ([(G, 1, "phone", "1390000111")], ("监护人", 3, "手机号")),
    "bad date": ([(S, 0, "birth_date", "2015-13-01")], ("学生", 2, "出生日期")),
    "bad yes/no": ([(S, 1, "is_boarder", "也许")], ("学生", 3, "住校")),
    "bad gender": ([(S, 0, "gender", "M")], ("学生", 2, "性别")),
    "duplicate student number": (
        [(S, 1, "student_number", "G320506201501010011")],
        ("学生", 3, "学籍号"),
    ),
    "bad student number": ([(S, 0, "student_number", "G-1")], ("学生", 2, "学籍号")),
    "class does not exist": ([(S, 0, "number", 9)], ("学生", 2, "班号")),
    "guardian of unknown student": (
        [(G, 0, "student_number", "G999999")],
        ("监护人", 2, "学籍号"),
    ),
    "unknown relation": ([(G, 0, "relation", "舅舅")], ("监护人", 2, "关系")),
    "one phone two names": ([(G, 1, "name", "张叔")], ("监护人", 3, "姓名")),
    "two primary contacts": ([(G, 2, "is_primary", "是")], ("监护人", 4, "主要联系人")),
    "unknown external kind": ([(T, 1, "external_kind", "魔术师")], ("教职工", 3, "外聘类型")),
    "external without kind": ([(T, 1, "external_kind", "")], ("教职工", 3, "外聘类型")),
    "teacher with external kind": ([(T, 0, "external_kind", "教练")], ("教职工", 2, "外聘类型")),
    "unknown staff kind": ([(T, 0, "kind", "临时工")], ("教职工", 2, "类别")),
    "duplicate staff phone": ([(T, 1, "phone", "13600000001")], ("教职工", 3, "手机号")),
    "agreement ends before start": (
        [(T, 1, "agreement_end", "2026-08-01")],
        ("教职工", 3, "协议结束日期"),
    ),
    "bad pay": ([(T, 1, "pay_per_class_hour", "八十")], ("教职工", 3, "课时报酬(元)")),
    "unknown organisation": (
        [(T, 1, "credit_code", "91320500MA1XXXXX0X")],
        ("教职工", 3, "所属机构统一社会信用代码"),
    ),
    "bad grade": ([(C, 1, "grade", "十年级")], ("班级", 3, "年级")),
    "grade the school does not teach": ([(C, 1, "grade", 8)], ("班级", 3, "年级")),
    "bad class number": ([(C, 0, "number", "甲")], ("班级", 2, "班号")),
    "duplicate class": ([(C, 1, "grade", 3), (C, 1, "number", 1)], ("班级", 3, "班号")),
    "unknown head teacher": (
        [(C, 0, "head_teacher_phone", "13512345678")],
        ("班级", 2, "班主任手机号"),
    ),
    "collector of unknown student": (
        [(K, 0, "student_number", "G999999")],
        ("授权接送人", 2, "学籍号"),
    ),
    "collector without relation": ([(K, 0, "relation", None)], ("授权接送人", 2, "与学生关系")),
    "name too long": ([(S, 0, "name", "长" * 51)], ("学生", 2, "姓名")),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_row_is_reported_and_nothing_written(north, case):
    # given
    edits, (sheet, row_number, column) = CASES[case]
    rows = sample_rows()
    for spec, index, key, value in edits:
        set_cell(rows, spec, index, key, value)
    before = everything()
    # when
    report = roster_import(school=north.school, data=workbook(rows), actor=north.admin)
    # then
    assert not report.ok
    assert (sheet, row_number, column) in {(e.sheet, e.row, e.column) for e in report.errors}
    assert all(e.reason for e in report.errors)
    assert everything() == before


def test_message_names_sheet_row_and_column_in_chinese(north):
    # given
    rows = sample_rows()
    set_cell(rows, GUARDIANS, 1, "phone", "12345")
    # when
    report = roster_import(school=north.school, data=workbook(rows), actor=north.admin)
    # then
    assert [str(e) for e in report.errors] == ["监护人 第3行 手机号: 不是有效的11位手机号"]


def test_every_error_is_collected_not_just_the_first(north):
    rows = sample_rows()
    set_cell(rows, STUDENTS, 0, "gender", "?")
    set_cell(rows, GUARDIANS, 2, "phone", "1")
    set_cell(rows, STAFF, 1, "external_kind", "")
    report = roster_import(school=north.school, data=workbook(rows), actor=north.admin)
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [
        ("学生", 2, "性别"),
        ("监护人", 4, "手机号"),
        ("教职工", 3, "外聘类型"),
    ]


def test_known_organisation_is_linked(north):
    org = ExternalOrganisation.objects.create(
        region=north.county, name="体育俱乐部", credit_code="91320500MA1XXXXX0X", status="approved"
    )
    rows = sample_rows()
    set_cell(rows, STAFF, 1, "credit_code", org.credit_code)
    report = roster_import(school=north.school, data=workbook(rows), actor=north.admin)
    assert report.ok, report.lines()
    assert org.instructors.get().phone == "13600000002"


def test_student_may_name_a_class_already_in_the_system(north):
    # given: no 班级 sheet; class 3-1 exists from the persona
    rows = {
        STUDENTS.name: [
            row(STUDENTS, student_number="G100", name="甲", gender="男", grade="三年级", number=1)
        ]
    }
    report = roster_import(school=north.school, data=workbook(rows), actor=north.admin)
    assert report.ok, report.lines()


def test_missing_column_is_reported_on_row_1(north):
    # given: a 学生 sheet without 性别
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "学生"
    sheet.append([h for h in STUDENTS.headers if h != "性别"])
    out = io.BytesIO()
    book.save(out)
    before = everything()
    # when
    report = roster_import(school=north.school, data=out.getvalue(), actor=north.admin)
    # then
    assert report.errors == [RowError("学生", 1, "性别", report.errors[0].reason)]
    assert everything() == before


def test_workbook_without_roster_sheets_is_refused(north):
    import io

    import openpyxl

    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    report = roster_import(school=north.school, data=out.getvalue(), actor=north.admin)
    assert not report.ok and report.errors[0].sheet == ""
