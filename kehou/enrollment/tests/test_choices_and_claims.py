"""Ranked choices during the window (R11) and first-come-first-served claims (R12 FCFS)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kehou.catalog.models import Category, Menu
from kehou.enrollment import seats, services
from kehou.enrollment.models import Application, Choice, Enrollment, WaitlistEntry
from kehou.org.access import OutOfScope
from kehou.testing import factories as f

pytestmark = pytest.mark.django_db

FCFS = Menu.Mode.FCFS


def ranks(app):
    return list(Choice.objects.filter(application=app).values_list("offering__name", "rank"))


def test_guardian_ranks_and_resubmitting_replaces(north, term):
    menu = f.menu(north.school)
    a, b, c = (f.offering(menu, name) for name in ("剪纸", "足球", "合唱"))
    app = f.application(north.child, term)
    services.choices_set(
        application=app, offering_ids=[b.pk, a.pk, c.pk], actor=north.guardian_user
    )
    assert ranks(app) == [("足球", 1), ("剪纸", 2), ("合唱", 3)]
    services.choices_set(application=app, offering_ids=[c.pk], actor=north.guardian_user)
    assert ranks(app) == [("合唱", 1)]


def test_clashing_offerings_may_both_be_ranked(north, term):
    menu = f.menu(north.school)
    a = f.offering(menu, "剪纸", weekday=0)
    b = f.offering(menu, "足球", weekday=0)
    app = f.application(north.child, term)
    services.choices_set(application=app, offering_ids=[a.pk, b.pk], actor=north.guardian_user)
    assert len(ranks(app)) == 2


def test_submitted_application_may_rank_too(north, term):
    menu = f.menu(north.school)
    a = f.offering(menu)
    app = f.application(north.child, term)
    app.status = Application.Status.SUBMITTED
    app.save()
    services.choices_set(application=app, offering_ids=[a.pk], actor=north.guardian_user)
    assert len(ranks(app)) == 1


@pytest.mark.parametrize(
    ("status", "closes_in"),
    [
        (Menu.Status.PUBLISHED, dt.timedelta(days=1)),
        (Menu.Status.CLOSED, dt.timedelta(days=1)),
        (Menu.Status.WINDOW_OPEN, dt.timedelta(seconds=-1)),
    ],
)
def test_choices_only_while_the_window_is_open(north, term, status, closes_in):
    menu = f.menu(north.school, status=status, closes_in=closes_in)
    a, b = f.offering(menu, "剪纸"), f.offering(menu, "足球")
    app = f.application(north.child, term)
    Choice.objects.create(application=app, offering=a, rank=1)
    with pytest.raises(ValidationError, match="选课(尚未开始|已截止)"):
        services.choices_set(application=app, offering_ids=[b.pk], actor=north.guardian_user)
    assert ranks(app) == [("剪纸", 1)]


def test_ineligible_grade_duplicate_or_foreign_offering_is_refused(north, south, term):
    menu = f.menu(north.school)
    a = f.offering(menu, "剪纸")
    seniors = f.offering(menu, "机器人", grades=(5, 6))
    foreign = f.offering(f.menu(south.school), "外校")
    app = f.application(north.child, term)
    Choice.objects.create(application=app, offering=a, rank=1)
    for ids, expected in (
        ([seniors.pk], "面向5至6年级"),
        ([a.pk, a.pk], "只能填一次"),
        ([foreign.pk], "不是本校本学期菜单中的项目"),
    ):
        with pytest.raises(ValidationError) as error:
            services.choices_set(application=app, offering_ids=ids, actor=north.guardian_user)
        assert expected in " ".join(error.value.messages)
    assert ranks(app) == [("剪纸", 1)]


def test_only_the_childs_guardian_ranks(north, south, term):
    menu = f.menu(north.school)
    a = f.offering(menu)
    app = f.application(north.child, term)
    for stranger in (south.guardian_user, north.admin):
        with pytest.raises(OutOfScope):
            services.choices_set(application=app, offering_ids=[a.pk], actor=stranger)
    assert ranks(app) == []


def test_fcfs_menu_takes_no_ranking(north, term):
    menu = f.menu(north.school, mode=FCFS)
    a = f.offering(menu)
    app = f.application(north.child, term)
    with pytest.raises(ValidationError, match="先到先得"):
        services.choices_set(application=app, offering_ids=[a.pk], actor=north.guardian_user)


# --------------------------------------------------------------------------- FCFS


def claim(persona, app, offering, actor=None):
    return services.fcfs_claim(
        application=app, offering=offering, actor=actor or persona.guardian_user
    )


def test_claim_takes_a_seat_and_a_second_click_returns_it(north, term):
    menu = f.menu(north.school, mode=FCFS)
    offering = f.offering(menu, capacity=2)
    app = f.application(north.child, term)
    first = claim(north, app, offering)
    again = claim(north, app, offering)
    assert isinstance(first, Enrollment) and first.pk == again.pk
    assert first.source == Enrollment.Source.FCFS
    offering.refresh_from_db()
    assert offering.taken == 1
    assert ranks(app) == [("剪纸", 1)]


def test_full_offering_puts_the_child_on_the_waiting_list(north, term):
    menu = f.menu(north.school, mode=FCFS)
    offering = f.offering(menu, capacity=1)
    f.application(north.child, term)
    first = f.child(north.school, north.school_class)
    claim(north, f.application(first, term), offering, actor=north.admin)
    late = f.child(north.school, north.school_class)
    needy = f.child(north.school, north.school_class, is_left_behind=True)
    w1 = claim(north, f.application(late, term), offering, actor=north.admin)
    w2 = claim(north, f.application(needy, term), offering, actor=north.admin)
    assert isinstance(w1, WaitlistEntry) and isinstance(w2, WaitlistEntry)
    assert (w1.tier, w1.lottery_number) == (1, 1)
    assert (w2.tier, w2.lottery_number) == (0, 2)
    assert seats.waiting_position(w2) == 1  # seed 001 priority goes first
    assert seats.waiting_position(w1) == 2
    offering.refresh_from_db()
    assert offering.taken == 1 and Enrollment.objects.count() == 1


def test_claim_respects_k_and_time_conflicts(north, term):
    menu = f.menu(north.school, mode=FCFS, k=1)
    monday = f.offering(menu, "剪纸", weekday=0)
    clash = f.offering(menu, "合唱", weekday=0, start=dt.time(16, 30), end=dt.time(17, 30))
    tuesday = f.offering(menu, "足球", weekday=1)
    homework = f.offering(menu, "作业辅导", category=Category.HOMEWORK, weekday=2)
    app = f.application(north.child, term)
    claim(north, app, monday)
    with pytest.raises(ValidationError, match="时间冲突"):
        claim(north, app, clash)
    with pytest.raises(ValidationError, match="最多参加1个拓展项目"):
        claim(north, app, tuesday)
    assert isinstance(claim(north, app, homework), Enrollment)  # basic care is not counted in k
    for o in (clash, tuesday):
        o.refresh_from_db()
        assert o.taken == 0
    assert Enrollment.objects.count() == 2 and not WaitlistEntry.objects.exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"mode": Menu.Mode.LOTTERY}, "公平分配"),
        ({"status": Menu.Status.CLOSED}, "报名已截止"),
        ({"window_closes_at": "past"}, "报名已截止"),
    ],
)
def test_claim_outside_an_open_fcfs_window_is_refused(north, term, change, expected):
    menu = f.menu(north.school, mode=FCFS)
    for field, value in change.items():
        setattr(menu, field, timezone.now() - dt.timedelta(minutes=1) if value == "past" else value)
    menu.save()
    offering = f.offering(menu)
    app = f.application(north.child, term)
    with pytest.raises(ValidationError, match=expected):
        claim(north, app, offering)
    offering.refresh_from_db()
    assert offering.taken == 0 and not Enrollment.objects.exists()


def test_claim_needs_an_approved_application_and_the_right_family(north, south, term):
    menu = f.menu(north.school, mode=FCFS)
    offering = f.offering(menu)
    seniors = f.offering(menu, "机器人", grades=(5, 6))
    app = f.application(north.child, term)
    with pytest.raises(OutOfScope):
        claim(north, app, offering, actor=south.guardian_user)
    with pytest.raises(ValidationError, match="年级"):
        claim(north, app, seniors)
    app.status = Application.Status.SUBMITTED
    app.save()
    with pytest.raises(ValidationError, match="尚未获学校批准"):
        claim(north, app, offering)
    offering.refresh_from_db()
    assert offering.taken == 0 and not Enrollment.objects.exists()
    assert not WaitlistEntry.objects.exists()


def test_claim_of_another_schools_offering_is_refused(north, south, term):
    offering = f.offering(f.menu(south.school, mode=FCFS))
    app = f.application(north.child, term)
    with pytest.raises(OutOfScope):
        claim(north, app, offering)
    offering.refresh_from_db()
    assert offering.taken == 0


def test_freed_fcfs_seat_is_offered_to_the_first_in_line(
    north, term, django_capture_on_commit_callbacks
):
    # given a full one-seat FCFS offering with two children waiting, in arrival order
    menu = f.menu(north.school, mode=FCFS)
    offering = f.offering(menu, capacity=1)
    holder = claim(
        north,
        f.application(f.child(north.school, north.school_class), term),
        offering,
        actor=north.admin,
    )
    first = claim(
        north,
        f.application(f.child(north.school, north.school_class), term),
        offering,
        actor=north.admin,
    )
    second = claim(
        north,
        f.application(f.child(north.school, north.school_class), term),
        offering,
        actor=north.admin,
    )
    # when the holder withdraws while the window is still open
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_withdraw(
            enrollment=holder, actor=north.admin, on=timezone.localdate(), reason="转学"
        )
    # then the seat is offered to the first to arrive, not the last
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == WaitlistEntry.Status.OFFERED
    assert second.status == WaitlistEntry.Status.WAITING


def test_a_claim_through_the_page_stays_lean(client, north, term, django_assert_max_num_queries):
    """The rush of a first-come-first-served window is a few hundred claims a second: a
    claim reads and writes in a dozen queries (login session and user included)."""
    from django.urls import reverse

    menu = f.menu(north.school, mode=FCFS)
    held = f.offering(menu, "剪纸", capacity=5)
    wanted = f.offering(menu, "足球", capacity=5, weekday=1, category=Category.SPORTS)
    app = f.application(north.child, term)
    f.enrol(app, held)
    client.force_login(north.guardian_user)
    url = reverse("enrollment:claim", args=[app.pk, wanted.pk])
    # 10 statements (the login's session and user, 4 reads, 4 writes), and the savepoint and
    # its release of the test's own transaction
    with django_assert_max_num_queries(12):
        response = client.post(url)
    assert response.status_code == 302
    assert Enrollment.objects.filter(student=north.child, offering=wanted).exists()


def test_a_claim_for_another_family_or_school_is_a_404_and_changes_nothing(client, north, south):
    from django.urls import reverse

    from kehou.testing import snapshots

    menu = f.menu(north.school, mode=FCFS)
    offering = f.offering(menu)
    app = f.application(north.child, menu.term)
    foreign = f.offering(f.menu(south.school, mode=FCFS, term=menu.term))
    before = snapshots.everything()
    for user, offering_pk in (
        (south.guardian_user, offering.pk),
        (north.teacher, offering.pk),
        (north.guardian_user, foreign.pk),
    ):
        client.force_login(user)
        response = client.post(reverse("enrollment:claim", args=[app.pk, offering_pk]))
        assert response.status_code == 404
    assert snapshots.everything() == before
