"""The safety pages: who sees which, the forms and their refusals, the region's view."""

import datetime as dt

from auditlog.models import LogEntry
from django.urls import reverse

from kehou.safety.models import Defect, Drill, Incident, Inspection
from kehou.testing import factories as f
from kehou.testing import snapshots

from .conftest import NOW, TODAY


def _school_pages(school):
    return [
        reverse(name, args=[school.pk])
        for name in (
            "safety:school",
            "safety:incidents",
            "safety:inspections",
            "safety:defects",
            "safety:drills",
            "safety:insurance",
            "safety:checklist",
        )
    ]


def test_the_school_pages_open_for_its_staff_and_officers_only(client, north, south, city_officer):
    for user in (north.admin, north.teacher, north.county_officer, city_officer):
        client.force_login(user)
        for url in _school_pages(north.school):
            assert client.get(url).status_code == 200, (user, url)
    for user in (south.admin, south.teacher, south.county_officer, north.guardian_user, north.gate):
        client.force_login(user)
        for url in _school_pages(north.school):
            assert client.get(url).status_code == 404, (user, url)


def test_the_record_pages_open_for_the_schools_staff_only(client, north, south):
    urls = [
        reverse(name, args=[north.school.pk])
        for name in ("safety:incident_new", "safety:inspection_new", "safety:drill_new")
    ]
    client.force_login(north.teacher)
    for url in urls:
        assert client.get(url).status_code == 200
    for user in (south.admin, north.county_officer, north.guardian_user, north.gate):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)


def test_a_teacher_records_an_incident_on_the_page_and_it_is_audited(client, north):
    client.force_login(north.teacher)
    response = client.post(
        reverse("safety:incident_new", args=[north.school.pk]),
        {
            "occurred_at": "2026-10-13T14:20",
            "place": "操场",
            "kind": "injury",
            "description": "跑步时摔倒",
            "students": [north.child.pk],
            "staff": [north.teacher.staff.pk],
            "severity": "minor",
            "guardian_informed_at": "2026-10-13T14:40",
            "guardian_informed_by": north.teacher.staff.pk,
            "guardian_informed_how": "phone",
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("safety:incident", args=[incident.pk])
    assert list(incident.students.all()) == [north.child]
    entry = LogEntry.objects.get_for_object(incident).get(action=LogEntry.Action.CREATE)
    assert entry.actor == north.teacher
    page = client.get(response.url).content.decode()
    assert "王小北" in page and "close-form" not in page  # a teacher does not close


def test_an_incident_in_the_future_is_refused_on_the_page(client, north):
    client.force_login(north.admin)
    before = snapshots.everything()
    response = client.post(
        reverse("safety:incident_new", args=[north.school.pk]),
        {
            "occurred_at": "2026-10-13T18:00",
            "place": "操场",
            "kind": "injury",
            "description": "摔倒",
            "severity": "none",
        },
    )
    assert response.status_code == 200
    assert "2026-10-13 18:00" in response.content.decode()
    assert snapshots.everything() == before


def test_the_admin_closes_on_the_page_and_a_refusal_shows(client, north):
    incident = f.incident(north.school, actor=north.teacher, students=[north.child])
    url = reverse("safety:incident_close", args=[incident.pk])
    client.force_login(north.teacher)
    assert client.post(url, {"conclusion": "结束"}).status_code == 404
    client.force_login(north.admin)
    before = snapshots.everything()
    response = client.post(url, {"conclusion": "结束"})
    assert response.status_code == 400
    assert "监护人" in response.content.decode() or "家长" in response.content.decode()
    assert snapshots.everything() == before
    services_incident = Incident.objects.get(pk=incident.pk)
    services_incident.guardian_informed_at = NOW - dt.timedelta(hours=1)
    services_incident.guardian_informed_by = north.teacher.staff
    services_incident.guardian_informed_how = "phone"
    services_incident.save()
    assert client.post(url, {"conclusion": "结束"}).status_code == 302
    assert Incident.objects.get(pk=incident.pk).status == "closed"


def test_south_admin_and_another_county_cannot_open_norths_incident(client, north, south):
    incident = f.incident(north.school, actor=north.teacher, severity="serious")
    url = reverse("safety:incident", args=[incident.pk])
    for user in (south.admin, south.teacher, south.county_officer, north.guardian_user, north.gate):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
        assert client.get(reverse("safety:incident_edit", args=[incident.pk])).status_code == 404
    client.force_login(north.county_officer)
    assert client.get(url).status_code == 200
    assert client.get(reverse("safety:incident_edit", args=[incident.pk])).status_code == 404


def test_the_inspector_walks_the_checklist_on_the_page(client, north):
    staff = north.teacher.staff
    client.force_login(north.teacher)
    url = reverse("safety:inspection_new", args=[north.school.pk])
    page = client.get(url).content.decode()
    assert "消防" in page and "饮用水" in page and "食品卫生" in page
    assert 'name="item-d:fire.exits"' in page
    data = {
        "inspected_on": TODAY.isoformat(),
        "inspectors": [staff.pk],
        "item-d:fire.extinguishers": "ok",
        "item-d:fire.exits": "defect",
        "desc-d:fire.exits": "安全出口堆放杂物",
        "resp-d:fire.exits": str(staff.pk),
        "due-d:fire.exits": (TODAY - dt.timedelta(days=1)).isoformat(),
    }
    before = snapshots.everything()
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "早于" in refused.content.decode() or "之前" in refused.content.decode()
    assert snapshots.everything() == before
    data["due-d:fire.exits"] = (TODAY + dt.timedelta(days=5)).isoformat()
    response = client.post(url, data)
    inspection = Inspection.objects.get()
    assert response.url == reverse("safety:inspection", args=[inspection.pk])
    assert inspection.results.count() == 2
    defect = Defect.objects.get()
    page = client.get(reverse("safety:inspection", args=[inspection.pk])).content.decode()
    assert "安全出口堆放杂物" in page
    # the teacher records the rectification; the verify form is the admin's
    page = client.get(reverse("safety:defect", args=[defect.pk])).content.decode()
    assert "rectify-form" in page and "verify-form" not in page
    client.post(
        reverse("safety:defect_rectify", args=[defect.pk]),
        {"rectification": "已清理", "rectified_on": TODAY.isoformat()},
    )
    assert client.post(reverse("safety:defect_close", args=[defect.pk])).status_code == 404
    client.force_login(north.admin)
    assert "verify-form" in client.get(reverse("safety:defect", args=[defect.pk])).content.decode()
    assert (
        client.post(
            reverse("safety:defect_close", args=[defect.pk]), {"note": "复查通过"}
        ).status_code
        == 302
    )
    assert Defect.objects.get().status == "closed"


def test_a_defect_cannot_be_closed_on_the_page_before_rectification(client, north):
    defect = f.inspection_with_defect(
        north.school, actor=north.teacher, responsible=north.teacher.staff
    )
    client.force_login(north.admin)
    before = snapshots.everything()
    response = client.post(reverse("safety:defect_close", args=[defect.pk]), {"note": ""})
    assert response.status_code == 400
    assert snapshots.everything() == before


def test_overdue_defects_are_flagged_on_the_list_and_the_region(client, north, south, city_officer):
    f.inspection_with_defect(
        north.school,
        actor=north.teacher,
        responsible=north.teacher.staff,
        inspected_on=TODAY - dt.timedelta(days=10),
        deadline=TODAY - dt.timedelta(days=1),
    )
    client.force_login(north.admin)
    page = client.get(reverse("safety:defects", args=[north.school.pk])).content.decode()
    assert 'class="overdue"' in page and 'id="overdue-count"' in page
    client.force_login(city_officer)
    page = client.get(reverse("safety:region")).content.decode()
    assert north.school.name in page and south.school.name in page
    assert 'class="overdue"' in page
    client.force_login(south.county_officer)
    page = client.get(reverse("safety:region")).content.decode()
    assert north.school.name not in page
    for user in (north.admin, north.teacher, north.guardian_user, north.gate):
        client.force_login(user)
        assert client.get(reverse("safety:region")).status_code == 404


def test_drills_and_checklist_items_on_the_pages(client, north):
    client.force_login(north.admin)
    response = client.post(
        reverse("safety:drill_new", args=[north.school.pk]),
        {
            "held_on": TODAY.isoformat(),
            "kind": "earthquake",
            "children_count": "120",
            "staff_count": "8",
            "duration_minutes": "12",
            "classes": [north.school_class.pk],
        },
    )
    assert response.status_code == 302 and Drill.objects.get().kind == "earthquake"
    url = reverse("safety:checklist", args=[north.school.pk])
    client.post(url, {"area": "food", "text": "餐具消毒记录完整"})
    assert "餐具消毒记录完整" in client.get(url).content.decode()
    client.force_login(north.teacher)
    assert client.post(url, {"area": "food", "text": "另一项"}).status_code == 404


def test_the_pages_read_english(client, north):
    client.force_login(north.admin)
    client.cookies["django_language"] = "en"
    f.incident(north.school, actor=north.teacher)
    page = client.get(reverse("safety:school", args=[north.school.pk])).content.decode()
    assert "Open incidents" in page and "Fire evacuation" in page
    page = client.get(reverse("safety:inspection_new", args=[north.school.pk])).content.decode()
    assert "Fire extinguishers present and within date" in page


def test_the_nav_and_home_link_to_safety(client, north, city_officer):
    client.force_login(north.admin)
    page = client.get(reverse("home:index")).content.decode()
    assert reverse("safety:school", args=[north.school.pk]) in page
    assert client.get(reverse("safety:mine")).url == reverse(
        "safety:school", args=[north.school.pk]
    )
    client.force_login(city_officer)
    assert client.get(reverse("safety:mine")).url == reverse("safety:region")
    client.force_login(north.guardian_user)
    assert client.get(reverse("safety:mine")).status_code == 404
