"""Calendar and session pages: who sees what, who may write, what the pages say."""

import pytest
from django.urls import reverse
from django.utils import timezone

from kehou.terms import services
from kehou.terms.models import CalendarYear, Session, SpecialDay
from kehou.terms.tests.helpers import D, T, published_plan, snapshot
from kehou.testing import factories as f


def _rows(*rows, total=None):
    """POST data of the entry form: rows of (date, until, kind, name, follows)."""
    total = total or max(len(rows), 1)
    data = {
        "source": "国办发明电〔2026〕1号",
        "days-TOTAL_FORMS": str(total),
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "200",
    }
    for i, (date, until, kind, name, follows) in enumerate(rows):
        data.update(
            {
                f"days-{i}-date": date,
                f"days-{i}-until": until,
                f"days-{i}-kind": kind,
                f"days-{i}-name": name,
                f"days-{i}-follows_weekday": follows,
            }
        )
    return data


# --- calendar -------------------------------------------------------------------------


def test_year_page_lists_2026_holidays_and_makeup_days(client, north):
    client.force_login(north.teacher)
    response = client.get(reverse("terms:calendar_year", args=[2026]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "2026-10-01" in page and "国庆节" in page
    assert "2026-10-10" in page and "周三" in page
    assert reverse("terms:calendar_enter", args=[2026]) not in page


def test_unknown_year_page_says_not_entered(client, city_officer):
    client.force_login(city_officer)
    response = client.get(reverse("terms:calendar_year", args=[2027]))
    page = response.content.decode()
    assert "未录入" in page
    assert reverse("terms:calendar_enter", args=[2027]) in page


def test_index_shows_known_and_unknown_years(client, city_officer):
    client.force_login(city_officer)
    response = client.get(reverse("terms:calendar"))
    assert response.status_code == 200
    assert "未录入" in response.content.decode()
    response = client.get(reverse("terms:calendar"), {"year": "2027"})
    assert response.url == reverse("terms:calendar_year", args=[2027])


def test_bureau_enters_2027_on_the_page(client, city_officer):
    client.force_login(city_officer)
    url = reverse("terms:calendar_enter", args=[2027])
    assert client.get(url).status_code == 200
    data = _rows(
        ("2027-01-01", "", "holiday", "元旦", ""),
        ("2027-02-06", "2027-02-12", "holiday", "春节", ""),
        ("2027-02-14", "", "makeup_workday", "春节", "4"),
        ("", "", "", "", ""),
        total=4,
    )
    response = client.post(url, data)
    assert response.status_code == 302
    entry = CalendarYear.objects.get(year=2027)
    assert entry.entered_by == city_officer
    assert entry.days.count() == 1 + 7 + 1
    assert SpecialDay.objects.get(date=D(2027, 2, 14)).follows_weekday == 4
    # the correction form opens with the runs collapsed again
    page = client.get(url).content.decode()
    assert 'value="2027-02-12"' in page


def test_entry_errors_name_the_form_row_and_save_nothing(client, city_officer):
    client.force_login(city_officer)
    data = _rows(
        ("2027-01-01", "", "holiday", "元旦", ""),
        ("2027-02-06", "2027-02-12", "holiday", "春节", ""),
        ("2027-02-15", "", "makeup_workday", "春节", "4"),  # a Monday
        ("2027-02-20", "", "", "春节", ""),  # no kind
    )
    response = client.post(reverse("terms:calendar_enter", args=[2027]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "第4行" in page
    assert snapshot() == ([], [], [])
    # once the form is complete, the service's check names the row too
    data = _rows(
        ("2027-01-01", "", "holiday", "元旦", ""),
        ("2027-02-06", "2027-02-12", "holiday", "春节", ""),
        ("2027-02-15", "", "makeup_workday", "春节", "4"),
    )
    page = client.post(reverse("terms:calendar_enter", args=[2027]), data).content.decode()
    assert "第3行" in page and "周一" in page
    assert snapshot() == ([], [], [])


def test_library_year_needs_the_override_box(client, city_officer):
    client.force_login(city_officer)
    url = reverse("terms:calendar_enter", args=[2026])
    data = _rows(("2026-10-01", "", "holiday", "国庆节", ""))
    page = client.post(url, data).content.decode()
    assert "日历库" in page
    assert not CalendarYear.objects.exists()
    assert client.post(url, {**data, "override_library": "on"}).status_code == 302
    assert CalendarYear.objects.filter(year=2026).exists()


@pytest.mark.parametrize("who", ["admin", "teacher", "guardian_user", "gate"])
def test_only_the_bureau_may_open_the_entry_form(client, north, who):
    client.force_login(getattr(north, who))
    url = reverse("terms:calendar_enter", args=[2027])
    assert client.get(url).status_code == 404
    data = _rows(("2027-01-01", "", "holiday", "元旦", ""))
    assert client.post(url, data).status_code == 404
    assert not CalendarYear.objects.exists()


def test_calendar_needs_login(client):
    response = client.get(reverse("terms:calendar_year", args=[2026]))
    assert response.status_code == 302


# --- sessions -------------------------------------------------------------------------


def test_admin_generates_and_sees_the_sessions(client, north):
    plan = published_plan(
        north.school, slots=[{"grade_from": 1, "grade_to": 2, "start": T(17, 0), "end": T(17, 50)}]
    )
    client.force_login(north.admin)
    url = reverse("terms:school_sessions", args=[north.school.pk])
    page = client.get(url).content.decode()
    assert "生成" in page
    response = client.post(url + "?term=2026-1", follow=True)
    page = response.content.decode()
    assert Session.objects.filter(plan=plan).exists()
    assert "新建" in page
    assert "2026-09-20" in page and "调休" in page  # a Sunday with Tuesday's timetable
    assert "2026-10-01" not in page
    assert "17:00–17:50" in page


def test_unknown_year_is_shown_and_only_known_days_generated(client, north):
    published_plan(north.school, end=D(2027, 1, 22))
    client.force_login(north.admin)
    url = reverse("terms:school_sessions", args=[north.school.pk])
    assert "尚未录入" in client.get(url).content.decode()
    page = client.post(url, follow=True).content.decode()
    assert "2027年的法定节假日安排尚未录入" in page
    assert Session.objects.exists()
    assert not Session.objects.filter(date__year=2027).exists()


def test_generation_problem_is_shown_and_nothing_written(client, north):
    published_plan(north.school, start=D(2027, 2, 22), end=D(2027, 7, 2))
    client.force_login(north.admin)
    url = reverse("terms:school_sessions", args=[north.school.pk])
    page = client.post(url + "?term=2026-1", follow=True).content.decode()
    assert "2027年的法定节假日安排尚未录入" in page
    assert not Session.objects.exists()


def test_draft_plan_cannot_be_generated_from_the_page(client, north):
    published_plan(north.school, status="draft")
    client.force_login(north.admin)
    url = reverse("terms:school_sessions", args=[north.school.pk])
    page = client.get(url).content.decode()
    assert "草稿" in page
    client.post(url + "?term=2026-1")
    assert not Session.objects.exists()


def test_teacher_sees_but_cannot_generate(client, north):
    plan = published_plan(north.school)
    services.sessions_generate(plan=plan)
    Session.objects.filter(date=D(2026, 9, 1)).update(roll_taken_at=timezone.now())
    client.force_login(north.teacher)
    url = reverse("terms:school_sessions", args=[north.school.pk])
    page = client.get(url).content.decode()
    assert "2026-09-01" in page and '<form method="post"' not in page
    before = snapshot()
    assert client.post(url + "?term=2026-1").status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("who", ["south_admin", "south_teacher", "guardian", "gate", "officer"])
def test_others_get_404_and_nothing_changes(client, north, south, who):
    plan = published_plan(north.school)
    services.sessions_generate(plan=plan)
    Session.objects.filter(date=D(2026, 9, 1)).delete()
    user = {
        "south_admin": south.admin,
        "south_teacher": south.teacher,
        "guardian": north.guardian_user,
        "gate": north.gate,
        "officer": north.county_officer,
    }[who]
    client.force_login(user)
    url = reverse("terms:school_sessions", args=[north.school.pk])
    before = snapshot()
    assert client.get(url).status_code == 404
    assert client.post(url + "?term=2026-1").status_code == 404
    assert snapshot() == before


def test_unknown_term_is_404(client, north):
    published_plan(north.school)
    client.force_login(north.admin)
    url = reverse("terms:school_sessions", args=[north.school.pk])
    assert client.get(url, {"term": "2030-1"}).status_code == 404


def test_my_sessions_redirects_to_own_school(client, north, city_officer):
    client.force_login(north.teacher)
    response = client.get(reverse("terms:my_sessions"))
    assert response.url == reverse("terms:school_sessions", args=[north.school.pk])
    client.force_login(city_officer)
    assert client.get(reverse("terms:my_sessions")).status_code == 404


def test_school_without_plans_says_so(client, north):
    f.TermFactory()
    client.force_login(north.admin)
    response = client.get(reverse("terms:school_sessions", args=[north.school.pk]))
    assert response.status_code == 200
