import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from kehou.core.errors import codes as error_codes
from kehou.custody import codes, services
from kehou.custody.models import Custody, Dismissal
from kehou.custody.tests.conftest import TODAY, at
from kehou.notifications.models import Notification
from kehou.org.access import OutOfScope
from kehou.org.models import AuthorisedCollector, StudentGuardian
from kehou.testing.clock import freeze_now

pytestmark = pytest.mark.django_db


def _open(child):
    return Custody.objects.filter(student=child, until__isnull=True).count()


def test_collected_with_code_ends_custody_and_tells_guardian(north, day):
    with freeze_now(at(17, 32)):
        dismissal = services.dismissal_record(
            student=north.child,
            how="collected",
            actor=north.gate,
            guardian=north.guardian,
            code=codes.pickup_code(north.child.pk, TODAY),
        )
    assert dismissal.verified == "code" and dismissal.collected_by == north.guardian.name
    assert dismissal.minutes_late == 0 and not dismissal.repeat
    assert _open(north.child) == 0
    note = Notification.objects.get(recipient=north.guardian_user)
    assert note.kind == "dismissed" and "17:32" in note.body


def test_late_collection_minutes_and_kind(north, day):
    # the sitting ends 17:30, grace 10 minutes: 17:55 is 15 minutes late
    with freeze_now(at(17, 55)):
        dismissal = services.dismissal_record(
            student=north.child, how="collected", actor=north.gate, guardian=north.guardian
        )
    assert dismissal.minutes_late == 15 and dismissal.verified == "list"
    assert Notification.objects.get(recipient=north.guardian_user).kind == "late_collection"


def test_second_dismissal_refused_same_tap_is_a_repeat(north, day):
    with freeze_now(at(17, 40)):
        first = services.dismissal_record(
            student=north.child, how="collected", actor=north.gate, guardian=north.guardian
        )
        again = services.dismissal_record(
            student=north.child, how="collected", actor=north.gate, guardian=north.guardian
        )
        assert again.pk == first.pk and again.repeat
        with pytest.raises(ValidationError) as refused:
            services.dismissal_record(
                student=north.child, how="escort", escort="王老师", actor=north.admin
            )
    assert error_codes(refused.value) == {"already_dismissed"}
    assert Dismissal.objects.count() == 1


def test_wrong_or_yesterdays_code_refused_nothing_changes(north, day):
    yesterday = codes.pickup_code(north.child.pk, TODAY - dt.timedelta(days=1))
    wrong = "000000" if codes.pickup_code(north.child.pk, TODAY) != "000000" else "111111"
    with freeze_now(at(17, 40)):
        for code in (wrong, yesterday):
            with pytest.raises(ValidationError) as refused:
                services.dismissal_record(
                    student=north.child,
                    how="collected",
                    actor=north.gate,
                    collected_by="张三",
                    code=code,
                )
            assert error_codes(refused.value) == {"wrong_code"}
        qr = codes.qr_payload(north.child.pk, TODAY - dt.timedelta(days=1))
        with pytest.raises(ValidationError) as refused:
            services.dismissal_record(
                student=north.child,
                how="collected",
                actor=north.gate,
                collected_by="张三",
                code=qr,
            )
        assert error_codes(refused.value) == {"code_not_today"}
    assert _open(north.child) == 1 and not Dismissal.objects.exists()
    assert not Notification.objects.exists()


def test_qr_of_today_accepted(north, day):
    with freeze_now(at(17, 40)):
        d = services.dismissal_record(
            student=north.child,
            how="collected",
            actor=north.gate,
            collected_by="外婆",
            code=codes.qr_payload(north.child.pk, TODAY),
        )
    assert d.verified == "qr"


def test_walks_alone_needs_consent(north, day):
    with freeze_now(at(17, 40)):
        with pytest.raises(ValidationError) as refused:
            services.dismissal_record(student=north.child, how="walks_alone", actor=north.gate)
        assert error_codes(refused.value) == {"no_walk_home_consent"}
        assert _open(north.child) == 1
        consent = services.walk_home_consent_give(
            student=north.child,
            guardian=north.guardian,
            statement="自己回家",
            valid_from=TODAY,
            valid_until=None,
            on_paper=False,
            actor=north.guardian_user,
        )
        d = services.dismissal_record(student=north.child, how="walks_alone", actor=north.gate)
    assert d.consent == consent


def test_dormitory_only_for_boarders(north, day):
    with freeze_now(at(17, 40)), pytest.raises(ValidationError) as refused:
        services.dismissal_record(student=north.child, how="dormitory", actor=north.teacher)
    assert error_codes(refused.value) == {"not_a_boarder"}
    assert _open(north.child) == 1


def test_expired_collector_and_guardian_who_may_not_collect_refused(north, day):
    expired = AuthorisedCollector.objects.create(
        student=north.child,
        name="赵阿姨",
        relation="保姆",
        phone="13800001111",
        valid_until=TODAY - dt.timedelta(days=1),
    )
    StudentGuardian.objects.filter(guardian=north.guardian).update(may_collect=False)
    with freeze_now(at(17, 40)):
        with pytest.raises(ValidationError) as refused:
            services.dismissal_record(
                student=north.child, how="collected", actor=north.gate, collector=expired
            )
        assert error_codes(refused.value) == {"collector_expired"}
        with pytest.raises(ValidationError) as refused:
            services.dismissal_record(
                student=north.child, how="collected", actor=north.gate, guardian=north.guardian
            )
        assert error_codes(refused.value) == {"may_not_collect"}
    assert _open(north.child) == 1 and not Dismissal.objects.exists()


def test_not_on_site_refused(north):
    with freeze_now(at(17, 40)), pytest.raises(ValidationError) as refused:
        services.dismissal_record(
            student=north.child, how="collected", actor=north.gate, guardian=north.guardian
        )
    assert error_codes(refused.value) == {"not_on_site"}


@pytest.mark.parametrize("who", ["south_gate", "south_admin", "guardian"])
def test_dismissal_out_of_scope(north, south, day, who):
    actor = {"south_gate": south.gate, "south_admin": south.admin, "guardian": north.guardian_user}[
        who
    ]
    with freeze_now(at(17, 40)), pytest.raises(OutOfScope):
        services.dismissal_record(
            student=north.child, how="collected", actor=actor, guardian=north.guardian
        )
    assert _open(north.child) == 1
