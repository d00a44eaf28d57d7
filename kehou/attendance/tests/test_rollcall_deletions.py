"""A sitting with a roll call or custody records is never deleted from under them: the
offering's deletion is refused, a regeneration keeps the sitting (never a 500)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kehou.attendance import services
from kehou.catalog import services as catalog
from kehou.core.errors import codes
from kehou.custody import chain
from kehou.org.access import SYSTEM
from kehou.sittings import services as sittings
from kehou.sittings.models import Sitting
from kehou.testing import factories as f
from kehou.testing import snapshots
from kehou.testing.clock import freeze_now

T = dt.time


def _offering_sitting(north):
    plan = f.published_plan(north.school)
    menu = f.menu(north.school, term=plan.term, status="published", mode="fcfs")
    football = f.offering(menu, "足球", meetings=[(1, T(16, 40), T(17, 30))])
    app = f.application(north.child, plan.term)
    f.enrol(app, football)
    sittings.sittings_generate(school=north.school, term=plan.term, actor=SYSTEM)
    sitting = Sitting.objects.filter(offering=football).order_by("date").first()
    Sitting.objects.filter(pk=sitting.pk).update(responsible=north.teacher.staff)
    sitting.refresh_from_db()
    return plan, football, sitting


def test_an_offering_whose_sittings_have_a_roll_call_cannot_be_deleted(north):
    _plan, football, sitting = _offering_sitting(north)
    moment = timezone.make_aware(dt.datetime.combine(sitting.date, T(16, 41)))
    with freeze_now(moment):
        services.roll_mark(
            sitting=sitting, marks=[(north.child.pk, "present", moment, "")], actor=north.teacher
        )
    error = snapshots.refused(lambda: catalog.offering_delete(offering=football, actor=north.admin))
    assert codes(error) == {"offering_has_records"}


def test_a_regeneration_keeps_a_sitting_with_custody_records_before_any_roll(north):
    # given a hand-over into a plan slot's sitting (no roll taken yet), and a new plan
    # without that slot's time
    plan = f.published_plan(north.school)
    f.application(north.child, plan.term)
    sittings.sittings_generate(school=north.school, term=plan.term, actor=SYSTEM)
    sitting = Sitting.objects.filter(plan=plan).order_by("date").first()
    with transaction.atomic():
        chain.receive(
            students=[north.child],
            holder=north.teacher.staff,
            at=timezone.now(),
            by=north.teacher,
            school_id=north.school.pk,
            sitting=sitting,
        )
    plan.slots.update(start=T(16, 30))
    # when the school regenerates
    sittings.sittings_generate(school=north.school, term=plan.term, actor=north.admin)
    # then that sitting is kept, the others are replaced
    assert Sitting.objects.filter(pk=sitting.pk).exists()
