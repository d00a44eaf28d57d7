"""The monthly pay sheet: lines from the sittings each person took and their duty days."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from kehou.billing.models import SittingCancellation
from kehou.core.errors import codes
from kehou.custody import chain
from kehou.custody.models import Duty
from kehou.payroll import services
from kehou.payroll.models import PayItem, PayLine, PaySheet
from kehou.payroll.tests.conftest import group_sitting, plan_sitting
from kehou.testing import factories as f
from kehou.testing import snapshots

pytestmark = pytest.mark.django_db


def _menu_groups(north):
    menu = f.menu(north.school, term=f.TermFactory(), status="running")
    arts = f.offering(menu, "剪纸", category="arts")
    club = f.offering(menu, "合唱社团", category="club")
    return arts, club


def test_a_teachers_line_matches_the_sittings_they_took(north, floor, plan):
    # given: north's teacher took two plan sittings (80 min each), one arts group (60 min)
    # and one club session in October, and another teacher took a third plan sitting
    teacher = north.teacher.staff
    f.pay_rates(north.school)
    arts, club = _menu_groups(north)
    plan_sitting(plan, dt.date(2026, 10, 12), responsible=teacher)
    plan_sitting(plan, dt.date(2026, 10, 13), responsible=teacher)
    group_sitting(plan, arts, dt.date(2026, 10, 14), responsible=teacher)
    group_sitting(plan, club, dt.date(2026, 10, 15), responsible=teacher)
    other = f.StaffFactory(school=north.school)
    plan_sitting(plan, dt.date(2026, 10, 16), responsible=other)
    # when
    sheet, changed = services.pay_sheet_compute(
        school=north.school, month="2026-10", actor=north.admin
    )
    # then: 4 tutoring hours at 60, 1.5 class-hours at 60, and one club session at 80
    # raised to the floor for its 1.5 class-hours (90)
    assert changed
    line = PayLine.objects.get(sheet=sheet, staff=teacher)
    assert (line.tutoring_count, line.tutoring_hours, line.tutoring_fen) == (
        2,
        Decimal("4.00"),
        24000,
    )
    assert (line.class_count, line.class_hours, line.class_fen) == (1, Decimal("1.50"), 9000)
    assert (line.club_sessions, line.club_fen) == (1, 9000)
    assert line.items.get(work="club").note == "raised_to_floor"
    assert line.total_fen == 24000 + 9000 + 9000
    items = list(PayItem.objects.filter(line=line).order_by("date"))
    assert [i.date.day for i in items] == [12, 13, 14, 15]
    assert sum(i.amount_fen for i in items) == line.total_fen
    assert {i.sitting_id for i in items} == set(teacher.sittings.values_list("pk", flat=True))
    assert PayLine.objects.get(sheet=sheet, staff=other).tutoring_fen == 12000
    assert sheet.total_fen == line.total_fen + 12000


def test_duty_days_are_counted(north, floor, plan):
    teacher = north.teacher.staff
    f.pay_rates(north.school)
    for day in (5, 6, 7):
        Duty.objects.create(school=north.school, date=dt.date(2026, 10, day), staff=teacher)
    Duty.objects.create(school=north.school, date=dt.date(2026, 9, 30), staff=teacher)
    sheet, _ = services.pay_sheet_compute(school=north.school, month="2026-10", actor=north.admin)
    line = PayLine.objects.get(sheet=sheet, staff=teacher)
    assert (line.duty_days, line.duty_fen, line.total_fen) == (3, 15000, 15000)
    assert PayItem.objects.filter(line=line, work="duty", duty__isnull=False).count() == 3


def test_a_cancelled_sitting_and_one_still_to_come_are_not_paid(north, floor, plan):
    teacher = north.teacher.staff
    f.pay_rates(north.school)
    ran = plan_sitting(plan, dt.date(2026, 11, 2), responsible=teacher)
    cancelled = plan_sitting(plan, dt.date(2026, 11, 3), responsible=teacher)
    SittingCancellation.objects.create(sitting=cancelled, reason="暴雨停课")
    plan_sitting(plan, dt.date(2026, 11, 20), responsible=teacher)  # still to come
    sheet, _ = services.pay_sheet_compute(school=north.school, month="2026-11", actor=north.admin)
    line = PayLine.objects.get(sheet=sheet, staff=teacher)
    assert list(line.items.values_list("sitting_id", flat=True)) == [ran.pk]


def test_an_external_instructor_is_paid_at_the_agreement_rate(north, floor, plan):
    # given: a coach agreed at 90 yuan a class-hour until 20 October
    coach = f.external_instructor(
        north.school, pay_per_class_hour=Decimal("90"), agreement_end=dt.date(2026, 10, 20)
    )
    f.pay_rates(north.school)
    arts, club = _menu_groups(north)
    group_sitting(plan, arts, dt.date(2026, 10, 14), responsible=coach)  # 1.5 class-hours
    group_sitting(plan, club, dt.date(2026, 10, 15), responsible=coach)  # 1.5 class-hours
    outside = group_sitting(plan, arts, dt.date(2026, 10, 21), responsible=coach)
    # when
    sheet, _ = services.pay_sheet_compute(school=north.school, month="2026-10", actor=north.admin)
    # then: per class-hour at 90, whatever the kind, and the sitting after the agreement
    # ended is listed, unpaid
    line = PayLine.objects.get(sheet=sheet, staff=coach)
    assert line.external and line.agreed_fen == 9000
    assert line.class_fen == 13500 and line.club_fen == 13500
    assert line.labour_fen == line.total_fen == 27000
    assert line.increment_fen == 0
    assert line.unpaid_sittings == 1
    unpaid = line.items.get(sitting=outside)
    assert (unpaid.amount_fen, unpaid.note) == (0, "outside_agreement")


def test_the_increment_is_its_own_line_for_school_staff(north, floor, plan):
    teacher = north.teacher.staff
    coach = f.external_instructor(north.school, pay_per_class_hour=Decimal("100"))
    f.pay_rates(north.school)
    plan_sitting(plan, dt.date(2026, 10, 12), responsible=teacher)
    plan_sitting(plan, dt.date(2026, 10, 13), responsible=coach)
    sheet, _ = services.pay_sheet_compute(school=north.school, month="2026-10", actor=north.admin)
    mine = PayLine.objects.get(sheet=sheet, staff=teacher)
    theirs = PayLine.objects.get(sheet=sheet, staff=coach)
    assert (mine.increment_fen, mine.labour_fen) == (12000, 0)
    assert (theirs.increment_fen, theirs.labour_fen) == (0, 20000)


def test_a_rerun_changes_nothing_when_nothing_changed(north, floor, plan):
    teacher = north.teacher.staff
    f.pay_rates(north.school)
    plan_sitting(plan, dt.date(2026, 10, 12), responsible=teacher)
    Duty.objects.create(school=north.school, date=dt.date(2026, 10, 12), staff=teacher)
    services.pay_sheet_compute(school=north.school, month="2026-10", actor=north.admin)
    before = snapshots.everything()
    sheet, changed = services.pay_sheet_compute(
        school=north.school, month="2026-10", actor=north.admin
    )
    assert not changed
    assert snapshots.everything() == before


def test_a_rerun_follows_a_change(north, floor, plan):
    teacher = north.teacher.staff
    f.pay_rates(north.school)
    plan_sitting(plan, dt.date(2026, 10, 12), responsible=teacher)
    services.pay_sheet_compute(school=north.school, month="2026-10", actor=north.admin)
    plan_sitting(plan, dt.date(2026, 10, 13), responsible=teacher)
    sheet, changed = services.pay_sheet_compute(
        school=north.school, month="2026-10", actor=north.admin
    )
    assert changed
    assert PayLine.objects.get(sheet=sheet).tutoring_fen == 24000


def test_a_final_sheet_is_frozen(north, floor, plan):
    teacher = north.teacher.staff
    f.pay_rates(north.school)
    plan_sitting(plan, dt.date(2026, 10, 12), responsible=teacher)
    sheet, _ = services.pay_sheet_compute(school=north.school, month="2026-10", actor=north.admin)
    unconfirmed = snapshots.refused(
        lambda: services.pay_sheet_finalise(sheet=sheet, actor=north.admin)
    )
    assert codes(unconfirmed) == {"confirmation_required"}
    services.pay_sheet_finalise(sheet=sheet, confirmed=True, actor=north.admin)
    plan_sitting(plan, dt.date(2026, 10, 13), responsible=teacher)
    refusal = snapshots.refused(
        lambda: services.pay_sheet_compute(school=north.school, month="2026-10", actor=north.admin)
    )
    assert codes(refusal) == {"pay_sheet_final"}
    again = snapshots.refused(
        lambda: services.pay_sheet_finalise(sheet=sheet, confirmed=True, actor=north.admin)
    )
    assert codes(again) == {"pay_sheet_final"}
    assert PayLine.objects.get(sheet=sheet).tutoring_fen == 12000


def test_a_month_not_over_is_not_finalised_nor_a_stale_sheet(north, floor, plan):
    teacher = north.teacher.staff
    f.pay_rates(north.school)
    plan_sitting(plan, dt.date(2026, 11, 2), responsible=teacher)
    november, _ = services.pay_sheet_compute(
        school=north.school, month="2026-11", actor=north.admin
    )
    refusal = snapshots.refused(
        lambda: services.pay_sheet_finalise(sheet=november, confirmed=True, actor=north.admin)
    )
    assert codes(refusal) == {"month_not_over"}
    plan_sitting(plan, dt.date(2026, 10, 12), responsible=teacher)
    october, _ = services.pay_sheet_compute(school=north.school, month="2026-10", actor=north.admin)
    plan_sitting(plan, dt.date(2026, 10, 13), responsible=teacher)
    stale = snapshots.refused(
        lambda: services.pay_sheet_finalise(sheet=october, confirmed=True, actor=north.admin)
    )
    assert codes(stale) == {"pay_sheet_outdated"}


def test_a_month_without_rates_or_not_begun_is_refused(north, floor, plan):
    plan_sitting(plan, dt.date(2026, 10, 12), responsible=north.teacher.staff)
    missing = snapshots.refused(
        lambda: services.pay_sheet_compute(school=north.school, month="2026-10", actor=north.admin)
    )
    assert codes(missing) == {"no_pay_rates"}
    for month, code in (("2026-12", "month_not_begun"), ("october", "month_invalid")):
        refusal = snapshots.refused(
            lambda m=month: services.pay_sheet_compute(
                school=north.school, month=m, actor=north.admin
            )
        )
        assert codes(refusal) == {code}


def test_sittings_with_nobody_responsible_are_counted_apart(north, floor, plan):
    f.pay_rates(north.school)
    plan_sitting(plan, dt.date(2026, 10, 12), responsible=None)
    sheet, _ = services.pay_sheet_compute(school=north.school, month="2026-10", actor=north.admin)
    assert sheet.unassigned_sittings == 1 and not sheet.lines.exists()


def test_head_teachers_who_took_a_plan_sitting_class_by_class_are_paid_for_it(north, floor, plan):
    # given a plan sitting naming nobody, where north's teacher and another head teacher
    # each had their class (custody from their roll call)
    f.pay_rates(north.school)
    sitting = plan_sitting(plan, dt.date(2026, 10, 12), responsible=None)
    other = f.StaffFactory(school=north.school)
    second_child = f.child(north.school, north.school_class)
    at = timezone.make_aware(dt.datetime(2026, 10, 12, 16, 1))
    with transaction.atomic():
        for holder, child in ((north.teacher.staff, north.child), (other, second_child)):
            chain.receive(
                students=[child],
                holder=holder,
                at=at,
                by=north.admin,
                school_id=north.school.pk,
                sitting=sitting,
            )
    # when
    sheet, _ = services.pay_sheet_compute(school=north.school, month="2026-10", actor=north.admin)
    # then each is paid the sitting's 2 tutoring hours, and it is nobody's gap
    assert sheet.unassigned_sittings == 0
    for staff in (north.teacher.staff, other):
        line = PayLine.objects.get(sheet=sheet, staff=staff)
        assert (line.tutoring_count, line.tutoring_hours) == (1, Decimal("2.00"))


def test_rates_of_the_day_apply(north, floor, plan):
    teacher = north.teacher.staff
    f.pay_rates(north.school)
    f.pay_rates(north.school, effective_from=dt.date(2026, 10, 13), per_tutoring_hour_fen=7000)
    plan_sitting(plan, dt.date(2026, 10, 12), responsible=teacher)
    plan_sitting(plan, dt.date(2026, 10, 13), responsible=teacher)
    sheet, _ = services.pay_sheet_compute(school=north.school, month="2026-10", actor=north.admin)
    line = PayLine.objects.get(sheet=sheet)
    assert line.tutoring_fen == 12000 + 14000
    assert sorted(line.items.values_list("rate_fen", flat=True)) == [6000, 7000]


def test_the_sheet_records_who_computed_and_finalised(north, floor, plan):
    f.pay_rates(north.school)
    plan_sitting(plan, dt.date(2026, 10, 12), responsible=north.teacher.staff)
    sheet, _ = services.pay_sheet_compute(school=north.school, month="2026-10", actor=north.admin)
    final = services.pay_sheet_finalise(sheet=sheet, confirmed=True, actor=north.admin)
    assert final.computed_by == north.admin and final.finalised_by == north.admin
    assert final.status == PaySheet.Status.FINAL and final.finalised_at <= timezone.now()
