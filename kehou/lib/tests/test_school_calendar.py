"""The school calendar (R5, R14): holidays, 调休 and the days sessions run. No database."""

import datetime as dt

import pytest

from kehou.lib.school_calendar import (
    CalendarUnknown,
    DayKind,
    MakeupTimetableUnknown,
    SpecialDay,
    day_kind,
    is_covered,
    overrides_from_days,
    school_year_start,
    service_days,
    service_schedule,
    unknown_years,
)

D = dt.date
MON_FRI = range(5)
MON_THU = range(4)

# The 2027 notice as a bureau would enter it (made up for the test: the library stops at 2026).
OVERRIDES_2027 = overrides_from_days(
    {
        D(2027, 1, 1): SpecialDay(DayKind.HOLIDAY, "元旦"),
        D(2027, 2, 8): SpecialDay(DayKind.HOLIDAY, "春节"),
        D(2027, 2, 20): SpecialDay(DayKind.MAKEUP_WORKDAY, "春节", follows_weekday=0),
        D(2027, 2, 21): SpecialDay(DayKind.MAKEUP_WORKDAY, "春节"),
    }
)


def test_2026_statutory_holidays_are_holidays_with_their_names():
    # given / when / then: the 2026 notice as the library holds it
    assert day_kind(D(2026, 1, 1)).kind is DayKind.HOLIDAY
    assert day_kind(D(2026, 1, 1)).name == "New Year's Day"
    assert day_kind(D(2026, 2, 17)).name == "Spring Festival"
    assert day_kind(D(2026, 5, 5)).kind is DayKind.HOLIDAY  # a Tuesday off in lieu
    assert day_kind(D(2026, 10, 7)).kind is DayKind.HOLIDAY
    assert day_kind(D(2026, 1, 3)).kind is DayKind.HOLIDAY  # a Saturday inside the holiday


def test_2026_make_up_workdays_follow_the_weekday_they_replace():
    # 2026-01-04 (Sunday) makes up for Friday 2026-01-02
    jan4 = day_kind(D(2026, 1, 4))
    assert jan4.kind is DayKind.MAKEUP_WORKDAY
    assert jan4.follows_weekday == 4
    # Spring Festival: Sat 02-14 and Sat 02-28 make up for Fri 02-20 and Mon 02-23
    assert day_kind(D(2026, 2, 14)).follows_weekday == 4
    assert day_kind(D(2026, 2, 28)).follows_weekday == 0
    # Labour Day: Sat 05-09 makes up for Tue 05-05
    assert day_kind(D(2026, 5, 9)).follows_weekday == 1
    # National Day: Sun 09-20 and Sat 10-10 make up for Tue 10-06 and Wed 10-07
    assert day_kind(D(2026, 9, 20)).follows_weekday == 1
    assert day_kind(D(2026, 10, 10)).follows_weekday == 2


def test_ordinary_days():
    assert day_kind(D(2026, 3, 2)).kind is DayKind.WORKDAY
    assert day_kind(D(2026, 3, 7)).kind is DayKind.WEEKEND
    assert day_kind(D(2026, 3, 7)).name is None


def test_national_day_2025_makeup_sunday_runs_and_holiday_does_not():
    # when
    days = set(service_days(D(2025, 9, 22), D(2025, 10, 12), MON_FRI))
    # then
    assert D(2025, 9, 28) in days  # Sunday, make-up workday following Tuesday 10-07
    assert D(2025, 10, 11) in days  # Saturday, make-up workday
    assert D(2025, 10, 1) not in days
    assert not any(D(2025, 10, 1) <= d <= D(2025, 10, 8) for d in days)
    assert D(2025, 9, 27) not in days  # plain Saturday


def test_makeup_day_for_an_unplanned_weekday_is_skipped_unless_the_school_says_otherwise():
    # given a Mon–Thu school (seed 002); 2026-01-04 follows Friday's timetable by default
    # when
    default = set(service_days(D(2026, 1, 1), D(2026, 1, 9), MON_THU))
    chosen = service_schedule(
        D(2026, 1, 1), D(2026, 1, 9), MON_THU, makeup_follows={D(2026, 1, 4): 0}
    )
    # then
    assert D(2026, 1, 4) not in default
    assert D(2026, 1, 1) not in default  # New Year's Day, a Thursday
    jan4 = next(s for s in chosen if s.date == D(2026, 1, 4))
    assert jan4.timetable_weekday == 0
    assert jan4.kind is DayKind.MAKEUP_WORKDAY


def test_weekend_day_of_5_2_1_runs_on_plain_saturdays_but_not_on_holiday_saturdays():
    # given Mon–Fri plus Saturday
    days = set(service_days(D(2026, 5, 1), D(2026, 5, 16), [0, 1, 2, 3, 4, 5]))
    # then
    assert D(2026, 5, 2) not in days  # Saturday inside Labour Day
    assert D(2026, 5, 16) in days  # plain Saturday
    assert D(2026, 5, 9) in days  # make-up Saturday (runs Tuesday's timetable)
    assert D(2026, 5, 5) not in days


def test_vacation_opening_week_adds_days_outside_the_term():
    # given a term ending in January and a winter opening week in February
    schedule = service_schedule(
        D(2026, 1, 5),
        D(2026, 1, 9),
        MON_FRI,
        vacation_weeks=[(D(2026, 2, 2), D(2026, 2, 8))],
    )
    # then
    assert [s.date for s in schedule if s.in_vacation_week] == [
        D(2026, 2, 2) + dt.timedelta(days=i) for i in range(5)
    ]
    assert len(schedule) == 10


def test_2027_is_unknown_without_overrides():
    assert not is_covered(2027)
    assert unknown_years(D(2026, 9, 1), D(2027, 1, 31)) == [2027]
    with pytest.raises(CalendarUnknown) as excinfo:
        day_kind(D(2027, 3, 1))
    assert excinfo.value.year == 2027
    assert "2027年" in str(excinfo.value)
    with pytest.raises(CalendarUnknown):
        service_days(D(2026, 12, 28), D(2027, 1, 8), MON_FRI)


def test_2027_is_known_once_the_bureau_enters_it():
    assert is_covered(2027, OVERRIDES_2027)
    assert day_kind(D(2027, 1, 1), OVERRIDES_2027).kind is DayKind.HOLIDAY
    assert day_kind(D(2027, 3, 1), OVERRIDES_2027).kind is DayKind.WORKDAY
    assert day_kind(D(2027, 3, 6), OVERRIDES_2027).kind is DayKind.WEEKEND
    # 2026 still comes from the library when only 2027 is entered
    assert day_kind(D(2026, 1, 1), OVERRIDES_2027).kind is DayKind.HOLIDAY
    days = set(
        service_days(
            D(2027, 2, 15),
            D(2027, 2, 21),
            MON_FRI,
            overrides=OVERRIDES_2027,
            makeup_follows={D(2027, 2, 21): 2},
        )
    )
    assert D(2027, 2, 20) in days  # the notice says it follows Monday
    assert D(2027, 2, 21) in days  # the school chose Wednesday


def test_makeup_day_with_no_timetable_weekday_refuses_instead_of_guessing():
    with pytest.raises(MakeupTimetableUnknown) as excinfo:
        service_days(D(2027, 2, 15), D(2027, 2, 21), MON_FRI, overrides=OVERRIDES_2027)
    assert excinfo.value.date == D(2027, 2, 21)


def test_overrides_replace_the_library_for_their_year():
    # given the bureau re-entered 2026 with only New Year's Day
    overrides = overrides_from_days({D(2026, 1, 1): SpecialDay(DayKind.HOLIDAY, "元旦")})
    # then
    assert day_kind(D(2026, 1, 1), overrides).name == "元旦"
    assert day_kind(D(2026, 10, 1), overrides).kind is DayKind.WORKDAY


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        service_days(D(2026, 3, 2), D(2026, 3, 1), MON_FRI)
    with pytest.raises(ValueError):
        service_days(D(2026, 3, 1), D(2026, 3, 2), [7])
    with pytest.raises(ValueError):
        SpecialDay(DayKind.WORKDAY, "x")


@pytest.mark.parametrize(
    ("day", "start"),
    [(D(2026, 7, 31), 2025), (D(2026, 8, 1), 2026), (D(2026, 12, 31), 2026), (D(2027, 1, 1), 2026)],
)
def test_school_year_start(day, start):
    assert school_year_start(day) == start
