"""Demo menus (issue 4): every school of the small demo city publishes a menu for the autumn
term, opens its choice window, and every child with a guardian has ranked 5-6 choices
(kehou.placement.demo). The first school's window has just passed its closing time, so its
admin can close it and run the allocation from the page; the others stay open for a week.

Written through the catalog services, so the demo menus pass the same checks (vetted
instructors, no subject training by organisations, meetings inside the school's published
plan, no teacher or room booked twice) as a school's own: the times come from each
school's plan, and a timetable keeps each teacher to one group at a time.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from kehou.catalog import services as catalog
from kehou.catalog.models import Category, Menu, Offering
from kehou.org.access import SYSTEM
from kehou.org.models import School, Staff, Student
from kehou.placement.demo import demo_choices_seed
from kehou.policy.models import SchoolPlan
from kehou.resources import services as resources

T = dt.time
# (name, category, description); the categories of seed 003's "2+N".
ACTIVITIES = [
    ("足球", Category.SPORTS, "基本功、小场地对抗赛"),
    ("篮球", Category.SPORTS, "运球、传球与投篮"),
    ("合唱", Category.ARTS, "校合唱团，声部训练"),
    ("书法", Category.ARTS, "硬笔与软笔书法"),
    ("绘画", Category.ARTS, "水彩、素描入门"),
    ("科学实验", Category.SCIENCE, "动手做小实验"),
    ("机器人", Category.SCIENCE, "积木编程与搭建"),
    ("剪纸", Category.INTEREST_GROUP, "非遗剪纸技艺"),
    ("围棋", Category.CLUB, "围棋社"),
    ("课外阅读", Category.READING, "整本书阅读与分享"),
    ("劳动实践", Category.LABOUR, "校园种植与手工"),
]
# The free resources the city's bureau lists for every school (R25, seeds 000 and 001:
# 国家中小学智慧教育平台), and the activities each is attached to.
CITY_RESOURCES = [
    ("国家中小学智慧教育平台", "platform", "", (1, 9), "免费课程资源、专题教育与课后服务资源"),
    ("国家中小学智慧教育平台·课外阅读", "reading", Category.READING, (1, 9), "名著导读与阅读指导"),
]
ATTACHED = {"作业辅导": 0, "课外阅读": 1, "科学实验": 0}
HOMEWORK_MINUTES = 50
ACTIVITY_MINUTES = 50


def _minutes_after(time: dt.time, minutes: int) -> dt.time:
    return (dt.datetime.combine(dt.date(2026, 1, 1), time) + dt.timedelta(minutes=minutes)).time()


def _band_slot(plan, lo: int, hi: int) -> tuple[dt.time, dt.time] | None:
    """The time every grade of the band has in the plan's regular slots (the latest start
    and the earliest end), or None when the band has no common time. Senior grades the
    plan has no slot for (the after-school policy is for compulsory education) get no
    offering: the public page would list its times as outside the plan."""
    slots = [s for s in plan.slots.all() if s.kind == "regular" and 5 not in (s.weekdays or [])]
    starts, ends = [], []
    for grade in range(lo, hi + 1):
        own = [s for s in slots if s.grade_from <= grade <= s.grade_to]
        if not own:
            if grade >= 10:
                continue
            return None
        starts.append(min(s.start for s in own))
        ends.append(max(s.end for s in own))
    if not starts:
        return None
    start, end = max(starts), min(ends)
    return (start, end) if start < end else None


class _Timetable:
    """Who teaches when, so no teacher is given two groups at once (the menu refuses it)."""

    def __init__(self, teachers: list[Staff], rng: random.Random) -> None:
        self.teachers = teachers
        self.rng = rng
        self.busy: dict[int, list[tuple[int, dt.time, dt.time]]] = {}

    def free(self, meetings, *, own_staff_only: bool = False) -> Staff | None:
        def is_free(teacher: Staff) -> bool:
            return not any(
                day == other_day and start < other_end and other_start < end
                for day, start, end in meetings
                for other_day, other_start, other_end in self.busy.get(teacher.pk, [])
            )

        candidates = [
            t for t in self.teachers if is_free(t) and not (own_staff_only and t.is_external)
        ]
        if not candidates:
            return None
        teacher = self.rng.choice(candidates)
        self.busy.setdefault(teacher.pk, []).extend(meetings)
        return teacher


@dataclass
class MenuSummary:
    menus: int = 0
    offerings: int = 0
    applications: int = 0
    choices: int = 0
    closing_school: str = ""


def _bands(school: School) -> list[tuple[int, int]]:
    grades = list(school.grades)
    bands = [(1, 2), (3, 4), (5, 6), (7, 9), (10, 12)]
    return [(lo, hi) for lo, hi in bands if lo in grades or hi in grades]


def _students_in(school: School, lo: int, hi: int, year) -> int:
    return Student.objects.filter(
        school=school,
        is_active=True,
        memberships__school_year=year,
        memberships__school_class__grade__gte=lo,
        memberships__school_class__grade__lte=hi,
    ).count()


def seed_school_menu(*, school: School, term, rng: random.Random, closing: bool) -> MenuSummary:
    summary = MenuSummary(menus=1)
    teachers = list(Staff.objects.filter(school=school, is_active=True).order_by("pk"))
    today = term.start
    teachers = [t for t in teachers if t.is_assignable_on(today)] or teachers
    if not teachers:
        return MenuSummary()
    menu = catalog.menu_create(school=school, term=term, actor=SYSTEM)
    activities = {
        name: catalog.activity_save(
            school=school, actor=SYSTEM, name=name, category=category, description=text
        )
        for name, category, text in ACTIVITIES
    }
    homework = catalog.activity_save(
        school=school,
        actor=SYSTEM,
        name="作业辅导",
        category=Category.HOMEWORK,
        description="教师答疑解惑，书面作业在校完成",
    )
    plan = (
        SchoolPlan.objects.filter(school=school, term=term, status=SchoolPlan.Status.PUBLISHED)
        .prefetch_related("slots")
        .first()
    )
    if plan is None:
        return MenuSummary()
    days = [d for d in sorted(plan.service_weekdays) if d <= 4]
    timetable = _Timetable(teachers, rng)
    for lo, hi in _bands(school):
        children = _students_in(school, lo, hi, term.school_year)
        band = _band_slot(plan, lo, hi)
        if not children or band is None or not days:
            continue
        start, end = band
        homework_end = min(_minutes_after(start, HOMEWORK_MINUTES), end)
        meetings = [(d, start, homework_end) for d in days]
        teacher = timetable.free(meetings, own_staff_only=True)
        if teacher is None:
            continue
        catalog.offering_save(
            menu=menu,
            actor=SYSTEM,
            activity=homework,
            name=f"作业辅导（{lo}-{hi}年级）",
            grade_from=lo,
            grade_to=hi,
            capacity=children,
            instructor=teacher,
            room=f"{lo}-{hi}年级各班教室",
            is_fallback=True,
            meetings=meetings,
        )
        summary.offerings += 1
        # After homework, one or two activity windows inside the band's slot.
        windows = []
        begins = homework_end
        while len(windows) < 2 and _minutes_after(begins, 30) <= end:
            ends = min(_minutes_after(begins, ACTIVITY_MINUTES), end)
            windows.append((begins, ends))
            begins = ends
        if not windows:
            continue
        # About one extended seat per child, spread over 4-8 offerings of this band.
        count = max(2, min(8, children // 25))
        capacity = max(10, round(children / count * rng.uniform(0.95, 1.1)))
        for index, name in enumerate(rng.sample(list(activities), count)):
            weekday = days[index % len(days)]
            second = days[(index + 2) % len(days)]
            chosen = [weekday] if rng.random() < 0.7 or second == weekday else [weekday, second]
            begins, ends = windows[index // len(days) % len(windows)]
            meetings = [(d, begins, ends) for d in chosen]
            teacher = timetable.free(meetings)
            if teacher is None:
                continue
            catalog.offering_save(
                menu=menu,
                actor=SYSTEM,
                activity=activities[name],
                name=f"{name}（{lo}-{hi}年级）",
                grade_from=lo,
                grade_to=hi,
                capacity=capacity,
                instructor=teacher,
                room=f"活动室{lo}-{index + 1}",
                meetings=meetings,
            )
            summary.offerings += 1
    now = timezone.now()
    catalog.menu_settings_save(
        menu=menu,
        actor=SYSTEM,
        mode=Menu.Mode.LOTTERY,
        mechanism=Menu.Mechanism.DA,
        max_extended_per_child=1,
        window_opens_at=now - dt.timedelta(days=3),
        window_closes_at=now + dt.timedelta(days=7),
    )
    catalog.menu_publish(menu=menu, actor=SYSTEM)
    catalog.menu_open_window(menu=menu, actor=SYSTEM)
    choices = demo_choices_seed(menu=menu, seed=rng.randrange(10**9))
    summary.applications, summary.choices = choices.applications, choices.choices
    if closing:
        # As if the week had passed: the closing time is over, the admin closes and runs.
        Menu.objects.filter(pk=menu.pk).update(
            window_opens_at=now - dt.timedelta(days=7),
            window_closes_at=now - dt.timedelta(minutes=1),
        )
        summary.closing_school = school.name
    return summary


def seed_resources(*, schools: list[School]) -> int:
    """The city's free resources, attached to the homework, reading and science groups of
    every school's menus; the number of attachments."""
    if not schools:
        return 0
    city = schools[0].region.parent or schools[0].region
    listed = [
        resources.resource_add(
            region=city,
            title=title,
            kind=kind,
            url="https://basic.smartedu.cn",
            category=category,
            grade_from=grades[0],
            grade_to=grades[1],
            description=text,
            actor=SYSTEM,
        )
        for title, kind, category, grades, text in CITY_RESOURCES
    ]
    attached = 0
    for offering in Offering.objects.filter(
        menu__school__in=schools, activity__name__in=ATTACHED
    ).select_related("activity", "menu__school__region"):
        resources.resource_attach(
            offering=offering, resource=listed[ATTACHED[offering.activity.name]], actor=SYSTEM
        )
        attached += 1
    return attached


def seed_menus(*, schools: list[School], term, seed: int) -> MenuSummary:
    total = MenuSummary()
    rng = random.Random(f"menus-{seed}")
    for index, school in enumerate(schools):
        part = seed_school_menu(school=school, term=term, rng=rng, closing=index == 0)
        total.menus += part.menus
        total.offerings += part.offerings
        total.applications += part.applications
        total.choices += part.choices
        total.closing_school = total.closing_school or part.closing_school
    seed_resources(schools=schools)
    return total
