"""Roster pages: only the school's own admin (or a superuser naming the school) gets in."""

import io
import os

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from kehou.org.models import Student
from kehou.roster.schema import STUDENTS
from kehou.roster.tests.helpers import sample_rows, set_cell, workbook
from kehou.testing.factories import UserFactory
from kehou.testing.snapshots import everything

URLS = ["roster:import", "roster:template", "roster:export"]


def _upload(data: bytes, name: str = "花名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_admin_sees_the_import_form(client, north):
    client.force_login(north.admin)
    response = client.get(reverse("roster:import"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="file"' in html and 'type="file"' in html
    assert ">导入</button>" in html


def test_admin_imports_a_roster(client, north):
    # given
    client.force_login(north.admin)
    # when
    response = client.post(reverse("roster:import"), {"file": _upload(workbook(sample_rows()))})
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "导入完成" in html and "不会删除" in html
    report = response.context["report"]
    assert report.ok and report.counts["学生"].created == 2
    assert Student.objects.filter(school=north.school, name="张一").exists()


def test_bad_file_shows_every_error_and_writes_nothing(client, north):
    # given
    client.force_login(north.admin)
    rows = sample_rows()
    set_cell(rows, STUDENTS, 1, "gender", "未知")
    set_cell(rows, STUDENTS, 0, "birth_date", "昨天")
    before = everything()
    # when
    response = client.post(reverse("roster:import"), {"file": _upload(workbook(rows))})
    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert "发现 2 处问题" in html
    assert "<td>学生</td><td>3</td><td>性别</td>" in html
    assert "<td>学生</td><td>2</td><td>出生日期</td>" in html
    assert everything() == before


def test_random_bytes_named_xlsx_are_refused(client, north):
    client.force_login(north.admin)
    before = everything()
    response = client.post(reverse("roster:import"), {"file": _upload(os.urandom(2048))})
    assert response.status_code == 400
    assert ".xlsx" in response.content.decode()
    assert everything() == before


@override_settings(ROSTER_MAX_UPLOAD_BYTES=1000)
def test_oversized_upload_is_refused_before_reading(client, north):
    client.force_login(north.admin)
    before = everything()
    response = client.post(reverse("roster:import"), {"file": _upload(os.urandom(200_000))})
    assert response.status_code == 413
    assert everything() == before


def test_upload_without_csrf_token_is_refused(north):
    client = Client(enforce_csrf_checks=True)
    client.force_login(north.admin)
    before = everything()
    response = client.post(reverse("roster:import"), {"file": _upload(workbook(sample_rows()))})
    assert response.status_code == 403
    assert everything() == before


def test_post_without_a_file_is_refused(client, north):
    client.force_login(north.admin)
    response = client.post(reverse("roster:import"), {})
    assert response.status_code == 400


def test_dry_run_from_the_page_writes_nothing(client, north):
    client.force_login(north.admin)
    before = everything()
    response = client.post(
        reverse("roster:import"), {"file": _upload(workbook(sample_rows())), "dry_run": "1"}
    )
    assert response.status_code == 200 and response.context["report"].dry_run
    assert everything() == before


def test_template_download(client, north):
    client.force_login(north.admin)
    response = client.get(reverse("roster:template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "%E8%AF%BE%E5%90%8E" in response["Content-Disposition"]  # 课后服务花名册模板.xlsx
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "学生" in book.sheetnames


def test_export_download_holds_the_schools_children_only(client, north, south):
    client.force_login(north.admin)
    response = client.get(reverse("roster:export"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    names = [r[1] for r in book["学生"].iter_rows(min_row=2, values_only=True)]
    assert names == [north.child.name]


@pytest.mark.parametrize("persona", ["teacher", "guardian_user", "gate", "county_officer"])
@pytest.mark.parametrize("url", URLS)
def test_other_roles_get_404_and_nothing_changes(client, north, persona, url):
    client.force_login(getattr(north, persona))
    before = everything()
    assert client.get(reverse(url)).status_code == 404
    response = client.post(reverse(url), {"file": _upload(workbook(sample_rows()))})
    assert response.status_code in (404, 405)
    assert everything() == before


@pytest.mark.parametrize("url", URLS)
def test_other_schools_admin_gets_404_naming_the_school(client, north, south, url):
    # given
    client.force_login(south.admin)
    before = everything()
    target = reverse(url) + f"?school={north.school.code}"
    # when / then
    assert client.get(target).status_code == 404
    response = client.post(target, {"file": _upload(workbook(sample_rows()))})
    assert response.status_code in (404, 405)
    assert everything() == before


def test_other_schools_admin_cannot_see_this_schools_roster(client, north, south):
    # south's admin reaches only south's roster: north's child is not in the export
    client.force_login(south.admin)
    response = client.get(reverse("roster:export"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    names = [r[1] for r in book["学生"].iter_rows(min_row=2, values_only=True)]
    assert names == [south.child.name]


def test_city_officer_gets_404(client, north, city_officer):
    client.force_login(city_officer)
    for url in URLS:
        assert client.get(reverse(url)).status_code == 404


def test_anonymous_is_sent_to_login(client, north):
    for url in URLS:
        response = client.get(reverse(url))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_superuser_names_the_school(client, north):
    root = UserFactory(phone="13300000000", is_superuser=True, is_staff=True, role="bureau")
    client.force_login(root)
    assert client.get(reverse("roster:import")).status_code == 404
    url = reverse("roster:import") + f"?school={north.school.code}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": _upload(workbook(sample_rows()))})
    assert response.status_code == 200
    assert Student.objects.filter(school=north.school, name="张一").exists()


def test_reading_the_pages_of_a_year_creates_no_school_year(client, north):
    client.force_login(north.admin)
    before = everything()
    assert client.get(reverse("roster:import")).status_code == 200
    response = client.get(reverse("roster:export"), {"year": "2027"})
    assert response.status_code == 200 and "2027-2028" in response["Content-Disposition"]
    assert everything() == before
