"""Writes of custody and dismissal (SPEC R16): walk-home consent, hand-over, dismissal,
alerts, duty, the end-of-day rules and the gate's visitor register.

Every service checks its actor's scope first (`kehou.org.access` and the few rules of
this module's `_require_*`), validates everything, then writes in one
`transaction.atomic`. Custody rows change only through `kehou.custody.chain`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehou.accounts.models import User
from kehou.core.errors import Problems, refusal
from kehou.custody import chain, codes
from kehou.custody.models import (
    Alert,
    Custody,
    DayRules,
    Dismissal,
    Duty,
    GateVisit,
    Handover,
    WalkHomeConsent,
)
from kehou.lib.validators import is_mobile, normalise_mobile
from kehou.notifications.models import Notification
from kehou.notifications.recipients import guardians_of
from kehou.notifications.services import in_inbox_language, notify
from kehou.org import access, audit
from kehou.org.models import AuthorisedCollector, Guardian, Staff, Student, StudentGuardian
from kehou.sittings.models import Sitting

STATEMENT_MAX = 1000


# ----- walk-home consent (自行离校) ---------------------------------------------------------


def consent_in_force(student_id: int, day: dt.date) -> WalkHomeConsent | None:
    """The consent on file that lets the child walk home alone on `day`: not withdrawn,
    from valid_from, until valid_until (or open-ended). The newest when several."""
    return (
        WalkHomeConsent.objects.filter(
            student_id=student_id, withdrawn_at__isnull=True, valid_from__lte=day
        )
        .exclude(valid_until__lt=day)
        .order_by("-recorded_at", "-pk")
        .first()
    )


@transaction.atomic
def walk_home_consent_give(
    *,
    student: Student,
    guardian: Guardian,
    statement: str,
    valid_from: dt.date,
    valid_until: dt.date | None,
    on_paper: bool,
    actor,
) -> WalkHomeConsent:
    """A guardian's written consent that the child walks home alone, on file.

    Given in the app by the guardian themself (`guardian` is then their own record), or
    recorded by the child's school admin from a signed paper form (`on_paper` must then
    be true, and `guardian` is one of the child's guardians who signed it)."""
    student = Student.objects.select_related("school").get(pk=student.pk)
    own = access.require_guardian_or_school_admin(actor, student)
    recorder = _person(actor)
    problems = Problems()
    if own is not None and own.pk != guardian.pk:
        raise access.OutOfScope
    if own is None and not on_paper:
        problems.add(
            "consent_needs_paper",
            _("The school records a consent only from a form the guardian signed."),
            field="on_paper",
        )
    if not StudentGuardian.objects.filter(student=student, guardian_id=guardian.pk).exists():
        problems.add(
            "not_a_guardian",
            _("%(name)s is not one of this child's guardians."),
            field="guardian",
            name=guardian.name,
        )
    statement = (statement or "").strip()
    if not statement:
        problems.add(
            "statement_required",
            _("Write what the guardian agrees to (e.g. the way home)."),
            field="statement",
        )
    elif len(statement) > STATEMENT_MAX:
        problems.add(
            "statement_too_long",
            _("The statement is at most %(n)s characters."),
            field="statement",
            n=STATEMENT_MAX,
        )
    today = timezone.localdate()
    if not isinstance(valid_from, dt.date):
        problems.add("valid_from_required", _("Give the first day."), field="valid_from")
    elif valid_until is not None:
        if valid_until < valid_from:
            problems.add(
                "consent_range_reversed",
                _("The last day is before the first day."),
                field="valid_until",
            )
        elif valid_until < today:
            problems.add(
                "consent_already_over",
                _("The last day has already passed."),
                field="valid_until",
            )
    if not student.is_active:
        problems.add("student_not_on_roll", _("The child is no longer on the school's roll."))
    problems.raise_if_any()
    return WalkHomeConsent.objects.create(
        school_id=student.school_id,
        student=student,
        guardian_id=guardian.pk,
        statement=statement,
        on_paper=bool(on_paper),
        valid_from=valid_from,
        valid_until=valid_until,
        recorded_by=recorder,
    )


def _person(actor):
    """The signed-in user who acts; kehou itself (SYSTEM) records none of these."""
    user = access.user_of(actor)
    if user is None:
        raise refusal("needs_a_person", _("A person must record this."))
    return user


@transaction.atomic
def walk_home_consent_withdraw(*, consent: WalkHomeConsent, actor) -> WalkHomeConsent:
    """The guardian (any guardian of the child) or the school admin withdraws a consent;
    from now on the child is not let walk home alone on it. Withdrawing twice changes
    nothing the second time."""
    target = (
        WalkHomeConsent.objects.select_for_update(of=("self",))
        .select_related("student__school")
        .filter(pk=consent.pk)
        .first()
    )
    if target is None:
        raise access.OutOfScope
    access.require_guardian_or_school_admin(actor, target.student)
    if target.withdrawn_at is None:
        target.withdrawn_at = timezone.now()
        target.save(update_fields=["withdrawn_at"])
    return target


# ----- shared helpers --------------------------------------------------------------------


def _local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def _at_local(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time), timezone.get_current_timezone())


def day_rules_for(school_id: int) -> DayRules:
    """The school's end-of-day rules, or the defaults (unsaved) when it set none."""
    return DayRules.objects.filter(school_id=school_id).first() or DayRules(school_id=school_id)


def _hm(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%H:%M")


# ----- hand-over (交接班) ------------------------------------------------------------------


@dataclass
class HandoverResult:
    handover: Handover | None
    moved: list[int] = field(default_factory=list)  # children now with to_staff
    already: list[int] = field(default_factory=list)  # were with to_staff there already

    @property
    def repeat(self) -> bool:
        return not self.moved


def _require_handover_actor(actor, from_staff: Staff | None, to_staff: Staff) -> None:
    """The giver, the receiver, or the school's admin; both staff of the actor's school."""
    if not access.is_acting(actor):
        raise access.OutOfScope
    school_id = to_staff.school_id
    if from_staff is not None and from_staff.school_id != school_id:
        raise access.OutOfScope
    if access.may_manage_school(actor, to_staff.school):
        return
    staff = access.instructor_record(actor)
    if staff is None or staff.school_id != school_id:
        raise access.OutOfScope
    if staff.pk not in {to_staff.pk, getattr(from_staff, "pk", None)}:
        raise access.OutOfScope


@transaction.atomic
def handover_record(
    *,
    from_staff: Staff | None,
    to_staff: Staff,
    students,
    sitting: Sitting | None,
    actor,
    at: dt.datetime | None = None,
    note: str = "",
) -> HandoverResult:
    """交接班: `from_staff` hands `students` to `to_staff` (at `sitting`, if given), in one
    action: one `Handover` row and, through `kehou.custody.chain`, each child's custody
    moves to the receiver.

    Who: the giver, the receiver or the school's admin; both staff of one school (the
    actor's), the children of that school and on its roll.

    Which children may be handed over (checked after their rows are locked, so two phones
    handing over one child at once cannot both succeed):
    - a child in `from_staff`'s custody now: moves;
    - a child in nobody's custody (the class teacher bringing the class from lessons,
      where no custody is recorded): starts in the receiver's custody; when `from_staff` is
      None this is the only kind allowed (the receiver takes children nobody had);
    - a child already with `to_staff` at that sitting: left as they are (a second tap of
      the same hand-over changes nothing, `already`);
    - a child in anyone else's custody: refused (`in_other_custody`, naming the child and
      the adult), and so is a child dismissed today who has no open custody
      (`already_dismissed`). One refusal refuses the whole hand-over.
    """
    at = at or timezone.now()
    to_staff = Staff.objects.select_related("school").get(pk=to_staff.pk)
    if from_staff is not None:
        from_staff = Staff.objects.get(pk=from_staff.pk)
    _require_handover_actor(actor, from_staff, to_staff)
    recorder = _person(actor)
    school_id = to_staff.school_id
    problems = Problems()
    ids = sorted({s if isinstance(s, int) else s.pk for s in students})
    if not ids:
        problems.add("no_children", _("Tick at least one child."), field="students")
    if from_staff is not None and from_staff.pk == to_staff.pk:
        problems.add(
            "handover_to_self", _("Choose someone else to hand over to."), field="to_staff"
        )
    if not to_staff.is_active:
        problems.add(
            "staff_not_active",
            _("%(name)s is no longer active."),
            field="to_staff",
            name=to_staff.name,
        )
    if sitting is not None:
        sitting = Sitting.objects.filter(pk=sitting.pk, school_id=school_id).first()
        if sitting is None:
            raise access.OutOfScope
        if sitting.date != _local_day(at):
            problems.add(
                "sitting_not_today",
                _("That sitting is not today."),
                field="sitting",
            )
    if len(note) > 200:
        problems.add("note_too_long", _("The note is at most 200 characters."), field="note")
    problems.raise_if_any()

    chain.lock_children(ids)
    children = Student.objects.in_bulk(ids)
    if len(children) != len(ids) or any(c.school_id != school_id for c in children.values()):
        raise access.OutOfScope
    current = chain.open_custodies(ids)
    dismissed = dict(
        Dismissal.objects.filter(student_id__in=ids, date=_local_day(at)).values_list(
            "student_id", "at"
        )
    )
    holders = Staff.objects.in_bulk({c.holder_id for c in current.values()})
    sitting_id = getattr(sitting, "pk", None)
    moved, already = [], []
    for pk in ids:
        child, custody = children[pk], current.get(pk)
        if not child.is_active:
            problems.add(
                "student_not_on_roll",
                _("%(name)s is no longer on the school's roll."),
                field="students",
                name=child.name,
            )
        elif custody is None:
            if pk in dismissed:
                problems.add(
                    "already_dismissed",
                    _("%(name)s already left school today at %(time)s."),
                    field="students",
                    name=child.name,
                    time=_hm(dismissed[pk]),
                )
            else:
                moved.append(pk)
        elif custody.holder_id == to_staff.pk and custody.sitting_id == sitting_id:
            already.append(pk)
        elif from_staff is not None and custody.holder_id == from_staff.pk:
            moved.append(pk)
        else:
            problems.add(
                "in_other_custody",
                _("%(name)s is with %(holder)s, not with the one handing over."),
                field="students",
                name=child.name,
                holder=holders[custody.holder_id].name,
            )
    problems.raise_if_any()
    if not moved:
        previous = current[already[0]].handover if already else None
        return HandoverResult(handover=previous, already=already)
    handover = Handover.objects.create(
        school_id=school_id,
        from_staff=from_staff,
        to_staff=to_staff,
        sitting=sitting,
        at=at,
        recorded_by=recorder,
        children=len(moved),
        note=note.strip(),
    )
    opened = chain.receive(
        students=moved,
        holder=to_staff,
        at=at,
        by=recorder,
        school_id=school_id,
        sitting=sitting,
        began=Custody.Began.HANDOVER,
        handover=handover,
    )
    audit.log_bulk_created(opened, actor=recorder, fields=CUSTODY_FIELDS)
    return HandoverResult(handover=handover, moved=moved, already=already)


CUSTODY_FIELDS = ["student", "holder", "sitting", "since", "began", "handover"]


# ----- dismissal ---------------------------------------------------------------------------


def last_end_today(student_id: int, school_id: int, day: dt.date) -> dt.datetime | None:
    """When the child's last sitting today ends: the latest end among the sittings the
    child was in custody at today (marked present, or received in a hand-over), else the
    school's last sitting of the day; None on a day without sittings."""
    end = (
        Custody.objects.filter(student_id=student_id, sitting__date=day)
        .order_by("-sitting__end")
        .values_list("sitting__end", flat=True)
        .first()
    )
    if end is None:
        end = (
            Sitting.objects.filter(school_id=school_id, date=day)
            .order_by("-end")
            .values_list("end", flat=True)
            .first()
        )
    return _at_local(day, end) if end is not None else None


def minutes_late(at: dt.datetime, last_end: dt.datetime | None, grace: int) -> int:
    """Minutes after the end of the child's last sitting plus the grace; 0 when on time."""
    if last_end is None:
        return 0
    late = (at - last_end - dt.timedelta(minutes=grace)).total_seconds()
    return max(0, min(int(late // 60), 32767))


def _retry_of(dismissal: Dismissal, *, recorder, how, guardian, collector, collected_by) -> bool:
    """The same dismissal sent again (a second tap, a phone retrying after a lost answer):
    same person recording it, same way, same collector, within ten minutes."""
    return (
        dismissal.recorded_by_id == recorder.pk
        and dismissal.how == how
        and dismissal.guardian_id == getattr(guardian, "pk", None)
        and dismissal.collector_id == getattr(collector, "pk", None)
        and (not collected_by or dismissal.collected_by == collected_by)
        and timezone.now() - dismissal.at < dt.timedelta(minutes=10)
    )


@transaction.atomic
def dismissal_record(
    *,
    student: Student,
    how: str,
    actor,
    at: dt.datetime | None = None,
    guardian: Guardian | None = None,
    collector: AuthorisedCollector | None = None,
    collected_by: str = "",
    verified: str = "",
    route: str = "",
    escort: str = "",
    note: str = "",
    code: str = "",
) -> Dismissal:
    """End the child's day (R16): the open custody ends as dismissed and one `Dismissal`
    records how, when and who recorded it; the guardians are told (late or not).

    - collected: by a guardian who may collect (`guardian`), an authorised collector valid
      today (`collector`), or someone named in `collected_by` who shows today's pickup
      code; `verified` says how the gate knew: `code` (typed, `code` holds the six
      digits), `qr` (scanned, `code` holds the QR's text) or `list` (recognised on the
      list: a guardian or collector must be chosen). Without `verified`, a code given
      means `code` (`qr` when it is a QR's text), else `list`.
    - walks_alone: only with a walk-home consent in force today (refused, naming it).
    - escort / bus: the escort's name / the route.
    - dormitory: boarders only.

    The child must be in someone's custody now: else `already_dismissed` (409 on the
    gate's JSON) or `not_on_site`. The same dismissal sent again by the same person
    returns the first one with `repeat = True` (never a second row).
    Who: the school's gate staff, admin and own teachers (`access.may_dismiss`)."""
    at = at or timezone.now()
    student = Student.objects.select_related("school").filter(pk=student.pk).first()
    if student is None:
        raise access.OutOfScope
    access.require_dismisser(actor, student.school_id)
    recorder = _person(actor)
    day = _local_day(at)
    problems = Problems()
    collected_by = " ".join((collected_by or "").split())
    route, escort, note = route.strip(), " ".join(escort.split()), note.strip()
    code = (code or "").strip()
    consent = None
    if how not in Dismissal.How.values:
        raise refusal("unknown_how", _("Choose how the child leaves."), field="how")
    if guardian is not None:
        guardian = Guardian.objects.filter(pk=guardian.pk, school_id=student.school_id).first()
        if guardian is None:
            raise access.OutOfScope
    if collector is not None:
        collector = AuthorisedCollector.objects.filter(pk=collector.pk, student=student).first()
        if collector is None:
            raise access.OutOfScope

    if how == Dismissal.How.COLLECTED:
        if not verified:
            if code.startswith(codes.QR_PREFIX):
                verified = Dismissal.Verified.QR
            elif code:
                verified = Dismissal.Verified.CODE
            else:
                verified = Dismissal.Verified.LIST
        if verified not in Dismissal.Verified.values:
            problems.add(
                "unknown_verification", _("Choose how the collector was checked."), field="verified"
            )
        if guardian is not None and collector is not None:
            problems.add(
                "one_collector",
                _("Choose one person who collects the child."),
                field="collected_by",
            )
        if guardian is not None:
            link = StudentGuardian.objects.filter(student=student, guardian=guardian).first()
            if link is None or not link.may_collect:
                problems.add(
                    "may_not_collect",
                    _("%(name)s is not on the list of people who may collect this child."),
                    field="guardian",
                    name=guardian.name,
                )
            collected_by = collected_by or guardian.name
        if collector is not None:
            if collector.valid_until is not None and collector.valid_until < day:
                problems.add(
                    "collector_expired",
                    _("%(name)s may collect the child only until %(until)s."),
                    field="collector",
                    name=collector.name,
                    until=collector.valid_until.isoformat(),
                )
            collected_by = collected_by or collector.name
        if verified == Dismissal.Verified.LIST and guardian is None and collector is None:
            problems.add(
                "not_on_list",
                _("Choose the guardian or collector from the list, or check the pickup code."),
                field="collected_by",
            )
        if verified == Dismissal.Verified.CODE:
            if not code:
                problems.add("code_required", _("Type in the pickup code."), field="code")
            elif not codes.code_matches(student.pk, day, code):
                problems.add(
                    "wrong_code", _("This is not the child's pickup code for today."), field="code"
                )
        if verified == Dismissal.Verified.QR:
            scanned = codes.read_qr(code)
            if scanned is None or scanned[0] != student.pk:
                problems.add(
                    "wrong_code", _("This is not the child's pickup code for today."), field="code"
                )
            elif scanned[1] != day:
                problems.add(
                    "code_not_today",
                    _("This pickup code is for %(day)s, not today."),
                    field="code",
                    day=scanned[1].isoformat(),
                )
            elif not codes.code_matches(student.pk, day, scanned[2]):
                problems.add(
                    "wrong_code", _("This is not the child's pickup code for today."), field="code"
                )
        if not collected_by:
            problems.add(
                "collector_name_required", _("Write who collects the child."), field="collected_by"
            )
        elif len(collected_by) > 50:
            problems.add(
                "collector_name_too_long",
                _("The name is at most 50 characters."),
                field="collected_by",
            )
    elif how == Dismissal.How.WALKS_ALONE:
        consent = consent_in_force(student.pk, day)
        if consent is None:
            problems.add(
                "no_walk_home_consent",
                _(
                    "%(name)s may walk home alone only with the guardian's written consent on "
                    "file for today; there is none."
                ),
                field="how",
                name=student.name,
            )
    elif how == Dismissal.How.ESCORT:
        if not escort:
            problems.add("escort_required", _("Write who takes the child home."), field="escort")
    elif how == Dismissal.How.BUS:
        if not route:
            problems.add("route_required", _("Write the bus or route."), field="route")
    elif how == Dismissal.How.DORMITORY and not student.is_boarder:
        problems.add(
            "not_a_boarder",
            _("%(name)s is not a boarder."),
            field="how",
            name=student.name,
        )
    if len(route) > 100:
        problems.add("route_too_long", _("The route is at most 100 characters."), field="route")
    if len(escort) > 50:
        problems.add("escort_too_long", _("The name is at most 50 characters."), field="escort")
    if len(note) > 200:
        problems.add("note_too_long", _("The note is at most 200 characters."), field="note")
    if how != Dismissal.How.COLLECTED:
        guardian = collector = None
        collected_by = verified = ""

    # The state of the child, read under the lock of their row.
    chain.lock_children([student.pk])
    custody = chain.open_custodies([student.pk]).get(student.pk)
    if custody is None:
        earlier = (
            Dismissal.objects.filter(student=student, date=day)
            .order_by("-at")
            .select_related("recorded_by")
            .first()
        )
        if earlier is not None and _retry_of(
            earlier,
            recorder=recorder,
            how=how,
            guardian=guardian,
            collector=collector,
            collected_by=collected_by,
        ):
            earlier.repeat = True
            return earlier
        problems.raise_if_any()
        if earlier is not None:
            raise refusal(
                "already_dismissed",
                _("%(name)s already left school today at %(time)s (%(how)s)."),
                field="student",
                name=student.name,
                time=_hm(earlier.at),
                how=earlier.get_how_display(),
            )
        raise refusal(
            "not_on_site",
            _(
                "%(name)s is not in anyone's care at school now (not marked present or handed "
                "over)."
            ),
            field="student",
            name=student.name,
        )
    problems.raise_if_any()

    rules = day_rules_for(student.school_id)
    last_end = last_end_today(student.pk, student.school_id, day)
    late = minutes_late(at, last_end, rules.collection_grace)
    ended = chain.end(
        student_ids=[student.pk],
        at=at,
        ended=Custody.Ended.DISMISSED,
        open_now={student.pk: custody},
    )
    custody = ended[student.pk]
    try:
        with transaction.atomic():
            dismissal = Dismissal.objects.create(
                school_id=student.school_id,
                student=student,
                custody=custody,
                date=day,
                how=how,
                at=custody.until,
                recorded_by=recorder,
                guardian=guardian,
                collector=collector,
                collected_by=collected_by,
                verified=verified,
                consent=consent,
                route=route,
                escort=escort,
                minutes_late=late,
                note=note,
            )
    except IntegrityError as error:  # the custody's one dismissal, if a lock was missed
        raise refusal(
            "already_dismissed",
            _("%(name)s already left school today."),
            field="student",
            name=student.name,
        ) from error
    audit.log_bulk_changes(
        [(custody, {"until": ["None", str(custody.until)], "ended": ["", custody.ended]})],
        actor=recorder,
    )
    _tell_guardians_dismissed(dismissal, student)
    dismissal.repeat = False
    return dismissal


def dismissal_sentence(dismissal: Dismissal) -> str:
    """How the day ended, in one sentence of the active language (escaped by the page)."""
    at = timezone.localtime(dismissal.at).strftime("%H:%M")
    how = dismissal.how
    if how == Dismissal.How.COLLECTED:
        text = _("Collected by %(name)s at %(at)s.") % {"name": dismissal.collected_by, "at": at}
        if dismissal.verified:
            text += " " + _("Checked: %(how)s.") % {"how": dismissal.get_verified_display()}
    elif how == Dismissal.How.WALKS_ALONE:
        text = _("Walked home alone at %(at)s (your consent on file).") % {"at": at}
    elif how == Dismissal.How.ESCORT:
        text = _("Escorted home at %(at)s.") % {"at": at}
        if dismissal.escort:
            text += " " + _("Escort: %(name)s.") % {"name": dismissal.escort}
        if dismissal.route:
            text += " " + _("Route: %(route)s.") % {"route": dismissal.route}
    elif how == Dismissal.How.BUS:
        text = _("Left on the school bus at %(at)s.") % {"at": at}
        if dismissal.route:
            text += " " + _("Route: %(route)s.") % {"route": dismissal.route}
    else:
        text = _("Went to the dormitory at %(at)s.") % {"at": at}
    if dismissal.minutes_late:
        text += " " + _("%(n)s minutes after the service ended.") % {"n": dismissal.minutes_late}
    return text


def _tell_guardians_dismissed(dismissal: Dismissal, student: Student) -> None:
    recipients = guardians_of(student)
    if not recipients:
        return
    with in_inbox_language():
        body = f"{student.name}: {dismissal_sentence(dismissal)}"
        if dismissal.minutes_late:
            kind = Notification.Kind.LATE_COLLECTION
            title = str(_("%(name)s left school (late)") % {"name": student.name})
        else:
            kind = Notification.Kind.DISMISSED
            title = str(_("%(name)s left school") % {"name": student.name})
    notify(
        recipients=recipients,
        kind=kind,
        title=title,
        body=body,
        key=f"dismissed:{dismissal.pk}",
        school=student.school,
    )


# ----- alerts ------------------------------------------------------------------------------


def alert_key(kind: str, date: dt.date, student=None, sitting=None) -> str:
    student_id = getattr(student, "pk", student)
    sitting_id = getattr(sitting, "pk", sitting)
    if kind == Alert.Kind.UNACCOUNTED:
        return f"unaccounted:{date.isoformat()}:{student_id}"
    if kind == Alert.Kind.ROLL_NOT_TAKEN:
        return f"roll_not_taken:{date.isoformat()}:{sitting_id}"
    return f"{kind}:{date.isoformat()}:{student_id}:{sitting_id}"


def alert_recipients(school_id: int, date: dt.date) -> list:
    """The day's duty staff (their logins) and the school's admins."""
    duty = [
        d.staff.user
        for d in Duty.objects.filter(school_id=school_id, date=date).select_related("staff__user")
        if d.staff.user is not None
    ]
    admins = list(
        User.objects.filter(school_id=school_id, role=User.Role.SCHOOL_ADMIN, is_active=True)
    )
    return duty + admins


def alert_raise(
    *,
    school,
    kind: str,
    date: dt.date,
    student=None,
    sitting=None,
    details: str = "",
    key: str | None = None,
) -> tuple[Alert, bool]:
    """Raise an alert once (by `key`, default from kind, day, child and sitting) and tell
    the day's duty staff and the school's admins. Returns (alert, created). kehou's own
    work and services that already checked their actor's scope call this (the roll call
    for `missing`); it checks no actor."""
    if kind not in Alert.Kind.values:
        raise ValueError(kind)
    school_id = getattr(school, "pk", school)
    key = key or alert_key(kind, date, student, sitting)
    with transaction.atomic():
        existing = Alert.objects.filter(key=key).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    school_id=school_id,
                    kind=kind,
                    date=date,
                    student_id=getattr(student, "pk", student),
                    sitting_id=getattr(sitting, "pk", sitting),
                    details=str(details)[:300],
                    key=key,
                )
        except IntegrityError:
            return Alert.objects.get(key=key), False
        with in_inbox_language():
            title = str(_("Safety alert: %(kind)s") % {"kind": alert.get_kind_display()})
            body = str(alert.details or alert.get_kind_display())
        notify(
            recipients=alert_recipients(school_id, date),
            kind=Notification.Kind.ALERT,
            title=title,
            body=body,
            link=reverse("custody:board"),
            key=f"alert:{alert.pk}",
            school=alert.school,
        )
    return alert, True


def may_resolve_alert(user, alert: Alert) -> bool:
    """The school's admin, or a staff member on duty at the school on the alert's day."""
    if not access.is_acting(user):
        return False
    if access.may_manage_school(user, alert.school):
        return True
    staff = access.instructor_record(user)
    return (
        staff is not None
        and staff.school_id == alert.school_id
        and Duty.objects.filter(school_id=alert.school_id, date=alert.date, staff=staff).exists()
    )


@transaction.atomic
def alert_resolve(*, alert: Alert, resolution: str, actor) -> Alert:
    """Close an alert with what was done. Resolving a child's alert does not end their
    custody: a child who left is dismissed (the board offers it) or is still on site."""
    target = (
        Alert.objects.select_for_update(of=("self",))
        .select_related("school")
        .filter(pk=alert.pk)
        .first()
    )
    if target is None or not may_resolve_alert(actor, target):
        raise access.OutOfScope
    recorder = _person(actor)
    resolution = " ".join((resolution or "").split())
    problems = Problems()
    if target.resolved_at is not None:
        problems.add("already_resolved", _("This alert was resolved already."))
    if not resolution:
        problems.add("resolution_required", _("Write how it was resolved."), field="resolution")
    elif len(resolution) > 300:
        problems.add(
            "resolution_too_long",
            _("Write at most 300 characters."),
            field="resolution",
        )
    problems.raise_if_any()
    target.resolution = resolution
    target.resolved_at = timezone.now()
    target.resolved_by = recorder
    target.save(update_fields=["resolution", "resolved_at", "resolved_by"])
    return target


# ----- duty (值班) and the end-of-day rules -----------------------------------------------


@transaction.atomic
def duty_assign(*, school, date: dt.date, staff: Staff, actor) -> Duty:
    """Put a staff member on duty at the school on a day (the school's admin). Assigning
    them twice changes nothing."""
    access.require_school_admin(actor, school)
    staff = Staff.objects.filter(pk=staff.pk, school=school).first()
    if staff is None:
        raise access.OutOfScope
    problems = Problems()
    if not staff.is_active:
        problems.add(
            "staff_not_active",
            _("%(name)s is no longer active."),
            field="staff",
            name=staff.name,
        )
    if date < timezone.localdate():
        problems.add("date_passed", _("That day has passed."), field="date")
    problems.raise_if_any()
    duty = Duty.objects.filter(school=school, date=date, staff=staff).first()
    if duty is not None:
        return duty
    try:
        with transaction.atomic():
            return Duty.objects.create(
                school=school, date=date, staff=staff, assigned_by=access.user_of(actor)
            )
    except IntegrityError:
        return Duty.objects.get(school=school, date=date, staff=staff)


@transaction.atomic
def duty_remove(*, duty: Duty, actor) -> None:
    target = Duty.objects.select_related("school").filter(pk=duty.pk).first()
    if target is None:
        raise access.OutOfScope
    access.require_school_admin(actor, target.school)
    if target.date < timezone.localdate():
        raise refusal("date_passed", _("That day has passed."), field="date")
    target.delete()


DAY_RULE_RANGES = {
    "roll_closes_after": (1, 180),
    "collection_grace": (0, 120),
    "alert_after": (0, 240),
}


@transaction.atomic
def day_rules_set(
    *, school, roll_closes_after: int, collection_grace: int, alert_after: int, actor
) -> DayRules:
    """The school's own end-of-day times (its admin), each in a sensible range."""
    access.require_school_admin(actor, school)
    values = {
        "roll_closes_after": roll_closes_after,
        "collection_grace": collection_grace,
        "alert_after": alert_after,
    }
    problems = Problems()
    for name, value in values.items():
        low, high = DAY_RULE_RANGES[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            problems.add(
                "out_of_range",
                _("Give a number of minutes from %(low)s to %(high)s."),
                field=name,
                low=low,
                high=high,
            )
    problems.raise_if_any()
    rules = DayRules.objects.select_for_update().filter(school=school).first()
    if rules is None:
        rules = DayRules(school=school)
    for name, value in values.items():
        setattr(rules, name, value)
    rules.save()
    return rules


# ----- the gate's visitor register (门卫登记) ---------------------------------------------


@transaction.atomic
def visit_record(
    *, school, name: str, phone: str, organisation: str, purpose: str, host: str, actor
) -> GateVisit:
    if not access.may_keep_visitors(actor, school.pk):
        raise access.OutOfScope
    recorder = _person(actor)
    name = " ".join((name or "").split())
    phone = normalise_mobile(phone or "")
    organisation, purpose, host = (
        (organisation or "").strip(),
        (purpose or "").strip(),
        (host or "").strip(),
    )
    problems = Problems()
    if not name:
        problems.add("name_required", _("Write the visitor's name."), field="name")
    elif len(name) > 50:
        problems.add("name_too_long", _("The name is at most 50 characters."), field="name")
    if phone and not is_mobile(phone):
        problems.add("invalid_mobile", _("Enter an 11-digit mobile phone number."), field="phone")
    if not purpose:
        problems.add("purpose_required", _("Write why they came."), field="purpose")
    elif len(purpose) > 200:
        problems.add("purpose_too_long", _("Write at most 200 characters."), field="purpose")
    if len(organisation) > 100:
        problems.add(
            "organisation_too_long", _("Write at most 100 characters."), field="organisation"
        )
    if len(host) > 50:
        problems.add("host_too_long", _("The name is at most 50 characters."), field="host")
    problems.raise_if_any()
    return GateVisit.objects.create(
        school=school,
        name=name,
        phone=phone,
        organisation=organisation,
        purpose=purpose,
        host=host,
        recorded_by=recorder,
    )


@transaction.atomic
def visit_leave(*, visit: GateVisit, actor) -> GateVisit:
    """The visitor left (now). Recording it twice keeps the first time."""
    target = GateVisit.objects.select_for_update().filter(pk=visit.pk).first()
    if target is None or not access.may_keep_visitors(actor, target.school_id):
        raise access.OutOfScope
    _person(actor)
    if target.left_at is None:
        target.left_at = max(timezone.now(), target.arrived_at)
        target.save(update_fields=["left_at"])
    return target
