"""The roster commands: import-roster, roster-template, export-roster."""

import io

import pytest
from django.core.management import CommandError, call_command

from kehou.org.models import Student
from kehou.roster.schema import GUARDIANS
from kehou.roster.tests.helpers import sample_rows, set_cell, workbook
from kehou.testing.snapshots import everything


def test_import_prints_the_report(north, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(workbook(sample_rows()))
    out = io.StringIO()
    call_command("import-roster", str(path), school=north.school.code, stdout=out)
    assert "学生：新增 2，更新 0，未变 0" in out.getvalue()
    assert Student.objects.filter(school=north.school, name="张一").exists()


def test_import_with_errors_prints_each_and_fails(north, tmp_path):
    rows = sample_rows()
    set_cell(rows, GUARDIANS, 0, "phone", "123")
    set_cell(rows, GUARDIANS, 1, "relation", "舅舅")
    path = tmp_path / "roster.xlsx"
    path.write_bytes(workbook(rows))
    before = everything()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import-roster", str(path), school=north.school.code, stderr=err)
    assert "监护人 第2行 手机号" in err.getvalue()
    assert "监护人 第3行 关系" in err.getvalue()
    assert everything() == before


def test_import_dry_run_writes_nothing(north, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(workbook(sample_rows()))
    before = everything()
    out = io.StringIO()
    call_command("import-roster", str(path), school=north.school.code, dry_run=True, stdout=out)
    assert "仅检查" in out.getvalue()
    assert everything() == before


def test_import_unknown_school_fails(north, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(workbook(sample_rows()))
    with pytest.raises(CommandError):
        call_command("import-roster", str(path), school="9999999999")


def test_import_into_another_year(north, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(workbook(sample_rows()))
    call_command(
        "import-roster", str(path), school=north.school.code, year=2027, stdout=io.StringIO()
    )
    zhang = Student.objects.get(name="张一")
    assert zhang.memberships.get().school_year.start_year == 2027


def test_template_and_export_round_trip(north, tmp_path):
    template = tmp_path / "template.xlsx"
    call_command("roster-template", str(template), stdout=io.StringIO())
    assert template.read_bytes()[:2] == b"PK"
    exported = tmp_path / "export.xlsx"
    call_command("export-roster", str(exported), school=north.school.code, stdout=io.StringIO())
    before = everything()
    out = io.StringIO()
    call_command("import-roster", str(exported), school=north.school.code, stdout=out)
    assert "学生：新增 0，更新 0，未变 1" in out.getvalue()
    assert everything() == before
