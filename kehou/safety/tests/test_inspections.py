"""Inspections by checklist (R17): each defect tracked to rectification and the admin's
verification; overdue defects flagged; the school's own checklist items."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.http import Http404

from kehou.core.errors import codes
from kehou.safety import checklists, selectors, services
from kehou.safety.models import ChecklistItem, Defect
from kehou.testing import factories as f
from kehou.testing.clock import freeze_now
from kehou.testing.snapshots import refused

from .conftest import NOW, TODAY


def _check(key="d:fire.exits", **fields):
    return services.Check(key=key, **({"ok": False} | fields))


def test_the_default_checklist_covers_seed_000s_areas_and_food():
    areas = {item.area for item in checklists.DEFAULT_ITEMS}
    assert areas == set(checklists.AREAS)
    assert {"gate", "fire", "buildings", "equipment", "clinic", "water", "traffic"} <= areas
    assert "food" in areas
    assert len({item.code for item in checklists.DEFAULT_ITEMS}) == len(checklists.DEFAULT_ITEMS)


def test_an_inspection_keeps_each_item_and_a_defect_for_each_failed_one(north):
    staff = north.teacher.staff
    inspection = services.inspection_record(
        school=north.school,
        inspected_on=TODAY,
        inspectors=[staff],
        checks=[
            services.Check(key="d:water.source", ok=True, note="桶装水"),
            _check(
                description="灭火器过期", responsible=staff, deadline=TODAY + dt.timedelta(days=3)
            ),
        ],
        actor=north.teacher,
    )
    assert inspection.results.count() == 2
    defect = Defect.objects.get()
    assert defect.school == north.school and defect.status == "open"
    assert defect.result.area == "fire" and defect.result.item_code == "fire.exits"


def test_a_deadline_before_the_inspection_is_refused(north):
    staff = north.teacher.staff
    error = refused(
        lambda: services.inspection_record(
            school=north.school,
            inspected_on=TODAY,
            inspectors=[staff],
            checks=[
                _check(
                    description="堆放杂物", responsible=staff, deadline=TODAY - dt.timedelta(days=1)
                )
            ],
            actor=north.teacher,
        )
    )
    assert codes(error) == {"deadline_before_inspection"}
    assert error.error_dict.keys() == {"due-d:fire.exits"}


def test_a_defect_without_what_who_or_when_and_other_mistakes_are_refused(north, south):
    error = refused(
        lambda: services.inspection_record(
            school=north.school,
            inspected_on=TODAY + dt.timedelta(days=1),
            inspectors=[south.teacher.staff],
            checks=[_check(), services.Check(key="d:no.such", ok=True)],
            actor=north.admin,
        )
    )
    assert codes(error) == {
        "in_the_future",
        "staff_of_another_school",
        "defect_missing",
        "responsible_missing",
        "deadline_missing",
        "item_unknown",
    }
    assert codes(
        refused(
            lambda: services.inspection_record(
                school=north.school, inspected_on=TODAY, inspectors=[], checks=[], actor=north.admin
            )
        )
    ) == {"inspector_missing", "nothing_checked"}


def test_a_defect_is_not_closed_before_its_rectification(north):
    defect = f.inspection_with_defect(
        north.school, actor=north.teacher, responsible=north.teacher.staff
    )
    error = refused(lambda: services.defect_close(defect=defect, actor=north.admin))
    assert codes(error) == {"not_rectified"}


def test_rectified_then_verified_and_closed_by_the_admin_only(north):
    defect = f.inspection_with_defect(
        north.school, actor=north.teacher, responsible=north.teacher.staff
    )
    defect = services.defect_rectify(
        defect=defect, rectification="杂物已清理", rectified_on=TODAY, actor=north.teacher
    )
    assert defect.status == "rectified" and defect.rectified_by == north.teacher
    with pytest.raises(Http404):
        services.defect_close(defect=defect, actor=north.teacher)
    closed = services.defect_close(defect=defect, note="已复查", actor=north.admin)
    assert closed.status == "closed" and closed.closed_by == north.admin
    assert codes(refused(lambda: services.defect_close(defect=defect, actor=north.admin))) == {
        "defect_closed"
    }
    assert codes(
        refused(
            lambda: services.defect_rectify(
                defect=defect, rectification="再", rectified_on=TODAY, actor=north.admin
            )
        )
    ) == {"defect_closed"}


def test_a_rectification_before_the_inspection_or_unsaid_is_refused(north):
    defect = f.inspection_with_defect(
        north.school, actor=north.teacher, responsible=north.teacher.staff
    )
    error = refused(
        lambda: services.defect_rectify(
            defect=defect,
            rectification="",
            rectified_on=TODAY - dt.timedelta(days=2),
            actor=north.teacher,
        )
    )
    assert codes(error) == {"rectification_missing", "rectified_before_inspection"}


def test_an_overdue_defect_is_flagged_for_the_school_and_the_bureau(north, south, city_officer):
    # given: a defect due on 15 October, found on the 13th
    defect = f.inspection_with_defect(
        north.school,
        actor=north.teacher,
        responsible=north.teacher.staff,
        deadline=TODAY + dt.timedelta(days=2),
    )
    # when the deadline is still to come, then nothing is overdue
    assert not selectors.defects_of(north.school, today=TODAY, status="open")[0].overdue
    # when the 16th comes, it is
    later = NOW + dt.timedelta(days=3)
    with freeze_now(later):
        rows = selectors.defects_of(north.school, today=later.date(), status="open")
        assert rows[0].overdue
        overview = selectors.school_overview(
            north.admin, north.school, today=later.date(), term=None
        )
        assert [d.pk for d in overview.overdue_defects] == [defect.pk]
        region = {
            r.school.pk: r
            for r in selectors.region_overview(city_officer, today=later.date(), term=None)
        }
        assert region[north.school.pk].overdue_defects == 1
        assert region[south.school.pk].overdue_defects == 0
        assert [
            d.pk for d in selectors.region_overdue_defects(north.county_officer, today=later.date())
        ] == [defect.pk]
        assert selectors.region_overdue_defects(south.county_officer, today=later.date()) == []
    # when it is rectified (not yet verified), then it is no longer overdue
    services.defect_rectify(
        defect=defect, rectification="已清理", rectified_on=TODAY, actor=north.teacher
    )
    with freeze_now(later):
        assert not selectors.defects_of(north.school, today=later.date())[0].overdue


def test_the_school_adds_and_retires_its_own_items(north, south):
    item = services.checklist_item_add(
        school=north.school, area="venues", text="攀岩墙保护垫完好", actor=north.admin
    )
    lines = {line.key: line for area in selectors.checklist(north.school) for line in area.lines}
    assert item.key in lines and "d:fire.exits" in lines
    assert item.key not in {ln.key for a in selectors.checklist(south.school) for ln in a.lines}
    assert codes(
        refused(
            lambda: services.checklist_item_add(
                school=north.school, area="venues", text="攀岩墙保护垫完好", actor=north.admin
            )
        )
    ) == {"item_exists"}
    with pytest.raises(Http404):
        services.checklist_item_add(school=north.school, area="fire", text="x", actor=north.teacher)
    # another school's inspection cannot check it
    error = refused(
        lambda: services.inspection_record(
            school=south.school,
            inspected_on=TODAY,
            inspectors=[south.teacher.staff],
            checks=[services.Check(key=item.key, ok=True)],
            actor=south.admin,
        )
    )
    assert codes(error) == {"item_unknown"}
    # retired: off the checklist, still in the history
    services.checklist_item_retire(item=item, actor=north.admin)
    assert not ChecklistItem.objects.get(pk=item.pk).is_active
    assert item.key not in {ln.key for a in selectors.checklist(north.school) for ln in a.lines}


def test_inspections_and_defects_are_audited(north):
    from auditlog.context import set_actor

    with set_actor(north.teacher):
        defect = f.inspection_with_defect(
            north.school, actor=north.teacher, responsible=north.teacher.staff
        )
        services.defect_rectify(
            defect=defect, rectification="已清理", rectified_on=TODAY, actor=north.teacher
        )
    entries = LogEntry.objects.get_for_object(defect)
    assert entries.filter(action=LogEntry.Action.CREATE).exists()
    assert entries.filter(action=LogEntry.Action.UPDATE, actor=north.teacher).exists()
    inspection = defect.result.inspection
    assert LogEntry.objects.get_for_object(inspection).filter(actor=north.teacher).exists()
