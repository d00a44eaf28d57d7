"""The guardian's view of the day and of the month (issue 9 item 7; R15 and R16 as a family
sees them): where is my child, and who has them.

Reads only, each taking the signed-in user and scoped through kehou.org.access: a guardian
sees their own children (Http404 for any other child id), staff and everyone else get
Http404 on these pages. Every row read carries the child's own school, so a guardian with
children at two schools sees each child's data from that child's school only.

The day is computed from the records, never stored: the sittings the child is on (the same
rules as the sittings' rosters, for one child), their roll marks, the open custody (who has
the child now) and the dismissal (how the day ended). A whole family's day, or a month of
one child, is read in a fixed number of queries, whatever the number of children, sittings
or days.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import segno
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kehou.accounts.models import User
from kehou.attendance.models import Attendance, LeaveRequest
from kehou.custody import codes
from kehou.custody.models import Custody, Dismissal, WalkHomeConsent
from kehou.custody.services import dismissal_sentence
from kehou.enrollment.models import Application, Enrollment
from kehou.org import access
from kehou.org.models import (
    ClassMembership,
    Guardian,
    SchoolClass,
    Student,
)
from kehou.org.selectors import Collector, collectors_on
from kehou.sittings.models import Sitting

# The state of one sitting for the child, as the family reads it.
PRESENT = Attendance.Status.PRESENT
LATE = Attendance.Status.LATE
ABSENT = Attendance.Status.ABSENT
LEAVE = Attendance.Status.LEAVE
NOT_TAKEN = "not_taken"

# The statement a guardian starts from when consenting that the child walks home alone (自行
# 离校). It is the guardian's own written statement kept on file, so it stays in Chinese
# whatever the page's language, like the text of a signed paper form.
WALK_HOME_STATEMENT = (
    "本人是{name}的监护人。本人同意{name}在课后服务结束后自行离校回家，"
    "已告知孩子回家路线和交通安全注意事项；孩子离校后的安全由本人负责。"
)


# --- scope ------------------------------------------------------------------------------


def _require_guardian_user(user) -> None:
    """These pages are a guardian's: anyone else (staff, the bureau, superusers) gets 404."""
    if not access.is_acting(user) or getattr(user, "role", None) != User.Role.GUARDIAN:
        raise Http404


def children_for(user) -> list[Student]:
    """The guardian's own children on roll, with their school."""
    _require_guardian_user(user)
    ids = access.students_for(user).filter(is_active=True).values("pk")
    return list(Student.objects.filter(pk__in=ids).select_related("school").order_by("name", "pk"))


def access_child(user, pk: int) -> Student:
    """One of the guardian's own children (on roll or not: their history stays theirs)."""
    _require_guardian_user(user)
    ids = access.students_for(user).values("pk")
    child = Student.objects.filter(pk__in=ids, pk=pk).select_related("school").first()
    if child is None:
        raise Http404
    return child


def guardian_of(user, student: Student) -> Guardian:
    """The user's Guardian record at the child's school (404 when there is none)."""
    return access.require_guardian(user, student)


# --- which sittings a child is on --------------------------------------------------------


def _enrolment_covers(starts_on: dt.date, ends_on: dt.date | None, day: dt.date) -> bool:
    """kehou.enrollment.selectors.enrolment_in_effect, for one enrolment and one day."""
    return starts_on <= day and (ends_on is None or ends_on > day)


def _application_covers(application: Application, day: dt.date) -> bool:
    """kehou.sittings.selectors.application_in_effect, for one application and one day."""
    return (
        application.status in (Application.Status.APPROVED, Application.Status.WITHDRAWN)
        and application.starts_on is not None
        and application.starts_on <= day
        and (application.withdrawn_on is None or application.withdrawn_on > day)
    )


def _plan_sitting_wants(
    sitting: Sitting, student: Student, application: Application, school_class
) -> bool:
    """The rosters' rule for a plan slot's sitting (kehou.sittings.selectors._wants), with
    the weekday the roster query asks for."""
    if sitting.timetable_weekday not in (application.service_weekdays or []):
        return False
    if school_class is None or not sitting.grade_from <= school_class.grade <= sitting.grade_to:
        return False
    if sitting.kind == Sitting.Kind.EXTENDED_CARE:
        return application.wants_extended_care
    if sitting.kind == Sitting.Kind.BOARDING:
        return student.is_boarder
    return True


@dataclass
class _Facts:
    """What decides which sittings the children are on, read once for all of them."""

    enrolments: dict[int, list[tuple[int, dt.date, dt.date | None]]]
    applications: dict[tuple[int, int], Application]  # (student, term)
    classes: dict[tuple[int, int], SchoolClass]  # (student, school year)


def _facts(students: list[Student], first: dt.date, last: dt.date) -> _Facts:
    ids = [s.pk for s in students]
    enrolments: dict[int, list] = defaultdict(list)
    for student_id, offering_id, starts_on, ends_on in (
        Enrollment.objects.filter(student_id__in=ids, starts_on__lte=last)
        .exclude(ends_on__lte=first)
        .values_list("student_id", "offering_id", "starts_on", "ends_on")
    ):
        enrolments[student_id].append((offering_id, starts_on, ends_on))
    applications = {
        (a.student_id, a.term_id): a
        for a in Application.objects.filter(
            student_id__in=ids,
            status__in=[Application.Status.APPROVED, Application.Status.WITHDRAWN],
            starts_on__lte=last,
        ).exclude(withdrawn_on__lte=first)
    }
    classes = {
        (m.student_id, m.school_year_id): m.school_class
        for m in ClassMembership.objects.filter(student_id__in=ids).select_related("school_class")
    }
    return _Facts(enrolments, applications, classes)


def _on_sitting(student: Student, sitting: Sitting, facts: _Facts) -> bool:
    if sitting.school_id != student.school_id:
        return False
    if sitting.offering_id is not None:
        return any(
            offering_id == sitting.offering_id
            and _enrolment_covers(starts_on, ends_on, sitting.date)
            for offering_id, starts_on, ends_on in facts.enrolments.get(student.pk, ())
        )
    application = facts.applications.get((student.pk, sitting.term_id))
    if application is None or not _application_covers(application, sitting.date):
        return False
    school_class = facts.classes.get((student.pk, sitting.term.school_year_id))
    return _plan_sitting_wants(sitting, student, application, school_class)


# --- one sitting, one day ------------------------------------------------------------------


@dataclass
class SittingLine:
    """A sitting the child is on (or was marked at), with its roll mark."""

    sitting: Sitting
    mark: Attendance | None
    leave: LeaveRequest | None

    @property
    def state(self) -> str:
        if self.mark is not None:
            return self.mark.status
        if self.leave is not None:
            return LEAVE
        return NOT_TAKEN

    @property
    def state_label(self) -> str:
        if self.state == NOT_TAKEN and (
            self.sitting.roll_closed_at or self.sitting.date < timezone.localdate()
        ):
            return _("No mark")  # the roll call is over and did not mark the child
        return STATE_LABELS[self.state]()

    @property
    def tone(self) -> str:
        return {PRESENT: "ok", LATE: "warn", ABSENT: "warn"}.get(self.state, "")

    @property
    def title(self) -> str:
        return self.sitting.label or self.sitting.get_kind_display()

    @property
    def teacher(self) -> str:
        """The responsible teacher's name: the only thing about staff a family is shown."""
        return self.sitting.responsible.name if self.sitting.responsible_id else ""


STATE_LABELS = {
    PRESENT: lambda: _("Present"),
    LATE: lambda: _("Late"),
    ABSENT: lambda: _("Absent"),
    LEAVE: lambda: _("On leave"),
    NOT_TAKEN: lambda: _("Roll call not yet taken"),
}


@dataclass
class ChildDay:
    """One child's day as the family sees it."""

    student: Student
    day: dt.date
    lines: list[SittingLine] = field(default_factory=list)
    leave: LeaveRequest | None = None
    custody: Custody | None = None
    dismissal: Dismissal | None = None
    consent: WalkHomeConsent | None = None
    collectors: list[Collector] = field(default_factory=list)
    is_today: bool = False

    @property
    def arrived_at(self) -> dt.datetime | None:
        """The first mark of present or late: when the child was seen at school."""
        times = [line.mark.marked_at for line in self.lines if line.mark and line.mark.is_there]
        return min(times) if times else None

    @property
    def expected(self) -> bool:
        """The child is to come today: seen at a sitting, or not marked anywhere yet. A
        child marked absent or on leave (and nowhere present) is not expected at the day's
        later sittings either."""
        states = {line.state for line in self.lines}
        if states & {PRESENT, LATE}:
            return True
        if states & {ABSENT, LEAVE}:
            return False
        return NOT_TAKEN in states

    @property
    def on_site(self) -> bool:
        return self.custody is not None

    @property
    def shows_pickup_code(self) -> bool:
        """Today only, while the child is expected or on site and not yet dismissed."""
        return self.is_today and self.dismissal is None and (self.on_site or self.expected)

    @property
    def pickup_code(self) -> str:
        return codes.pickup_code(self.student.pk, self.day)

    @property
    def pickup_qr(self) -> SafeString:
        return pickup_qr_svg(self.student.pk, self.day)

    @property
    def now_text(self) -> str:
        return custody_sentence(self.custody) if self.custody else ""

    @property
    def ended_text(self) -> str:
        return dismissal_sentence(self.dismissal) if self.dismissal else ""


def pickup_qr_svg(student_id: int, day: dt.date) -> SafeString:
    """The day's pickup QR code as inline SVG (sized by CSS; nothing is written)."""
    qr = segno.make(codes.qr_payload(student_id, day), error="m", micro=False)
    svg = qr.svg_inline(border=2, omitsize=True, svgclass="pickup-qr", lineclass=None)
    return mark_safe(svg)  # noqa: S308 - segno's own markup of digits and a fixed prefix


def _count(lines: list[SittingLine]) -> dict[str, int]:
    counts = dict.fromkeys((PRESENT, LATE, ABSENT, LEAVE, NOT_TAKEN), 0)
    for line in lines:
        counts[line.state] += 1
    return counts


def _lines(
    students: list[Student], first: dt.date, last: dt.date
) -> tuple[dict[int, list[SittingLine]], dict[int, list[LeaveRequest]]]:
    """Each child's sittings from `first` to `last` with their marks, and the leave they
    filed overlapping those days."""
    ids = [s.pk for s in students]
    if not ids:
        return {}, {}
    facts = _facts(students, first, last)
    school_of = {s.pk: s.school_id for s in students}
    marks = {
        (m.student_id, m.sitting_id): m
        for m in Attendance.objects.filter(
            student_id__in=ids, sitting__date__gte=first, sitting__date__lte=last
        )
        if m.school_id == school_of[m.student_id]
    }
    leaves: dict[int, list[LeaveRequest]] = defaultdict(list)
    for leave in LeaveRequest.objects.filter(
        student_id__in=ids,
        status=LeaveRequest.Status.FILED,
        first_day__lte=last,
        last_day__gte=first,
    ).order_by("first_day", "pk"):
        if leave.school_id == school_of[leave.student_id]:
            leaves[leave.student_id].append(leave)

    wanted = Q(pk__in=[sitting_id for _student, sitting_id in marks])
    for student in students:
        offerings = {o for o, _s, _e in facts.enrolments.get(student.pk, ())}
        terms = {t for (s, t) in facts.applications if s == student.pk}
        wanted |= Q(school_id=student.school_id) & (
            Q(offering_id__in=offerings) | Q(offering__isnull=True, term_id__in=terms)
        )
    sittings = (
        Sitting.objects.filter(wanted, date__gte=first, date__lte=last)
        .select_related("term", "responsible")
        .order_by("date", "start", "grade_from", "kind", "label", "pk")
    )
    lines: dict[int, list[SittingLine]] = defaultdict(list)
    for sitting in sittings:
        for student in students:
            mark = marks.get((student.pk, sitting.pk))
            if mark is None and not _on_sitting(student, sitting, facts):
                continue
            leave = next((lv for lv in leaves.get(student.pk, ()) if lv.covers(sitting.date)), None)
            lines[student.pk].append(SittingLine(sitting, mark, leave))
    return lines, leaves


def days_of(students: list[Student], day: dt.date) -> list[ChildDay]:
    """The day of each child (already scoped by the caller), in a fixed number of queries."""
    if not students:
        return []
    ids = [s.pk for s in students]
    school_of = {s.pk: s.school_id for s in students}
    lines, leaves = _lines(students, day, day)
    custodies = {
        c.student_id: c
        for c in Custody.objects.filter(student_id__in=ids, until__isnull=True).select_related(
            "holder", "sitting"
        )
        if c.school_id == school_of[c.student_id]
    }
    dismissals: dict[int, Dismissal] = {}
    for dismissal in Dismissal.objects.filter(student_id__in=ids, date=day).order_by("at", "pk"):
        if dismissal.school_id == school_of[dismissal.student_id]:
            dismissals[dismissal.student_id] = dismissal  # the latest of the day
    consents: dict[int, WalkHomeConsent] = {}
    for consent in (
        WalkHomeConsent.objects.filter(
            student_id__in=ids, withdrawn_at__isnull=True, valid_from__lte=day
        )
        .exclude(valid_until__lt=day)
        .order_by("recorded_at", "pk")
    ):
        if consent.school_id == school_of[consent.student_id]:
            consents[consent.student_id] = consent  # the newest, as the gate reads it
    collectors = collectors_on(ids, day)
    today = timezone.localdate()
    return [
        ChildDay(
            student=student,
            day=day,
            lines=lines.get(student.pk, []),
            leave=next((lv for lv in leaves.get(student.pk, ()) if lv.covers(day)), None),
            custody=custodies.get(student.pk),
            dismissal=dismissals.get(student.pk),
            consent=consents.get(student.pk),
            collectors=collectors.get(student.pk, []),
            is_today=day == today,
        )
        for student in students
    ]


def family_today(user) -> list[ChildDay]:
    """Today for each of the guardian's children (the family page and the guardian's home)."""
    return days_of(children_for(user), timezone.localdate())


def child_today(user, pk: int) -> ChildDay:
    return days_of([access_child(user, pk)], timezone.localdate())[0]


# --- a month ------------------------------------------------------------------------------


@dataclass
class HistoryDay:
    date: dt.date
    lines: list[SittingLine]
    leave: LeaveRequest | None
    dismissals: list[Dismissal]

    @property
    def ended_texts(self) -> list[str]:
        return [dismissal_sentence(d) for d in self.dismissals]


@dataclass
class MonthHistory:
    student: Student
    month: dt.date  # the first of the month
    days: list[HistoryDay]
    leaves: list[LeaveRequest]
    previous: dt.date
    next: dt.date | None  # None for the current month (no history ahead)

    @property
    def counts(self) -> dict[str, int]:
        return _count([line for day in self.days for line in day.lines])


def month_from(value: str | None, today: dt.date) -> dt.date:
    """The first day of the month `?month=2026-11` names (404 for anything else), else of
    this month."""
    if not value:
        return today.replace(day=1)
    try:
        month = dt.date.fromisoformat(f"{value}-01")
    except ValueError as error:
        raise Http404 from error
    if not 2000 <= month.year <= today.year + 1:
        raise Http404
    return month


def _next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def month_history(user, pk: int, month: dt.date) -> MonthHistory:
    """One child's month up to today: each day's sittings with their marks, the leave
    filed, and how each day ended."""
    student = access_child(user, pk)
    today = timezone.localdate()
    first = month
    last = min(_next_month(month) - dt.timedelta(days=1), today)
    lines: dict[int, list[SittingLine]] = {}
    leaves: dict[int, list[LeaveRequest]] = {}
    dismissals: dict[dt.date, list[Dismissal]] = defaultdict(list)
    if first <= last:
        lines, leaves = _lines([student], first, last)
        for dismissal in Dismissal.objects.filter(
            student=student, school_id=student.school_id, date__gte=first, date__lte=last
        ).order_by("at", "pk"):
            dismissals[dismissal.date].append(dismissal)
    by_date: dict[dt.date, list[SittingLine]] = defaultdict(list)
    for line in lines.get(student.pk, []):
        by_date[line.sitting.date].append(line)
    child_leaves = leaves.get(student.pk, [])
    days = [
        HistoryDay(
            date=day,
            lines=by_date.get(day, []),
            leave=next((lv for lv in child_leaves if lv.covers(day)), None),
            dismissals=dismissals.get(day, []),
        )
        for day in sorted(set(by_date) | set(dismissals), reverse=True)
    ]
    following = _next_month(month)
    return MonthHistory(
        student=student,
        month=month,
        days=days,
        leaves=child_leaves,
        previous=(month - dt.timedelta(days=1)).replace(day=1),
        next=following if following <= today else None,
    )


# --- walk-home consent ---------------------------------------------------------------------


def walk_home_consents(user, student: Student) -> list[WalkHomeConsent]:
    """Every consent on file for the child at its school, newest first (the caller has the
    child through access_child)."""
    _require_guardian_user(user)
    return list(
        WalkHomeConsent.objects.filter(student=student, school_id=student.school_id)
        .select_related("guardian")
        .order_by("-recorded_at", "-pk")
    )


def access_consent(user, student: Student, consent_pk: int) -> WalkHomeConsent:
    consent = WalkHomeConsent.objects.filter(
        pk=consent_pk, student=student, school_id=student.school_id
    ).first()
    if consent is None:
        raise Http404
    return consent


def walk_home_statement(student: Student) -> str:
    return WALK_HOME_STATEMENT.format(name=student.name)


# --- how a day ended, in words -------------------------------------------------------------


def custody_sentence(custody: Custody) -> str:
    """Who has the child now, and where (escaped by the page)."""
    began = timezone.localtime(custody.since)
    # A custody still open from an earlier day (nobody dismissed the child) says its day.
    since = began.strftime("%H:%M" if began.date() == timezone.localdate() else "%m-%d %H:%M")
    sitting = custody.sitting
    if sitting is None:
        return _("With %(name)s since %(since)s.") % {"name": custody.holder.name, "since": since}
    where = sitting.label or sitting.get_kind_display()
    if sitting.room:
        where = f"{where} · {sitting.room}"
    return _("With %(name)s at %(where)s since %(since)s.") % {
        "name": custody.holder.name,
        "where": where,
        "since": since,
    }
