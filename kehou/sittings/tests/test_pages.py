"""The sittings pages: the term (generate, read, refuse), a day, a sitting with its roster;
who may see them."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from kehou.org.access import SYSTEM
from kehou.sittings import services
from kehou.sittings.models import Sitting
from kehou.testing import factories as f
from kehou.testing import snapshots

D, T = dt.date, dt.time


def _term_url(school) -> str:
    return reverse("sittings:school", args=[school.pk])


def _football_term(north):
    """North's plan (grades 1-6, 16:00-18:00), a menu with 足球 on Mondays 16:40-17:30,
    and north's child approved and in 足球; generated."""
    plan = f.published_plan(north.school)
    menu = f.menu(north.school, term=plan.term, status="running")
    coach = f.external_instructor(north.school, name="赵教练")
    football = f.offering(
        menu, "足球", meetings=[(0, T(16, 40), T(17, 30))], instructor=coach, room="操场"
    )
    app = f.application(north.child, plan.term)
    f.enrol(app, football)
    services.sittings_generate(school=north.school, term=plan.term, actor=SYSTEM)
    return plan, football


def test_the_admin_generates_and_sees_the_sittings_month_by_month(client, north):
    plan = f.published_plan(
        north.school, slots=[{"grade_from": 1, "grade_to": 2, "start": T(17, 0), "end": T(17, 50)}]
    )
    f.offering(
        f.menu(north.school, term=plan.term, status="published"),
        "围棋",
        meetings=[(1, T(16, 0), T(16, 50))],
        room="活动室3",
    )
    client.force_login(north.admin)
    url = _term_url(north.school)
    page = client.get(url).content.decode()
    assert "生成" in page and "暂无" not in page
    page = client.post(url + "?term=2026-1", follow=True).content.decode()
    assert Sitting.objects.filter(plan=plan).exists()
    assert "新建" in page
    # September: a Sunday with Tuesday's timetable, the slot and the club with its room
    page = client.get(url, {"term": "2026-1", "month": "2026-09"}).content.decode()
    assert "2026-09-20" in page and "调休" in page
    assert "17:00–17:50" in page and "围棋" in page and "活动室3" in page
    assert "2026-10-01" not in page
    # every sitting links to its page, every day to its day
    sitting = Sitting.objects.get(date=D(2026, 9, 1), kind="regular")
    assert reverse("sittings:sitting", args=[sitting.pk]) in page
    assert reverse("sittings:day", args=[north.school.pk, "2026-09-01"]) in page
    # October is another month of the page
    october = client.get(url, {"term": "2026-1", "month": "2026-10"}).content.decode()
    assert "2026-10-08" in october and "2026-09-20" not in october
    assert client.get(url, {"term": "2026-1", "month": "2027-05"}).status_code == 404


def test_the_page_says_when_the_menu_changed_after_generating(client, north):
    _plan, football = _football_term(north)
    client.force_login(north.admin)
    url = _term_url(north.school) + "?term=2026-1"
    assert 'id="outdated"' not in client.get(url).content.decode()
    football.meetings.update(start=T(16, 50))
    page = client.get(url).content.decode()
    assert 'id="outdated"' in page and "重新生成" in page
    client.post(url)
    assert 'id="outdated"' not in client.get(url).content.decode()


def test_an_unknown_year_is_shown_and_only_known_days_generated(client, north):
    f.published_plan(north.school, end=D(2027, 1, 22))
    client.force_login(north.admin)
    url = _term_url(north.school)
    assert "尚未录入" in client.get(url).content.decode()
    page = client.post(url + "?term=2026-1", follow=True).content.decode()
    assert "2027年的法定节假日安排尚未录入" in page
    assert Sitting.objects.exists()
    assert not Sitting.objects.filter(date__year=2027).exists()


def test_a_refusal_is_shown_and_nothing_written(client, north):
    f.published_plan(north.school, start=D(2027, 2, 22), end=D(2027, 7, 2))
    client.force_login(north.admin)
    before = snapshots.everything()
    page = client.post(_term_url(north.school) + "?term=2026-1", follow=True).content.decode()
    assert "2027年的法定节假日安排尚未录入" in page
    assert snapshots.everything() == before


def test_a_draft_plan_cannot_be_generated_from_the_page(client, north):
    f.published_plan(north.school, status="draft")
    client.force_login(north.admin)
    url = _term_url(north.school)
    assert "草稿" in client.get(url).content.decode()
    page = client.post(url + "?term=2026-1", follow=True).content.decode()
    assert "发布" in page
    assert not Sitting.objects.exists()


def test_a_teacher_sees_but_cannot_generate(client, north):
    _football_term(north)
    Sitting.objects.filter(date=D(2026, 9, 1)).update(roll_taken_at=timezone.now())
    client.force_login(north.teacher)
    url = _term_url(north.school)
    page = client.get(url, {"term": "2026-1", "month": "2026-09"}).content.decode()
    assert "2026-09-01" in page and "已点名" in page and '<form method="post"' not in page
    before = snapshots.everything()
    assert client.post(url + "?term=2026-1").status_code == 404
    assert snapshots.everything() == before


def test_the_day_shows_each_sitting_with_its_roster_size(client, north):
    _plan, football = _football_term(north)
    client.force_login(north.teacher)
    page = client.get(reverse("sittings:day", args=[north.school.pk, "2026-09-07"]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "16:00–18:00" in text and "16:40–17:30" in text and "足球" in text
    assert "操场" in text and "赵教练" in text
    assert text.count("1人") == 2  # the basic service and 足球 each expect 王小北
    assert "2026-09-04" in text and "2026-09-08" in text  # the service days around it
    empty = client.get(reverse("sittings:day", args=[north.school.pk, "2026-10-01"]))
    assert "没有服务场次" in empty.content.decode()
    bad = reverse("sittings:day", args=[north.school.pk, "2026-13-01"])
    assert client.get(bad).status_code == 404
    today = client.get(reverse("sittings:today", args=[north.school.pk]))
    assert today.url == reverse(
        "sittings:day", args=[north.school.pk, timezone.localdate().isoformat()]
    )


def test_the_sitting_shows_its_roster_and_where_a_child_is_instead(client, north):
    _plan, football = _football_term(north)
    basic = Sitting.objects.get(date=D(2026, 9, 7), kind="regular")
    client.force_login(north.admin)
    text = client.get(reverse("sittings:sitting", args=[basic.pk])).content.decode()
    assert "王小北" in text and "三年级1班" in text
    assert "在足球 16:40–17:30" in text
    assert '<ol class="roster"' in text and "<table" not in text  # fits a phone
    group = Sitting.objects.get(date=D(2026, 9, 7), offering=football)
    text = client.get(reverse("sittings:sitting", args=[group.pk])).content.decode()
    assert "王小北" in text and "赵教练" in text and "操场" in text


def test_the_sitting_page_in_english(client, north):
    _football_term(north)
    basic = Sitting.objects.get(date=D(2026, 9, 7), kind="regular")
    client.force_login(north.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = client.get(reverse("sittings:sitting", args=[basic.pk])).content.decode()
    assert "Roster: 1 child" in text and "at 足球 16:40–17:30" in text


PERSONAS = {
    "admin": lambda north, south: north.admin,
    "teacher": lambda north, south: north.teacher,
    "south_admin": lambda north, south: south.admin,
    "south_teacher": lambda north, south: south.teacher,
    "guardian": lambda north, south: north.guardian_user,
    "gate": lambda north, south: north.gate,
    "officer": lambda north, south: north.county_officer,
}


@pytest.mark.parametrize("who", list(PERSONAS))
def test_who_sees_the_sittings(client, north, south, who):
    _football_term(north)
    sitting = Sitting.objects.filter(school=north.school).first()
    client.force_login(PERSONAS[who](north, south))
    expected = 200 if who in ("admin", "teacher") else 404
    before = snapshots.everything()
    for url in (
        _term_url(north.school),
        reverse("sittings:day", args=[north.school.pk, "2026-09-07"]),
        reverse("sittings:sitting", args=[sitting.pk]),
    ):
        assert client.get(url).status_code == expected, url
    if who != "admin":
        assert client.post(_term_url(north.school) + "?term=2026-1").status_code == 404
    assert snapshots.everything() == before


def test_an_unknown_term_is_404(client, north):
    f.published_plan(north.school)
    client.force_login(north.admin)
    assert client.get(_term_url(north.school), {"term": "2030-1"}).status_code == 404


def test_my_sittings_goes_to_the_own_school(client, north, city_officer):
    client.force_login(north.teacher)
    assert client.get(reverse("sittings:mine")).url == _term_url(north.school)
    client.force_login(city_officer)
    assert client.get(reverse("sittings:mine")).status_code == 404


def test_a_school_without_plans_says_so(client, north):
    f.TermFactory()
    client.force_login(north.admin)
    response = client.get(_term_url(north.school))
    assert response.status_code == 200 and "尚无" in response.content.decode()
