"""Roll call and leave (R15): the writes.

- `roll_mark` applies a teacher's marks (from a tap on the page, a form, or a batch a
  phone kept while it had no signal) in one transaction: scope first (the sitting's
  responsible adult, a staff member on duty that day, the school's admin), then every mark
  checked (the child is on the roster, the status is known, the tap was on the sitting's
  day; a tap "in the future" is taken as now), then written. A later tap wins by the time
  it was tapped, so a batch sent late with older taps does not undo newer ones. A batch id
  the phone chose is recorded (`RollCallBatch`): sending it again changes nothing.
- Present and late put the child in the custody of the sitting's responsible adult (or
  the marker's own staff record) through `kehou.custody.chain`; absent or leave after
  present ends that custody at this sitting as a correction.
- `roll_close` (the teacher) and `rolls_close_due` (kehou, every minute, at the school's
  `DayRules.roll_closes_after`) close the roll: a child nobody marked is on leave when a
  leave covers the day, else absent; every absence no leave explains is told to the
  child's guardians (once, by the notification's key) and a child present earlier today
  and absent now raises a `missing` alert. A roll nobody took is not closed by kehou
  (that would report every child absent to their families): it raises a
  `roll_not_taken` alert and stays open until someone takes it.
- `leave_file` / `leave_withdraw`: 请假 by a guardian (or the school admin for them).
  A leave filed for today after the roll was taken turns today's absences of the child
  into leave.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehou.attendance.models import Attendance, LeaveRequest, RollCallBatch
from kehou.attendance.selectors import covering_leaves, in_group
from kehou.core.errors import Problems, refusal
from kehou.custody import chain
from kehou.custody.models import Alert, Custody, DayRules
from kehou.custody.services import alert_key, alert_raise
from kehou.notifications.recipients import guardian_users
from kehou.notifications.services import in_inbox_language, notify
from kehou.org import access
from kehou.org.audit import log_bulk_changes, log_bulk_created
from kehou.org.models import ClassMembership, Staff, Student
from kehou.sittings.models import Sitting
from kehou.sittings.selectors import Roster, sitting_roster

MAX_MARKS = 500  # one batch; a roster is at most a few dozen children
NOTE_LENGTH = 200
LEAVE_LONGEST_DAYS = 31
LEAVE_AHEAD_DAYS = 180
# The guardian's view of the day (kehou/attendance/views_family.py).
FAMILY_PAGE = "/attendance/family/"
# Rolls left open this many days back are still closed by kehou (a worker that was down).
CLOSE_LOOKBACK_DAYS = 7

STATUSES = set(Attendance.Status.values)
THERE = {Attendance.Status.PRESENT, Attendance.Status.LATE}
AUDITED = ["sitting", "student", "status", "leave", "note", "marked_by", "marked_at"]


@dataclass(frozen=True)
class Mark:
    student_id: int
    status: str
    at: dt.datetime
    note: str = ""


@dataclass
class RollResult:
    batch: uuid.UUID | None
    marks: int  # marks sent
    applied: int  # marks that changed something
    repeat: bool = False  # the batch had been received already: nothing changed now
    closed: bool = False  # the roll is closed after this


@dataclass
class CloseResult:
    absent: int = 0  # children marked absent by the close
    leave: int = 0  # children marked on leave by the close
    told: int = 0  # absences told to guardians


# --- roll call ----------------------------------------------------------------------------


def roll_mark(
    *, sitting: Sitting, marks: Iterable, actor, batch_id=None, close: bool = False
) -> RollResult:
    """Apply `marks` — `(student_id, status, marked_at, note)` tuples or `Mark`s — to the
    sitting's roll; with `close`, close the roll in the same transaction (the phone's
    offline queue sends its last marks and the close together)."""
    access.require_roll_taker(actor, sitting)
    batch = _batch_id(batch_id)
    if batch is not None and (seen := _repeat(batch, sitting)) is not None:
        return seen
    cleaned = _clean(sitting, list(marks))
    try:
        with transaction.atomic():
            locked = _lock_sitting(sitting.pk)
            if batch is not None and (seen := _repeat(batch, locked)) is not None:
                return seen
            _refuse_closed(locked, actor, cleaned)
            group = access.roll_group(actor, locked)
            marked = {m.student_id for m in cleaned}
            roster = in_group(sitting_roster(locked, only=marked), group)
            _refuse_strangers(locked, roster.student_ids, cleaned)
            record = None
            if batch is not None:
                record = RollCallBatch.objects.create(
                    id=batch,
                    school_id=locked.school_id,
                    sitting=locked,
                    sent_by=access.user_of(actor),
                    marks=len(cleaned),
                )
            applied = _apply(locked, cleaned, actor=actor, batch=record, roster=roster)
            if record is not None and applied:
                RollCallBatch.objects.filter(pk=record.pk).update(applied=applied)
            if close and locked.roll_closed_at is None:
                _close(
                    _lock_sitting(locked.pk),
                    by=access.user_of(actor),
                    now=timezone.now(),
                    group=group,
                )
    except IntegrityError:
        # The same batch arrived twice at once: the other request recorded it first.
        if batch is not None and (seen := _repeat(batch, sitting)) is not None:
            return seen
        raise
    return RollResult(batch, len(cleaned), applied, closed=close or bool(locked.roll_closed_at))


def _batch_id(batch_id) -> uuid.UUID | None:
    if batch_id is None or batch_id == "":
        return None
    if isinstance(batch_id, uuid.UUID):
        return batch_id
    try:
        return uuid.UUID(str(batch_id))
    except ValueError:
        raise refusal(
            "bad_batch", _("The roll call's batch id is not a valid id."), field="batch"
        ) from None


def _repeat(batch: uuid.UUID, sitting: Sitting) -> RollResult | None:
    known = RollCallBatch.objects.filter(pk=batch).first()
    if known is None:
        return None
    if known.sitting_id != sitting.pk:
        raise refusal(
            "batch_of_another_sitting",
            _("This batch id was already used for another sitting."),
            field="batch",
        )
    closed = Sitting.objects.filter(pk=sitting.pk, roll_closed_at__isnull=False).exists()
    return RollResult(batch, known.marks, known.applied, repeat=True, closed=closed)


def _lock_sitting(pk: int) -> Sitting:
    return (
        Sitting.objects.select_for_update(of=("self",))
        .select_related("school", "term", "responsible")
        .get(pk=pk)
    )


def _as_mark(raw) -> tuple:
    if isinstance(raw, Mark):
        return raw.student_id, raw.status, raw.at, raw.note
    values = tuple(raw)
    if len(values) == 3:
        return (*values, "")
    if len(values) != 4:
        raise ValueError
    return values


def _clean(sitting: Sitting, raw_marks: list) -> list[Mark]:
    """Every mark checked before anything is written; sorted by the time it was tapped."""
    if len(raw_marks) > MAX_MARKS:
        raise refusal(
            "too_many_marks",
            _("A roll call sends at most %(most)d marks at once."),
            field="marks",
            most=MAX_MARKS,
        )
    now = timezone.now()
    problems = Problems()
    cleaned: list[Mark] = []
    for row, raw in enumerate(raw_marks, start=1):
        try:
            student_id, status, at, note = _as_mark(raw)
        except (TypeError, ValueError):
            problems.add("bad_mark", _("Mark %(row)d is not a mark."), field="marks", row=row)
            continue
        ok = True
        if isinstance(student_id, bool) or not isinstance(student_id, int):
            problems.add("bad_student", _("Mark %(row)d names no child."), field="student", row=row)
            ok = False
        if status not in STATUSES:
            problems.add(
                "bad_status",
                _("Mark %(row)d: “%(status)s” is not present, late, absent or on leave."),
                field="status",
                row=row,
                status=str(status)[:20],
            )
            ok = False
        if not isinstance(at, dt.datetime):
            problems.add("bad_time", _("Mark %(row)d has no time."), field="at", row=row)
            ok = False
        else:
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
            at = min(at, now)  # a phone's clock ahead of ours
            if timezone.localtime(at).date() != sitting.date:
                problems.add(
                    "wrong_day",
                    _("Mark %(row)d was tapped on %(day)s, not on the sitting's day %(date)s."),
                    field="at",
                    row=row,
                    day=timezone.localtime(at).date().isoformat(),
                    date=sitting.date.isoformat(),
                )
                ok = False
        note = note if isinstance(note, str) else None
        if note is None or len(note.strip()) > NOTE_LENGTH:
            problems.add(
                "bad_note",
                _("Mark %(row)d: a note is text of at most %(most)d characters."),
                field="note",
                row=row,
                most=NOTE_LENGTH,
            )
            ok = False
        if ok:
            cleaned.append(Mark(student_id, status, at, note.strip()))
    problems.raise_if_any()
    return sorted(cleaned, key=lambda mark: mark.at)


def _refuse_closed(sitting: Sitting, actor, marks: list[Mark]) -> None:
    """After the close only the admin corrects marks (with a note); a child nobody marked
    (a class whose roll nobody took by the set time) may still be marked by its taker."""
    if sitting.roll_closed_at is None or not marks:
        return
    already = Attendance.objects.filter(
        sitting=sitting, student_id__in={m.student_id for m in marks}
    ).exists()
    if not already:
        return
    if not access.may_manage_school(actor, sitting.school):
        raise refusal(
            "roll_closed",
            _("The roll call of this sitting is closed; the school admin can correct it."),
        )
    if any(not mark.note for mark in marks):
        raise refusal(
            "note_required",
            _("The roll call is closed: a correction needs a note saying why."),
            field="note",
        )


def _refuse_strangers(sitting: Sitting, roster: set[int], marks: list[Mark]) -> None:
    strangers = sorted({m.student_id for m in marks} - roster)
    if not strangers:
        return
    names = dict(
        Student.objects.filter(pk__in=strangers, school_id=sitting.school_id).values_list(
            "pk", "name"
        )
    )
    problems = Problems()
    for pk in strangers:
        problems.add(
            "not_on_roster",
            _("%(child)s is not on the roster of this sitting."),
            field="student",
            child=names.get(pk) or _("Child no. %(id)d") % {"id": pk},
        )
    problems.raise_if_any()


def _staff_of(actor) -> Staff | None:
    user = access.user_of(actor)
    if user is None:
        return None
    return access.instructor_record(user) or Staff.objects.filter(user=user).first()


def _holders(sitting: Sitting, roster: Roster, actor) -> dict[int, Staff | None]:
    """Whose custody each child enters when marked present: the sitting's responsible
    adult; at a plan sitting without one, the head teacher of the child's class (its roll
    is taken class by class); else whoever marks them."""
    marker = None if sitting.responsible else _staff_of(actor)
    heads = {
        e.student.pk: e.school_class.head_teacher_id
        for e in roster.entries
        if e.school_class is not None and e.school_class.head_teacher_id
    }
    staff = Staff.objects.in_bulk(set(heads.values())) if not sitting.responsible else {}
    return {
        e.student.pk: sitting.responsible or staff.get(heads.get(e.student.pk)) or marker
        for e in roster.entries
    }


def _apply(
    sitting: Sitting, marks: list[Mark], *, actor, batch: RollCallBatch | None, roster: Roster
) -> int:
    """Write the marks that change something; custody follows. Returns how many changed."""
    user = access.user_of(actor)
    ids = sorted({m.student_id for m in marks})
    stored = {
        a.student_id: a for a in Attendance.objects.filter(sitting=sitting, student_id__in=ids)
    }
    was_there = {pk for pk, a in stored.items() if a.status in THERE}
    leaves = covering_leaves(ids, sitting.date)
    now = timezone.now()
    created: dict[int, Attendance] = {}
    before: dict[int, dict[str, str]] = {}
    applied = 0
    for mark in marks:
        current = created.get(mark.student_id) or stored.get(mark.student_id)
        if current is not None and current.marked_at > mark.at:
            continue  # a later tap is already here
        if current is not None and current.status == mark.status and current.note == mark.note:
            continue  # the same mark again
        leave = leaves.get(mark.student_id) if mark.status not in THERE else None
        if current is None:
            created[mark.student_id] = Attendance(
                school_id=sitting.school_id,
                sitting=sitting,
                day=sitting.date,
                student_id=mark.student_id,
                status=mark.status,
                leave=leave,
                note=mark.note,
                marked_by=user,
                marked_at=mark.at,
                received_at=now,
                batch=batch,
            )
        else:
            if current.pk is not None and current.student_id not in before:
                before[current.student_id] = {f: _audit_text(current, f) for f in AUDITED}
            current.status, current.leave, current.note = mark.status, leave, mark.note
            current.marked_by, current.marked_at = user, mark.at
            current.received_at, current.batch = now, batch
        applied += 1
    if not applied:
        return 0

    now_there = {
        pk
        for pk in ids
        if (created.get(pk) or stored.get(pk)) and (created.get(pk) or stored[pk]).status in THERE
    }
    receiving = now_there - was_there
    ending = was_there - now_there
    holders = _holders(sitting, roster, actor) if receiving else {}
    if receiving and (user is None or any(holders.get(pk) is None for pk in receiving)):
        raise refusal(
            "no_responsible_adult",
            _(
                "This sitting has no responsible adult, and you have no staff record: "
                "set the sitting's responsible adult before marking children present."
            ),
        )
    if receiving or ending:
        chain.lock_children(receiving | ending)  # every child of the batch, in one order

    Attendance.objects.bulk_create(created.values())
    changed = [stored[pk] for pk in before]
    if changed:
        Attendance.objects.bulk_update(
            changed,
            ["status", "leave", "note", "marked_by", "marked_at", "received_at", "batch"],
        )
    log_bulk_created(list(created.values()), actor=user, fields=AUDITED)
    log_bulk_changes(
        [
            (
                a,
                {
                    f: [before[a.student_id][f], _audit_text(a, f)]
                    for f in AUDITED
                    if before[a.student_id][f] != _audit_text(a, f)
                },
            )
            for a in changed
        ],
        actor=user,
    )
    first = min(m.at for m in marks)
    Sitting.objects.filter(pk=sitting.pk, roll_taken_at__isnull=True).update(roll_taken_at=first)

    final = {**stored, **created}
    by_holder: dict[int, list[int]] = defaultdict(list)
    for pk in receiving:
        by_holder[holders[pk].pk].append(pk)
    for pks in by_holder.values():
        holder = holders[pks[0]]
        for at, group in _by_minute(pks, final):
            chain.receive(
                students=group,
                holder=holder,
                at=at,
                by=user,
                school_id=sitting.school_id,
                sitting=sitting,
            )
    if ending:
        here = [pk for pk, c in chain.open_custodies(ending).items() if c.sitting_id == sitting.pk]
        for at, group in _by_minute(here, final):
            chain.end(student_ids=group, at=at, ended=Custody.Ended.CORRECTED)
    return applied


def _audit_text(attendance: Attendance, field: str) -> str:
    model_field = attendance._meta.get_field(field)
    if model_field.is_relation:
        value = getattr(attendance, model_field.attname)
        return "None" if value is None else str(value)
    return str(getattr(attendance, field))


def _by_minute(student_ids, marks: dict[int, Attendance]):
    """The children grouped by the minute they were tapped, each group at its first tap:
    a roll of 40 taken in a minute is one custody change, not 40."""
    groups: dict[dt.datetime, list[int]] = defaultdict(list)
    for pk in sorted(student_ids):
        at = marks[pk].marked_at
        groups[at.replace(second=0, microsecond=0)].append(pk)
    for group in groups.values():
        yield min(marks[pk].marked_at for pk in group), group


# --- closing the roll ---------------------------------------------------------------------


def roll_close(*, sitting: Sitting, actor) -> CloseResult:
    """The teacher (or the admin, or a duty teacher) closes the roll now. A head teacher
    at a plan sitting closes their classes' part: their children nobody marked are marked
    and their guardians told, and the sitting's roll closes for everyone at its set time
    (or when the admin or a duty teacher closes it)."""
    access.require_roll_taker(actor, sitting)
    with transaction.atomic():
        locked = _lock_sitting(sitting.pk)
        group = access.roll_group(actor, locked)
        if locked.roll_closed_at is not None and not _unmarked(locked, group):
            raise refusal("roll_closed", _("The roll call of this sitting is closed already."))
        return _close(locked, by=access.user_of(actor), now=timezone.now(), group=group)


def _unmarked(sitting: Sitting, group: frozenset[int] | None) -> list[int]:
    """The children of the taker's part of the roll nobody has marked (not those at an
    overlapping activity group instead)."""
    roster = in_group(sitting_roster(sitting, only=group_students(sitting, group)), group)
    marked = set(Attendance.objects.filter(sitting=sitting).values_list("student_id", flat=True))
    return [e.student.pk for e in roster.entries if not e.elsewhere and e.student.pk not in marked]


def _close(
    sitting: Sitting, *, by, now: dt.datetime, group: frozenset[int] | None = None
) -> CloseResult:
    """Inside the caller's transaction, the sitting locked; `group` the classes whose part
    of the roll is closed (None: the whole roll). When kehou closes a plan sitting at its
    set time (`by` None), a class of which nobody marked a single child is not marked
    absent (that would tell a whole class's families their children are missing): its
    children stay unmarked, a `roll_not_taken` alert names the class, and its head teacher
    can still take the roll."""
    roster = in_group(sitting_roster(sitting, only=group_students(sitting, group)), group)
    marked = set(Attendance.objects.filter(sitting=sitting).values_list("student_id", flat=True))
    # A child at an overlapping activity group is expected there, not here.
    unmarked = [
        e.student.pk for e in roster.entries if not e.elsewhere and e.student.pk not in marked
    ]
    if by is None and group is None and sitting.offering_id is None:
        untaken = _classes_untaken(roster, marked)
        if untaken:
            skipped = {e.student.pk for e in roster.entries if e.school_class in untaken}
            unmarked = [pk for pk in unmarked if pk not in skipped]
            if sitting.date == timezone.localdate(now):
                _raise_not_taken(sitting, untaken)
    leaves = covering_leaves(unmarked, sitting.date)
    new = [
        Attendance(
            school_id=sitting.school_id,
            sitting=sitting,
            day=sitting.date,
            student_id=pk,
            status=Attendance.Status.LEAVE if pk in leaves else Attendance.Status.ABSENT,
            leave=leaves.get(pk),
            marked_by=None,
            marked_at=now,
            received_at=now,
            note="",
        )
        for pk in unmarked
    ]
    Attendance.objects.bulk_create(new)
    log_bulk_created(new, actor=by, fields=AUDITED)
    if group is None:
        Sitting.objects.filter(pk=sitting.pk, roll_closed_at__isnull=True).update(
            roll_closed_at=now, roll_closed_by=by
        )
        sitting.roll_closed_at, sitting.roll_closed_by = now, by
    if new:
        Sitting.objects.filter(pk=sitting.pk, roll_taken_at__isnull=True).update(roll_taken_at=now)
    result = CloseResult(
        absent=sum(1 for a in new if a.status == Attendance.Status.ABSENT),
        leave=sum(1 for a in new if a.status == Attendance.Status.LEAVE),
    )
    if sitting.date == timezone.localdate(now):
        result.told = _tell_guardians(sitting, now, only=roster.student_ids)
        _raise_missing(sitting, now, only=roster.student_ids)
    return result


def group_students(sitting: Sitting, group: frozenset[int] | None) -> set[int] | None:
    """The children of the group's classes in the sitting's school year (None: all)."""
    if group is None:
        return None
    return set(
        ClassMembership.objects.filter(
            school_class_id__in=group, school_year_id=sitting.term.school_year_id
        ).values_list("student_id", flat=True)
    )


def _classes_untaken(roster: Roster, marked: set[int]) -> list:
    """The classes on the roster none of whose children has a mark."""
    by_class: dict = defaultdict(list)
    for entry in roster.entries:
        by_class[entry.school_class].append(entry.student.pk)
    return sorted(
        (c for c, pks in by_class.items() if c is not None and not marked.intersection(pks)),
        key=lambda c: (c.grade, c.number),
    )


def _raise_not_taken(sitting: Sitting, classes: list | None = None) -> None:
    with in_inbox_language():
        params = {
            "sitting": sitting.label or sitting.get_kind_display(),
            "start": sitting.start.strftime("%H:%M"),
        }
        if classes:
            params["classes"] = "、".join(str(c) for c in classes)
            details = (
                _("The roll call of %(classes)s at %(sitting)s %(start)s has not been taken.")
                % params
            )
        else:
            details = _("The roll call of %(sitting)s %(start)s has not been taken.") % params
    alert_raise(
        school=sitting.school_id,
        kind=Alert.Kind.ROLL_NOT_TAKEN,
        date=sitting.date,
        sitting=sitting.pk,
        details=details[:300],
    )


def _unexplained(sitting: Sitting):
    return Attendance.objects.filter(
        sitting=sitting, status=Attendance.Status.ABSENT, leave__isnull=True
    ).select_related("student")


def _tell_guardians(sitting: Sitting, now: dt.datetime, only: set[int] | None = None) -> int:
    """Tell the guardians of each absence no leave explains, once (the notification's key
    and `guardian_told_at`); `only` these children when a class's part was closed."""
    absences = [
        a
        for a in _unexplained(sitting)
        if a.guardian_told_at is None and (only is None or a.student_id in only)
    ]
    if not absences:
        return 0
    leaves = covering_leaves([a.student_id for a in absences], sitting.date)
    absences = [a for a in absences if a.student_id not in leaves]
    users = guardian_users(a.student_id for a in absences)
    told = []
    label = sitting.label or sitting.get_kind_display()
    with in_inbox_language():
        for absence in absences:
            if not users.get(absence.student_id):
                continue
            params = {
                "child": absence.student.name,
                "sitting": label,
                "date": sitting.date.strftime("%m-%d"),
                "start": sitting.start.strftime("%H:%M"),
            }
            notify(
                recipients=users[absence.student_id],
                kind="absence",
                title=_("%(child)s is absent") % params,
                body=_(
                    "%(child)s was not at %(sitting)s on %(date)s from %(start)s, and no leave "
                    "was filed. Please contact the school or the teacher."
                )
                % params,
                link=FAMILY_PAGE,
                key=f"absence:{absence.pk}",
                school=sitting.school,
            )
            told.append(absence.pk)
    if told:
        Attendance.objects.filter(pk__in=told, guardian_told_at__isnull=True).update(
            guardian_told_at=now
        )
    return len(told)


def _raise_missing(sitting: Sitting, now: dt.datetime, only: set[int] | None = None) -> int:
    """A child there at an earlier sitting today and absent, unexplained, from this one."""
    earlier = Attendance.objects.filter(
        student_id=OuterRef("student_id"),
        sitting__school_id=sitting.school_id,
        sitting__date=sitting.date,
        sitting__start__lt=sitting.start,
        status__in=THERE,
    )
    missing = [
        a
        for a in _unexplained(sitting).filter(Exists(earlier))
        if only is None or a.student_id in only
    ]
    for absence in missing:
        with in_inbox_language():
            details = _("%(child)s was present earlier today and is absent from %(sitting)s.") % {
                "child": absence.student.name,
                "sitting": sitting.label or sitting.get_kind_display(),
            }
        alert_raise(
            school=sitting.school_id,
            kind=Alert.Kind.MISSING,
            date=sitting.date,
            student=absence.student_id,
            sitting=sitting.pk,
            details=details,
        )
    return len(missing)


# --- kehou's own closing, every minute ------------------------------------------------------


def rolls_close_due(*, actor, now: dt.datetime | None = None) -> int:
    """Close every roll whose time has come (the sitting's start plus the school's
    `roll_closes_after`), and tell the guardians of absences nobody has told yet (a
    correction after the close). Returns the rolls closed. kehou only (SYSTEM)."""
    if actor is not access.SYSTEM:
        raise access.OutOfScope
    now = now or timezone.now()
    today = timezone.localdate(now)
    open_rolls = list(
        Sitting.objects.filter(
            # A roll nobody took on an earlier day stays as it is (its alert was raised
            # that day): only taken rolls are closed late, after a worker was down.
            Q(date=today) | Q(roll_taken_at__isnull=False),
            roll_closed_at__isnull=True,
            date__gte=today - dt.timedelta(days=CLOSE_LOOKBACK_DAYS),
            date__lte=today,
        ).order_by("date", "start", "pk")
    )
    minutes = dict(
        DayRules.objects.filter(school_id__in={s.school_id for s in open_rolls}).values_list(
            "school_id", "roll_closes_after"
        )
    )
    default = DayRules._meta.get_field("roll_closes_after").default
    due = [
        s
        for s in open_rolls
        if _starts_at(s) + dt.timedelta(minutes=minutes.get(s.school_id, default)) <= now
    ]
    alerted = set(
        Alert.objects.filter(key__in=[_not_taken_key(s) for s in due]).values_list("key", flat=True)
    )
    closed = 0
    for sitting in due:
        if sitting.roll_taken_at is None and _not_taken_key(sitting) in alerted:
            continue  # waiting for someone to take it
        with transaction.atomic():
            locked = _lock_sitting(sitting.pk)
            if locked.roll_closed_at is not None:
                continue
            if locked.roll_taken_at is None:
                if any(not e.elsewhere for e in sitting_roster(locked).entries):
                    if locked.date == today:
                        _raise_not_taken(locked)
                    continue
            _close(locked, by=None, now=now)
            closed += 1
    _tell_late_corrections(today, now)
    return closed


def _starts_at(sitting: Sitting) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(sitting.date, sitting.start))


def _not_taken_key(sitting: Sitting) -> str:
    return alert_key(Alert.Kind.ROLL_NOT_TAKEN, sitting.date, sitting=sitting.pk)


def _tell_late_corrections(today: dt.date, now: dt.datetime) -> None:
    """Absences marked after the close today (a correction) that nobody has told yet."""
    sittings = (
        Sitting.objects.filter(
            date=today,
            roll_closed_at__isnull=False,
            attendance__status=Attendance.Status.ABSENT,
            attendance__leave__isnull=True,
            attendance__guardian_told_at__isnull=True,
        )
        .select_related("school")
        .distinct()
    )
    for sitting in sittings:
        with transaction.atomic():
            _tell_guardians(sitting, now)


# --- leave ----------------------------------------------------------------------------------


def leave_file(
    *, student: Student, first_day: dt.date, last_day: dt.date | None, reason: str, actor
) -> LeaveRequest:
    """请假 for a day or a range (at most 31 days, from today on, not overlapping another
    filed leave of the child), with a reason."""
    access.require_guardian_or_school_admin(actor, student)
    today = timezone.localdate()
    last_day = last_day or first_day
    reason = (reason or "").strip()
    problems = Problems()
    if first_day is None:
        problems.add("first_day_required", _("Give the first day of the leave."), field="first_day")
    else:
        if first_day < today:
            problems.add(
                "leave_in_past",
                _("Leave is filed from today on; %(day)s has passed."),
                field="first_day",
                day=first_day.isoformat(),
            )
        elif first_day > today + dt.timedelta(days=LEAVE_AHEAD_DAYS):
            problems.add(
                "leave_too_far_ahead",
                _("Leave is filed at most %(days)d days ahead."),
                field="first_day",
                days=LEAVE_AHEAD_DAYS,
            )
        if last_day < first_day:
            problems.add(
                "leave_ends_before_it_begins",
                _("The last day of the leave is before its first day."),
                field="last_day",
            )
        elif (last_day - first_day).days + 1 > LEAVE_LONGEST_DAYS:
            problems.add(
                "leave_too_long",
                _("A leave is at most %(days)d days; file another one after it."),
                field="last_day",
                days=LEAVE_LONGEST_DAYS,
            )
    if not reason:
        problems.add("reason_required", _("Give the reason for the leave."), field="reason")
    elif len(reason) > 200:
        problems.add("reason_too_long", _("The reason is at most 200 characters."), field="reason")
    problems.raise_if_any()
    with transaction.atomic():
        chain.lock_children([student.pk])  # two leaves filed at once: one after the other
        overlapping = LeaveRequest.objects.filter(
            student=student,
            status=LeaveRequest.Status.FILED,
            first_day__lte=last_day,
            last_day__gte=first_day,
        ).first()
        if overlapping is not None:
            raise refusal(
                "leave_overlaps",
                _("A leave from %(first)s to %(last)s is filed already for these days."),
                field="first_day",
                first=overlapping.first_day.isoformat(),
                last=overlapping.last_day.isoformat(),
            )
        leave = LeaveRequest.objects.create(
            school_id=student.school_id,
            student=student,
            first_day=first_day,
            last_day=last_day,
            reason=reason,
            filed_by=access.user_of(actor),
        )
        if first_day <= today <= last_day:
            _absences_become_leave(leave, today, actor)
    return leave


def _absences_become_leave(leave: LeaveRequest, day: dt.date, actor) -> None:
    """Leave filed for today after the roll was taken: today's absences were explained."""
    absences = list(
        Attendance.objects.filter(
            student_id=leave.student_id, sitting__date=day, status=Attendance.Status.ABSENT
        )
    )
    for absence in absences:
        absence.status, absence.leave = Attendance.Status.LEAVE, leave
    if absences:
        Attendance.objects.bulk_update(absences, ["status", "leave"])
        log_bulk_changes(
            [
                (a, {"status": ["absent", "leave"], "leave": ["None", str(leave.pk)]})
                for a in absences
            ],
            actor=access.user_of(actor),
        )


def leave_withdraw(*, leave: LeaveRequest, actor) -> LeaveRequest:
    """Withdraw a filed leave. One that has begun ends yesterday instead (its days past
    stay on leave); one whose last day has passed cannot be withdrawn."""
    access.require_guardian_or_school_admin(actor, leave.student)
    today = timezone.localdate()
    with transaction.atomic():
        locked = LeaveRequest.objects.select_for_update().get(pk=leave.pk)
        if locked.status != LeaveRequest.Status.FILED or locked.last_day < today:
            raise refusal(
                "leave_not_withdrawable",
                _("This leave is over or withdrawn already."),
            )
        if locked.first_day < today:
            locked.last_day = today - dt.timedelta(days=1)
        else:
            locked.status = LeaveRequest.Status.WITHDRAWN
        locked.withdrawn_at = timezone.now()
        locked.save()
    return locked
