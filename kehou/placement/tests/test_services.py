import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kehou.catalog.models import Category, Menu, Offering
from kehou.core import errors
from kehou.enrollment import seats
from kehou.enrollment import services as enrollment_services
from kehou.enrollment.models import Enrollment, SeatEvent, WaitlistEntry
from kehou.org.access import OutOfScope
from kehou.placement import services
from kehou.placement.models import AllocationOutcome, AllocationRun
from kehou.testing import factories as f
from kehou.testing import snapshots
from kehou.testing.clock import freeze_now


@pytest.fixture
def school(north):
    """A small school: A and B clash on Monday 16:00, C on Tuesday, homework is the fallback.
    Five children all want A first; `p` is left-behind (tier 0)."""
    menu = f.menu(north.school, status=Menu.Status.CLOSED)
    a = f.offering(menu, "A 剪纸", capacity=1)
    b = f.offering(menu, "B 合唱", capacity=1)
    c = f.offering(menu, "C 科学", capacity=1, weekday=1)
    hw = f.homework(menu, capacity=1)
    kids = {
        name: f.child(north.school, north.school_class, name=name, **facts)
        for name, facts in [
            ("p", {"is_left_behind": True}),
            ("x", {}),
            ("y", {}),
            ("z", {}),
            ("w", {}),
        ]
    }
    apps = {
        "p": f.application(kids["p"], menu.term, choices=[a, b, c]),
        "x": f.application(kids["x"], menu.term, choices=[a, c, b]),
        "y": f.application(kids["y"], menu.term, choices=[a, b]),
        "z": f.application(kids["z"], menu.term, choices=[a, c]),
        "w": f.application(kids["w"], menu.term, choices=[a]),
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


def run_for(school, **kw):
    kw.setdefault("confirmed", not kw.get("dry_run", False))
    return services.allocation_run(menu=school.menu, actor=school.north.admin, **kw)


def active(**kw):
    return Enrollment.objects.filter(status=Enrollment.Status.ACTIVE, **kw)


def test_run_seats_everyone_within_capacity_and_tier_first(school):
    # when
    run = run_for(school)
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
    run_for(school)
    # then: two children get the homework fallback; it grew by one seat
    fallback = active(source=Enrollment.Source.FALLBACK)
    assert fallback.count() == 2
    school.hw.refresh_from_db()
    assert school.hw.capacity == 2 and school.hw.taken == 2


def test_outcome_explains_with_cutoff(school):
    run_for(school)
    p = AllocationOutcome.objects.get(application=school.apps["p"])
    assert p.tier == 0 and p.best_rank == 1
    assert "第1志愿" in p.explanation
    loser = (
        AllocationOutcome.objects.exclude(application=school.apps["p"])
        .filter(best_rank__isnull=False)
        .exclude(best_rank=1)
        .first()
    )
    # the lost 1st choice has its own plain sentence, no priority pair
    assert "第1志愿「A 剪纸」：" in loser.explanation
    assert "优先保障" in loser.explanation or "抽签号" in loser.explanation
    assert "优先类别" not in loser.explanation and "录取线" not in loser.explanation
    assert loser.sentences[0][0] in ("full_priority", "full_lottery")
    assert AllocationOutcome.objects.count() == 5


def test_waitlist_entries_for_better_choices(school):
    run_for(school)
    # every child not holding A waits for A, with their priority
    waiting_a = WaitlistEntry.objects.filter(offering=school.a)
    assert waiting_a.count() == 4
    assert not waiting_a.filter(student=school.kids["p"]).exists()
    assert set(waiting_a.values_list("tier", flat=True)) == {1}


def test_rerun_refused_and_nothing_changes(school):
    run_for(school)
    before = snapshots.everything()
    with pytest.raises(ValidationError) as refused:
        run_for(school)
    assert errors.codes(refused.value) == {"already_allocated"}
    assert snapshots.everything() == before


def test_dry_run_writes_only_the_run(school):
    run = run_for(school, dry_run=True)
    assert run.dry_run and run.status == AllocationRun.Status.DONE
    assert run.metrics["overall"]["children"] == 5
    assert not Enrollment.objects.exists()
    assert not WaitlistEntry.objects.exists()
    assert not AllocationOutcome.objects.exists()
    assert not SeatEvent.objects.exists()
    assert set(Offering.objects.values_list("taken", flat=True)) == {0}
    school.menu.refresh_from_db()
    assert school.menu.status == Menu.Status.CLOSED


def test_same_seed_same_result_digest(school):
    one = run_for(school, dry_run=True)
    two = run_for(school, dry_run=True)
    real = run_for(school)
    other = run_for(school, dry_run=True, seed="another")
    assert one.result_digest == two.result_digest == real.result_digest
    assert other.result_digest != one.result_digest


def test_seed_not_matching_published_hash_refused(school):
    Menu.objects.filter(pk=school.menu.pk).update(lottery_seed_hash="0" * 64)
    with pytest.raises(ValidationError) as refused:
        run_for(school)
    assert errors.codes(refused.value) == {"seed_hash_mismatch"}
    assert "哈希" in errors.messages(refused.value)[0]
    assert not AllocationRun.objects.exists()
    assert not Enrollment.objects.exists()


def test_real_run_refuses_other_seed_and_open_window(school):
    with pytest.raises(ValidationError) as refused:
        run_for(school, seed="another")
    assert errors.codes(refused.value) == {"seed_not_committed"}
    Menu.objects.filter(pk=school.menu.pk).update(status=Menu.Status.WINDOW_OPEN)
    with pytest.raises(ValidationError) as refused:
        run_for(school)
    assert errors.codes(refused.value) == {"window_not_closed"}
    assert not AllocationRun.objects.exists()
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("who", ["teacher", "gate", "guardian_user", "county_officer"])
def test_only_the_school_admin_starts_a_run(school, south, who):
    before = snapshots.everything()
    for actor in (getattr(school.north, who), south.admin):
        with pytest.raises(OutOfScope):
            services.allocation_start(menu=school.menu, actor=actor, confirmed=True)
        with pytest.raises(OutOfScope):
            services.allocation_start(menu=school.menu, actor=actor, dry_run=True)
    assert snapshots.everything() == before


def test_crash_mid_write_leaves_nothing(school, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(AllocationOutcome.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        run_for(school)
    assert not Enrollment.objects.exists()
    assert not WaitlistEntry.objects.exists()
    assert not SeatEvent.objects.exists()
    assert set(Offering.objects.values_list("taken", flat=True)) == {0}
    assert Offering.objects.get(pk=school.hw.pk).capacity == 1
    school.menu.refresh_from_db()
    assert school.menu.status == Menu.Status.CLOSED
    run = AllocationRun.objects.get()
    assert run.status == AllocationRun.Status.FAILED and "disk full" in run.error


def test_every_seat_of_a_run_has_its_history(school):
    run = run_for(school)
    events = SeatEvent.objects.filter(reference=f"allocation run {run.pk}")
    taken = events.filter(kind=SeatEvent.Kind.TAKEN)
    assert taken.count() == Enrollment.objects.count() > 0
    assert set(taken.values_list("enrollment_id", flat=True)) == set(
        Enrollment.objects.values_list("pk", flat=True)
    )
    assert set(events.values_list("actor", flat=True)) == {school.north.admin.pk}
    assert set(events.values_list("school", flat=True)) == {school.menu.school_id}


def test_k_limits_extended_only(north):
    # given k = 2, three extended offerings at different times and one sports offering
    menu = f.menu(north.school, k=2, status=Menu.Status.CLOSED)
    e = [f.offering(menu, f"E{i}", capacity=5, weekday=i) for i in range(3)]
    sport = f.offering(menu, "足球", capacity=5, category=Category.SPORTS, weekday=3)
    f.homework(menu)
    kid = f.child(north.school, north.school_class)
    f.application(kid, menu.term, choices=[*e, sport])
    # when
    services.allocation_run(menu=menu, actor=north.admin, confirmed=True)
    # then: two extended seats (k) plus the sports seat, which k does not count
    held = set(active(student=kid).values_list("offering__name", flat=True))
    assert held == {"E0", "E1", "足球"}


def _free_seat_a(school):
    """The child holding A leaves it today, through the service a school admin uses."""
    seat = active(offering=school.a).get()
    with transaction.atomic():
        enrollment_services.enrollment_withdraw(
            enrollment=seat, actor=school.north.admin, on=timezone.localdate()
        )
    return seat


def _guardian(entry):
    return entry.student.guardian_links.first().guardian


def _guardian_user(entry):
    guardian = _guardian(entry)
    if guardian.user_id is None:
        guardian.user = f.UserFactory(role="guardian", phone=guardian.phone)
        guardian.save(update_fields=["user"])
    return guardian.user


def assert_counters_true(menu):
    for o in Offering.objects.filter(menu=menu):
        assert o.taken == active(offering=o).count(), o
        assert (
            o.held
            == WaitlistEntry.objects.filter(offering=o, status=WaitlistEntry.Status.OFFERED).count()
        ), o
        assert o.taken + o.held <= o.capacity, o


def test_withdrawal_refill_offer_accept_moves_child(school, django_capture_on_commit_callbacks):
    # given an allocated menu
    run_for(school)
    holders_before = {
        e.pk: (e.student_id, e.offering_id) for e in active().exclude(offering=school.a)
    }
    # when the holder of A leaves, the seat is offered once the withdrawal commits
    with django_capture_on_commit_callbacks(execute=True):
        _free_seat_a(school)
    [entry] = WaitlistEntry.objects.filter(offering=school.a, status=WaitlistEntry.Status.OFFERED)
    # then the best waiting child (tier, then lottery as drawn) is offered A, with a deadline
    waiting = WaitlistEntry.objects.filter(
        offering=school.a, status=WaitlistEntry.Status.WAITING
    ).order_by("tier", "lottery_number")
    best = waiting.first()
    assert best is None or (entry.tier, entry.lottery_number) <= (best.tier, best.lottery_number)
    assert entry.respond_by > timezone.now()
    school.a.refresh_from_db()
    assert school.a.held == 1 and school.a.taken == 0
    # a second refill does not offer the held seat again
    assert seats.offer_free_seats(offering_id=school.a.pk) == []
    # when the family accepts
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_services.waitlist_accept(entry=entry, actor=_guardian_user(entry))
    # then the child holds A, its clashing or lower seat ended, nobody else lost a seat
    now_held = set(
        active(student=entry.student_id, offering__is_fallback=False).values_list(
            "offering_id", flat=True
        )
    )
    assert now_held == {school.a.pk}  # k = 1: the lower seat, if any, ended
    for pk, (student, _off) in holders_before.items():
        if student != entry.student_id:
            assert active(pk=pk).exists()
    assert_counters_true(school.menu)
    # and the history has the accept
    assert SeatEvent.objects.filter(
        student_id=entry.student_id, offering=school.a, kind=SeatEvent.Kind.TAKEN
    ).exists()


def test_an_offer_expires_by_itself_and_goes_to_the_next(school):
    """Nobody opens a page: the periodic waiting-list sweep passes the seat on."""
    from kehou.core import scheduler
    from kehou.testing.worker import run_queued_tasks

    run_for(school)
    _free_seat_a(school)
    seats.offer_free_seats(offering_id=school.a.pk)
    [entry] = WaitlistEntry.objects.filter(offering=school.a, status=WaitlistEntry.Status.OFFERED)
    # when the deadline passes and the scheduler ticks
    later = timezone.now() + dt.timedelta(hours=school.menu.accept_deadline_hours + 1)
    with freeze_now(later):
        assert "kehou.enrollment.tasks.waitlist_sweep_task" in scheduler.tick(later)
        run_queued_tasks()
    # then it expired and the next waiting child got the offer
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.EXPIRED
    nxt = WaitlistEntry.objects.get(offering=school.a, status=WaitlistEntry.Status.OFFERED)
    assert nxt.pk != entry.pk
    assert SeatEvent.objects.filter(kind=SeatEvent.Kind.EXPIRED, student=entry.student).exists()
    assert_counters_true(school.menu)
    with pytest.raises(ValidationError) as refused:
        enrollment_services.waitlist_accept(entry=entry, actor=_guardian_user(entry))
    assert errors.codes(refused.value) == {"offer_not_open"}


def test_decline_passes_seat_on(school, django_capture_on_commit_callbacks):
    run_for(school)
    _free_seat_a(school)
    [entry] = seats.offer_free_seats(offering_id=school.a.pk)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_services.waitlist_decline(entry=entry, actor=_guardian_user(entry))
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.DECLINED
    assert (
        WaitlistEntry.objects.filter(offering=school.a, status=WaitlistEntry.Status.OFFERED)
        .exclude(pk=entry.pk)
        .exists()
    )
    assert_counters_true(school.menu)


def test_an_offered_seat_is_held_and_answered_once(school):
    run_for(school)
    _free_seat_a(school)
    [entry] = seats.offer_free_seats(offering_id=school.a.pk)
    # the held seat is not free for anyone else: the offering counts as full
    school.a.refresh_from_db()
    assert school.a.seats_left == 0
    user = _guardian_user(entry)
    enrollment_services.waitlist_accept(entry=entry, actor=user)
    before = snapshots.everything()
    with pytest.raises(ValidationError) as refused:
        enrollment_services.waitlist_accept(entry=entry, actor=user)
    assert errors.codes(refused.value) == {"offer_not_open"}
    assert snapshots.everything() == before


def test_only_the_childs_guardian_answers_an_offer(school, south):
    run_for(school)
    _free_seat_a(school)
    [entry] = seats.offer_free_seats(offering_id=school.a.pk)
    before = snapshots.everything()
    for stranger in (south.guardian_user, school.north.admin, school.north.teacher):
        with pytest.raises(OutOfScope):
            enrollment_services.waitlist_accept(entry=entry, actor=stranger)
        with pytest.raises(OutOfScope):
            enrollment_services.waitlist_decline(entry=entry, actor=stranger)
    assert snapshots.everything() == before


def test_every_ranked_choice_has_one_sentence_with_the_familys_rank(school):
    # given a child who ranks a basic offering first (sports, at the same time as A), then
    # the extended A and C
    sports = f.offering(school.menu, "足球", capacity=5, category="sports")
    kid = f.child(school.north.school, school.north.school_class, name="v")
    app = f.application(kid, school.menu.term, choices=[sports, school.a, school.c])
    # when the menu is allocated
    run_for(school)
    # then the family reads one sentence per choice, numbered as it ranked them
    outcome = AllocationOutcome.objects.get(application=app)
    ranked = [params["rank"] for _kind, params in outcome.sentences if "rank" in params]
    assert ranked == [1, 2, 3]
    assert outcome.explanation.count("志愿「") >= 3
    assert "第2志愿「A 剪纸」" in outcome.explanation
    for other in AllocationOutcome.objects.exclude(pk=outcome.pk).select_related("application"):
        ranks = [p["rank"] for _k, p in other.sentences if "rank" in p]
        assert ranks == list(range(1, other.application.choices.count() + 1)), other.sentences
    # and in English on an English page
    assert outcome.why("en")[0].startswith(("Choice 1, “足球”", "Your child"))
