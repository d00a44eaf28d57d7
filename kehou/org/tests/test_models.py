"""The data rules a school admin expects the organisation and people records to keep."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kehou.org.models import ClassMembership, ExternalOrganisation, Region, School, Staff
from kehou.testing import factories as f

DAY = datetime.date(2026, 11, 23)


def test_region_path_covers_subtree(city, north, south):
    assert set(city.subtree()) == {city, north.county, south.county}
    assert north.county.path == "/320500/320506/"


def test_one_class_per_student_per_year(north):
    other_class = f.SchoolClassFactory(school=north.school, grade=3, number=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClassMembership.objects.create(
            student=north.child, school_class=other_class, school_year=other_class.school_year
        )
    assert north.child.memberships.count() == 1


def test_phone_format_is_validated(north):
    north.guardian.phone = "12345"
    with pytest.raises(ValidationError) as excinfo:
        north.guardian.full_clean()
    assert "phone" in excinfo.value.message_dict


def test_school_code_has_ten_digits(north):
    north.school.code = "12345"
    with pytest.raises(ValidationError):
        north.school.full_clean()


def test_teaching_point_needs_central_school(north):
    with pytest.raises(IntegrityError), transaction.atomic():
        School.objects.create(
            code="3205069999",
            name="某村教学点",
            region=north.county,
            school_type=School.Type.TEACHING_POINT,
        )


def test_school_must_sit_in_a_county(city):
    school = School(code="3205000001", name="市直学校", region=city, school_type="primary")
    with pytest.raises(ValidationError):
        school.full_clean()
    assert city.level == Region.Level.CITY


def _external(**overrides) -> Staff:
    values = dict(
        kind=Staff.Kind.EXTERNAL,
        external_kind=Staff.ExternalKind.COACH,
        background_check_date=datetime.date(2026, 8, 1),
        background_check_result=Staff.CheckResult.PASSED,
        agreement_start=datetime.date(2026, 9, 1),
        agreement_end=datetime.date(2027, 1, 31),
    )
    values.update(overrides)
    return f.StaffFactory(**values)


def test_vetted_instructor_is_assignable(db):
    assert _external().is_assignable_on(DAY)


def test_unvetted_instructor_is_not_assignable(db):
    staff = _external(background_check_result=Staff.CheckResult.PENDING)
    assert not staff.is_assignable_on(DAY)
    assert staff.vetting_problems(DAY)


def test_instructor_outside_agreement_is_not_assignable(db):
    staff = _external(agreement_end=datetime.date(2026, 10, 31))
    assert not staff.is_assignable_on(DAY)


def test_instructor_of_unvetted_organisation_is_not_assignable(north):
    organisation = ExternalOrganisation.objects.create(
        region=north.county, name="某体育俱乐部", credit_code="91320506MA1XXXXXX1"
    )
    assert not _external(organisation=organisation).is_assignable_on(DAY)


def test_school_teacher_is_assignable(north):
    assert north.teacher.staff.is_assignable_on(DAY)
