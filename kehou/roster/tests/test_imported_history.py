"""A student who came in through the roster import has a readable history (issue 8.1).

The import writes its audit entries in bulk; they must store what auditlog stores for a
save (a related record's id), so the history page resolves them to names. Entries written
before that (display names) are shown as stored, never a 500.
"""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from kehou.org.models import ClassMembership, Student, StudentGuardian
from kehou.roster.services import roster_import
from kehou.roster.tests.helpers import sample_rows, workbook

NUMBER = "G320506201501010011"


@pytest.fixture
def imported(north):
    report = roster_import(school=north.school, data=workbook(sample_rows()), actor=north.admin)
    assert report.ok, report.lines()
    return Student.objects.get(school=north.school, student_number=NUMBER)


def test_import_audit_stores_ids_for_related_records(north, imported):
    membership = ClassMembership.objects.get(student=imported)
    entry = LogEntry.objects.get_for_object(membership).get()
    assert entry.changes_dict["student"] == ["None", str(imported.pk)]
    assert entry.changes_dict["school_class"] == ["None", str(membership.school_class_id)]
    link = StudentGuardian.objects.filter(student=imported).first()
    link_entry = LogEntry.objects.get_for_object(link).get()
    assert link_entry.changes_dict["guardian"] == ["None", str(link.guardian_id)]


@pytest.mark.parametrize("who", ["admin", "teacher", "county_officer"])
def test_imported_student_pages_open_for_staff_and_bureau(client, north, imported, who):
    client.force_login(getattr(north, who))
    response = client.get(reverse("org:student_detail", args=[imported.pk]))
    assert response.status_code == 200


def test_imported_student_history_names_the_class_and_guardian(client, north, imported):
    client.force_login(north.admin)
    response = client.get(reverse("org:student_history", args=[imported.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "三年级1班" in body  # the class, resolved from its id
    assert "张父" in body


def test_history_shows_an_unresolvable_stored_value_as_it_is(client, north):
    # given: an entry as the import wrote them before, a display name where an id belongs
    membership = ClassMembership.objects.get(student=north.child)
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(ClassMembership),
        object_pk=str(membership.pk),
        object_id=membership.pk,
        object_repr=str(membership),
        action=LogEntry.Action.CREATE,
        changes={"student": ["None", "王小北"], "school_class": ["None", "三年级1班"]},
        actor=north.admin,
    )
    client.force_login(north.admin)
    for name in ("org:student_history", "org:student_detail"):
        response = client.get(reverse(name, args=[north.child.pk]))
        assert response.status_code == 200
        assert "三年级1班" in response.content.decode()
