"""factory_boy factories shared by every test module."""

import datetime

import factory
from django.contrib.auth.hashers import make_password

from kehou.accounts.models import User
from kehou.org import models as m

TEST_PASSWORD = "kehou-test-pass-2026"
_HASHED = None


def hashed_test_password() -> str:
    """Argon2 is slow on purpose; hash the shared test password once."""
    global _HASHED
    if _HASHED is None:
        _HASHED = make_password(TEST_PASSWORD)
    return _HASHED


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Region
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{320500 + n:06d}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    level = m.Region.Level.COUNTY


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.School

    code = factory.Sequence(lambda n: f"{3205000000 + n:010d}")
    name = factory.Sequence(lambda n: f"测试第{n}小学")
    region = factory.SubFactory(RegionFactory)
    school_type = m.School.Type.PRIMARY
    is_urban = True


class SchoolYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.SchoolYear
        django_get_or_create = ["start_year"]

    start_year = 2026


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.SchoolClass

    school = factory.SubFactory(SchoolFactory)
    school_year = factory.SubFactory(SchoolYearFactory)
    grade = 3
    number = factory.Sequence(lambda n: n % 20 + 1)


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Student

    school = factory.SubFactory(SchoolFactory)
    student_number = factory.Sequence(lambda n: f"G{320500201901010000 + n}")
    name = factory.Sequence(lambda n: f"学生{n}")
    gender = m.Student.Gender.FEMALE


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Guardian

    name = factory.Sequence(lambda n: f"家长{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Staff

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"教师{n}")
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    kind = m.Staff.Kind.SCHOOL_TEACHER
    subjects = "数学"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    phone = factory.Sequence(lambda n: f"135{n:08d}")
    name = factory.Sequence(lambda n: f"用户{n}")
    role = User.Role.SCHOOL_ADMIN
    password = factory.LazyFunction(hashed_test_password)


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "terms.Term"
        django_get_or_create = ["school_year", "semester"]

    school_year = factory.SubFactory(SchoolYearFactory)
    semester = 1
    start = factory.LazyFunction(lambda: datetime.date(2026, 9, 1))
    end = factory.LazyFunction(lambda: datetime.date(2027, 1, 22))


class SchoolPlanFactory(factory.django.DjangoModelFactory):
    """A draft plan for the autumn 2026 term, Monday-Friday, with no slots yet."""

    class Meta:
        model = "policy.SchoolPlan"

    school = factory.SubFactory(SchoolFactory)
    term = factory.SubFactory(TermFactory)
    term_start = factory.LazyFunction(lambda: datetime.date(2026, 9, 1))
    term_end = factory.LazyFunction(lambda: datetime.date(2027, 1, 22))
    service_weekdays = factory.LazyFunction(lambda: [0, 1, 2, 3, 4])


class PlanSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "policy.PlanSlot"

    plan = factory.SubFactory(SchoolPlanFactory)
    grade_from = 1
    grade_to = 6
    start = factory.LazyFunction(lambda: datetime.time(16, 0))
    end = factory.LazyFunction(lambda: datetime.time(18, 0))
