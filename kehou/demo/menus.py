"""Demo menus (issue 4): every school of the small demo city publishes a menu for the autumn
term, opens its choice window, and every child with a guardian has ranked 5-6 choices
(kehou.placement.demo). The first school's window has just passed its closing time, so its
admin can close it and run the allocation from the page; the others stay open for a week.

Written through the catalog services, so the demo menus pass the same checks (vetted
instructors, no subject training by organisations, meetings that do not clash) as a
school's own.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from kehou.catalog import services as catalog
from kehou.catalog.models import Category, Menu
from kehou.org.access import SYSTEM
from kehou.org.models import School, Staff, Student
from kehou.placement.demo import demo_choices_seed

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
# Meeting windows after the basic service; an offering meets on one or two weekdays.
WINDOWS = [(T(16, 40), T(17, 30)), (T(17, 30), T(18, 20))]


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
    for lo, hi in _bands(school):
        children = _students_in(school, lo, hi, term.school_year)
        if not children:
            continue
        catalog.offering_save(
            menu=menu,
            actor=SYSTEM,
            activity=homework,
            name=f"作业辅导（{lo}-{hi}年级）",
            grade_from=lo,
            grade_to=hi,
            capacity=children,
            instructor=rng.choice(teachers),
            room="各班教室",
            is_fallback=True,
            meetings=[(d, T(15, 50), T(16, 40)) for d in range(5)],
        )
        summary.offerings += 1
        # About one extended seat per child, spread over 4-8 offerings of this band.
        count = max(2, min(8, children // 25))
        capacity = max(10, round(children / count * rng.uniform(0.95, 1.1)))
        for index, name in enumerate(rng.sample(list(activities), count)):
            weekday = index % 5
            days = [weekday] if rng.random() < 0.7 else [weekday, (weekday + 2) % 5]
            start, end = WINDOWS[index // 5 % len(WINDOWS)]
            catalog.offering_save(
                menu=menu,
                actor=SYSTEM,
                activity=activities[name],
                name=f"{name}（{lo}-{hi}年级）",
                grade_from=lo,
                grade_to=hi,
                capacity=capacity,
                instructor=rng.choice(teachers),
                room=f"活动室{index + 1}",
                meetings=[(d, start, end) for d in days],
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
    return total
