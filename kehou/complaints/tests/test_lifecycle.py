"""A complaint from filing to closing: the steps, who may take them, the time limit and
escalation to the bureau."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

import kehou.testing.factories as f
from kehou.complaints import selectors, services, tasks
from kehou.complaints.models import Complaint, ComplaintEvent
from kehou.complaints.tests.conftest import BEIJING, TODAY
from kehou.core.errors import items
from kehou.notifications.models import Notification
from kehou.org.access import SYSTEM, OutOfScope
from kehou.testing.clock import freeze_now
from kehou.testing.worker import run_queued_tasks


def codes_of(error: ValidationError) -> set[str]:
    return {item.code for item in items(error)}


def file(north, topic="teaching", **kw):
    return services.complaint_submit(
        student=north.child,
        kind="complaint",
        topic=topic,
        text="托管老师经常迟到。",
        actor=north.guardian_user,
        **kw,
    )


def test_the_whole_way_with_every_step_in_the_history(north):
    complaint = file(north)
    assert complaint.state == "received"
    assert complaint.school == north.school and complaint.submitted_by == north.guardian_user
    assert len(complaint.code) == 12 and complaint.code.isalnum()
    assert complaint.escalated_at is None  # teaching: stays with the school

    services.complaint_assign(complaint=complaint, assignee=north.teacher, actor=north.admin)
    services.complaint_record_handling(
        complaint=complaint, handling="已与老师谈话。", actor=north.teacher
    )
    services.complaint_reply(complaint=complaint, reply="已批评教育，今后准时。", actor=north.admin)
    services.complaint_close(complaint=complaint, actor=north.admin)

    complaint.refresh_from_db()
    assert complaint.state == "closed" and complaint.closed_at is not None
    assert complaint.assigned_to == north.teacher
    assert complaint.reply == "已批评教育，今后准时。"
    steps = [(e.action, e.from_state, e.to_state, e.actor) for e in complaint.events.all()]
    assert steps == [
        ("submitted", "", "received", north.guardian_user),
        ("assigned", "received", "assigned", north.admin),
        ("handled", "assigned", "handled", north.teacher),
        ("replied", "handled", "replied", north.admin),
        ("closed", "replied", "closed", north.admin),
    ]
    # The guardian's inbox has the reply; the admin was told of the new complaint; the
    # teacher of the assignment.
    reply = Notification.objects.get(recipient=north.guardian_user)
    assert reply.body == "已批评教育，今后准时。"
    assert Notification.objects.filter(recipient=north.admin).count() == 1
    assert Notification.objects.filter(recipient=north.teacher).count() == 1


@pytest.mark.parametrize(
    ("state", "step"),
    [
        ("received", "handle"),
        ("received", "reply"),
        ("assigned", "reply"),
        ("received", "close"),
        ("handled", "close"),
        ("replied", "assign"),
        ("replied", "reply"),
        ("closed", "handle"),
        ("closed", "close"),
    ],
)
def test_a_step_not_possible_from_the_state_is_refused_and_writes_nothing(north, state, step):
    complaint = f.complaint(north.school, state=state, assigned_to=north.teacher)
    calls = {
        "assign": lambda: services.complaint_assign(
            complaint=complaint, assignee=north.teacher, actor=north.admin
        ),
        "handle": lambda: services.complaint_record_handling(
            complaint=complaint, handling="处理", actor=north.admin
        ),
        "reply": lambda: services.complaint_reply(
            complaint=complaint, reply="答复", actor=north.admin
        ),
        "close": lambda: services.complaint_close(complaint=complaint, actor=north.admin),
    }
    with pytest.raises(ValidationError) as refused:
        calls[step]()
    assert codes_of(refused.value) == {"complaint_state_changed"}
    complaint.refresh_from_db()
    assert complaint.state == state
    assert not ComplaintEvent.objects.exists()


def test_a_step_on_a_stale_state_is_refused(north, monkeypatch):
    """Two admins on pages showing "handled": the first replies; the second's reply,
    acting on what its page showed, must not overwrite the first."""
    complaint = f.complaint(north.school, state="handled")
    stale = Complaint.objects.get(pk=complaint.pk)
    services.complaint_reply(complaint=complaint, reply="第一个答复", actor=north.admin)
    # The second call read the row before the first one's UPDATE.
    monkeypatch.setattr(services, "_require_handler", lambda actor, c, **kw: stale)
    with pytest.raises(ValidationError) as refused:
        services.complaint_reply(complaint=stale, reply="第二个答复", actor=north.admin)
    assert codes_of(refused.value) == {"complaint_state_changed"}
    complaint.refresh_from_db()
    assert complaint.reply == "第一个答复"
    assert complaint.events.filter(action="replied").count() == 1


def test_an_assignee_must_be_staff_of_the_school(north, south):
    complaint = file(north)
    for wrong in (south.teacher, north.guardian_user, south.county_officer):
        with pytest.raises(ValidationError) as refused:
            services.complaint_assign(complaint=complaint, assignee=wrong, actor=north.admin)
        assert codes_of(refused.value) == {"assignee_invalid"}
    assert Complaint.objects.get().state == "received"


def test_bad_input_is_refused_field_by_field(north):
    with pytest.raises(ValidationError) as refused:
        services.complaint_submit(
            student=north.child,
            kind="rumour",
            topic="weather",
            text="  ",
            actor=north.guardian_user,
        )
    assert {(i.field, i.code) for i in items(refused.value)} == {
        ("kind", "kind_invalid"),
        ("topic", "topic_invalid"),
        ("text", "text_missing"),
    }
    with pytest.raises(ValidationError) as refused:
        services.complaint_submit_public(
            school=north.school,
            kind="report",
            topic="fees",
            text="收费",
            phone="12345",
            actor=AnonymousUser(),
        )
    assert {(i.field, i.code) for i in items(refused.value)} == {("phone", "phone_invalid")}
    assert not Complaint.objects.exists()


def test_a_public_report_anonymous_or_with_a_checked_phone(north):
    anonymous = services.complaint_submit_public(
        school=north.school, kind="report", topic="other", text="有人收礼。", actor=AnonymousUser()
    )
    named = services.complaint_submit_public(
        school=north.school,
        kind="complaint",
        topic="safety",
        text="校门口拥堵。",
        name="李先生",
        phone="139 1234 5678",
        actor=AnonymousUser(),
    )
    assert anonymous.submitted_by is None and anonymous.name == anonymous.phone == ""
    assert named.phone == "13912345678" and named.name == "李先生"
    assert anonymous.code != named.code
    # A guardian signed in on the public page finds it in their list.
    mine = services.complaint_submit_public(
        school=north.school,
        kind="complaint",
        topic="other",
        text="建议增加活动。",
        actor=north.guardian_user,
    )
    assert selectors.family_complaints(north.guardian_user) == [mine]


def test_those_who_answer_the_school_cannot_file_as_the_public(north, south, city_officer):
    for actor in (north.admin, north.county_officer, city_officer, SYSTEM):
        with pytest.raises(OutOfScope):
            services.complaint_submit_public(
                school=north.school, kind="report", topic="fees", text="x", actor=actor
            )
    # Another school's admin is the public to north; north's own teacher may report.
    for actor in (south.admin, north.teacher):
        services.complaint_submit_public(
            school=north.school, kind="report", topic="other", text="x", actor=actor
        )
    assert Complaint.objects.count() == 2


# --------------------------------------------------------------------------- time limit


def test_the_due_date_comes_from_the_profile(north, reply_within):
    reply_within(7)
    assert file(north).due_on == TODAY + dt.timedelta(days=7)
    reply_within(15)
    assert file(north).due_on == TODAY + dt.timedelta(days=15)


def test_no_time_limit_when_the_profile_states_none(north, reply_within):
    assert file(north).due_on is None  # no profile at all
    reply_within(None)
    complaint = file(north)
    assert complaint.due_on is None
    assert not selectors.is_overdue(complaint, TODAY + dt.timedelta(days=365))


# --------------------------------------------------------------------------- escalation


@pytest.mark.parametrize(("topic", "reason"), [("fees", "fees"), ("refused", "refused")])
def test_fees_and_a_refused_child_go_to_the_bureau_at_once(
    north, south, city_officer, topic, reason
):
    complaint = file(north, topic=topic)
    assert complaint.escalated_at is not None and complaint.escalation == reason
    escalated = Notification.objects.filter(key=f"complaint-escalated:{complaint.pk}")
    told = set(escalated.values_list("recipient", flat=True))
    assert told == {north.county_officer.pk, city_officer.pk}  # not south's officer
    assert complaint.events.filter(action="escalated").count() == 1
    # The bureau sees it and may handle it; south's officer neither.
    assert selectors.handled_by(north.county_officer).get() == complaint
    assert not selectors.handled_by(south.county_officer).exists()
    services.complaint_assign(
        complaint=complaint, assignee=north.county_officer, actor=north.county_officer
    )
    with pytest.raises(OutOfScope):
        services.complaint_assign(
            complaint=complaint, assignee=south.county_officer, actor=south.county_officer
        )


def test_the_bureau_does_not_handle_what_stays_with_the_school(north):
    complaint = file(north)
    assert not selectors.handled_by(north.county_officer).exists()
    with pytest.raises(OutOfScope):
        services.complaint_assign(
            complaint=complaint, assignee=north.teacher, actor=north.county_officer
        )


def test_a_late_complaint_is_escalated_once_by_the_periodic_job(north, reply_within):
    reply_within(5)
    late = file(north)
    replied = f.complaint(north.school, state="replied", due_on=TODAY + dt.timedelta(days=5))
    assert late.due_on == TODAY + dt.timedelta(days=5)
    on_the_day = dt.datetime.combine(late.due_on, dt.time(23, 0), tzinfo=BEIJING)
    with freeze_now(on_the_day):
        tasks.complaints_escalate_late_task.enqueue()
        run_queued_tasks()
    late.refresh_from_db()
    assert late.escalated_at is None  # due today: not late yet
    next_day = on_the_day + dt.timedelta(hours=2)
    with freeze_now(next_day):
        tasks.complaints_escalate_late_task.enqueue()
        tasks.complaints_escalate_late_task.enqueue()
        run_queued_tasks()
    late.refresh_from_db()
    replied.refresh_from_db()
    assert late.escalation == "late" and late.escalated_at == next_day
    assert replied.escalated_at is None
    assert late.events.filter(action="escalated").count() == 1
    assert Notification.objects.filter(recipient=north.county_officer).count() == 1
    with freeze_now(next_day):
        assert selectors.handled_by(north.county_officer).get() == late


def test_escalation_is_kehous_own_work(north):
    complaint = file(north)
    for actor in (north.admin, north.county_officer):
        with pytest.raises(OutOfScope):
            services.complaint_escalate(complaint=complaint, reason="late", actor=actor)
        with pytest.raises(OutOfScope):
            services.complaints_escalate_late(actor=actor)
    assert services.complaint_escalate(complaint=complaint, reason="late", actor=SYSTEM)
    assert not services.complaint_escalate(complaint=complaint, reason="fees", actor=SYSTEM)
    complaint.refresh_from_db()
    assert complaint.escalation == "late"


# --------------------------------------------------------------------------- follow-up


def test_follow_by_code_in_any_case_and_with_dashes(north):
    complaint = file(north)
    code = complaint.code
    dashed = "-".join([code[:4], code[4:8], code[8:]]).lower()
    assert selectors.follow(dashed) == complaint
    assert selectors.follow(code) == complaint


def test_a_wrong_code_finds_nothing(north):
    complaint = file(north)
    wrong = ("A" if complaint.code[0] != "A" else "B") + complaint.code[1:]
    for code in (wrong, "", "x", complaint.code[:-1], "' OR 1=1 --", None):
        assert selectors.follow(code) is None


def test_a_wrong_code_costs_the_same_one_query(north, django_assert_num_queries):
    complaint = file(north)
    for code in (complaint.code, "ABCDEFGHJKMN", "nonsense"):
        with django_assert_num_queries(1):
            selectors.follow(code)


# --------------------------------------------------------------------------- scope


def test_north_and_south_see_only_their_own(north, south):
    mine = file(north)
    f.complaint(south.school)
    assert list(selectors.handled_by(north.admin)) == [mine]
    assert mine not in selectors.handled_by(south.admin)
    assert not selectors.handled_by(north.teacher).exists()  # not assigned to them
    assert not selectors.handled_by(north.gate).exists()
    assert not selectors.handled_by(north.guardian_user).exists()
    assert not selectors.handled_by(AnonymousUser()).exists()
    assert selectors.family_complaints(south.guardian_user) == []
    assert selectors.family_complaints(AnonymousUser()) == []
    with pytest.raises(OutOfScope):
        services.complaint_reply(complaint=mine, reply="x", actor=south.admin)
    with pytest.raises(OutOfScope):
        services.complaint_submit(
            student=north.child,
            kind="complaint",
            topic="other",
            text="x",
            actor=south.guardian_user,
        )


def test_every_step_is_in_the_audit_history_with_who(north):
    from auditlog.models import LogEntry

    complaint = file(north, topic="fees")
    services.complaint_assign(complaint=complaint, assignee=north.teacher, actor=north.admin)
    entries = LogEntry.objects.get_for_object(complaint).order_by("pk")
    created, escalated, assigned = list(entries)
    assert created.action == LogEntry.Action.CREATE
    assert escalated.changes["escalation"] == ["", "fees"] and escalated.actor is None
    assert assigned.actor == north.admin
    assert assigned.changes["state"] == ["received", "assigned"]
    assert assigned.changes["assigned_to"] == ["None", str(north.teacher.pk)]
