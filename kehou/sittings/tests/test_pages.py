"""The sittings page: generate, read, refuse."""

import pytest
from django.urls import reverse
from django.utils import timezone

from kehou.sittings import services
from kehou.sittings.models import Sitting
from kehou.terms.tests.helpers import D, T, published_plan, snapshot
from kehou.testing import factories as f


def test_admin_generates_and_sees_the_sittings(client, north):
    plan = published_plan(
        north.school, slots=[{"grade_from": 1, "grade_to": 2, "start": T(17, 0), "end": T(17, 50)}]
    )
    client.force_login(north.admin)
    url = reverse("sittings:school", args=[north.school.pk])
    page = client.get(url).content.decode()
    assert "生成" in page
    response = client.post(url + "?term=2026-1", follow=True)
    page = response.content.decode()
    assert Sitting.objects.filter(plan=plan).exists()
    assert "新建" in page
    assert "2026-09-20" in page and "调休" in page  # a Sunday with Tuesday's timetable
    assert "2026-10-01" not in page
    assert "17:00–17:50" in page


def test_unknown_year_is_shown_and_only_known_days_generated(client, north):
    published_plan(north.school, end=D(2027, 1, 22))
    client.force_login(north.admin)
    url = reverse("sittings:school", args=[north.school.pk])
    assert "尚未录入" in client.get(url).content.decode()
    page = client.post(url, follow=True).content.decode()
    assert "2027年的法定节假日安排尚未录入" in page
    assert Sitting.objects.exists()
    assert not Sitting.objects.filter(date__year=2027).exists()


def test_generation_problem_is_shown_and_nothing_written(client, north):
    published_plan(north.school, start=D(2027, 2, 22), end=D(2027, 7, 2))
    client.force_login(north.admin)
    url = reverse("sittings:school", args=[north.school.pk])
    page = client.post(url + "?term=2026-1", follow=True).content.decode()
    assert "2027年的法定节假日安排尚未录入" in page
    assert not Sitting.objects.exists()


def test_draft_plan_cannot_be_generated_from_the_page(client, north):
    published_plan(north.school, status="draft")
    client.force_login(north.admin)
    url = reverse("sittings:school", args=[north.school.pk])
    page = client.get(url).content.decode()
    assert "草稿" in page
    client.post(url + "?term=2026-1")
    assert not Sitting.objects.exists()


def test_teacher_sees_but_cannot_generate(client, north):
    plan = published_plan(north.school)
    services.sittings_generate(plan=plan)
    Sitting.objects.filter(date=D(2026, 9, 1)).update(roll_taken_at=timezone.now())
    client.force_login(north.teacher)
    url = reverse("sittings:school", args=[north.school.pk])
    page = client.get(url).content.decode()
    assert "2026-09-01" in page and '<form method="post"' not in page
    before = snapshot()
    assert client.post(url + "?term=2026-1").status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("who", ["south_admin", "south_teacher", "guardian", "gate", "officer"])
def test_others_get_404_and_nothing_changes(client, north, south, who):
    plan = published_plan(north.school)
    services.sittings_generate(plan=plan)
    Sitting.objects.filter(date=D(2026, 9, 1)).delete()
    user = {
        "south_admin": south.admin,
        "south_teacher": south.teacher,
        "guardian": north.guardian_user,
        "gate": north.gate,
        "officer": north.county_officer,
    }[who]
    client.force_login(user)
    url = reverse("sittings:school", args=[north.school.pk])
    before = snapshot()
    assert client.get(url).status_code == 404
    assert client.post(url + "?term=2026-1").status_code == 404
    assert snapshot() == before


def test_unknown_term_is_404(client, north):
    published_plan(north.school)
    client.force_login(north.admin)
    url = reverse("sittings:school", args=[north.school.pk])
    assert client.get(url, {"term": "2030-1"}).status_code == 404


def test_my_sittings_redirects_to_own_school(client, north, city_officer):
    client.force_login(north.teacher)
    response = client.get(reverse("sittings:mine"))
    assert response.url == reverse("sittings:school", args=[north.school.pk])
    client.force_login(city_officer)
    assert client.get(reverse("sittings:mine")).status_code == 404


def test_school_without_plans_says_so(client, north):
    f.TermFactory()
    client.force_login(north.admin)
    response = client.get(reverse("sittings:school", args=[north.school.pk]))
    assert response.status_code == 200
