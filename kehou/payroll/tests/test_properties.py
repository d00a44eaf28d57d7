"""Properties of the pay sheet through the database (issue 10, item 7), on random months:
random rates at or above the floor (set through `pay_rates_set`), plan sittings of random
lengths, activity groups of each paid kind, duty days, for two teachers.

- pay ≥ floor × hours: each line's class-hours and tutoring hours, and each club session's
  class-hours, are paid at least 000's floor (60 yuan a class-hour) for the exact hours
  (minutes over the school's minutes per class-hour), rounded half up once per kind;
- a line is the sum of its items and of its kinds; the sheet the sum of its lines;
- computing the sheet again with the same data changes nothing.

Each example builds its data inside a savepoint rolled back at its end.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehou import money
from kehou.custody.models import Duty
from kehou.payroll import services
from kehou.payroll.models import PayItem, PayLine
from kehou.payroll.tests.conftest import group_sitting, plan_sitting
from kehou.testing import factories as f

pytestmark = pytest.mark.django_db

FLOOR_FEN = 6000  # jiangsu_000: 每课时不低于60元
OCT_1 = dt.date(2026, 10, 1)
PROPERTY = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class _Rollback(Exception):
    pass


def _rolled_back(body):
    try:
        with transaction.atomic():
            body()
            raise _Rollback
    except _Rollback:
        pass


rates = st.fixed_dictionaries(
    {
        "per_class_hour": st.integers(FLOOR_FEN, 30_000),
        "per_tutoring_hour": st.integers(FLOOR_FEN, 30_000),
        "per_club_session": st.integers(0, 30_000),
        "per_duty_day": st.integers(0, 30_000),
        "class_hour_minutes": st.integers(10, 120),
    }
)
work = st.lists(
    st.tuples(
        st.integers(0, 1),  # which teacher
        st.sampled_from(["plan", "arts", "club", "duty"]),
        st.integers(1, 30),  # day of October
        st.integers(5, 180),  # minutes
    ),
    min_size=1,
    max_size=12,
)


def _month(north, plan, rate, rows):
    services.pay_rates_set(
        school=north.school,
        effective_from=dt.date(2026, 9, 1),
        actor=north.admin,
        **{k: money.yuan(v) if k != "class_hour_minutes" else v for k, v in rate.items()},
    )
    teachers = [north.teacher.staff, f.StaffFactory(school=north.school)]
    menu = f.menu(north.school, term=f.TermFactory(), status="running")
    groups = {
        "arts": f.offering(menu, "剪纸", category="arts"),
        "club": f.offering(menu, "合唱社团", category="club"),
    }
    for i, (who, kind, day, minutes) in enumerate(rows):
        date = OCT_1.replace(day=day)
        begin = dt.datetime.combine(date, dt.time(8, 0)) + dt.timedelta(minutes=5 * i)
        start, end = begin.time(), (begin + dt.timedelta(minutes=minutes)).time()
        if kind == "duty":
            Duty.objects.get_or_create(school=north.school, date=date, staff=teachers[who])
        elif kind == "plan":
            plan_sitting(plan, date, responsible=teachers[who], start=start, end=end)
        else:
            group_sitting(plan, groups[kind], date, responsible=teachers[who], start=start, end=end)


def _exact_hours(items, minutes_per_hour) -> Decimal:
    return sum((Decimal(i.minutes) / minutes_per_hour for i in items), Decimal(0))


@PROPERTY
@given(rate=rates, rows=work)
def test_pay_is_at_least_the_floor_for_every_hour(north, floor, plan, rate, rows):
    def body():
        # given a random October of two teachers
        _month(north, plan, rate, rows)
        # when the sheet is computed
        sheet, _changed = services.pay_sheet_compute(
            school=north.school, month="2026-10", actor=north.admin
        )
        # then every kind of work that counts hours pays at least the floor for them
        chm = rate["class_hour_minutes"]
        lines = list(PayLine.objects.filter(sheet=sheet))
        for line in lines:
            items = list(PayItem.objects.filter(line=line))
            by_work = {w: [i for i in items if i.work == w] for w in ("class", "tutoring", "club")}
            for w, fen in (("class", line.class_fen), ("tutoring", line.tutoring_fen)):
                assert fen >= money.round_half_up(FLOOR_FEN * _exact_hours(by_work[w], chm))
            for item in by_work["club"]:
                assert (
                    item.amount_fen
                    >= money.round_half_up(FLOOR_FEN * Decimal(item.minutes) / chm) - 1
                )  # each session's share of the kind's one rounding
            assert line.club_fen >= money.round_half_up(
                FLOOR_FEN * _exact_hours(by_work["club"], chm)
            )
            # and a line is the sum of its items and of its kinds
            assert line.total_fen == sum(i.amount_fen for i in items)
            assert line.total_fen == (
                line.class_fen + line.tutoring_fen + line.club_fen + line.duty_fen
            )
            assert line.total_fen == line.increment_fen + line.labour_fen
        assert sheet.total_fen == sum(ln.total_fen for ln in lines)

    _rolled_back(body)


@PROPERTY
@given(rate=rates, rows=work)
def test_computing_the_sheet_again_changes_nothing(north, floor, plan, rate, rows):
    def body():
        # given a random October computed once
        _month(north, plan, rate, rows)
        sheet, _ = services.pay_sheet_compute(
            school=north.school, month="2026-10", actor=north.admin
        )
        before = (
            sorted(PayLine.objects.filter(sheet=sheet).values_list()),
            sorted(PayItem.objects.filter(line__sheet=sheet).values_list()),
        )
        # when it is computed again
        again, changed = services.pay_sheet_compute(
            school=north.school, month="2026-10", actor=north.admin
        )
        # then nothing was written
        assert not changed and again.pk == sheet.pk
        assert (
            sorted(PayLine.objects.filter(sheet=sheet).values_list()),
            sorted(PayItem.objects.filter(line__sheet=sheet).values_list()),
        ) == before

    _rolled_back(body)
