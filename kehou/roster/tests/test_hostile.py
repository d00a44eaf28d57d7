"""Hostile uploads are refused before openpyxl parses them (research S8), writing nothing."""

import io
import os
import zipfile

from django.test import override_settings

from kehou.roster.services import roster_import
from kehou.roster.tests.helpers import sample_rows, workbook
from kehou.testing.snapshots import everything


def _refused(north, data: bytes) -> str:
    before = everything()
    report = roster_import(school=north.school, data=data, actor=north.admin)
    assert not report.ok
    assert len(report.errors) == 1 and report.errors[0].sheet == ""
    assert everything() == before
    return report.errors[0].reason


def _rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """A copy of the workbook `data` with some parts replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = replace.get(item.filename, src.read(item.filename))
            dst.writestr(item.filename, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_not_a_zip_is_refused(north):
    assert ".xlsx" in _refused(north, "姓名,学籍号\n张三,G1\n".encode())


def test_random_bytes_are_refused(north):
    assert ".xlsx" in _refused(north, os.urandom(4096))


def test_empty_file_is_refused(north):
    _refused(north, b"")


def test_a_zip_that_is_not_a_workbook_is_refused(north):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert ".xlsx" in _refused(north, out.getvalue())


def test_zip_bomb_is_refused_without_expanding_it(north):
    # given: a workbook with one part of 50 MB of zeros, deflated to about 50 KB
    data = _rezip(workbook(sample_rows()), {"xl/media/bomb.bin": b""})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            if item.filename != "xl/media/bomb.bin":
                dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/media/bomb.bin", b"\0" * (50 * 1024 * 1024), zipfile.ZIP_DEFLATED)
    bomb = out.getvalue()
    assert len(bomb) < 1024 * 1024
    # when / then (bench/roster_import.py measures how fast)
    assert "压缩炸弹" in _refused(north, bomb)


@override_settings(ROSTER_MAX_UNCOMPRESSED_BYTES=20_000)
def test_uncompressed_size_over_the_limit_is_refused(north):
    assert "解压后" in _refused(north, workbook(sample_rows()))


@override_settings(ROSTER_MAX_UPLOAD_BYTES=5_000)
def test_oversize_upload_is_refused(north):
    assert "最多只能上传" in _refused(north, workbook(sample_rows()))


def test_billion_laughs_is_refused(north):
    # given: a valid workbook whose 学生 sheet declares nested entities
    data = workbook(sample_rows())
    lol = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
            for i in range(1, 10)
        )
        + b"]>\n"
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet3.xml")
    body = sheet.split(b"?>", 1)[-1]  # openpyxl writes no XML declaration
    body = body.replace(
        b"<sheetData>",
        b'<sheetData><row r="9"><c r="A9" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
        1,
    )
    hostile = _rezip(data, {"xl/worksheets/sheet3.xml": lol + body})
    # when / then (bench/roster_import.py measures how fast)
    assert "XML" in _refused(north, hostile)


def test_workbook_part_with_entities_is_refused(north):
    data = workbook(sample_rows())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = archive.read("xl/workbook.xml")
    doctype = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    hostile = _rezip(data, {"xl/workbook.xml": doctype + book})
    _refused(north, hostile)
