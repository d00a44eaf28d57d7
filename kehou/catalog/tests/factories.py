"""Factories and helpers for the catalog tests (the shared factories are the lead's)."""

import datetime as dt

import factory

from kehou.catalog.models import Activity, Menu, Offering, OfferingMeeting
from kehou.org.models import ExternalOrganisation, Staff
from kehou.testing import factories as f

MON_1600 = (0, dt.time(16, 0), dt.time(17, 0))
WED_1600 = (2, dt.time(16, 0), dt.time(17, 0))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalOrganisation

    region = factory.SubFactory(f.RegionFactory)
    name = factory.Sequence(lambda n: f"青少年体育俱乐部{n}")
    credit_code = factory.Sequence(lambda n: f"91320500MA{n:08d}")
    is_vetted = True
    vetted_on = dt.date(2026, 1, 1)
    licence_valid_until = dt.date(2030, 12, 31)


def external_instructor(school, *, organisation=None, **kwargs) -> Staff:
    """An external coach vetted for the whole school year 2026/27."""
    values = {
        "school": school,
        "kind": Staff.Kind.EXTERNAL,
        "external_kind": Staff.ExternalKind.COACH,
        "organisation": organisation,
        "background_check_date": dt.date(2026, 3, 1),
        "background_check_result": Staff.CheckResult.PASSED,
        "agreement_start": dt.date(2026, 8, 1),
        "agreement_end": dt.date(2027, 7, 31),
        "subjects": "",
    }
    values.update(kwargs)
    return f.StaffFactory(**values)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    school = factory.SubFactory(f.SchoolFactory)
    name = factory.Sequence(lambda n: f"剪纸{n}")
    category = "arts"


def make_offering(menu: Menu, *, activity=None, instructor=None, meetings=(MON_1600,), **kw):
    """An offering written straight to the database (bypassing the service)."""
    activity = activity or ActivityFactory(school=menu.school)
    if instructor is None:
        instructor = f.StaffFactory(school=menu.school)
    values = {"grade_from": 1, "grade_to": 6, "capacity": 20, "name": ""}
    values.update(kw)
    offering = Offering.objects.create(
        menu=menu, activity=activity, instructor=instructor, **values
    )
    for weekday, start, end in meetings:
        OfferingMeeting.objects.create(offering=offering, weekday=weekday, start=start, end=end)
    return offering
