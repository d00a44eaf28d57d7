import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kehou.custody import codes, services
from kehou.custody.models import Alert, Dismissal, GateVisit
from kehou.custody.sweeps import alerts_sweep, not_collected_sweep
from kehou.custody.tests.conftest import TODAY, at
from kehou.notifications.models import Notification
from kehou.testing import factories as f
from kehou.testing.clock import freeze_now

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_gate_dismiss_json_then_409(client, north, day):
    _login(client, north.gate)
    data = {
        "student": north.child.pk,
        "code": codes.pickup_code(north.child.pk, TODAY),
        "guardian": north.guardian.pk,
    }
    with freeze_now(at(17, 35)):
        first = client.post(reverse("custody:gate_dismiss"), data, HTTP_ACCEPT="application/json")
        assert first.status_code == 200 and first.json()["repeat"] is False
        other = client.post(
            reverse("custody:gate_dismiss"),
            {"student": north.child.pk, "how": "escort", "escort": "李老师"},
            HTTP_ACCEPT="application/json",
        )
    assert other.status_code == 409
    assert other.json()["errors"][0]["code"] == "already_dismissed"
    assert Dismissal.objects.count() == 1


def test_gate_dismiss_wrong_code_400_and_page_redirect(client, north, day):
    _login(client, north.gate)
    wrong = "000000" if codes.pickup_code(north.child.pk, TODAY) != "000000" else "111111"
    with freeze_now(at(17, 35)):
        answer = client.post(
            reverse("custody:gate_dismiss"),
            {"student": north.child.pk, "code": wrong, "collected_by": "张三"},
            HTTP_ACCEPT="application/json",
        )
        page = client.post(
            reverse("custody:gate_dismiss"),
            {"student": north.child.pk, "code": wrong, "collected_by": "张三"},
        )
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "code"
    assert page.status_code == 302
    assert not Dismissal.objects.exists()


def test_south_gate_cannot_dismiss_north_child(client, north, south, day):
    _login(client, south.gate)
    with freeze_now(at(17, 35)):
        answer = client.post(
            reverse("custody:gate_dismiss"),
            {"student": north.child.pk, "guardian": north.guardian.pk},
            HTTP_ACCEPT="application/json",
        )
        page = client.get(reverse("custody:gate_child", args=[north.child.pk]))
    assert answer.status_code == 404 and page.status_code == 404
    assert not Dismissal.objects.exists()


def test_gate_lookup_finds_the_child_by_code(client, north, day):
    _login(client, north.gate)
    with freeze_now(at(17, 35)):
        page = client.get(
            reverse("custody:gate"), {"code": codes.pickup_code(north.child.pk, TODAY)}
        )
    assert page.status_code == 200
    text = page.content.decode()
    assert north.child.name in text and north.guardian.name in text
    assert north.guardian.phone not in text


@pytest.mark.parametrize(
    "name,allowed",
    [
        ("custody:gate", "gate"),
        ("custody:board", "teacher"),
        ("custody:visits", "gate"),
        ("custody:duty", "admin"),
        ("custody:rules", "admin"),
        ("custody:handover", "teacher"),
        ("custody:gate_on_site", "gate"),
    ],
)
def test_pages_open_for_their_role_and_404_for_others(client, north, day, name, allowed):
    with freeze_now(at(17, 35)):
        assert _login(client, getattr(north, allowed)).get(reverse(name)).status_code == 200
        assert _login(client, north.guardian_user).get(reverse(name)).status_code == 404


def test_gate_does_not_see_the_board(client, north, south):
    assert _login(client, north.gate).get(reverse("custody:board")).status_code == 404


def test_board_query_count_does_not_grow(client, north, day):
    from django.db import transaction

    from kehou.custody import chain

    _login(client, north.teacher)
    with freeze_now(at(17, 35)):
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("custody:board"))
        extra = [f.child(north.school, north.school_class) for _ in range(30)]
        with transaction.atomic():
            chain.receive(
                students=extra,
                holder=north.teacher.staff,
                at=at(16),
                by=north.teacher,
                school_id=north.school.pk,
                sitting=day,
            )
        with CaptureQueriesContext(connection) as many:
            page = client.get(reverse("custody:board"))
    assert page.content.decode().count("custody/gate/children/") >= 31
    assert len(many) == len(few)


def test_alert_raised_once_and_told_to_admin(north, day):
    with freeze_now(at(18, 5)):  # 17:30 + 30 minutes
        assert alerts_sweep()["unaccounted"] == 1
        assert alerts_sweep()["unaccounted"] == 0
    alert = Alert.objects.get()
    assert alert.kind == "unaccounted" and alert.student == north.child
    assert Notification.objects.filter(recipient=north.admin, kind="alert").count() == 1


def test_no_alert_before_the_delay(north, day):
    with freeze_now(at(17, 50)):
        assert alerts_sweep()["unaccounted"] == 0


def test_resolving_needs_a_reason_and_keeps_custody(north, day):
    import pytest as _p
    from django.core.exceptions import ValidationError

    with freeze_now(at(18, 5)):
        alerts_sweep()
        alert = Alert.objects.get()
        with _p.raises(ValidationError):
            services.alert_resolve(alert=alert, resolution="  ", actor=north.admin)
        services.alert_resolve(alert=alert, resolution="家长已电话确认马上到", actor=north.admin)
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert north.child.custodies.filter(until__isnull=True).exists()


def test_roll_not_taken_raised_for_a_sitting_with_a_roster(north):
    plan = f.SchoolPlanFactory(school=north.school, status="published")
    sitting = f.SittingFactory(plan=plan, date=TODAY, start=dt.time(16), end=dt.time(17))
    with freeze_now(at(17, 5)):
        alerts_sweep()
    # nobody on its roster: nothing to alert about
    assert not Alert.objects.filter(sitting=sitting).exists()


def test_not_collected_told_once(north, day):
    with freeze_now(at(17, 45)):
        assert not_collected_sweep() == 1
        assert not_collected_sweep() == 0
    note = Notification.objects.get(recipient=north.guardian_user)
    assert note.kind == "late_collection" and north.teacher.staff.name in note.body


def test_visitor_recorded_and_phone_masked(client, north):
    _login(client, north.gate)
    answer = client.post(
        reverse("custody:visits"),
        {"name": "刘师傅", "phone": "13912345678", "purpose": "维修饮水机"},
    )
    assert answer.status_code == 302
    visit = GateVisit.objects.get()
    page = client.get(reverse("custody:visits")).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    client.post(reverse("custody:visit_leave", args=[visit.pk]))
    visit.refresh_from_db()
    assert visit.left_at is not None
    assert _login(client, north.teacher).get(reverse("custody:visits")).status_code == 404


def test_duty_and_rules_by_admin(client, north):
    _login(client, north.admin)
    with freeze_now(at(9)):
        client.post(
            reverse("custody:duty"), {"date": TODAY.isoformat(), "staff": north.teacher.staff.pk}
        )
        bad = client.post(
            reverse("custody:rules"),
            {"roll_closes_after": "0", "collection_grace": "10", "alert_after": "30"},
        )
    assert north.school.duties.count() == 1
    assert bad.status_code == 200 and not hasattr(north.school, "day_rules_cached")
    from kehou.custody.models import DayRules

    assert not DayRules.objects.exists()
