"""The migration to one guardian record per school (ADR 0007) splits a shared record:
each school's children, links and applications end on that school's own record."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

TARGET = ("org", "0005_guardian_school_required")
SPLIT = ("org", "0004_guardian_per_school")


def _state_before(executor):
    migration = executor.loader.get_migration(*SPLIT)
    return [d for d in migration.dependencies if d[0] == "org"]


@pytest.mark.django_db(transaction=True)
def test_a_guardian_shared_by_two_schools_becomes_one_record_per_school():
    executor = MigrationExecutor(connection)
    before = _state_before(executor)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Region = apps.get_model("org", "Region")
    School = apps.get_model("org", "School")
    Student = apps.get_model("org", "Student")
    Guardian = apps.get_model("org", "Guardian")
    Link = apps.get_model("org", "StudentGuardian")
    county = Region.objects.create(code="320506", name="吴中区", level="county", path="/320506/")
    schools = [
        School.objects.create(code=f"320506000{i}", name=f"学校{i}", region=county,
                              school_type="primary")
        for i in (1, 2)
    ]  # fmt: skip
    children = [
        Student.objects.create(school=s, student_number=f"G00{i}", name=f"孩子{i}", gender="F")
        for i, s in enumerate(schools)
    ]
    shared = Guardian.objects.create(name="王母", phone="13900000001")
    Guardian.objects.create(name="无孩子", phone="13900000002")
    for child in children:
        Link.objects.create(student=child, guardian=shared, relation="mother")
    # when
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([TARGET])
    # then
    apps = executor.loader.project_state([TARGET]).apps
    Guardian = apps.get_model("org", "Guardian")
    Link = apps.get_model("org", "StudentGuardian")
    records = list(Guardian.objects.order_by("school_id"))
    assert [(g.school_id, g.name, g.phone) for g in records] == [
        (schools[0].pk, "王母", "13900000001"),
        (schools[1].pk, "王母", "13900000001"),
    ]
    for record, child in zip(records, children, strict=True):
        assert list(Link.objects.filter(guardian=record).values_list("student_id", flat=True)) == [
            child.pk
        ]
    # back to the latest state for the tests after this one
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
