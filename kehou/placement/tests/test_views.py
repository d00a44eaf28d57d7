import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from kehou.catalog.models import Menu, Offering
from kehou.enrollment.models import Enrollment, WaitlistEntry
from kehou.placement import services
from kehou.placement.models import AllocationRun

from .factories import apply, child, closed_menu, homework, offering


@pytest.fixture
def setup(north):
    """North's menu: the persona's child and two more want A (1 seat)."""
    menu = closed_menu(north.school)
    a = offering(menu, "A 剪纸", capacity=1)
    c = offering(menu, "C 科学", capacity=2, weekday=1)
    homework(menu)
    apply(north.child, menu, [a, c], guardian=north.guardian)
    for i in range(2):
        apply(child(north.school, north.school_class, name=f"童{i}"), menu, [a, c])
    return menu, a


def login(client, user):
    client.force_login(user)


def test_admin_runs_from_page_and_sees_metrics(
    client, north, setup, django_capture_on_commit_callbacks
):
    menu, _a = setup
    login(client, north.admin)
    assert client.get(reverse("placement:run", args=[menu.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("placement:run", args=[menu.pk]), {"action": "run"})
    run = AllocationRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("placement:progress", args=[run.pk])
    assert run.status == AllocationRun.Status.DONE and not run.dry_run
    status = client.get(reverse("placement:status", args=[run.pk]))
    assert b"data-finished" in status.content
    page = client.get(reverse("placement:metrics", args=[run.pk]))
    assert page.status_code == 200
    assert b"vendor/echarts/echarts.min.js" in page.content
    assert b"placement-charts" in page.content
    assert client.get(reverse("placement:progress", args=[run.pk])).status_code == 200


def test_trial_run_from_page_writes_nothing(
    client, north, setup, django_capture_on_commit_callbacks
):
    menu, _a = setup
    login(client, north.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("placement:run", args=[menu.pk]), {"action": "dry"})
    assert AllocationRun.objects.get().dry_run
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("who", ["south_admin", "north_teacher", "north_guardian"])
def test_others_cannot_run_or_read(client, north, south, setup, who):
    menu, _a = setup
    run = services.allocation_run(menu=menu, dry_run=True)
    user = {
        "south_admin": south.admin,
        "north_teacher": north.teacher,
        "north_guardian": north.guardian_user,
    }[who]
    login(client, user)
    assert client.get(reverse("placement:run", args=[menu.pk])).status_code == 404
    assert (
        client.post(reverse("placement:run", args=[menu.pk]), {"action": "run"}).status_code == 404
    )
    assert client.get(reverse("placement:metrics", args=[run.pk])).status_code == 404
    assert client.get(reverse("placement:status", args=[run.pk])).status_code == 404
    assert AllocationRun.objects.count() == 1
    assert not Enrollment.objects.exists()
    assert Menu.objects.get(pk=menu.pk).status == Menu.Status.CLOSED


def test_bureau_reads_metrics_but_cannot_run(client, north, setup):
    menu, _a = setup
    run = services.allocation_run(menu=menu, dry_run=True)
    login(client, north.county_officer)
    assert client.get(reverse("placement:metrics", args=[run.pk])).status_code == 200
    assert (
        client.post(reverse("placement:run", args=[menu.pk]), {"action": "run"}).status_code == 404
    )
    assert AllocationRun.objects.count() == 1


def _offer_to_persona(north, menu, a):
    """Run, then free A's seat until the persona's child is offered it (if not seated)."""
    services.allocation_run(menu=menu)
    holder = Enrollment.objects.get(offering=a, status="active")
    if holder.student_id == north.child.pk:
        return None
    Enrollment.objects.filter(pk=holder.pk).update(status="withdrawn")
    Offering.objects.filter(pk=a.pk).update(taken=0)
    WaitlistEntry.objects.filter(offering=a).exclude(student=north.child).update(status="removed")
    [entry] = services.waitlist_refill(offering_id=a.pk)
    return entry


def test_family_sees_result_and_accepts_offer(client, north, setup):
    menu, a = setup
    entry = _offer_to_persona(north, menu, a)
    login(client, north.guardian_user)
    page = client.get(reverse("placement:family"))
    assert page.status_code == 200
    assert "志愿".encode() in page.content
    if entry is None:
        return
    assert reverse("placement:accept", args=[entry.pk]).encode() in page.content
    client.post(reverse("placement:accept", args=[entry.pk]))
    assert Enrollment.objects.filter(student=north.child, offering=a, status="active").exists()


def test_other_guardian_cannot_accept(client, north, south, setup):
    menu, a = setup
    entry = _offer_to_persona(north, menu, a)
    if entry is None:
        pytest.skip("the persona's child won A outright with this seed")
    login(client, south.guardian_user)
    assert client.post(reverse("placement:accept", args=[entry.pk])).status_code == 404
    assert client.post(reverse("placement:decline", args=[entry.pk])).status_code == 404
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED
    assert not Enrollment.objects.filter(offering=a, status="active").exists()
    login(client, north.admin)  # staff are not the family either
    assert client.post(reverse("placement:accept", args=[entry.pk])).status_code == 404


def test_family_page_is_for_guardians(client, north):
    login(client, north.admin)
    assert client.get(reverse("placement:family")).status_code == 404


def test_allocate_command_dry_run_json_and_refusals(north, setup, capsys):
    menu, _a = setup
    call_command(
        "allocate", "--school", north.school.code, "--term", menu.term.code, "--dry-run", "--json"
    )
    data = json.loads(capsys.readouterr().out)
    assert data["dry_run"] and data["metrics"]["overall"]["children"] == 3
    assert not Enrollment.objects.exists()
    with pytest.raises(CommandError, match="试运行"):
        call_command(
            "allocate", "--school", north.school.code, "--term", menu.term.code, "--seed", "x"
        )
    assert not Enrollment.objects.exists()
    call_command("allocate", "--school", north.school.code, "--term", menu.term.code)
    out = capsys.readouterr().out
    assert "第一志愿" in out
    assert Enrollment.objects.filter(status="active").count() >= 3


def test_grades_and_classes_chart_in_school_order():
    from kehou.placement.selectors import _school_order

    assert sorted(["10", "2", "1"], key=_school_order) == ["1", "2", "10"]
    classes = ["三年级1班", "一年级2班", "二年级1班", "一年级10班", "一年级1班"]
    assert sorted(classes, key=_school_order) == [
        "一年级1班",
        "一年级2班",
        "一年级10班",
        "二年级1班",
        "三年级1班",
    ]
