import io
import json

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from kehou.catalog.models import Menu
from kehou.core import errors
from kehou.enrollment import seats
from kehou.enrollment import services as enrollment_services
from kehou.enrollment.models import Enrollment, WaitlistEntry
from kehou.placement import services
from kehou.placement.models import AllocationOutcome, AllocationRun
from kehou.testing import factories as f
from kehou.testing import snapshots
from kehou.testing.worker import run_queued_tasks


@pytest.fixture
def setup(north):
    """North's menu: the persona's child and two more want A (1 seat); the two others are
    left-behind children (seed 001's priority), so one of them wins A and the persona's
    child waits for it, whatever the lottery draws."""
    menu = f.menu(north.school, status=Menu.Status.CLOSED)
    a = f.offering(menu, "A 剪纸", capacity=1)
    c = f.offering(menu, "C 科学", capacity=2, weekday=1)
    f.homework(menu)
    f.application(north.child, menu.term, choices=[a, c], guardian=north.guardian)
    for i in range(2):
        kid = f.child(north.school, north.school_class, name=f"童{i}", is_left_behind=True)
        f.application(kid, menu.term, choices=[a, c])
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
        response = client.post(
            reverse("placement:run", args=[menu.pk]), {"action": "run", "confirmed": "1"}
        )
    run = AllocationRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("placement:progress", args=[run.pk])
    # the run waits for the worker, and the page says so
    assert run.status == AllocationRun.Status.QUEUED and not run.dry_run and run.task_id
    assert b"data-finished" not in client.get(reverse("placement:status", args=[run.pk])).content
    # the worker runs it
    assert run_queued_tasks() == 1
    run.refresh_from_db()
    assert run.status == AllocationRun.Status.DONE
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
    run_queued_tasks()
    assert AllocationRun.objects.get().dry_run
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("who", ["south_admin", "north_teacher", "north_guardian"])
def test_others_cannot_run_or_read(client, north, south, setup, who):
    menu, _a = setup
    run = services.allocation_run(menu=menu, actor=north.admin, dry_run=True)
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
    run = services.allocation_run(menu=menu, actor=north.admin, dry_run=True)
    login(client, north.county_officer)
    assert client.get(reverse("placement:metrics", args=[run.pk])).status_code == 200
    assert (
        client.post(reverse("placement:run", args=[menu.pk]), {"action": "run"}).status_code == 404
    )
    assert AllocationRun.objects.count() == 1


def _offer_to_persona(north, menu, a):
    """Run, then free A's seat with the persona's child next on its waiting list."""
    services.allocation_run(menu=menu, actor=north.admin, confirmed=True)
    holder = Enrollment.objects.get(offering=a, status="active")
    assert holder.student_id != north.child.pk
    WaitlistEntry.objects.filter(offering=a).exclude(student=north.child).update(status="removed")
    enrollment_services.enrollment_withdraw(
        enrollment=holder, actor=north.admin, on=timezone.localdate()
    )
    [entry] = seats.offer_free_seats(offering_id=a.pk)
    return entry


def test_family_sees_result_and_accepts_offer(client, north, setup):
    menu, a = setup
    entry = _offer_to_persona(north, menu, a)
    login(client, north.guardian_user)
    page = client.get(reverse("placement:family"))
    assert page.status_code == 200
    assert "志愿".encode() in page.content
    assert reverse("placement:accept", args=[entry.pk]).encode() in page.content
    client.post(reverse("placement:accept", args=[entry.pk]))
    assert Enrollment.objects.filter(student=north.child, offering=a, status="active").exists()


def test_after_accepting_the_why_says_the_seat_came_from_the_waiting_list(client, north, setup):
    """The fault: the page still explained only the allocation, which had not given A."""
    menu, a = setup
    entry = _offer_to_persona(north, menu, a)
    login(client, north.guardian_user)
    client.post(reverse("placement:accept", args=[entry.pk]))
    [result] = client.get(reverse("placement:family")).context["results"]
    assert [(s.enrolment.offering_id, s.on) for s in result.from_waitlist] == [
        (a.pk, timezone.localdate())
    ]
    body = client.get(reverse("placement:family")).content.decode()
    why = body.split('class="why"')[1].split("</ul>")[0]
    day = timezone.localdate().isoformat()
    assert "「A 剪纸」：这个名额是后来从候补名单递补来的" in why and day in why
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("placement:family")).content.decode()
    assert "“A 剪纸”: the seat came later, from the waiting list" in body and day in body


def test_other_guardian_cannot_accept(client, north, south, setup):
    menu, a = setup
    entry = _offer_to_persona(north, menu, a)
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
    # a real run without its confirmation says what it would do and writes nothing
    with pytest.raises(CommandError, match="--yes") as refused:
        call_command("allocate", "--school", north.school.code, "--term", menu.term.code)
    assert "3" in str(refused.value)
    assert not Enrollment.objects.exists()
    call_command("allocate", "--school", north.school.code, "--term", menu.term.code, "--yes")
    out = capsys.readouterr().out
    assert "第一志愿" in out
    assert Enrollment.objects.filter(status="active").count() >= 3


def test_grades_and_classes_chart_in_school_order():
    from kehou.placement.selectors import _school_order, class_key_label

    assert sorted(["10", "2", "1"], key=_school_order) == ["1", "2", "10"]
    classes = ["3-1", "1-2", "2-1", "1-10", "1-1"]
    assert sorted(classes, key=_school_order) == ["1-1", "1-2", "1-10", "2-1", "3-1"]
    assert class_key_label("1-10") == "一年级10班"


def test_a_real_run_from_the_page_asks_for_confirmation_first(
    client, north, setup, django_capture_on_commit_callbacks
):
    menu, _a = setup
    login(client, north.admin)
    before = snapshots.everything()
    # when the admin presses "run" the first time
    page = client.post(reverse("placement:run", args=[menu.pk]), {"action": "run"})
    # then nothing runs: the page states what will happen and asks again
    assert page.status_code == 200
    assert snapshots.everything() == before
    text = page.content.decode()
    assert 'id="confirm"' in text and 'name="confirmed" value="1"' in text
    assert "将为 3 名申请已通过的学生分配名额" in text
    assert "不可撤销" in text and "家长" in text
    # when it is confirmed, the run is queued
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("placement:run", args=[menu.pk]), {"action": "run", "confirmed": "1"}
        )
    run = AllocationRun.objects.get()
    assert response.url == reverse("placement:progress", args=[run.pk])
    assert not run.dry_run


def test_the_service_refuses_a_real_run_without_confirmation(north, setup):
    menu, _a = setup
    before = snapshots.everything()
    for start in (services.allocation_start, services.allocation_run):
        with pytest.raises(ValidationError) as refused:
            start(menu=menu, actor=north.admin)
        assert errors.codes(refused.value) == {"confirmation_required"}
    assert snapshots.everything() == before
    # a trial run needs none
    assert services.allocation_run(menu=menu, actor=north.admin, dry_run=True).dry_run


def _results_book(client, run):
    response = client.get(reverse("placement:results_xlsx", args=[run.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _table(ws):
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r and r[0] == "学籍号")
    return rows[header], [r for r in rows[header + 1 :] if any(v is not None for v in r)]


def test_the_admin_exports_each_childs_result_as_xlsx(client, north, setup):
    menu, a = setup
    run = services.allocation_run(menu=menu, actor=north.admin, confirmed=True)
    login(client, north.admin)
    book = _results_book(client, run)
    assert book.sheetnames == ["分配结果", "各志愿"]
    header, rows = _table(book["分配结果"])
    assert len(rows) == 3
    by_name = {r[1]: dict(zip(header, r, strict=True)) for r in rows}
    mine = by_name[north.child.name]
    outcome = AllocationOutcome.objects.get(run=run, application__student=north.child)
    assert mine["抽签号"] == outcome.lottery_number
    assert mine["优先类别（0 优先）"] == 1
    assert mine["班级"] == "一年级1班" or mine["班级"]
    # the persona's child lost A to a left-behind child: it holds C (2nd) and waits for A
    assert mine["所获最好志愿"] == 2
    assert mine["所获名额"] == "C 科学"
    assert mine["候补情况"] == "A 剪纸：候补第2位"
    # one row per ranked choice, with its result and the place in line
    header, rows = _table(book["各志愿"])
    choices = [dict(zip(header, r, strict=True)) for r in rows if r[1] == north.child.name]
    assert [(c["志愿"], c["项目"], c["结果"], c["候补位次"]) for c in choices] == [
        (1, "A 剪纸", "候补中", 2),
        (2, "C 科学", "已分配", None),
    ]
    winner = Enrollment.objects.get(offering=a, status="active").student
    [won] = [dict(zip(header, r, strict=True)) for r in rows if r[1] == winner.name and r[3] == 1]
    assert won["结果"] == "已分配"
    assert len(rows) == 6  # three children, two choices each


def test_only_the_school_admin_exports_results(client, north, south, setup):
    menu, _a = setup
    run = services.allocation_run(menu=menu, actor=north.admin, confirmed=True)
    for user in (north.county_officer, north.teacher, north.guardian_user, south.admin):
        login(client, user)
        assert client.get(reverse("placement:results_xlsx", args=[run.pk])).status_code == 404


def test_allocate_json_carries_each_childs_result(north, setup, capsys):
    menu, a = setup
    call_command(
        "allocate", "--school", north.school.code, "--term", menu.term.code, "--yes", "--json"
    )
    data = json.loads(capsys.readouterr().out)
    assert not data["dry_run"]
    assert len(data["children"]) == 3
    mine = next(c for c in data["children"] if c["student"] == north.child.pk)
    assert set(mine) == {
        "student",
        "student_number",
        "name",
        "class",
        "tier",
        "lottery_number",
        "best_rank",
        "seats",
        "choices",
        "explanation",
    }
    assert mine["choices"][0] == {
        "rank": 1,
        "offering": a.pk,
        "name": "A 剪纸",
        "allocated": False,
        "waiting_list": {"status": "waiting", "place": 2},
    }
    assert mine["choices"][1]["allocated"] is True
    assert [s["source"] for s in mine["seats"]] == ["allocation"]
    assert mine["best_rank"] == 2 and mine["explanation"]
