"""The bureau-entered holiday calendar: calendar_year_enter and calendar_overrides."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from kehou.accounts.models import User
from kehou.core import errors
from kehou.lib import school_calendar as cal
from kehou.org.access import SYSTEM, OutOfScope
from kehou.org.models import Region
from kehou.terms import selectors, services
from kehou.terms.models import CalendarChange, CalendarYear, SpecialDay
from kehou.testing.factories import RegionFactory, UserFactory, enter_2027
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


def test_a_county_officer_cannot_rewrite_the_national_calendar(north, south):
    """The fault: a county officer's override of 2026 with one fake holiday erased 国庆
    for every school of every city."""
    before = everything()
    fake = [(D(2026, 11, 11), "holiday", "假节日", None)]
    for officer in (north.county_officer, south.county_officer):
        with pytest.raises(OutOfScope):
            services.calendar_year_enter(
                year=2026, days=fake, source="x", actor=officer, override_library=True
            )
        with pytest.raises(OutOfScope):
            enter_2027(officer)
    assert everything() == before
    assert cal.day_kind(D(2026, 10, 1), services.calendar_overrides()).kind is (cal.DayKind.HOLIDAY)


@pytest.mark.parametrize(
    ("authority", "city_may", "county_may"),
    [
        ("national", False, False),
        ("province", False, False),
        ("city", True, False),
        ("county", True, True),
        ("nonsense", False, False),
    ],
)
def test_the_deployment_names_the_calendar_authority(
    settings, north, city_officer, authority, city_may, county_may
):
    from kehou.org.access import may_set_calendar

    settings.CALENDAR_AUTHORITY = authority
    assert may_set_calendar(city_officer) is city_may
    assert may_set_calendar(north.county_officer) is county_may
    superuser = UserFactory(is_superuser=True, role=User.Role.BUREAU, region=None)
    assert may_set_calendar(superuser) and may_set_calendar(SYSTEM)
    if not city_may:
        with pytest.raises(OutOfScope):
            enter_2027(city_officer)
        assert not CalendarYear.objects.exists()
    enter_2027(superuser)
    assert CalendarYear.objects.get().entered_by == superuser


def test_a_province_officer_is_the_authority_when_named(settings, city):
    settings.CALENDAR_AUTHORITY = "province"
    province = RegionFactory(code="320000", name="江苏省", level=Region.Level.PROVINCE)
    city.parent = province
    city.save()
    officer = UserFactory(role=User.Role.BUREAU, region=province)
    assert enter_2027(officer).entered_by == officer


def test_every_change_is_recorded_with_the_days_before_and_after(city_officer):
    # when 2026 (known from the library) is overridden, then corrected
    services.calendar_year_enter(
        year=2026,
        days=[(D(2026, 10, 1), "holiday", "国庆节", None), (D(2026, 11, 11), "holiday", "x", None)],
        source="第一次",
        actor=city_officer,
        override_library=True,
    )
    services.calendar_year_enter(
        year=2026,
        days=[(D(2026, 10, 1), "holiday", "国庆节", None)],
        source="更正",
        actor=SYSTEM,
        override_library=True,
    )
    # then two changes are recorded, newest first, with who, when and what
    second, first = CalendarChange.objects.filter(year=2026)
    assert (first.changed_by, first.source, first.before_source) == (
        city_officer,
        "第一次",
        "library",
    )
    assert ["2026-10-01", "holiday", "National Day", None] in first.before
    assert ["2026-10-02", "holiday", "National Day", None] in first.before
    assert first.after == [
        ["2026-10-01", "holiday", "国庆节", None],
        ["2026-11-11", "holiday", "x", None],
    ]
    assert (second.changed_by, second.before_source, second.before) == (
        None,
        "bureau",
        first.after,
    )
    # and the year's history says what each change removed and added
    newest, oldest = selectors.calendar_changes(2026)
    assert [d.date for d in newest.removed] == [D(2026, 11, 11)] and not newest.added
    assert D(2026, 10, 2) in [d.date for d in oldest.removed]
    assert [d.date for d in oldest.added] == [D(2026, 11, 11)]
    assert oldest.changed == []  # the library's "National Day" is 国庆节 in Chinese


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
