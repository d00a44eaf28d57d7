import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from kehou.core.errors import codes as error_codes
from kehou.custody import chain, services
from kehou.custody.models import Custody, Handover
from kehou.custody.tests.conftest import at
from kehou.org.access import OutOfScope
from kehou.testing import factories as f
from kehou.testing.clock import freeze_now

pytestmark = pytest.mark.django_db


def test_handover_moves_the_child_once(north, day):
    duty = f.StaffFactory(school=north.school, phone="13800007777")
    with freeze_now(at(17, 30)):
        result = services.handover_record(
            from_staff=north.teacher.staff,
            to_staff=duty,
            students=[north.child],
            sitting=None,
            actor=north.teacher,
        )
        again = services.handover_record(
            from_staff=north.teacher.staff,
            to_staff=duty,
            students=[north.child],
            sitting=None,
            actor=north.teacher,
        )
    assert result.moved == [north.child.pk] and again.repeat
    open_custody = Custody.objects.get(student=north.child, until__isnull=True)
    assert open_custody.holder == duty and open_custody.handover == result.handover
    assert Handover.objects.count() == 1


def test_child_in_someone_elses_custody_refused(north, day):
    other = f.StaffFactory(school=north.school, phone="13800007778")
    duty = f.StaffFactory(school=north.school, phone="13800007779")
    with freeze_now(at(17, 30)), pytest.raises(ValidationError) as refused:
        services.handover_record(
            from_staff=other,
            to_staff=duty,
            students=[north.child],
            sitting=None,
            actor=north.admin,
        )
    assert error_codes(refused.value) == {"in_other_custody"}
    assert Custody.objects.get(until__isnull=True).holder == north.teacher.staff
    assert not Handover.objects.exists()


@pytest.mark.parametrize("who", ["south_admin", "south_teacher", "gate", "guardian"])
def test_handover_out_of_scope(north, south, day, who):
    actor = {
        "south_admin": south.admin,
        "south_teacher": south.teacher,
        "gate": north.gate,
        "guardian": north.guardian_user,
    }[who]
    duty = f.StaffFactory(school=north.school, phone="13800007780")
    with freeze_now(at(17, 30)), pytest.raises(OutOfScope):
        services.handover_record(
            from_staff=north.teacher.staff,
            to_staff=duty,
            students=[north.child],
            sitting=None,
            actor=actor,
        )
    assert not Handover.objects.exists()


def test_south_child_refused_in_north_handover(north, south, day):
    duty = f.StaffFactory(school=north.school, phone="13800007781")
    with freeze_now(at(17, 30)), pytest.raises(OutOfScope):
        services.handover_record(
            from_staff=None,
            to_staff=duty,
            students=[south.child],
            sitting=None,
            actor=north.admin,
        )
    assert not Custody.objects.filter(student=south.child).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_handovers_leave_one_open_custody(north):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers already")
    import datetime as dt

    plan = f.SchoolPlanFactory(school=north.school, status="published")
    from kehou.custody.tests.conftest import TODAY

    sitting = f.SittingFactory(plan=plan, date=TODAY, start=dt.time(16), end=dt.time(17, 30))
    with transaction.atomic():
        chain.receive(
            students=[north.child],
            holder=north.teacher.staff,
            at=at(16),
            by=north.teacher,
            school_id=north.school.pk,
            sitting=sitting,
        )
    receivers = [f.StaffFactory(school=north.school, phone=f"1380000888{i}") for i in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def hand_to(receiver):
        try:
            barrier.wait()
            services.handover_record(
                from_staff=north.teacher.staff,
                to_staff=receiver,
                students=[north.child],
                sitting=None,
                actor=north.teacher,
            )
            outcomes.append("ok")
        except ValidationError as refused:
            outcomes.append(error_codes(refused))
        finally:
            connection.close()

    threads = [threading.Thread(target=hand_to, args=(r,)) for r in receivers]
    # One frozen clock for both threads: a patch per thread restores in the wrong order
    # and leaves the clock frozen for every later test.
    with freeze_now(at(17, 30)):
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(map(str, outcomes)) == sorted(["ok", str({"in_other_custody"})])
    assert Custody.objects.filter(student=north.child, until__isnull=True).count() == 1
    assert Handover.objects.count() == 1
