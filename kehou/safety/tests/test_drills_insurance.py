"""Drills and the accident insurance of the term's participants (R17)."""

import datetime as dt
import io

import openpyxl
import pytest
from django.http import Http404
from django.urls import reverse

from kehou.core.errors import codes
from kehou.safety import selectors, services
from kehou.testing import factories as f
from kehou.testing.snapshots import refused

from .conftest import TODAY


def test_a_drill_is_recorded_with_its_classes(north):
    drill = services.drill_record(
        school=north.school,
        held_on=TODAY,
        kind="fire",
        children_count=40,
        staff_count=4,
        duration_minutes=15,
        classes=[north.school_class],
        observations="三分钟内全部撤离",
        actor=north.teacher,
    )
    assert list(drill.classes.all()) == [north.school_class]
    last = {kind: day for kind, _label, day in selectors.last_drills(north.school)}
    assert last["fire"] == TODAY and last["earthquake"] is None


def test_a_wrong_drill_is_refused_and_nothing_written(north, south):
    error = refused(
        lambda: services.drill_record(
            school=north.school,
            held_on=TODAY + dt.timedelta(days=1),
            kind="party",
            children_count=0,
            staff_count=0,
            duration_minutes=0,
            classes=[south.school_class],
            actor=north.admin,
        )
    )
    assert codes(error) == {
        "in_the_future",
        "kind_unknown",
        "nobody_took_part",
        "duration_invalid",
        "class_of_another_school",
    }
    with pytest.raises(Http404):
        services.drill_record(
            school=north.school,
            held_on=TODAY,
            kind="fire",
            children_count=1,
            staff_count=1,
            duration_minutes=5,
            actor=north.guardian_user,
        )


def _term_with_participants(north):
    term = f.TermFactory(school_year=north.school_class.school_year)
    other_class = f.SchoolClassFactory(
        school=north.school, school_year=north.school_class.school_year, grade=4, number=2
    )
    f.application(north.child, term, has_accident_insurance=True)
    for n, insured in enumerate((True, False, False)):
        child = f.child(north.school, other_class, name=f"孩子{n}", student_number=f"G0000000{n}")
        f.application(child, term, has_accident_insurance=insured)
    pending = f.child(north.school, other_class, name="未批准")
    f.application(pending, term, status="submitted")
    return term


def test_insurance_is_counted_by_class_from_the_applications(north):
    term = _term_with_participants(north)
    cover = selectors.insurance(north.school, term)
    assert (cover.total, cover.insured, cover.uninsured, cover.percent) == (4, 2, 2, 50)
    assert [(g.school_class.name, g.total, g.insured) for g in cover.classes] == [
        (north.school_class.name, 1, 1),
        (cover.classes[1].school_class.name, 3, 1),
    ]
    assert sorted(r.student.name for r in cover.without) == ["孩子1", "孩子2"]


def test_the_insurance_list_and_its_xlsx_totals(client, north, south):
    term = _term_with_participants(north)
    url = reverse("safety:insurance", args=[north.school.pk]) + f"?term={term.code}"
    client.force_login(north.admin)
    page = client.get(url).content.decode()
    assert "孩子1" in page and "50%" in page
    response = client.get(
        reverse("safety:insurance_xlsx", args=[north.school.pk]) + f"?term={term.code}"
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    children, by_class = book.worksheets
    rows = [r for r in children.iter_rows(values_only=True) if r and r[0]]
    assert rows[-1][:2] == ("合计", 4)
    class_rows = [r for r in by_class.iter_rows(values_only=True) if r and r[0]]
    assert class_rows[-1] == ("合计", 4, 2, 2)
    assert sum(r[1] for r in class_rows[3:-1]) == 4
    # south's admin, a guardian and the gate see neither
    for outsider in (south.admin, north.guardian_user, north.gate, south.county_officer):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


def test_a_count_beyond_any_school_is_refused(north):
    error = refused(
        lambda: services.drill_record(
            school=north.school,
            held_on=TODAY,
            kind="fire",
            children_count=10**12,
            staff_count=-1,
            duration_minutes=10,
            actor=north.admin,
        )
    )
    assert codes(error) == {"count_invalid"}
    assert error.error_dict.keys() == {"children_count", "staff_count"}
