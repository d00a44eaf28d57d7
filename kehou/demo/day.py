"""The main school's days so far this month (issue 9, R15-R17), and today ready to take.

Like kehou.demo.sittings, everything goes through the real services, as the people who
would have done it (the admin, the instructors, the gate keeper, the demo guardian), each
step with the clock at its moment (`_at`):

- the school's end-of-day rules, and a duty teacher for every service day of the month up
  to the end of this week (today: the demo teacher and a colleague);
- the demo guardian's grandmother as an authorised collector of the younger child, and
  e-mail as their channel besides the inbox (chosen last night, so mail starts today);
- a walk-home consent on a signed paper form for a child old enough (grade 3 on), and a
  leave filed for the elder child for a coming day;
- the last service days of this month before today (at most `HISTORY_DAYS`): the
  homework-help group of the demo family's children (and the group of the child who walks
  home) takes roll, closes it, hands the children to the duty teacher at the end and they
  leave: collected by a guardian or the grandmother, a few late, one walks home alone;
- an inspection with a defect still open, a fire drill, a grazed knee.

Today stays untaken: whoever runs the demo takes today's roll. The past days are bounded
by the groups chosen (a few dozen children a day), so the story seeds in seconds.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.utils import timezone

from kehou.accounts.models import User
from kehou.attendance import services as attendance
from kehou.attendance.models import Attendance
from kehou.attendance.selectors import covering_leaves
from kehou.custody import services as custody
from kehou.custody.models import Dismissal
from kehou.demo.sittings import _at, _moment
from kehou.notifications.services import channel_choice_save
from kehou.org.models import AuthorisedCollector, Guardian, School, Staff, StudentGuardian
from kehou.safety import services as safety
from kehou.safety.models import Drill, Incident
from kehou.sittings.models import Sitting
from kehou.sittings.selectors import Roster, day_rosters

HISTORY_DAYS = 3  # the month's last service days replayed (each costs about a second)
WALK_HOME_FROM_GRADE = 3  # the demo's choice: younger children are collected
LATE_PER_DAY = 2
GRANDMOTHER = "奶奶"
WALK_HOME_STATEMENT = (
    "本人同意孩子在课后服务结束后自行步行回家（家住学校东侧小区，步行约五分钟），"
    "已告知孩子回家路线和交通安全注意事项。"
)


@dataclass
class DayStory:
    days: int = 0  # past service days replayed
    marks: int = 0
    dismissals: int = 0
    late: int = 0
    today_sittings: int = 0
    duty_today: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _when(day: dt.date, at: dt.time, minutes: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at)) + dt.timedelta(minutes=minutes)


def _service_days(school: School, first: dt.date, last: dt.date) -> list[dt.date]:
    return sorted(
        set(
            Sitting.objects.filter(school=school, date__gte=first, date__lte=last).values_list(
                "date", flat=True
            )
        )
    )


def seed_day_story(*, school: School, phones, seed: int | str) -> DayStory:
    """The story of the main school (see the module's text); `phones` gives new numbers."""
    started = time.perf_counter()
    story = DayStory()
    rng = random.Random(f"day-{seed}")
    today = timezone.localdate()
    admin = User.objects.get(phone="13800000003")
    gate = User.objects.get(phone="13800000005")
    teacher = Staff.objects.select_related("user").get(user__phone="13800000004")
    parent = User.objects.get(phone="13800000006")
    family = list(
        StudentGuardian.objects.filter(guardian__user=parent)
        .select_related("student", "guardian")
        .order_by("student__birth_date", "pk")
    )
    elder = family[0].student if family else None
    younger = family[-1].student if family else None
    month_start = today.replace(day=1)
    monday = today - dt.timedelta(days=today.weekday())
    days = _service_days(school, min(month_start, monday), monday + dt.timedelta(days=6))
    past = [d for d in days if month_start <= d < today][-HISTORY_DAYS:]

    with _at(_moment(days[0] if days else today, 7)):
        custody.day_rules_set(
            school=school, roll_closes_after=20, collection_grace=10, alert_after=30, actor=admin
        )
    colleagues = list(
        Staff.objects.filter(school=school, kind=Staff.Kind.SCHOOL_TEACHER, is_active=True)
        .exclude(pk=teacher.pk)
        .exclude(user__isnull=True)
        .order_by("pk")[:5]
    )
    duty: dict[dt.date, Staff] = {}
    for i, day in enumerate(days):
        on_duty = [colleagues[i % len(colleagues)]] if colleagues else [teacher]
        if day == today:
            on_duty = [teacher, *on_duty[:1]]
            story.duty_today = [s.name for s in on_duty]
        with _at(_moment(min(day, today), 7)):
            for staff in on_duty:
                custody.duty_assign(school=school, date=day, staff=staff, actor=admin)
        duty[day] = on_duty[-1]

    grandmother = None
    if younger is not None:
        grandmother = AuthorisedCollector.objects.create(
            student=younger,
            name=f"{younger.name[0]}桂兰",
            relation=GRANDMOTHER,
            phone=next(phones),
            valid_until=dt.date(today.year + (today.month >= 9), 7, 15),
        )

    walker = _walker(school, past[-1] if past else today)
    if walker is not None:
        link = StudentGuardian.objects.filter(student=walker).order_by("-is_primary").first()
        with _at(_moment(month_start, 8)):
            custody.walk_home_consent_give(
                student=walker,
                guardian=link.guardian,
                statement=WALK_HOME_STATEMENT,
                valid_from=month_start,
                valid_until=None,
                on_paper=True,
                actor=admin,
            )

    # One past day the elder child was on leave (filed the evening before).
    if elder is not None and len(past) >= 3:
        sick = past[len(past) // 2]
        with _at(_moment(sick - dt.timedelta(days=1), 20)):
            attendance.leave_file(
                student=elder,
                first_day=sick,
                last_day=sick,
                reason="感冒发烧，在家休息",
                actor=parent,
            )

    for day in past:
        _replay(
            school,
            day,
            rng=rng,
            story=story,
            gate=gate,
            duty=duty.get(day, teacher),
            family={link.student_id for link in family},
            grandmother=grandmother,
            walker=walker,
        )
        story.days += 1

    last_evening = _moment(today - dt.timedelta(days=1), 20)
    with _at(last_evening):
        if family:
            channel_choice_save(
                user=parent, actor=parent, by_email=True, email=f"{parent.phone}@example.com"
            )
    # A leave for the elder child on a coming service day, filed this morning.
    coming = _service_days(school, today + dt.timedelta(days=2), today + dt.timedelta(days=14))
    if elder is not None and coming:
        with _at(_moment(today, 7, 10)):
            attendance.leave_file(
                student=elder,
                first_day=coming[0],
                last_day=coming[0],
                reason="去医院复查视力",
                actor=parent,
            )
    _safety(school, today, admin=admin, teacher=teacher, colleagues=colleagues, child=younger)
    story.today_sittings = Sitting.objects.filter(school=school, date=today).count()
    story.seconds = time.perf_counter() - started
    return story


def _walker(school: School, day: dt.date):
    """A child of grade 3 or above at an offering that day, with a guardian on file."""
    for roster in day_rosters(school, day):
        if roster.sitting.offering_id is None:
            continue
        for entry in roster.entries:
            c = entry.school_class
            if c is not None and c.grade >= WALK_HOME_FROM_GRADE:
                if StudentGuardian.objects.filter(student=entry.student).exists():
                    return entry.student
    return None


def _groups(school: School, day: dt.date, wanted: set[int]) -> list[tuple]:
    """For each wanted child, the smallest offering group of the day they are at, with the
    plan's sitting of their grades that they go back to afterwards, and who takes its roll;
    a child at no group that day is at the plan's sitting of their grades, whose roll their
    class's head teacher takes for the class (roster, sitting to go back to, roll taker)."""
    rosters = day_rosters(school, day)
    plan = [r.sitting for r in rosters if r.sitting.offering_id is None]
    chosen: dict[int, tuple[Roster, Sitting]] = {}
    for roster in sorted(rosters, key=lambda r: (len(r.entries), r.sitting.start, r.sitting.pk)):
        sitting = roster.sitting
        if sitting.offering_id is None or sitting.responsible is None:
            continue
        ids = {e.student.pk for e in roster.entries}
        if not (ids & wanted) or sitting.responsible.user_id is None:
            continue
        wanted = wanted - ids
        after = [
            p
            for p in plan
            if p.kind == Sitting.Kind.REGULAR
            and p.grade_from <= sitting.grade_from
            and p.grade_to >= sitting.grade_to
            and p.end >= sitting.end
        ]
        if after:
            chosen[sitting.pk] = (roster, max(after, key=lambda p: p.end), sitting.responsible)
    for roster in rosters:
        sitting = roster.sitting
        if sitting.offering_id is not None or sitting.kind != Sitting.Kind.REGULAR:
            continue
        for entry in roster.entries:
            head = entry.school_class.head_teacher if entry.school_class else None
            if entry.student.pk not in wanted or head is None or head.user_id is None:
                continue
            own = [
                e
                for e in roster.entries
                if e.school_class == entry.school_class and not e.elsewhere
            ]
            wanted = wanted - {e.student.pk for e in own}
            chosen[(sitting.pk, entry.school_class.pk)] = (Roster(sitting, own), None, head)
    return list(chosen.values())


def _replay(school, day, *, rng, story, gate, duty, family, grandmother, walker) -> None:
    wanted = set(family) | ({walker.pk} if walker else set())
    for roster, after, taker in _groups(school, day, wanted):
        sitting = roster.sitting
        instructor = taker.user
        ids = [e.student.pk for e in roster.entries]
        leaves = covering_leaves(ids, day)
        strangers = [pk for pk in ids if pk not in wanted and pk not in leaves]
        absent = rng.choice(strangers) if strangers and rng.random() < 0.5 else None
        late = set(rng.sample(strangers, min(1, len(strangers)))) - {absent}
        marks = []
        for n, pk in enumerate(ids):
            status = Attendance.Status.PRESENT
            if pk in leaves:
                status = Attendance.Status.LEAVE
            elif pk == absent:
                status = Attendance.Status.ABSENT
            elif pk in late:
                status = Attendance.Status.LATE
            minutes = 8 if status == Attendance.Status.LATE else 1 + n // 15
            marks.append((pk, status, _when(day, sitting.start, minutes), ""))
        with _at(_when(day, sitting.start, 10)):
            attendance.roll_mark(sitting=sitting, marks=marks, actor=instructor)
            attendance.roll_close(sitting=sitting, actor=instructor)
        story.marks += len(marks)
        there = [pk for pk, status, _t, _n in marks if status in ("present", "late")]
        if not there:
            continue
        if after is not None and duty.pk != taker.pk:  # one on duty keeps the children
            with _at(_when(day, sitting.end)):
                custody.handover_record(
                    from_staff=sitting.responsible,
                    to_staff=duty,
                    students=there,
                    sitting=after,
                    actor=instructor,
                )
        _dismiss(
            day,
            after or sitting,
            there,
            rng=rng,
            story=story,
            gate=gate,
            family=family,
            grandmother=grandmother,
            walker=walker,
        )


def _dismiss(day, after, there, *, rng, story, gate, family, grandmother, walker) -> None:
    """The children leave around the end of the plan's sitting: collected by a guardian
    who may collect (recognised on the list), the grandmother on Wednesdays, a few late;
    the walker alone."""
    links: dict[int, Guardian] = {}
    for link in (
        StudentGuardian.objects.filter(student_id__in=there, may_collect=True)
        .select_related("guardian")
        .order_by("-is_primary", "pk")
    ):
        links.setdefault(link.student_id, link.guardian)
    others = [pk for pk in there if pk not in family]
    late = set(rng.sample(others, min(LATE_PER_DAY, len(others))))
    for n, pk in enumerate(sorted(there, key=lambda pk: rng.random())):
        student = _student(pk)
        minutes = rng.randint(20, 40) if pk in late else -10 + (n * 17) // max(len(there), 1)
        with _at(_when(day, after.end, minutes)):
            if walker is not None and pk == walker.pk:
                custody.dismissal_record(student=student, how=Dismissal.How.WALKS_ALONE, actor=gate)
            elif grandmother is not None and pk == grandmother.student_id and day.weekday() == 2:
                custody.dismissal_record(
                    student=student,
                    how=Dismissal.How.COLLECTED,
                    collector=grandmother,
                    verified=Dismissal.Verified.LIST,
                    actor=gate,
                )
            elif pk in links:
                custody.dismissal_record(
                    student=student,
                    how=Dismissal.How.COLLECTED,
                    guardian=links[pk],
                    verified=Dismissal.Verified.LIST,
                    actor=gate,
                )
            else:
                custody.dismissal_record(
                    student=student, how=Dismissal.How.ESCORT, escort="托管班老师", actor=gate
                )
        story.dismissals += 1
        story.late += pk in late


def _student(pk: int):
    from kehou.org.models import Student

    return Student(pk=pk)


def _safety(school, today, *, admin, teacher, colleagues, child) -> None:
    """An inspection last week with the exits' defect still open, a fire drill in the
    month before, and a grazed knee at football with the guardian told."""
    from kehou.org.models import Student
    from kehou.safety.services import Check

    inspected = today - dt.timedelta(days=7)
    responsible = colleagues[0] if colleagues else teacher
    with _at(_moment(inspected, 16)):
        safety.inspection_record(
            school=school,
            inspected_on=inspected,
            inspectors=[responsible, teacher],
            checks=[
                Check(key="d:fire.extinguishers", ok=True),
                Check(
                    key="d:fire.exits",
                    ok=False,
                    description="教学楼东侧安全出口堆放体育器材，通道宽度不足",
                    responsible=responsible,
                    deadline=today + dt.timedelta(days=3),
                ),
                Check(key="d:fire.signs", ok=True),
            ],
            actor=admin,
            note="课后服务期间消防安全检查",
        )
    drilled = today - dt.timedelta(days=20)
    with _at(_moment(drilled, 17)):
        safety.drill_record(
            school=school,
            held_on=drilled,
            kind=Drill.Kind.FIRE,
            children_count=Student.objects.filter(school=school, is_active=True).count(),
            staff_count=Staff.objects.filter(school=school).count(),
            duration_minutes=15,
            observations="全体学生4分30秒内疏散至操场，三楼西侧楼梯口略有拥挤",
            follow_ups="增设楼梯口引导教师一名",
            actor=admin,
        )
    if child is None:
        return
    happened = _when(today - dt.timedelta(days=3), dt.time(16, 40))
    with _at(happened + dt.timedelta(hours=1)):
        safety.incident_record(
            school=school,
            occurred_at=happened,
            place="操场足球场",
            kind=Incident.Kind.INJURY,
            description="足球活动中跑动摔倒，右膝擦伤",
            severity=Incident.Severity.MINOR,
            students=[child],
            staff=[teacher],
            treatment="校医清洗消毒并贴创可贴",
            guardian_informed_at=happened + dt.timedelta(minutes=15),
            guardian_informed_by=teacher,
            guardian_informed_how=Incident.Informed.PHONE,
            follow_up="提醒活动前充分热身",
            actor=teacher.user,
        )
