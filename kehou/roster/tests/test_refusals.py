"""Only the school's own admin imports or exports its roster: everyone else is refused by
the service itself, and nothing changes."""

import pytest

from kehou.org.access import SYSTEM, OutOfScope
from kehou.roster.services import roster_export, roster_import
from kehou.roster.tests.helpers import sample_rows, workbook
from kehou.testing.snapshots import everything

OUTSIDERS = [
    ("south", "admin"),
    ("north", "teacher"),
    ("north", "gate"),
    ("north", "guardian_user"),
    ("south", "county_officer"),
]


def _persona(request, school: str, who: str):
    return getattr(request.getfixturevalue(school), who)


@pytest.mark.parametrize(("school", "who"), OUTSIDERS)
def test_roster_import_refuses_everyone_but_the_schools_admin(request, north, school, who):
    actor = _persona(request, school, who)
    before = everything()
    with pytest.raises(OutOfScope):
        roster_import(school=north.school, data=workbook(sample_rows()), actor=actor)
    with pytest.raises(OutOfScope):
        roster_import(school=north.school, data=workbook(sample_rows()), actor=actor, dry_run=True)
    assert everything() == before


@pytest.mark.parametrize(("school", "who"), OUTSIDERS)
def test_roster_export_refuses_everyone_but_the_schools_admin(request, north, school, who):
    actor = _persona(request, school, who)
    before = everything()
    with pytest.raises(OutOfScope):
        roster_export(school=north.school, actor=actor)
    assert everything() == before


def test_no_actor_is_refused_and_kehou_itself_may(north):
    with pytest.raises(OutOfScope):
        roster_import(school=north.school, data=workbook(sample_rows()), actor=None)
    report = roster_import(school=north.school, data=workbook(sample_rows()), actor=SYSTEM)
    assert report.ok
    assert roster_export(school=north.school, actor=SYSTEM)[:2] == b"PK"
