"""Incidents (R17): recorded by the school's admin and teachers, closed by the admin only,
read by the bureau when serious; every refusal changes nothing."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.http import Http404

from kehou.core.errors import codes
from kehou.safety import selectors, services
from kehou.safety.models import Incident
from kehou.testing import factories as f
from kehou.testing.snapshots import refused

from .conftest import NOW


def _values(**changes):
    return {
        "occurred_at": NOW - dt.timedelta(hours=1),
        "place": "操场",
        "kind": "injury",
        "description": "跑步时摔倒，膝盖擦伤。",
        "severity": "minor",
    } | changes


def test_a_teacher_records_an_incident_with_the_children_and_the_guardian_told(north):
    # given
    staff = north.teacher.staff
    # when
    incident = services.incident_record(
        school=north.school,
        students=[north.child],
        staff=[staff],
        treatment="校医消毒包扎",
        guardian_informed_at=NOW - dt.timedelta(minutes=30),
        guardian_informed_by=staff,
        guardian_informed_how="phone",
        actor=north.teacher,
        **_values(),
    )
    # then
    assert incident.status == Incident.Status.OPEN
    assert list(incident.students.all()) == [north.child]
    assert incident.recorded_by == north.teacher
    assert incident.guardian_informed_how == "phone"


def test_follow_up_actions_make_it_followed_up_and_the_admin_closes_it(north):
    incident = f.incident(north.school, actor=north.teacher)
    incident = services.incident_update(
        incident=incident, follow_up="家长带孩子复查，无碍。", actor=north.teacher
    )
    assert incident.status == Incident.Status.FOLLOWED_UP
    closed = services.incident_close(
        incident=incident, conclusion="意外，已处理。", actor=north.admin
    )
    assert closed.status == Incident.Status.CLOSED
    assert closed.closed_by == north.admin and closed.closed_at == NOW


def test_a_teacher_cannot_close_an_incident(north):
    incident = f.incident(north.school, actor=north.teacher)
    before = Incident.objects.get(pk=incident.pk)
    with pytest.raises(Http404):
        services.incident_close(incident=incident, conclusion="结束", actor=north.teacher)
    assert Incident.objects.get(pk=incident.pk).status == before.status == "open"


def test_the_other_school_cannot_record_change_or_close(north, south):
    incident = f.incident(north.school, actor=north.teacher)
    with pytest.raises(Http404):
        services.incident_record(school=north.school, actor=south.admin, **_values())
    with pytest.raises(Http404):
        services.incident_update(incident=incident, place="食堂", actor=south.teacher)
    with pytest.raises(Http404):
        services.incident_close(incident=incident, conclusion="结束", actor=south.admin)
    for outsider in (north.guardian_user, north.gate, north.county_officer):
        with pytest.raises(Http404):
            services.incident_record(school=north.school, actor=outsider, **_values())
    assert Incident.objects.count() == 1


def test_an_incident_in_the_future_is_refused(north):
    error = refused(
        lambda: services.incident_record(
            school=north.school,
            actor=north.teacher,
            **_values(occurred_at=NOW + dt.timedelta(hours=1)),
        )
    )
    assert codes(error) == {"in_the_future"}
    assert error.error_dict.keys() == {"occurred_at"}


def test_children_and_staff_of_another_school_are_refused(north, south):
    error = refused(
        lambda: services.incident_record(
            school=north.school,
            students=[north.child, south.child],
            staff=[south.teacher.staff],
            actor=north.admin,
            **_values(),
        )
    )
    assert codes(error) == {"student_of_another_school", "staff_of_another_school"}
    assert "李小南" in " ".join(str(e) for e in error.messages)


def test_a_guardian_told_before_it_happened_or_without_how_is_refused(north):
    staff = north.teacher.staff
    error = refused(
        lambda: services.incident_record(
            school=north.school,
            guardian_informed_at=NOW - dt.timedelta(hours=3),
            guardian_informed_by=staff,
            actor=north.teacher,
            **_values(),
        )
    )
    assert codes(error) == {"told_before_incident", "told_how_missing"}
    error = refused(
        lambda: services.incident_record(
            school=north.school, guardian_informed_how="phone", actor=north.teacher, **_values()
        )
    )
    assert codes(error) == {"told_when_missing"}


def test_empty_facts_are_refused_together(north):
    error = refused(
        lambda: services.incident_record(
            school=north.school,
            actor=north.teacher,
            **_values(place=" ", description="", kind="meteor", severity="bad"),
        )
    )
    assert codes(error) == {
        "place_missing",
        "description_missing",
        "kind_unknown",
        "severity_unknown",
    }


def test_closing_needs_a_conclusion_and_the_guardian_told(north):
    incident = f.incident(north.school, actor=north.teacher, students=[north.child])
    error = refused(
        lambda: services.incident_close(incident=incident, conclusion=" ", actor=north.admin)
    )
    assert codes(error) == {"conclusion_missing", "guardian_not_told"}


def test_a_closed_incident_is_neither_changed_nor_closed_again(north):
    incident = f.incident(north.school, actor=north.teacher)
    services.incident_close(incident=incident, conclusion="无碍", actor=north.admin)
    assert codes(
        refused(
            lambda: services.incident_update(incident=incident, place="食堂", actor=north.admin)
        )
    ) == {"incident_closed"}
    assert codes(
        refused(
            lambda: services.incident_close(incident=incident, conclusion="再", actor=north.admin)
        )
    ) == {"incident_closed"}


def test_the_bureau_reads_serious_incidents_of_its_region_only(north, south, city_officer):
    minor = f.incident(north.school, actor=north.teacher)
    serious = f.incident(north.school, actor=north.teacher, severity="serious")
    assert selectors.access_incident(north.county_officer, serious.pk) == serious
    assert selectors.access_incident(city_officer, serious.pk) == serious
    with pytest.raises(Http404):
        selectors.access_incident(north.county_officer, minor.pk)
    with pytest.raises(Http404):
        selectors.access_incident(south.county_officer, serious.pk)
    for outsider in (south.admin, south.teacher, north.guardian_user, north.gate):
        with pytest.raises(Http404):
            selectors.access_incident(outsider, minor.pk)
    assert selectors.access_incident(north.teacher, minor.pk) == minor


def test_changes_are_audited_with_the_children(north):
    from auditlog.context import set_actor

    with set_actor(north.teacher):
        incident = f.incident(north.school, actor=north.teacher, students=[north.child])
        services.incident_update(incident=incident, treatment="冰敷", actor=north.teacher)
    entries = LogEntry.objects.get_for_object(incident)
    assert entries.filter(action=LogEntry.Action.CREATE, actor=north.teacher).exists()
    assert entries.filter(action=LogEntry.Action.UPDATE, changes__icontains="treatment").exists()
    assert any("students" in (e.changes_dict or {}) for e in entries)
