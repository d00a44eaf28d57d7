"""A teacher's year of after-school service: what counts (as pay counts it), by month and
by kind, duty days, ratings; the school's table in a fixed number of queries."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kehou.custody.models import Duty
from kehou.org import access
from kehou.staffrecords import selectors
from kehou.testing import factories as f

from .conftest import NOW


@pytest.fixture
def year(north):
    """north's teacher: a basic-service sitting in September (90 minutes), a club in
    October (60), one cancelled, one later today, one in the year before; a duty day that
    has come and one to come; another teacher's sitting."""
    school = north.school
    teacher = access.instructor_record(north.teacher)
    other = f.StaffFactory(school=school, name="李老师")
    f.pay_rates(school, effective_from=dt.date(2025, 9, 1))  # 40-minute class-hours
    plan = f.SchoolPlanFactory(school=school, status="published")
    club = f.offering(f.menu(school, status="running"), "围棋社", category="club")
    f.taken_sitting(school, teacher, day=dt.date(2026, 9, 8), end=dt.time(17, 30), plan=plan)
    f.taken_sitting(
        school, teacher, day=dt.date(2026, 10, 13), end=dt.time(17, 0), plan=plan, offering=club
    )
    f.taken_sitting(school, teacher, day=dt.date(2026, 10, 14), plan=plan, cancelled=True)
    f.taken_sitting(school, teacher, day=NOW.date(), start=dt.time(16, 0), end=dt.time(17, 0),
                    plan=plan)  # fmt: skip
    f.taken_sitting(school, teacher, day=dt.date(2025, 10, 14), plan=plan)
    f.taken_sitting(school, other, day=dt.date(2026, 9, 9), plan=plan)
    Duty.objects.create(school=school, staff=teacher, date=dt.date(2026, 10, 15))
    Duty.objects.create(school=school, staff=teacher, date=dt.date(2026, 10, 27))
    return teacher, other, club


def test_only_sittings_that_ran_count_by_month_and_by_kind(year):
    teacher, _other, _club = year
    table, record = selectors.record_of(teacher, 2026)
    assert (record.total.sittings, record.total.minutes) == (2, 150)
    assert record.total.hours == Decimal("2.50")
    assert record.total.shown_class_hours == Decimal("3.75")  # 90/40 + 60/40
    assert record.by_work["tutoring"].sittings == 1 and record.by_work["club"].sittings == 1
    assert record.by_work["class"].sittings == 0
    assert {m: t.minutes for m, t in record.by_month.items()} == {
        dt.date(2026, 9, 1): 90,
        dt.date(2026, 10, 1): 60,
    }
    assert record.duty_days == 1 and record.duty_by_month == {dt.date(2026, 10, 1): 1}
    assert (table.since, table.until) == (dt.date(2026, 9, 1), dt.date(2027, 8, 31))
    _table, last_year = selectors.record_of(teacher, 2025)
    assert last_year.total.sittings == 1


def test_ratings_are_those_of_the_teachers_groups(north, year):
    teacher, other, club = year
    club.instructor = teacher
    club.save()
    survey = f.survey(north.school)
    question = f.survey_question(survey, "您对围棋社满意吗？", offering=club)
    f.survey_response(survey, north.guardian_user, [north.child], {question: 4})
    table = selectors.year_table(north.school, 2026)
    by_staff = {r.staff: r for r in table.records}
    assert (by_staff[teacher].ratings, by_staff[teacher].mean_rating) == (1, 4.0)
    assert by_staff[other].ratings == 0 and by_staff[other].mean_rating is None


def test_a_schools_table_is_a_fixed_number_of_queries(north, year):
    teacher, other, _club = year
    with CaptureQueriesContext(connection) as few:
        selectors.year_table(north.school, 2026)
    plan = north.school.plans.get()
    for index in range(6):
        person = f.StaffFactory(school=north.school, name=f"新老师{index}")
        f.taken_sitting(north.school, person, day=dt.date(2026, 9, 10 + index), plan=plan)
        Duty.objects.create(school=north.school, staff=person, date=dt.date(2026, 9, 10))
    with CaptureQueriesContext(connection) as many:
        table = selectors.year_table(north.school, 2026)
    assert len(table.records) == 8
    assert len(many) == len(few)


def _rows(response, sheet=0):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return book, list(book.worksheets[sheet].iter_rows(values_only=True))


def test_the_school_xlsx_has_a_row_per_teacher_and_a_sheet_each(client, north, year):
    teacher, other, _club = year
    client.force_login(north.admin)
    url = reverse("staffrecords:school", args=[north.school.pk])
    response = client.get(url, {"year": 2026, "format": "xlsx"})
    book, rows = _rows(response)
    header = rows[2]
    assert header[:5] == ("姓名", "人员类别", "服务场次", "时长（小时）", "授课课时")
    assert header[-3:] == ("值班天数", "家长评价", "平均评分")
    mine = next(r for r in rows if r[0] == teacher.name)
    assert mine[2:5] == (2, 2.5, 3.75) and mine[-3] == 1
    assert len(book.worksheets) == 3  # the table, and a sheet per teacher
    _book, months = _rows(response, sheet=[ws.title for ws in book.worksheets].index(teacher.name))
    assert ("2026-09", 1, 1.5, 2.25, 0) in months and ("2026-10", 1, 1, 1.5, 1) in months


def test_who_sees_which_record(client, north, south, city_officer, year):
    teacher, other, _club = year
    school_url = reverse("staffrecords:school", args=[north.school.pk])
    person_url = reverse("staffrecords:person", args=[north.school.pk, other.pk])
    for user in (north.admin, north.county_officer, city_officer):
        client.force_login(user)
        assert client.get(school_url).status_code == 200, user
        assert client.get(person_url).status_code == 200, user
    for user in (north.teacher, north.gate, north.guardian_user, south.admin,
                 south.county_officer):  # fmt: skip
        client.force_login(user)
        assert client.get(school_url).status_code == 404, user
        assert client.get(person_url).status_code == 404, user
    client.force_login(north.teacher)
    page = client.get(reverse("staffrecords:mine"), {"year": 2026}).content.decode()
    assert teacher.name in page and "李老师" not in page
    assert 'id="total-sittings">2<' in page
    for user in (north.gate, north.guardian_user, north.admin):
        client.force_login(user)
        assert client.get(reverse("staffrecords:mine")).status_code == 404


def test_an_external_instructor_sees_only_their_own(client, north):
    coach_user = f.UserFactory(phone="13800009999", role="teacher", school=north.school)
    coach = f.external_instructor(north.school, user=coach_user, name="张教练")
    client.force_login(coach_user)
    page = client.get(reverse("staffrecords:mine"))
    assert page.status_code == 200 and "张教练" in page.content.decode()
    assert coach.pk
    school_url = reverse("staffrecords:school", args=[north.school.pk])
    assert client.get(school_url).status_code == 404
    response = client.get(reverse("staffrecords:mine"), {"format": "xlsx"})
    _book, rows = _rows(response)
    assert rows[2] == ("月份", "服务场次", "时长（小时）", "授课课时", "值班天数")


def test_the_pages_in_chinese_and_english(client, north, year):
    client.force_login(north.admin)
    url = reverse("staffrecords:school", args=[north.school.pk])
    assert "教师课后服务档案" in client.get(url, {"year": 2026}).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(url, {"year": 2026}).content.decode()
    assert "Staff records" in page and "Duty days" in page


def test_a_bureau_officer_picks_a_school_of_their_region(client, north, south, city_officer):
    client.force_login(north.county_officer)
    page = client.get(reverse("staffrecords:home")).content.decode()
    assert north.school.name in page and south.school.name not in page
    client.force_login(city_officer)
    page = client.get(reverse("staffrecords:home")).content.decode()
    assert north.school.name in page and south.school.name in page
    client.force_login(north.admin)
    assert client.get(reverse("staffrecords:home")).status_code == 302
    client.force_login(north.guardian_user)
    assert client.get(reverse("staffrecords:home")).status_code == 404
