"""Reads of custody for the gate, the live board, hand-over, duty and the visitor
register, scoped through kehou.org.access (`access_*` raise Http404 outside the scope).
A GET never writes.

The board and the gate's list read a school's day in a constant number of queries,
whatever the number of children (a 3,000-child school at the end of the day).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.http import Http404
from django.utils import timezone

from kehou.custody import codes
from kehou.custody.models import Alert, Custody, DayRules, Dismissal, Duty, GateVisit
from kehou.lib.validators import mask_mobile
from kehou.org import access
from kehou.org.models import (
    ClassMembership,
    School,
    SchoolClass,
    Staff,
    Student,
)
from kehou.org.selectors import Collector, collectors_on
from kehou.sittings.models import Sitting

# --- scope ------------------------------------------------------------------------------


def access_gate_school(user) -> School:
    """The school whose gate `user` keeps (gate staff, the admin, its own teachers)."""
    if not user.school_id or not access.may_dismiss(user, user.school_id):
        raise Http404
    return access.access_school(user, user.school_id)


def access_board_school(user) -> School:
    if not user.school_id or not access.may_watch_board(user, user.school_id):
        raise Http404
    return access.access_school(user, user.school_id)


def access_visitor_school(user) -> School:
    if not user.school_id or not access.may_keep_visitors(user, user.school_id):
        raise Http404
    return access.access_school(user, user.school_id)


def access_admin_school(user) -> School:
    if not user.school_id or not access.may_manage_school(
        user, access.access_school(user, user.school_id)
    ):
        raise Http404
    return access.access_school(user, user.school_id)


def access_alert(user, pk: int) -> Alert:
    if not user.school_id or not access.may_watch_board(user, user.school_id):
        raise Http404
    alert = (
        Alert.objects.filter(pk=pk, school_id=user.school_id)
        .select_related("student", "sitting", "resolved_by")
        .first()
    )
    if alert is None:
        raise Http404
    return alert


def day_rules(school: School) -> DayRules:
    return DayRules.objects.filter(school=school).first() or DayRules(school=school)


# --- children and their classes ---------------------------------------------------------


def _classes(student_ids) -> dict[int, SchoolClass]:
    """Each child's latest class (one query)."""
    found: dict[int, SchoolClass] = {}
    rows = (
        ClassMembership.objects.filter(student_id__in=list(student_ids))
        .select_related("school_class")
        .order_by("student_id", "-school_year__start_year")
    )
    for m in rows:
        found.setdefault(m.student_id, m.school_class)
    return found


# --- the gate ---------------------------------------------------------------------------


@dataclass
class OnSite:
    custody: Custody
    school_class: SchoolClass | None
    collectors: list[Collector] = field(default_factory=list)

    @property
    def student(self):
        return self.custody.student


def _on_site(school: School, *, student_ids=None) -> list[OnSite]:
    rows = Custody.objects.filter(school=school, until__isnull=True).select_related(
        "student", "holder", "sitting"
    )
    if student_ids is not None:
        rows = rows.filter(student_id__in=list(student_ids))
    rows = list(rows)
    classes = _classes([c.student_id for c in rows])
    found = [OnSite(c, classes.get(c.student_id)) for c in rows]
    found.sort(key=_order)
    return found


def _order(item: OnSite) -> tuple:
    c = item.school_class
    return ((c.grade, c.number) if c else (99, 99), item.custody.student.name, item.custody.pk)


def gate_lookup(*, school: School, code: str, actor) -> list[OnSite]:
    """The children of the school in someone's custody now whose pickup code for today is
    `code` (six digits, or a scanned QR's text): usually one, several when two codes
    coincide (the gate chooses by name and class). Each with who may collect them."""
    if not access.may_dismiss(actor, school.pk):
        raise Http404
    today = timezone.localdate()
    code = (code or "").strip()
    if code.startswith(codes.QR_PREFIX):
        scanned = codes.read_qr(code)
        if scanned is None or scanned[1] != today:
            return []
        student_id, _day, digits = scanned
        candidates = [student_id] if codes.code_matches(student_id, today, digits) else []
    else:
        if not (len(code) == 6 and code.isdigit()):
            return []
        open_ids = Custody.objects.filter(school=school, until__isnull=True).values_list(
            "student_id", flat=True
        )
        candidates = [pk for pk in open_ids if codes.code_matches(pk, today, code)]
    if not candidates:
        return []
    found = _on_site(school, student_ids=candidates)
    people = collectors_on([f.custody.student_id for f in found], today)
    for item in found:
        item.collectors = people.get(item.custody.student_id, [])
    return found


def gate_child(*, school: School, student_id: int, actor) -> OnSite | None:
    """One child of the school on site now, with who may collect them (for the gate's
    by-name list)."""
    if not access.may_dismiss(actor, school.pk):
        raise Http404
    found = _on_site(school, student_ids=[student_id])
    if not found:
        return None
    found[0].collectors = collectors_on([student_id], timezone.localdate()).get(student_id, [])
    return found[0]


def on_site(school: School, *, q: str = "") -> list[OnSite]:
    """Every child of the school in someone's custody now (optionally by name)."""
    found = _on_site(school)
    q = q.strip()
    if q:
        found = [
            i for i in found if q in i.custody.student.name or q == i.custody.student.student_number
        ]
    return found


# --- the live board -----------------------------------------------------------------------


@dataclass
class Group:
    sitting: Sitting | None
    holder: Staff
    children: list[OnSite]


@dataclass
class Board:
    school: School
    day: dt.date
    groups: list[Group]
    on_site: int
    dismissed: list[Dismissal]
    dismissed_by_how: list[tuple[str, int]]
    alerts: list[Alert]
    duty: list[Duty]


def board(school: School, day: dt.date | None = None) -> Board:
    """Who is still on site, with whom, by sitting (with counts); who left today and how;
    open alerts; the day's duty. Seven queries whatever the school's size."""
    day = day or timezone.localdate()
    children = _on_site(school)
    grouped: dict[tuple, Group] = {}
    for item in children:
        c = item.custody
        key = (c.sitting_id, c.holder_id)
        if key not in grouped:
            grouped[key] = Group(c.sitting, c.holder, [])
        grouped[key].children.append(item)
    groups = sorted(
        grouped.values(),
        key=lambda g: (
            g.sitting is None,
            g.sitting.start if g.sitting else dt.time(0),
            g.sitting.label if g.sitting else "",
            g.holder.name,
        ),
    )
    dismissals = list(
        Dismissal.objects.filter(school=school, date=day).select_related("student").order_by("-at")
    )
    labels = dict(Dismissal.How.choices)
    counts = (
        Dismissal.objects.filter(school=school, date=day)
        .values("how")
        .annotate(n=Count("pk"))
        .order_by("how")
    )
    return Board(
        school=school,
        day=day,
        groups=groups,
        on_site=len(children),
        dismissed=dismissals,
        dismissed_by_how=[(labels[row["how"]], row["n"]) for row in counts],
        alerts=list(
            Alert.objects.filter(school=school, resolved_at__isnull=True)
            .select_related("student", "sitting")
            .order_by("-raised_at")
        ),
        duty=list(Duty.objects.filter(school=school, date=day).select_related("staff")),
    )


# --- hand-over ----------------------------------------------------------------------------


@dataclass
class HandoverChoice:
    student_id: int
    name: str
    school_class: SchoolClass | None
    ticked: bool
    with_me: bool


def handover_choices(*, giver: Staff | None, sitting: Sitting | None) -> list[HandoverChoice]:
    """The children a giver may hand over, pre-ticked: those in their custody now; and,
    for a class teacher, the children of their classes on the receiving sitting's roster
    who are in nobody's custody yet (coming from lessons)."""
    from kehou.sittings.selectors import sitting_roster

    mine = []
    if giver is not None:
        mine = list(
            Custody.objects.filter(holder=giver, until__isnull=True).select_related("student")
        )
    choices = {
        c.student_id: HandoverChoice(c.student_id, c.student.name, None, True, True) for c in mine
    }
    if sitting is not None and giver is not None:
        own_classes = set(
            SchoolClass.objects.filter(head_teacher=giver).values_list("pk", flat=True)
        )
        if own_classes:
            roster = sitting_roster(sitting)
            wanted = {
                e.student.pk: e
                for e in roster.entries
                if e.school_class is not None and e.school_class.pk in own_classes
            }
            held = set(
                Custody.objects.filter(student_id__in=list(wanted), until__isnull=True).values_list(
                    "student_id", flat=True
                )
            )
            gone = set(
                Dismissal.objects.filter(
                    student_id__in=list(wanted), date=sitting.date
                ).values_list("student_id", flat=True)
            )
            # Marked absent or on leave at this sitting's roll call: not there to hand over
            # (read through the reverse relation: custody does not import attendance).
            gone |= set(
                Student.objects.filter(
                    pk__in=list(wanted),
                    attendance__sitting=sitting,
                    attendance__status__in=("absent", "leave"),
                ).values_list("pk", flat=True)
            )
            for pk, entry in wanted.items():
                if pk not in held and pk not in gone and pk not in choices:
                    choices[pk] = HandoverChoice(
                        pk, entry.student.name, entry.school_class, True, False
                    )
    classes = _classes(list(choices))
    for choice in choices.values():
        choice.school_class = choice.school_class or classes.get(choice.student_id)
    return sorted(
        choices.values(),
        key=lambda c: (
            (c.school_class.grade, c.school_class.number) if c.school_class else (99, 99),
            c.name,
        ),
    )


def today_sittings(school: School) -> list[Sitting]:
    return list(
        Sitting.objects.filter(school=school, date=timezone.localdate())
        .select_related("responsible")
        .order_by("start", "grade_from", "label")
    )


def active_staff(school: School) -> list[Staff]:
    return list(Staff.objects.filter(school=school, is_active=True).order_by("name"))


# --- duty and visitors --------------------------------------------------------------------


def week_of(day: dt.date) -> list[dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return [monday + dt.timedelta(days=i) for i in range(7)]


def duty_week(school: School, monday: dt.date) -> list[tuple[dt.date, list[Duty]]]:
    days = week_of(monday)
    duties: dict[dt.date, list[Duty]] = defaultdict(list)
    for duty in Duty.objects.filter(
        school=school, date__gte=days[0], date__lte=days[-1]
    ).select_related("staff"):
        duties[duty.date].append(duty)
    return [(d, duties[d]) for d in days]


@dataclass
class VisitRow:
    visit: GateVisit
    phone: str  # masked


def visits_on(school: School, day: dt.date) -> list[VisitRow]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = start + dt.timedelta(days=1)
    rows = GateVisit.objects.filter(school=school, arrived_at__gte=start, arrived_at__lt=end)
    return [VisitRow(v, mask_mobile(v.phone)) for v in rows.order_by("-arrived_at")]
