"""The dashboard's pages: who opens which, the school admin's own version, Chinese and
English, the chart data in the page with a link to each school."""

import json
import re

import pytest
from django.urls import reverse

from kehou.testing import factories as f

from .conftest import OCTOBER, SEPTEMBER


@pytest.fixture
def world(north, south):
    for persona, taking in ((north, 150), (south, 40)):
        f.school_month(
            persona.school,
            OCTOBER,
            service_days=20,
            students_in_school=200,
            students_taking_part=taking,
            by_grade={3: (195, taking), "none": (5, 0)},
            by_priority={"migrant": (10, 5)},
            offerings_by_category={"sports": 2},
            extended_items=["书法"],
            billed_fen=12_345_00,
        )
    f.school_month(north.school, SEPTEMBER, service_days=12, students_in_school=200)
    return north, south


def _charts(response) -> dict:
    found = re.search(
        r'<script id="dashboard-charts" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, "no chart data in the page"
    return {chart["id"]: chart for chart in json.loads(found.group(1))}


def test_the_overview_in_chinese_with_its_figures_and_charts(client, world, city_officer):
    north, south = world
    client.force_login(city_officer)
    response = client.get(reverse("dashboard:overview"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "数据看板" in page and "按学校的参与率" in page
    assert "190/400" in page  # children taking part, as text too
    assert "24,690.00" in page  # billed by both schools
    assert "echarts.min.js" in page and "dashboard/charts.js" in page
    charts = _charts(response)
    assert {
        "chart-coverage",
        "chart-grades",
        "chart-urban",
        "chart-priority",
        "chart-schools",
        "chart-models",
        "chart-money",
        "chart-trend",
    } <= set(charts)
    schools = charts["chart-schools"]
    assert schools["categories"] == [south.school.name, north.school.name]
    assert schools["urls"] == [
        reverse("dashboard:school", args=[south.school.pk]),
        reverse("dashboard:school", args=[north.school.pk]),
    ]
    assert charts["chart-grades"]["categories"] == ["三年级", "本学年未编班"]
    assert charts["chart-coverage"]["target"]["value"] == 100


def test_the_overview_in_english(client, world, city_officer):
    client.force_login(city_officer)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("dashboard:overview"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Dashboard" in page and "Participation by grade" in page
    assert "数据看板" not in page
    assert _charts(response)["chart-grades"]["categories"] == [
        "Grade 3",
        "Not in a class this school year",
    ]


def test_another_month_and_a_bad_one(client, world, city_officer):
    client.force_login(city_officer)
    response = client.get(reverse("dashboard:overview"), {"month": "2026-09"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "1/2" in page and "0/200" in page  # only north has September's figures
    assert "190/400" not in page
    assert client.get(reverse("dashboard:overview"), {"month": "2026-99"}).status_code == 404
    empty = client.get(reverse("dashboard:overview"), {"month": "2025-01"})
    assert empty.status_code == 200


def test_the_school_page_for_its_admin_and_the_officers_only(client, world, city_officer):
    north, south = world
    url = reverse("dashboard:school", args=[north.school.pk])
    for user in (city_officer, north.county_officer, north.admin):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        page = response.content.decode()
        assert north.school.name in page and "书法" in page
        assert "本学年未编班" in page
        assert "chart-school-trend" in _charts(response)
    for user in (south.admin, south.county_officer, north.teacher, north.gate, north.guardian_user):
        client.force_login(user)
        assert client.get(url).status_code == 404, user


def test_a_school_admin_lands_on_their_school(client, world):
    north, _south = world
    client.force_login(north.admin)
    response = client.get(reverse("dashboard:overview"), {"month": "2026-09"})
    assert response.status_code == 302
    assert response.url == reverse("dashboard:school", args=[north.school.pk]) + "?month=2026-09"
    assert client.get(reverse("dashboard:schools")).status_code == 302


def test_others_are_refused(client, world):
    north, _south = world
    for user in (north.teacher, north.gate, north.guardian_user):
        client.force_login(user)
        for name in ("dashboard:overview", "dashboard:schools"):
            assert client.get(reverse(name)).status_code == 404, (user, name)
    client.logout()
    assert client.get(reverse("dashboard:overview")).status_code == 302  # to the login


def test_the_list_of_every_school_is_paginated(client, world, city_officer):
    north, south = world
    for n in range(55):
        f.SchoolFactory(region=north.county, name=f"学校{n:02d}")
    client.force_login(city_officer)
    response = client.get(reverse("dashboard:schools"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "第 1 页" in page or "1/2" in page or "Page 1" in page or "共 2 页" in page
    assert north.school.name not in page  # the best participation is on the last page
    last = client.get(reverse("dashboard:schools"), {"page": 2}).content.decode()
    assert north.school.name in last
    assert client.get(reverse("dashboard:schools"), {"month": "x"}).status_code == 404


def test_a_county_officer_lists_only_their_schools(client, world):
    north, south = world
    client.force_login(north.county_officer)
    page = client.get(reverse("dashboard:schools")).content.decode()
    assert north.school.name in page and south.school.name not in page
    overview = client.get(reverse("dashboard:overview")).content.decode()
    assert south.school.name not in overview
