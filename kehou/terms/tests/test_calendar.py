"""The bureau-entered holiday calendar: calendar_year_enter and calendar_overrides."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from kehou.core import errors
from kehou.lib import school_calendar as cal
from kehou.org.access import SYSTEM, OutOfScope
from kehou.terms import services
from kehou.terms.models import CalendarYear, SpecialDay
from kehou.testing.factories import enter_2027
from kehou.testing.snapshots import everything

D = dt.date


def test_bureau_enters_an_unknown_year(city_officer):
    # given 2027 is unknown
    assert not cal.is_covered(2027, services.calendar_overrides())
    # when a city officer enters it
    entry = enter_2027(city_officer)
    # then it is known, complete, and the overrides say so
    assert (entry.year, entry.entered_by) == (2027, city_officer)
    overrides = services.calendar_overrides()
    assert cal.is_covered(2027, overrides)
    assert overrides[2027][D(2027, 1, 1)] == cal.SpecialDay(cal.DayKind.HOLIDAY, "元旦")
    assert overrides[2027][D(2027, 2, 14)].follows_weekday == 4
    assert cal.day_kind(D(2027, 2, 8), overrides).kind is cal.DayKind.HOLIDAY
    assert cal.day_kind(D(2027, 3, 1), overrides).kind is cal.DayKind.WORKDAY


def test_any_county_officer_may_enter_a_year(north):
    enter_2027(north.county_officer)
    assert CalendarYear.objects.get().entered_by == north.county_officer


def test_re_entering_replaces_the_whole_year(city_officer):
    enter_2027(city_officer)
    # when entered again with a single day
    services.calendar_year_enter(
        year=2027,
        days=[(D(2027, 1, 1), "holiday", "元旦", None)],
        source="更正",
        actor=city_officer,
    )
    # then only that day is left
    assert list(SpecialDay.objects.values_list("date", flat=True)) == [D(2027, 1, 1)]
    assert CalendarYear.objects.get().source == "更正"


@pytest.mark.parametrize(
    ("row", "code", "expected"),
    [
        ((D(2028, 1, 1), "holiday", "元旦", None), "day_not_in_year", "不在2027年"),
        ((D(2027, 1, 5), "makeup_workday", "元旦", None), "makeup_day_not_weekend", "周二"),
        ((D(2027, 1, 9), "makeup_workday", "元旦", 5), "makeup_timetable_invalid", "周一至周五"),
        ((D(2027, 1, 1), "holiday", "元旦", 2), "holiday_follows_timetable", "只有调休上班日"),
        ((D(2027, 1, 1), "festival", "元旦", None), "day_kind_invalid", "类型"),
        ((D(2027, 1, 1), "holiday", "  ", None), "day_name_missing", "名称"),
        ((D(2027, 2, 6), "holiday", "春节", None), "day_repeated", "重复"),  # repeats row 1
    ],
)
def test_bad_rows_are_refused_naming_the_row(city_officer, row, code, expected):
    before = everything()
    days = [(D(2027, 2, 6), "holiday", "春节", None), row]
    with pytest.raises(ValidationError) as refused:
        services.calendar_year_enter(year=2027, days=days, source="x", actor=city_officer)
    [item] = errors.items(refused.value)
    assert (item.field, item.code, item.error.params["row"]) == ("days", code, 2)
    assert item.message.startswith("第2行")
    assert expected in item.message
    assert everything() == before


def test_a_year_the_library_knows_is_refused_unless_overriding(city_officer):
    before = everything()
    days = [(D(2026, 10, 1), "holiday", "国庆节", None)]
    with pytest.raises(ValidationError) as refused:
        services.calendar_year_enter(year=2026, days=days, source="x", actor=city_officer)
    assert errors.codes(refused.value) == {"year_in_library"}
    [message] = errors.messages(refused.value)
    assert "2026" in message and "日历库" in message
    assert everything() == before
    # when overriding explicitly, the entry replaces the library for 2026
    services.calendar_year_enter(
        year=2026, days=days, source="x", actor=city_officer, override_library=True
    )
    overrides = services.calendar_overrides()
    assert cal.day_kind(D(2026, 10, 2), overrides).kind is cal.DayKind.WORKDAY


def test_an_empty_notice_or_a_year_out_of_range_is_refused(city_officer):
    with pytest.raises(ValidationError) as refused:
        services.calendar_year_enter(year=2027, days=[], source="x", actor=city_officer)
    assert errors.codes(refused.value) == {"no_days"}
    with pytest.raises(ValidationError) as refused:
        services.calendar_year_enter(
            year=1999, days=[(D(1999, 1, 1), "holiday", "元旦", None)], source="x", actor=SYSTEM
        )
    assert errors.codes(refused.value) == {"year_out_of_range"}
    assert not CalendarYear.objects.exists()


def test_english_refusals_read_english(city_officer):
    from django.utils import translation

    days = [(D(2028, 1, 1), "holiday", "元旦", None)]
    with pytest.raises(ValidationError) as refused:
        services.calendar_year_enter(year=2027, days=days, source="x", actor=city_officer)
    with translation.override("en"):
        assert errors.messages(refused.value) == ["Row 1: 2028-01-01 is not in 2027"]


@pytest.mark.parametrize(
    ("school", "who"),
    [
        ("north", "admin"),
        ("south", "admin"),
        ("north", "teacher"),
        ("north", "gate"),
        ("north", "guardian_user"),
    ],
)
def test_only_the_bureau_enters_a_year(request, school, who):
    """Any bureau officer may (holiday notices are national; narrowing it is a later
    step), so the other county's officer is not among the refused."""
    actor = getattr(request.getfixturevalue(school), who)
    before = everything()
    with pytest.raises(OutOfScope):
        enter_2027(actor)
    with pytest.raises(OutOfScope):
        enter_2027(None)
    assert everything() == before


def test_kehou_itself_may_enter_a_year(db):
    entry = enter_2027(SYSTEM)
    assert entry.entered_by is None and entry.days.count() == 10
