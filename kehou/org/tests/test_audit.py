"""Every change to a child's or guardian's record keeps who, when and what (SPEC R26)."""

from auditlog.context import set_actor
from auditlog.models import LogEntry

from kehou.org.audit import log_bulk_changes, log_bulk_created
from kehou.org.models import Guardian, Student


def test_student_change_records_actor_and_diff(north):
    # given
    child = north.child
    # when
    with set_actor(north.admin):
        child.is_left_behind = True
        child.save()
    # then
    entry = LogEntry.objects.get_for_object(child).latest("timestamp")
    assert entry.actor == north.admin
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.changes_dict["is_left_behind"] == ["False", "True"]


def test_guardian_phone_is_masked_in_history(north):
    with set_actor(north.admin):
        north.guardian.phone = "13912345678"
        north.guardian.save()
    entry = LogEntry.objects.get_for_object(north.guardian).latest("timestamp")
    old, new = entry.changes_dict["phone"]
    assert "12345678" not in new
    assert "13800000004" not in old


def test_bulk_helpers_write_one_entry_per_object(north):
    students = list(Student.objects.all())
    log_bulk_created(students, actor=north.admin, fields=["name", "student_number"])
    guardian = Guardian.objects.get(pk=north.guardian.pk)
    log_bulk_changes([(guardian, {"name": ["旧名", guardian.name]})], actor=north.admin)
    created = LogEntry.objects.filter(action=LogEntry.Action.CREATE, actor=north.admin)
    assert created.count() == len(students)
    assert LogEntry.objects.get_for_object(guardian).filter(actor=north.admin).exists()


def test_history_masks_phone_as_gate_staff_see_it(north):
    with set_actor(north.admin):
        north.guardian.phone = "13912345678"
        north.guardian.save()
    entry = LogEntry.objects.get_for_object(north.guardian).latest("timestamp")
    assert entry.changes_dict["phone"][1] == "139****5678"
