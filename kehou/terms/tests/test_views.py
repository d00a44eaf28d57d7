"""Calendar and session pages: who sees what, who may write, what the pages say."""

import datetime as dt

import pytest
from django.urls import reverse

from kehou.terms.models import CalendarYear, SpecialDay
from kehou.testing.snapshots import everything

D = dt.date


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
    before = everything()
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
    assert everything() == before
    # once the form is complete, the service's check names the row too
    data = _rows(
        ("2027-01-01", "", "holiday", "元旦", ""),
        ("2027-02-06", "2027-02-12", "holiday", "春节", ""),
        ("2027-02-15", "", "makeup_workday", "春节", "4"),
    )
    page = client.post(reverse("terms:calendar_enter", args=[2027]), data).content.decode()
    assert "第3行" in page and "周一" in page
    assert everything() == before


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


def test_calendar_needs_login(client, db):
    response = client.get(reverse("terms:calendar_year", args=[2026]))
    assert response.status_code == 302


# --- who may change the calendar (issue 8, item 3) -------------------------------------


def test_a_county_officer_cannot_override_2026_through_the_page(client, north):
    client.force_login(north.county_officer)
    url = reverse("terms:calendar_enter", args=[2026])
    assert client.get(url).status_code == 404
    before = everything()
    data = _rows(("2026-11-11", "", "holiday", "假节日", ""))
    data["override_library"] = "on"
    assert client.post(url, data).status_code == 404
    assert everything() == before
    page = client.get(reverse("terms:calendar_year", args=[2026])).content.decode()
    assert url not in page and "国庆节" in page


def test_the_year_page_shows_the_history_of_its_entries(client, city_officer, north):
    client.force_login(city_officer)
    url = reverse("terms:calendar_enter", args=[2026])
    data = _rows(("2026-10-01", "2026-10-03", "holiday", "国庆节", ""))
    data["override_library"] = "on"
    assert client.post(url, data).status_code == 302
    client.force_login(north.teacher)
    page = client.get(reverse("terms:calendar_year", args=[2026])).content.decode()
    history = page[page.index('id="calendar-history"') :]
    assert city_officer.name in history and "国办发明电〔2026〕1号" in history
    assert "替换了日历库的数据" in history
    assert "删除" in history and "2026-10-04–10-07" in history  # the library's 4th-7th
