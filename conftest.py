"""Test personas (ARCHITECTURE.md): two schools in two counties of one city, each with a
school admin, a teacher, a gate keeper, a guardian and a child, plus a county officer
for each county and a city officer. `north` must never see `south`, and the reverse.
"""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.utils import translation

from kehou.accounts.models import User
from kehou.org.models import ClassMembership, Region, StudentGuardian
from kehou.testing import factories as f


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Each test starts in the default language: a request with the English cookie
    activates English for the thread, which would leak into the next test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@dataclass
class SchoolPersonas:
    county: Region
    county_officer: User
    school: object
    school_class: object
    admin: User
    teacher: User
    gate: User
    guardian_user: User
    guardian: object
    child: object


@pytest.fixture
def city(db) -> Region:
    return f.RegionFactory(code="320500", name="苏州市", level=Region.Level.CITY)


@pytest.fixture
def city_officer(city) -> User:
    return f.UserFactory(name="市局督学", role=User.Role.BUREAU, region=city)


def _school_personas(
    city: Region,
    *,
    county_code: str,
    county_name: str,
    school_code: str,
    school_name: str,
    phone_prefix: str,
    child_name: str,
) -> SchoolPersonas:
    county = f.RegionFactory(code=county_code, name=county_name, parent=city)
    school = f.SchoolFactory(code=school_code, name=school_name, region=county)
    school_class = f.SchoolClassFactory(school=school, grade=3, number=1)
    teacher_user = f.UserFactory(phone=f"{phone_prefix}0002", role=User.Role.TEACHER, school=school)
    teacher = f.StaffFactory(school=school, user=teacher_user, phone=teacher_user.phone)
    school_class.head_teacher = teacher
    school_class.save()
    child = f.StudentFactory(school=school, name=child_name)
    ClassMembership.objects.create(
        student=child, school_class=school_class, school_year=school_class.school_year
    )
    guardian_user = f.UserFactory(phone=f"{phone_prefix}0004", role=User.Role.GUARDIAN)
    guardian = f.GuardianFactory(user=guardian_user, phone=guardian_user.phone, school=school)
    StudentGuardian.objects.create(
        student=child, guardian=guardian, relation=StudentGuardian.Relation.MOTHER, is_primary=True
    )
    return SchoolPersonas(
        county=county,
        county_officer=f.UserFactory(
            phone=f"{phone_prefix}0005", role=User.Role.BUREAU, region=county
        ),
        school=school,
        school_class=school_class,
        admin=f.UserFactory(
            phone=f"{phone_prefix}0001", role=User.Role.SCHOOL_ADMIN, school=school
        ),
        teacher=teacher_user,
        gate=f.UserFactory(phone=f"{phone_prefix}0003", role=User.Role.GATE, school=school),
        guardian_user=guardian_user,
        guardian=guardian,
        child=child,
    )


@pytest.fixture
def north(city) -> SchoolPersonas:
    return _school_personas(
        city,
        county_code="320506",
        county_name="吴中区",
        school_code="3205060001",
        school_name="吴中实验小学",
        phone_prefix="1380000",
        child_name="王小北",
    )


@pytest.fixture
def south(city) -> SchoolPersonas:
    return _school_personas(
        city,
        county_code="320507",
        county_name="相城区",
        school_code="3205070001",
        school_name="相城实验小学",
        phone_prefix="1390000",
        child_name="李小南",
    )
