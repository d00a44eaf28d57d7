"""Writes of complaints and reports (R20). Keyword-only `complaint_<verb>(*, ..., actor)`.

Who may do what:
- a guardian files one about their child's school with their login (`complaint_submit`);
- anyone files one from a school's public page, signed in or not
  (`complaint_submit_public`), except those who answer that school's complaints: its
  admin and the bureau over it (their own filing would be theirs to close, and the
  dashboard counts these);
- the school's admin assigns, records the handling, replies and closes; the person
  assigned records the handling too; a bureau officer over the school does all of it for
  a complaint that was escalated or is late (kehou.complaints.selectors.bureau_q);
- kehou escalates (`complaint_escalate`, `complaints_escalate_late`, SYSTEM only).

A complaint moves received → assigned → handled → replied → closed. Each step is one
conditional UPDATE on the row's current state, so of two officers acting at once on a
page that showed the same state, the second is refused (`complaint_state_changed`)
instead of overwriting the first; every step writes a ComplaintEvent with it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from kehou.accounts.models import User
from kehou.complaints import codes
from kehou.complaints.models import Complaint, ComplaintEvent
from kehou.complaints.selectors import bureau_may_handle, due_on_for, may_file_publicly
from kehou.core.errors import Problems, refusal
from kehou.lib.validators import is_mobile, normalise_mobile
from kehou.notifications.services import in_inbox_language, notify
from kehou.org import access
from kehou.org import selectors as org_selectors
from kehou.org.audit import log_bulk_changes
from kehou.org.models import School, Student

TEXT_MAX = 4000
NAME_MAX = 50
State = Complaint.State
Action = ComplaintEvent.Action
# The topics the bureau hears of at once (seed 003: 乱收费, and a child kept out).
ESCALATE_AT_ONCE = {
    Complaint.Topic.FEES: Complaint.Escalation.FEES,
    Complaint.Topic.REFUSED: Complaint.Escalation.REFUSED,
}


# --------------------------------------------------------------------------- submitting


def complaint_submit(*, student: Student, kind: str, topic: str, text: str, actor) -> Complaint:
    """A guardian's complaint or report about their child's school, with their login:
    it is in their list with its code, and the reply reaches their inbox."""
    access.require_guardian(actor, student)
    values = _values(kind=kind, topic=topic, text=text)
    return _create(school=student.school, student=student, submitted_by=actor, **values)


def complaint_submit_public(
    *,
    school: School,
    kind: str,
    topic: str,
    text: str,
    name: str = "",
    phone: str = "",
    address: str = "",
    actor,
) -> Complaint:
    """A complaint or report from the school's public page, anonymous or with a name and
    a mobile number. `actor` may be an AnonymousUser; a signed-in guardian finds it in
    their list too. `address` is the network address it came from (the page's request):
    more than settings.PUBLIC_COMPLAINTS_LIMIT from one address in the window are
    refused, so nobody can bury a school's list under a script's complaints."""
    if not may_file_publicly(actor, school):
        raise access.OutOfScope
    values = _values(kind=kind, topic=topic, text=text, name=name, phone=phone, public=True)
    sent_from = _address_key(address)
    if sent_from:
        _refuse_too_many(sent_from)
    user = access.user_of(actor)
    submitted_by = user if user is not None and user.role == User.Role.GUARDIAN else None
    return _create(
        school=school, student=None, submitted_by=submitted_by, sent_from=sent_from, **values
    )


def _address_key(address: str) -> str:
    if not address:
        return ""
    return salted_hmac("kehou.complaints.sent_from", address).hexdigest()[:32]


def _refuse_too_many(sent_from: str) -> None:
    limit = settings.PUBLIC_COMPLAINTS_LIMIT
    since = timezone.now() - dt.timedelta(minutes=limit["WINDOW_MINUTES"])
    sent = Complaint.objects.filter(sent_from=sent_from, received_at__gte=since).count()
    if sent >= limit["PER_ADDRESS"]:
        raise refusal(
            "too_many_public_complaints",
            _(
                "%(count)d complaints have been sent from this network in the last "
                "%(minutes)d minutes. Try again later, or call the school or the bureau."
            ),
            count=sent,
            minutes=limit["WINDOW_MINUTES"],
        )


def _values(*, kind, topic, text, name="", phone="", public=False) -> dict:
    problems = Problems()
    if kind not in Complaint.Kind.values:
        problems.add("kind_invalid", _("Kind: choose complaint or report."), field="kind")
    if topic not in Complaint.Topic.values:
        problems.add("topic_invalid", _("Topic: choose what it is about."), field="topic")
    text = _clean_text(problems, text, field="text", missing=_("Say what happened."))
    values = {"kind": kind, "topic": topic, "text": text}
    if public:
        name = (name or "").strip() if isinstance(name, str) else ""
        if len(name) > NAME_MAX:
            problems.add(
                "name_too_long", _("Name: at most %(max)d characters."), field="name", max=NAME_MAX
            )
        phone = normalise_mobile(phone) if phone else ""
        if phone and not is_mobile(phone):
            problems.add(
                "phone_invalid",
                _("Mobile phone: enter an 11-digit mainland mobile number, or leave it empty."),
                field="phone",
            )
        values.update(name=name, phone=phone)
    problems.raise_if_any()
    return values


def _clean_text(problems: Problems, value, *, field: str, missing) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        problems.add(f"{field}_missing", missing, field=field)
    elif len(text) > TEXT_MAX:
        problems.add(
            "text_too_long", _("Keep it under %(max)d characters."), field=field, max=TEXT_MAX
        )
    return text


def _create(*, school: School, **values) -> Complaint:
    now = timezone.now()
    received_on = timezone.localdate(now)
    with transaction.atomic():
        complaint = Complaint.objects.create(
            school=school,
            code=_unused_code(),
            received_at=now,
            received_on=received_on,
            due_on=due_on_for(school, received_on),
            **values,
        )
        _event(complaint, Action.SUBMITTED, "", State.RECEIVED, values.get("submitted_by"), now)
        _tell_school(complaint)
        reason = ESCALATE_AT_ONCE.get(complaint.topic)
        if reason:
            _escalate(complaint, reason, now=now)
    return complaint


def _unused_code() -> str:
    # 2^59 codes: a clash is next to impossible, but a unique index makes it an error.
    while True:
        code = codes.new_code()
        if not Complaint.objects.filter(code=code).exists():
            return code


# --------------------------------------------------------------------------- the steps


def complaint_assign(*, complaint: Complaint, assignee: User, note: str = "", actor) -> Complaint:
    """Give the complaint to a staff member of the school (or, for the bureau, to an
    officer over it) to handle; reassigning is allowed until it is handled."""
    complaint = _require_handler(actor, complaint)
    if not _may_be_assigned(assignee, complaint):
        raise refusal(
            "assignee_invalid",
            _("Assign to: choose a staff member of this school."),
            field="assignee",
        )
    note = _note(note)
    updated = _step(
        complaint,
        Action.ASSIGNED,
        (State.RECEIVED, State.ASSIGNED),
        State.ASSIGNED,
        actor,
        note=note or assignee.name,
        changes={"assigned_to": assignee},
        then=lambda c: _tell_assignee(c, assignee),
    )
    return updated


def complaint_record_handling(*, complaint: Complaint, handling: str, actor) -> Complaint:
    """What was found and done (kept for the school and the bureau, not shown to the
    submitter). Recording again replaces the summary; each record stays in the history."""
    complaint = _require_handler(actor, complaint, assignee_too=True)
    problems = Problems()
    handling = _clean_text(
        problems, handling, field="handling", missing=_("Handling: say what was done.")
    )
    problems.raise_if_any()
    return _step(
        complaint,
        Action.HANDLED,
        (State.ASSIGNED, State.HANDLED),
        State.HANDLED,
        actor,
        note=handling,
        changes={"handling": handling},
    )


def complaint_reply(*, complaint: Complaint, reply: str, actor) -> Complaint:
    """The answer the submitter reads: in a guardian's inbox, and on the follow-up page
    for anyone with the code."""
    complaint = _require_handler(actor, complaint)
    problems = Problems()
    reply = _clean_text(problems, reply, field="reply", missing=_("Reply: write the answer."))
    problems.raise_if_any()
    now = timezone.now()
    return _step(
        complaint,
        Action.REPLIED,
        (State.HANDLED,),
        State.REPLIED,
        actor,
        note=reply,
        changes={"reply": reply, "replied_at": now},
        now=now,
        then=_tell_submitter,
    )


def complaint_close(*, complaint: Complaint, note: str = "", actor) -> Complaint:
    complaint = _require_handler(actor, complaint)
    now = timezone.now()
    return _step(
        complaint,
        Action.CLOSED,
        (State.REPLIED,),
        State.CLOSED,
        actor,
        note=_note(note),
        changes={"closed_at": now},
        now=now,
    )


def _note(value) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > TEXT_MAX:
        raise refusal(
            "text_too_long", _("Keep it under %(max)d characters."), field="note", max=TEXT_MAX
        )
    return text


def _require_handler(actor, complaint: Complaint, *, assignee_too: bool = False) -> Complaint:
    """The complaint as it is now, if `actor` may act on it; OutOfScope otherwise."""
    current = (
        Complaint.objects.select_related("school", "school__region")
        .filter(pk=getattr(complaint, "pk", None))
        .first()
    )
    if current is None or not access.is_acting(actor):
        raise access.OutOfScope
    if access.may_manage_school(actor, current.school):
        return current
    if bureau_may_handle(actor, current):
        return current
    if assignee_too and actor.pk is not None and actor.pk == current.assigned_to_id:
        return current
    raise access.OutOfScope


def _may_be_assigned(user, complaint: Complaint) -> bool:
    if not isinstance(user, User) or not user.is_active:
        return False
    if user.role in access.SCHOOL_ROLES and user.school_id == complaint.school_id:
        return True
    return user.role == User.Role.BUREAU and access.may_oversee(user, complaint.school.region)


def _step(
    complaint: Complaint,
    action: str,
    allowed_from: tuple[str, ...],
    to_state: str,
    actor,
    *,
    note: str,
    changes: dict,
    now: dt.datetime | None = None,
    then=None,
) -> Complaint:
    """Move the complaint to `to_state` if it is still in one of `allowed_from`, with one
    conditional UPDATE, and write the event; refused when it has moved on meanwhile."""
    now = now or timezone.now()
    with transaction.atomic():
        # Conditional on the state the actor saw: if another step came first, nothing
        # is written and the actor is told, on PostgreSQL and SQLite alike.
        moved = complaint.state in allowed_from and Complaint.objects.filter(
            pk=complaint.pk, state=complaint.state
        ).update(state=to_state, updated_at=now, **changes)
        if not moved:
            raise refusal(
                "complaint_state_changed",
                _(
                    "The complaint is now “%(state)s”: this step is not possible from "
                    "there. Reload the page to see what was done."
                ),
                state=_state_label(complaint.pk),
            )
        _event(complaint, action, complaint.state, to_state, access.user_of(actor), now, note)
        before = _values_of(complaint, ["state", *changes])
        complaint.refresh_from_db()
        _audit(complaint, before, access.user_of(actor))
        if then is not None:
            then(complaint)
    return complaint


def _values_of(complaint: Complaint, fields) -> dict[str, str]:
    """The fields as auditlog writes them (a related row by its id)."""
    found = {}
    for name in fields:
        field = Complaint._meta.get_field(name)
        value = getattr(complaint, field.attname)
        found[name] = "None" if value is None else str(value)
    return found


def _audit(complaint: Complaint, before: dict[str, str], user) -> None:
    """The history entry a save would have written, for a conditional UPDATE."""
    after = _values_of(complaint, before)
    changed = {f: [before[f], after[f]] for f in before if before[f] != after[f]}
    if changed:
        log_bulk_changes([(complaint, changed)], actor=user)


def _state_label(pk: int) -> str:
    state = Complaint.objects.filter(pk=pk).values_list("state", flat=True).first()
    return str(State(state).label) if state else ""


def _event(complaint, action, from_state, to_state, user, now, note="") -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        school_id=complaint.school_id,
        complaint=complaint,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=user,
        at=now,
        note=note,
    )


# --------------------------------------------------------------------------- escalation


def complaint_escalate(*, complaint: Complaint, reason: str, actor) -> bool:
    """Put the complaint before the county's bureau (once: False if it already was).
    kehou only: on submission for fees and a refused child, and when it is late."""
    if actor is not access.SYSTEM:
        raise access.OutOfScope
    if reason not in Complaint.Escalation.values:
        raise refusal("reason_invalid", _("Not a reason to escalate."), field="reason")
    with transaction.atomic():
        return _escalate(complaint, reason)


def complaints_escalate_late(*, actor, today: dt.date | None = None) -> int:
    """Escalate every complaint past its time limit and not yet replied, that the bureau
    has not been told of yet (the periodic job). Returns how many."""
    if actor is not access.SYSTEM:
        raise access.OutOfScope
    today = today or timezone.localdate()
    late = Complaint.objects.filter(
        state__in=Complaint.WAITING,
        due_on__isnull=False,
        due_on__lt=today,
        escalated_at__isnull=True,
    ).select_related("school", "school__region")
    done = 0
    for complaint in late.order_by("pk"):
        with transaction.atomic():
            done += _escalate(complaint, Complaint.Escalation.LATE)
    return done


def _escalate(complaint: Complaint, reason: str, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    marked = Complaint.objects.filter(pk=complaint.pk, escalated_at__isnull=True).update(
        escalated_at=now, escalation=reason, updated_at=now
    )
    if not marked:
        return False
    before = _values_of(complaint, ["escalated_at", "escalation"])
    complaint.escalated_at, complaint.escalation = now, reason
    _audit(complaint, before, None)
    _event(
        complaint,
        Action.ESCALATED,
        complaint.state,
        complaint.state,
        None,
        now,
        str(Complaint.Escalation(reason).label),
    )
    _tell_bureau(complaint)
    return True


# --------------------------------------------------------------------------- telling


def _detail_link(complaint: Complaint) -> str:
    return reverse("complaints:detail", args=[complaint.pk])


def _tell_school(complaint: Complaint) -> None:
    admins = User.objects.filter(
        role=User.Role.SCHOOL_ADMIN, school_id=complaint.school_id, is_active=True
    )
    with in_inbox_language():
        notify(
            recipients=list(admins),
            kind="general",
            title=_("New %(kind)s: %(topic)s")
            % {"kind": complaint.get_kind_display(), "topic": complaint.get_topic_display()},
            body=_("Received on %(date)s. Reply by %(due)s.")
            % {"date": complaint.received_on.isoformat(), "due": _due_text(complaint)},
            link=_detail_link(complaint),
            key=f"complaint-received:{complaint.pk}",
            school=complaint.school,
        )


def _tell_assignee(complaint: Complaint, assignee: User) -> None:
    with in_inbox_language():
        notify(
            recipients=[assignee],
            kind="general",
            title=_("A complaint is assigned to you: %(topic)s")
            % {"topic": complaint.get_topic_display()},
            body=_("Reply by %(due)s.") % {"due": _due_text(complaint)},
            link=_detail_link(complaint),
            key=f"complaint-assigned:{complaint.pk}:{assignee.pk}:{complaint.events.count()}",
            school=complaint.school,
        )


def _tell_submitter(complaint: Complaint) -> None:
    if complaint.submitted_by_id is None:
        return  # a public submitter reads the reply with their code
    with in_inbox_language():
        notify(
            recipients=[complaint.submitted_by],
            kind="general",
            title=_("The school replied to your %(kind)s") % {"kind": complaint.get_kind_display()},
            body=complaint.reply[:1900],
            link=reverse("complaints:family"),
            key=f"complaint-replied:{complaint.pk}",
            school=complaint.school,
        )


def _tell_bureau(complaint: Complaint) -> None:
    school = complaint.school
    with in_inbox_language():
        notify(
            recipients=org_selectors.bureau_officers(school),
            kind="general",
            title=_("Escalated %(kind)s at %(school)s: %(topic)s")
            % {
                "kind": complaint.get_kind_display(),
                "school": school.name,
                "topic": complaint.get_topic_display(),
            },
            body=_("Why: %(reason)s. Received on %(date)s, reply due by %(due)s.")
            % {
                "reason": complaint.get_escalation_display(),
                "date": complaint.received_on.isoformat(),
                "due": _due_text(complaint),
            },
            link=_detail_link(complaint),
            key=f"complaint-escalated:{complaint.pk}",
            school=school,
        )


def _due_text(complaint: Complaint) -> str:
    return complaint.due_on.isoformat() if complaint.due_on else _("no time limit")
