"""The term's budget (经费测算): from the plan before sittings exist, then from them."""

import datetime as dt

import pytest
from django.urls import reverse

from kehou.billing.models import FeeStandard
from kehou.org.access import SYSTEM
from kehou.payroll import budgeting
from kehou.sittings import services as sittings
from kehou.sittings.models import Sitting
from kehou.testing import factories as f
from kehou.testing import snapshots

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(north, floor):
    """A published autumn plan (one grades 1-6 16:00-18:00 slot = 3 class-hours of 40
    minutes) and the school's rates; twelve children applied, two of 低保 families."""
    plan = f.published_plan(north.school)
    f.pay_rates(north.school)
    for n in range(12):
        child = f.child(north.school, north.school_class, low_income_basis="dibao" if n < 2 else "")
        f.application(child, plan.term)
    return plan


def test_before_sittings_exist_the_budget_counts_them_from_the_plan(north, planned):
    # when: no sitting is generated yet
    budget = budgeting.term_budget(north.school, planned.term)
    # then: every service day of the plan has one 3-class-hour tutoring sitting and a duty day
    assert budget.source == "planned" and not Sitting.objects.exists()
    days = budget.service_days
    assert days > 60
    result = budget.result
    assert result.sittings == days and result.hours == 3 * days
    assert result.staff_cost == days * 3 * 6000 + days * 5000
    assert budget.assumptions.children == 12 and budget.assumptions.waived_children == 2
    assert result.fee_income == 0  # no fee standard: nothing may be charged (001)
    assert result.gap == -result.staff_cost
    # and once generated, the same figures from the sittings themselves
    sittings.sittings_generate(school=north.school, term=planned.term, actor=SYSTEM)
    generated = budgeting.term_budget(north.school, planned.term)
    assert generated.source == "generated"
    assert generated.result.staff_cost == result.staff_cost
    assert Sitting.objects.count() == days


def test_fees_and_subsidy_are_income_and_the_assumptions_change_it(north, planned):
    FeeStandard.objects.create(
        region=north.county,
        funding_mode="mixed",
        unit="term",
        amount_fen=30000,
        subsidy_fen=10000,
        document_title="关于课后服务收费的通知",
        valid_from=dt.date(2026, 8, 1),
    )
    budget = budgeting.term_budget(north.school, planned.term)
    assert budget.result.fee_income == 10 * 30000  # twelve expected, two waived
    assert budget.result.subsidy_income == 12 * 10000
    edited = budgeting.term_budget(
        north.school,
        planned.term,
        {"children": "100", "waived": "5", "duty_staff": "2", "other_subsidy": "1000"},
    )
    assert edited.result.fee_income == 95 * 30000
    assert edited.result.other_subsidy == 100000
    assert edited.result.duty_amount == 2 * budget.result.duty_amount
    bad = budgeting.term_budget(north.school, planned.term, {"children": "-3", "waived": "x"})
    assert bad.assumptions.children == 12 and len(bad.problems) == 2


def test_the_budget_page_for_the_school_and_the_bureau(client, north, south, city_officer, planned):
    url = reverse("payroll:budget", args=[north.school.pk]) + f"?term={planned.term.code}"
    for user in (north.admin, north.county_officer, city_officer):
        client.force_login(user)
        before = snapshots.everything()
        page = client.get(url + "&children=40")
        assert page.status_code == 200, user
        assert 'id="staff-cost"' in page.content.decode()
        assert snapshots.everything() == before
    for user in (south.admin, south.county_officer, north.teacher, north.guardian_user):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.force_login(north.county_officer)
    listing = client.get(reverse("payroll:budgets")).content.decode()
    assert north.school.name in listing and south.school.name not in listing


def test_a_term_without_a_plan_says_so(north, floor):
    term = f.TermFactory()
    budget = budgeting.term_budget(north.school, term)
    assert budget.result is None and budget.problems
