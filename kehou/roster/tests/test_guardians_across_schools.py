"""One school's import never reaches another school's families (issue 8.2, ADR 0007).

`south.guardian` is a real family with a login at 相城实验小学. 吴中实验小学 (north) imports
a roster that lists that phone for a child of its own: a sibling, or a stranger's number.
"""

import io
import re

import openpyxl
import pytest
from django.db import transaction
from django.urls import reverse

from kehou.org import access
from kehou.org.models import Guardian, Student
from kehou.roster import guardian_links
from kehou.roster.schema import GUARDIANS
from kehou.roster.services import guardian_link_confirm, roster_export, roster_import
from kehou.roster.tests.helpers import sample_rows, set_cell, workbook
from kehou.testing.snapshots import everything

UNKNOWN_PHONE = "13911119999"
NORTH_CHILD = "G320506201501010012"  # 张二, in sample_rows


def _rows(phone: str, name: str = "陈母"):
    rows = sample_rows()
    set_cell(rows, GUARDIANS, 2, "phone", phone)  # 李母's row, a guardian of 张二 only
    set_cell(rows, GUARDIANS, 2, "name", name)
    return rows


def _import(north, phone, *, dry_run=False, name="陈母"):
    report = roster_import(
        school=north.school, data=workbook(_rows(phone, name)), actor=north.admin, dry_run=dry_run
    )
    assert report.ok, report.lines()
    return report


def _answers(report) -> tuple:
    counts = {s: (c.created, c.updated, c.unchanged) for s, c in report.counts.items()}
    return counts, report.warnings, [line for line in report.lines()]


@pytest.mark.parametrize("dry_run", [True, False])
def test_import_answers_the_same_whether_a_phone_is_known_elsewhere(north, south, dry_run):
    # when: the same file, once with a phone of a family of another school, once unknown
    with transaction.atomic():
        known = _import(north, south.guardian.phone, dry_run=dry_run)
        transaction.set_rollback(True)
    unknown = _import(north, UNKNOWN_PHONE, dry_run=dry_run)
    # then
    assert _answers(known) == _answers(unknown)
    assert not any("另一所学校" in w or "other school" in w for w in known.warnings)


def test_a_strangers_phone_never_attaches_a_child_to_their_account(client, north, south):
    # given: south's family, with its own name, their real child and a login
    before_name = south.guardian.name
    # when
    _import(north, south.guardian.phone, name="陈母")
    # then: the family's account still holds only their own child
    assert list(access.students_for(south.guardian_user)) == [south.child]
    client.force_login(south.guardian_user)
    body = client.get(reverse("home:index")).content.decode()
    assert "张二" not in body and north.school.name not in body
    # and south's record is untouched: the name they hold is theirs
    south.guardian.refresh_from_db()
    assert south.guardian.name == before_name and south.guardian.school == south.school
    # north has its own record of that phone, without a login
    mine = Guardian.objects.get(school=north.school, phone=south.guardian.phone)
    assert mine.name == "陈母" and mine.user is None


def test_export_shows_only_what_this_school_entered(north, south):
    # given
    _import(north, south.guardian.phone, name="陈母")
    # when
    data = roster_export(school=north.school, actor=north.admin)
    # then
    sheet = openpyxl.load_workbook(io.BytesIO(data))[GUARDIANS.name]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert "陈母" in cells
    assert south.guardian.name not in cells
    assert south.child.name not in cells


def test_a_school_cannot_rename_or_relink_another_schools_guardian(north, south):
    _import(north, south.guardian.phone, name="改名")
    south.guardian.refresh_from_db()
    assert south.guardian.name != "改名"
    assert list(south.guardian.student_links.values_list("student", flat=True)) == [south.child.pk]


def _code_from_the_school_page(client, north, phone) -> str:
    client.force_login(north.admin)
    response = client.get(reverse("roster:guardian_codes"))
    assert response.status_code == 200
    body = response.content.decode()
    row = next(r for r in body.split("<tr>") if phone in r)
    return re.search(r"<code[^>]*>([A-Z0-9-]+)</code>", row).group(1)


def test_school_lists_unconfirmed_records_alike_known_elsewhere_or_not(client, north, south):
    _import(north, south.guardian.phone)
    client.force_login(north.admin)
    body = client.get(reverse("roster:guardian_codes")).content.decode()
    # both unconfirmed records of the import are listed the same way
    assert south.guardian.phone in body and "13900001111" in body
    assert south.guardian.name not in body and south.child.name not in body


def test_the_guardian_confirms_with_the_schools_code_then_sees_the_child(client, north, south):
    # given
    _import(north, south.guardian.phone)
    code = _code_from_the_school_page(client, north, south.guardian.phone)
    client.force_login(south.guardian_user)
    url = reverse("roster:guardian_link")
    # when: the code, typed in lower case with a space
    response = client.post(url, {"code": code.lower().replace("-", " ")})
    # then: the child and the school are shown, nothing is linked yet
    assert response.status_code == 200
    assert "张二" in response.content.decode() and north.school.name in response.content.decode()
    assert list(access.students_for(south.guardian_user)) == [south.child]
    # when: confirmed
    response = client.post(url, {"code": code, "confirmed": "1"})
    # then
    assert response.status_code == 302
    names = sorted(s.name for s in access.students_for(south.guardian_user))
    assert names == sorted([south.child.name, "张二"])
    record = Guardian.objects.get(school=north.school, phone=south.guardian.phone)
    assert record.user == south.guardian_user
    # and the school's list no longer shows that record
    client.force_login(north.admin)
    assert south.guardian.phone not in client.get(reverse("roster:guardian_codes")).content.decode()
    # and the child's history says who confirmed it
    child = Student.objects.get(school=north.school, student_number=NORTH_CHILD)
    response = client.get(reverse("org:student_history", args=[child.pk]))
    assert response.status_code == 200
    assert response.context["history"][0].actor == south.guardian_user.name


def test_a_code_is_useless_to_another_login(client, north, south):
    # given: north's code for a record with south's guardian phone
    _import(north, south.guardian.phone)
    record = Guardian.objects.get(school=north.school, phone=south.guardian.phone)
    code = guardian_links.link_code(record)
    before = everything()
    # when: north's own guardian (another phone) tries it
    client.force_login(north.guardian_user)
    response = client.post(reverse("roster:guardian_link"), {"code": code, "confirmed": "1"})
    # then
    assert response.status_code == 400
    assert "不符" in response.content.decode()
    assert everything() == before


def test_a_wrong_code_is_one_refusal_and_writes_nothing(north, south):
    from django.core.exceptions import ValidationError

    _import(north, south.guardian.phone)
    before = everything()
    with pytest.raises(ValidationError) as refused:
        guardian_link_confirm(code="AAAA-AAAA", actor=south.guardian_user, confirmed=True)
    assert refused.value.error_dict["code"][0].code == "link_code_refused"
    assert everything() == before


def test_staff_cannot_open_the_guardian_page_and_guardians_not_the_codes(client, north):
    client.force_login(north.admin)
    assert client.get(reverse("roster:guardian_link")).status_code == 404
    client.force_login(north.guardian_user)
    assert client.get(reverse("roster:guardian_codes")).status_code == 404


def test_an_organisation_of_another_county_is_not_found_by_the_import(north, south):
    from kehou.roster.schema import STAFF
    from kehou.testing import factories as f

    elsewhere = f.OrganisationFactory(region=south.county)
    rows = sample_rows()
    set_cell(rows, STAFF, 1, "credit_code", elsewhere.credit_code)
    report = roster_import(school=north.school, data=workbook(rows), actor=north.admin)
    assert [(e.sheet, e.column) for e in report.errors] == [
        ("教职工", STAFF.column("credit_code").header)
    ]
