"""Input that once gave a 500 or held a CPU gets a Chinese message instead (issue 8.5)."""

import io
import time
import zipfile
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kehou.org.models import Student
from kehou.roster import workbook as roster_workbook
from kehou.roster.schema import CLASSES, STAFF, STUDENTS
from kehou.roster.services import roster_import
from kehou.roster.tests.helpers import sample_rows, set_cell, workbook
from kehou.testing.snapshots import everything

MB = 1024 * 1024


def _problems(north, rows) -> list[str]:
    before = everything()
    report = roster_import(school=north.school, data=workbook(rows), actor=north.admin)
    assert not report.ok
    assert everything() == before
    return [str(e) for e in report.errors]


@pytest.mark.parametrize("grade", ["²", "³年级", "٣", "3_0", "𝟑"])
def test_a_grade_in_odd_digits_is_a_message_not_a_500(north, grade):
    rows = sample_rows()
    set_cell(rows, STUDENTS, 0, "grade", grade)
    problems = _problems(north, rows)
    assert any(p.startswith("学生 第2行 年级") and "1-9" in p for p in problems), problems


@pytest.mark.parametrize("number", ["²", "1²", "١", "1 0 0"])
def test_a_class_number_in_odd_digits_is_a_message(north, number):
    rows = sample_rows()
    set_cell(rows, CLASSES, 1, "number", number)
    problems = _problems(north, rows)
    assert any("班级 第" in p for p in problems), problems


@pytest.mark.parametrize("pay", ["²", "1e3", "8_0", "NaN"])
def test_pay_in_odd_notation_is_a_message(north, pay):
    rows = sample_rows()
    set_cell(rows, STAFF, 1, "pay_per_class_hour", pay)
    problems = _problems(north, rows)
    assert any("教职工 第" in p for p in problems), problems


def test_full_width_digits_typed_by_an_input_method_are_read(north):
    rows = sample_rows()
    set_cell(rows, STUDENTS, 0, "grade", "３")
    set_cell(rows, STUDENTS, 0, "number", "１班")
    report = roster_import(school=north.school, data=workbook(rows), actor=north.admin)
    assert report.ok, report.lines()
    student = Student.objects.get(student_number="G320506201501010011")
    assert student.memberships.get().school_class.name == "三年级1班"


def _declared_bomb(total: int, parts: int = 6) -> bytes:
    """A small zip whose directory declares `parts` sheets adding up to `total` bytes once
    unzipped, each compressed about 33 times (the pilot's 5.8 MB -> 190 MB workbook).
    check_upload reads only the directory; the parts are never inflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(parts):
            archive.writestr(f"xl/worksheets/sheet{i + 1}.xml", "<worksheet/>")
        for info in archive.infolist()[2:]:
            info.file_size = total // parts
            info.compress_size = info.file_size // 33
    return out.getvalue()


def test_workbook_expanding_to_190_mb_is_refused_before_parsing(north):
    # given
    data = _declared_bomb(190 * MB)
    assert len(data) < 10_000
    before = everything()
    # when
    started = time.perf_counter()
    with mock.patch.object(roster_workbook.openpyxl, "load_workbook") as load:
        report = roster_import(school=north.school, data=data, actor=north.admin)
    # then: refused from the zip directory alone, naming the limit
    assert not load.called
    assert time.perf_counter() - started < 5
    assert [e.reason for e in report.errors] == ["文件解压后为 190.0 MB，超过允许的 40.0 MB。"]
    assert everything() == before


def test_the_real_template_filled_in_stays_under_the_limit(north):
    from django.conf import settings

    data = workbook(sample_rows())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        total = sum(e.file_size for e in archive.infolist())
    assert total < settings.ROSTER_MAX_UNCOMPRESSED_BYTES / 100


def test_import_page_with_a_superscript_year_or_length_is_not_a_500(client, north):
    client.force_login(north.admin)
    url = reverse("roster:import")
    response = client.post(url, {"year": "²"}, CONTENT_LENGTH="²")
    assert response.status_code == 413
    upload = SimpleUploadedFile("roster.xlsx", workbook(sample_rows()))
    response = client.post(url, {"year": "²⁰²⁶", "file": upload, "dry_run": "1"})
    assert response.status_code == 200
    response = client.get(reverse("roster:export"), {"year": "²⁰²⁶"})
    assert response.status_code == 200


def test_calendar_year_typed_in_superscript_is_not_a_500(client, north):
    client.force_login(north.admin)
    response = client.get(reverse("terms:calendar"), {"year": "²⁰²⁶"})
    assert response.status_code == 200
