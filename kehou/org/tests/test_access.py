"""The scoping layer, role by role: each persona sees its own and nothing else."""

import pytest
from django.http import Http404

from kehou.org import access


def test_guardian_sees_only_own_child(north, south):
    assert list(access.students_for(north.guardian_user)) == [north.child]
    with pytest.raises(Http404):
        access.access_student(north.guardian_user, south.child.pk)


def test_school_roles_see_only_their_school(north, south):
    for user in (north.admin, north.teacher, north.gate):
        assert list(access.schools_for(user)) == [north.school]
        assert list(access.students_for(user)) == [north.child]
        with pytest.raises(Http404):
            access.access_student(user, south.child.pk)


def test_county_officer_sees_own_county_only(north, south):
    assert list(access.schools_for(north.county_officer)) == [north.school]
    with pytest.raises(Http404):
        access.access_school(north.county_officer, south.school.pk)


def test_city_officer_sees_every_county(north, south, city_officer):
    assert set(access.schools_for(city_officer)) == {north.school, south.school}
    assert set(access.students_for(city_officer)) == {north.child, south.child}


def test_guardian_sees_no_staff(north):
    assert not access.staff_for(north.guardian_user).exists()


def test_inactive_user_sees_nothing(north):
    north.admin.is_active = False
    assert not access.students_for(north.admin).exists()
