"""A school's pay rates: the floor of the profile, history kept."""

import datetime as dt

import pytest

from kehou.core.errors import codes, items
from kehou.payroll import services
from kehou.payroll.models import PayRates
from kehou.testing import snapshots

pytestmark = pytest.mark.django_db

GOOD = {
    "per_class_hour": "60",
    "per_tutoring_hour": "65.50",
    "per_club_session": "80",
    "per_duty_day": "50",
    "class_hour_minutes": 40,
}


def test_a_rate_below_the_floor_is_refused_with_the_rule_named(north, floor):
    refusal = snapshots.refused(
        lambda: services.pay_rates_set(
            school=north.school,
            effective_from=dt.date(2026, 9, 1),
            actor=north.admin,
            **GOOD | {"per_class_hour": "59.99"},
        )
    )
    [item] = items(refusal)
    assert (item.code, item.field) == ("rate_below_floor", "per_class_hour")
    assert "60.00" in item.message and "每课时不低于60元" in item.message
    assert "59.99" in item.message
    assert not PayRates.objects.exists()


def test_a_tutoring_rate_below_the_floor_is_refused_too(north, floor):
    refusal = snapshots.refused(
        lambda: services.pay_rates_set(
            school=north.school,
            effective_from=dt.date(2026, 9, 1),
            actor=north.admin,
            **GOOD | {"per_tutoring_hour": "40"},
        )
    )
    assert codes(refusal) == {"rate_below_floor"}


def test_rates_at_the_floor_are_kept_with_their_history(north, floor):
    first = services.pay_rates_set(
        school=north.school, effective_from=dt.date(2026, 9, 1), actor=north.admin, **GOOD
    )
    assert (first.per_class_hour_fen, first.per_tutoring_hour_fen) == (6000, 6550)
    assert first.set_by == north.admin
    services.pay_rates_set(
        school=north.school,
        effective_from=dt.date(2026, 11, 1),
        actor=north.admin,
        **GOOD | {"per_class_hour": "70"},
    )
    assert list(
        PayRates.objects.filter(school=north.school).values_list("per_class_hour_fen", flat=True)
    ) == [7000, 6000]
    # the same day again replaces that day's rates
    services.pay_rates_set(
        school=north.school,
        effective_from=dt.date(2026, 11, 1),
        actor=north.admin,
        **GOOD | {"per_class_hour": "75"},
    )
    assert PayRates.objects.filter(school=north.school).count() == 2


def test_without_a_floor_in_the_profile_any_rate_is_taken(north):
    row = services.pay_rates_set(
        school=north.school,
        effective_from=dt.date(2026, 9, 1),
        actor=north.admin,
        **GOOD | {"per_class_hour": "30"},
    )
    assert row.per_class_hour_fen == 3000


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("per_class_hour", "abc", "rate_invalid"),
        ("per_class_hour", "60.001", "rate_invalid"),
        ("per_duty_day", "-5", "rate_negative"),
        ("per_duty_day", "", "rate_missing"),
        ("per_club_session", "1000000", "rate_too_large"),
        ("class_hour_minutes", 5, "class_hour_minutes_out_of_range"),
        ("class_hour_minutes", "forty", "class_hour_minutes_invalid"),
        ("effective_from", None, "date_missing"),
    ],
)
def test_bad_rates_are_refused_by_field(north, floor, field, value, code):
    values = GOOD | {"effective_from": dt.date(2026, 9, 1)} | {field: value}
    refusal = snapshots.refused(
        lambda: services.pay_rates_set(school=north.school, actor=north.admin, **values)
    )
    assert {(i.field, i.code) for i in items(refusal)} == {(field, code)}
