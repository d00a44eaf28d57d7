"""The bureau-entered holiday calendar: calendar_year_enter and calendar_overrides."""

import pytest
from django.core.exceptions import PermissionDenied

from kehou.lib import school_calendar as cal
from kehou.terms import services
from kehou.terms.models import CalendarYear, SpecialDay
from kehou.terms.tests.helpers import D, enter_2027, snapshot


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
    ("row", "expected"),
    [
        ((D(2028, 1, 1), "holiday", "元旦", None), "不在2027年"),
        ((D(2027, 1, 5), "makeup_workday", "元旦", None), "周二"),  # a Tuesday
        ((D(2027, 1, 9), "makeup_workday", "元旦", 5), "周一至周五"),
        ((D(2027, 1, 1), "holiday", "元旦", 2), "只有调休上班日"),
        ((D(2027, 1, 1), "festival", "元旦", None), "类型"),
        ((D(2027, 1, 1), "holiday", "  ", None), "名称"),
        ((D(2027, 2, 6), "holiday", "春节", None), "重复"),  # repeats row 1
    ],
)
def test_bad_rows_are_refused_naming_the_row(city_officer, row, expected):
    before = snapshot()
    days = [(D(2027, 2, 6), "holiday", "春节", None), row]
    with pytest.raises(services.CalendarEntryInvalid) as refused:
        services.calendar_year_enter(year=2027, days=days, source="x", actor=city_officer)
    message = refused.value.messages[0]
    assert message.startswith("第2行")
    assert expected in message
    assert list(refused.value.rows) == [1]
    assert snapshot() == before


def test_a_year_the_library_knows_is_refused_unless_overriding(city_officer):
    before = snapshot()
    days = [(D(2026, 10, 1), "holiday", "国庆节", None)]
    with pytest.raises(services.CalendarEntryInvalid) as refused:
        services.calendar_year_enter(year=2026, days=days, source="x", actor=city_officer)
    assert "2026" in refused.value.messages[0] and "日历库" in refused.value.messages[0]
    assert snapshot() == before
    # when overriding explicitly, the entry replaces the library for 2026
    services.calendar_year_enter(
        year=2026, days=days, source="x", actor=city_officer, override_library=True
    )
    overrides = services.calendar_overrides()
    assert cal.day_kind(D(2026, 10, 2), overrides).kind is cal.DayKind.WORKDAY


def test_an_empty_notice_is_refused(city_officer):
    with pytest.raises(services.CalendarEntryInvalid):
        services.calendar_year_enter(year=2027, days=[], source="x", actor=city_officer)
    assert not CalendarYear.objects.exists()


@pytest.mark.parametrize("who", ["admin", "teacher", "gate", "guardian_user"])
def test_only_the_bureau_enters_a_year(north, who):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        enter_2027(getattr(north, who))
    assert snapshot() == before
