import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kehou.catalog.models import Category, Menu, Offering
from kehou.enrollment.models import Enrollment, WaitlistEntry
from kehou.placement import services
from kehou.placement.models import AllocationOutcome, AllocationRun
from kehou.placement.services import AllocationRefused

from .factories import apply, child, closed_menu, homework, offering


@pytest.fixture
def school(north):
    """A small school: A and B clash on Monday 16:00, C on Tuesday, homework is the fallback.
    Five children all want A first; `p` is left-behind (tier 0)."""
    menu = closed_menu(north.school)
    a = offering(menu, "A 剪纸", capacity=1)
    b = offering(menu, "B 合唱", capacity=1)
    c = offering(menu, "C 科学", capacity=1, weekday=1)
    hw = homework(menu, capacity=1)
    kids = {
        name: child(north.school, north.school_class, name=name, **facts)
        for name, facts in [
            ("p", {"is_left_behind": True}),
            ("x", {}),
            ("y", {}),
            ("z", {}),
            ("w", {}),
        ]
    }
    apps = {
        "p": apply(kids["p"], menu, [a, b, c]),
        "x": apply(kids["x"], menu, [a, c, b]),
        "y": apply(kids["y"], menu, [a, b]),
        "z": apply(kids["z"], menu, [a, c]),
        "w": apply(kids["w"], menu, [a]),
    }
    return type(
        "S",
        (),
        {
            "menu": menu,
            "a": a,
            "b": b,
            "c": c,
            "hw": hw,
            "kids": kids,
            "apps": apps,
            "north": north,
        },
    )


def active(**kw):
    return Enrollment.objects.filter(status=Enrollment.Status.ACTIVE, **kw)


def test_run_seats_everyone_within_capacity_and_tier_first(school):
    # when
    run = services.allocation_run(menu=school.menu, actor=school.north.admin)
    # then
    assert run.status == AllocationRun.Status.DONE and run.progress == 100
    for o in Offering.objects.filter(menu=school.menu):
        assert o.taken == active(offering=o).count()
        assert o.taken <= o.capacity
    for kid in school.kids.values():
        assert active(student=kid).exists(), kid.name
    assert active(student=school.kids["p"], offering=school.a).exists()
    school.menu.refresh_from_db()
    assert school.menu.status == Menu.Status.ALLOCATED
    assert run.metrics["overall"]["children"] == 5
    assert run.metrics["overall"]["zero_activities"] == 0
    assert run.metrics["overall"]["justified_envy"] == 0
    assert "left_behind" in run.metrics["groups"]["priority_group"]
    assert run.result_digest and run.input_digest


def test_fallback_expands_when_full_and_is_marked(school):
    # given: 5 children, 3 seats in A/B/C and 1 in homework
    # when
    services.allocation_run(menu=school.menu)
    # then: two children get the homework fallback; it grew by one seat
    fallback = active(source=Enrollment.Source.FALLBACK)
    assert fallback.count() == 2
    school.hw.refresh_from_db()
    assert school.hw.capacity == 2 and school.hw.taken == 2


def test_outcome_explains_with_cutoff(school):
    services.allocation_run(menu=school.menu)
    p = AllocationOutcome.objects.get(application=school.apps["p"])
    assert p.tier == 0 and p.best_rank == 1
    assert "第1志愿" in p.explanation
    loser = (
        AllocationOutcome.objects.exclude(application=school.apps["p"])
        .filter(best_rank__isnull=False)
        .exclude(best_rank=1)
        .first()
    )
    assert "录取线" in loser.explanation or "已满" in loser.explanation
    assert AllocationOutcome.objects.count() == 5


def test_waitlist_entries_for_better_choices(school):
    services.allocation_run(menu=school.menu)
    # every child not holding A waits for A, with their priority
    waiting_a = WaitlistEntry.objects.filter(offering=school.a)
    assert waiting_a.count() == 4
    assert not waiting_a.filter(student=school.kids["p"]).exists()
    assert set(waiting_a.values_list("tier", flat=True)) == {1}


def test_rerun_refused_and_nothing_changes(school):
    services.allocation_run(menu=school.menu)
    before = list(Enrollment.objects.values_list("pk", "status"))
    runs = AllocationRun.objects.count()
    with pytest.raises(AllocationRefused):
        services.allocation_run(menu=school.menu)
    assert list(Enrollment.objects.values_list("pk", "status")) == before
    assert AllocationRun.objects.count() == runs


def test_dry_run_writes_only_the_run(school):
    run = services.allocation_run(menu=school.menu, dry_run=True)
    assert run.dry_run and run.status == AllocationRun.Status.DONE
    assert run.metrics["overall"]["children"] == 5
    assert not Enrollment.objects.exists()
    assert not WaitlistEntry.objects.exists()
    assert not AllocationOutcome.objects.exists()
    assert set(Offering.objects.values_list("taken", flat=True)) == {0}
    school.menu.refresh_from_db()
    assert school.menu.status == Menu.Status.CLOSED


def test_same_seed_same_result_digest(school):
    one = services.allocation_run(menu=school.menu, dry_run=True)
    two = services.allocation_run(menu=school.menu, dry_run=True)
    real = services.allocation_run(menu=school.menu)
    other = services.allocation_run(menu=school.menu, dry_run=True, seed="another")
    assert one.result_digest == two.result_digest == real.result_digest
    assert other.result_digest != one.result_digest


def test_seed_not_matching_published_hash_refused(school):
    Menu.objects.filter(pk=school.menu.pk).update(lottery_seed_hash="0" * 64)
    with pytest.raises(AllocationRefused, match="哈希"):
        services.allocation_run(menu=school.menu)
    assert not AllocationRun.objects.exists()
    assert not Enrollment.objects.exists()


def test_real_run_refuses_other_seed_and_open_window(school):
    with pytest.raises(AllocationRefused, match="试运行"):
        services.allocation_run(menu=school.menu, seed="another")
    Menu.objects.filter(pk=school.menu.pk).update(status=Menu.Status.WINDOW_OPEN)
    with pytest.raises(AllocationRefused, match="截止"):
        services.allocation_run(menu=school.menu)
    assert not AllocationRun.objects.exists()
    assert not Enrollment.objects.exists()


def test_crash_mid_write_leaves_nothing(school, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(AllocationOutcome.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        services.allocation_run(menu=school.menu)
    assert not Enrollment.objects.exists()
    assert not WaitlistEntry.objects.exists()
    assert set(Offering.objects.values_list("taken", flat=True)) == {0}
    assert Offering.objects.get(pk=school.hw.pk).capacity == 1
    school.menu.refresh_from_db()
    assert school.menu.status == Menu.Status.CLOSED
    run = AllocationRun.objects.get()
    assert run.status == AllocationRun.Status.FAILED and "disk full" in run.error


def test_k_limits_extended_only(north):
    # given k = 2, three extended offerings at different times and one sports offering
    menu = closed_menu(north.school, k=2)
    e = [offering(menu, f"E{i}", capacity=5, weekday=i) for i in range(3)]
    sport = offering(menu, "足球", capacity=5, category=Category.SPORTS, weekday=3)
    homework(menu)
    kid = child(north.school, north.school_class)
    apply(kid, menu, [*e, sport])
    # when
    services.allocation_run(menu=menu)
    # then: two extended seats (k) plus the sports seat, which k does not count
    held = set(active(student=kid).values_list("offering__name", flat=True))
    assert held == {"E0", "E1", "足球"}


def _withdraw(enrolment):
    """What enrollment_withdraw does (engineer E): end the seat, free the counter."""
    Enrollment.objects.filter(pk=enrolment.pk).update(status=Enrollment.Status.WITHDRAWN)
    Offering.objects.filter(pk=enrolment.offering_id).update(taken=enrolment.offering.taken - 1)


def test_withdrawal_refill_offer_accept_moves_child(school):
    # given an allocated menu
    services.allocation_run(menu=school.menu)
    holders_before = {
        e.pk: (e.student_id, e.offering_id) for e in active().exclude(offering=school.a)
    }
    seat_a = active(offering=school.a).get()
    # when the holder of A leaves
    _withdraw(seat_a)
    offered = services.waitlist_refill(offering_id=school.a.pk)
    # then the best waiting child (tier, reversed lottery) is offered A, with a deadline
    assert len(offered) == 1
    entry = offered[0]
    best = (
        WaitlistEntry.objects.filter(offering=school.a)
        .exclude(pk=entry.pk)
        .order_by("tier", "-lottery_number")
        .first()
    )
    assert best is None or (entry.tier, -entry.lottery_number) <= (best.tier, -best.lottery_number)
    assert entry.status == WaitlistEntry.Status.OFFERED and entry.respond_by > timezone.now()
    # a second refill does not offer the reserved seat again
    assert services.waitlist_refill(offering_id=school.a.pk) == []
    # when the family accepts
    old = set(active(student=entry.student_id).values_list("offering_id", flat=True))
    services.waitlist_accept(entry=entry, actor=None)
    # then the child holds A, its clashing/lower seat ended, nobody else lost a seat
    now_held = set(
        active(student=entry.student_id, offering__is_fallback=False).values_list(
            "offering_id", flat=True
        )
    )
    assert now_held == {school.a.pk}  # k = 1: the lower seat, if any, ended
    assert old - now_held <= (old | {school.hw.pk})
    for pk, (student, _off) in holders_before.items():
        if student != entry.student_id:
            assert active(pk=pk).exists()
    for o in Offering.objects.filter(menu=school.menu):
        assert o.taken == active(offering=o).count() <= o.capacity


def test_offer_expires_and_goes_to_next(school, django_capture_on_commit_callbacks):
    services.allocation_run(menu=school.menu)
    _withdraw(active(offering=school.a).get())
    [entry] = services.waitlist_refill(offering_id=school.a.pk)
    # when the deadline passes
    later = timezone.now() + dt.timedelta(hours=school.menu.accept_deadline_hours + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.waitlist_expire_overdue(later) == 1
    # then it expired and the next waiting child got the offer
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.EXPIRED
    nxt = WaitlistEntry.objects.get(offering=school.a, status=WaitlistEntry.Status.OFFERED)
    assert nxt.pk != entry.pk
    with pytest.raises(ValidationError):
        services.waitlist_accept(entry=entry, actor=None)


def test_decline_passes_seat_on(school, django_capture_on_commit_callbacks):
    services.allocation_run(menu=school.menu)
    _withdraw(active(offering=school.a).get())
    [entry] = services.waitlist_refill(offering_id=school.a.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.waitlist_decline(entry=entry, actor=None)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.DECLINED
    assert (
        WaitlistEntry.objects.filter(offering=school.a, status=WaitlistEntry.Status.OFFERED)
        .exclude(pk=entry.pk)
        .exists()
    )


def test_accept_refused_when_full(school):
    services.allocation_run(menu=school.menu)
    _withdraw(active(offering=school.a).get())
    [entry] = services.waitlist_refill(offering_id=school.a.pk)
    Offering.objects.filter(pk=school.a.pk).update(taken=1)  # someone else filled it
    before = list(Enrollment.objects.values_list("pk", "status"))
    with pytest.raises(ValidationError, match="已满"):
        services.waitlist_accept(entry=entry, actor=None)
    assert list(Enrollment.objects.values_list("pk", "status")) == before
