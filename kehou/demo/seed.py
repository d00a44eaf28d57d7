"""The demo city (SPEC R1, R2): a plausible 滨州市 with its schools, classes, children,
guardians and staff, for demonstrations, manual testing and benchmarks.

`seed_city` builds the city school by school and writes each school with a handful of
`bulk_create` calls, so the full city of seed 004 (362 schools, 190,000 children) seeds
in a couple of minutes and memory stays bounded by the largest school.

`bulk_create` bypasses django-auditlog on purpose: seeding is not a change anybody made
to a child's record, and a million log entries would only slow the demo down. Code that
changes real children's data in bulk must call kehou.org.audit.log_bulk_created instead.

Everything is drawn from one `random.Random(seed)`: the same seed builds the same city.
"""

import datetime
import functools
import math
import random
import time
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehou import money
from kehou.accounts.backends import DEMO_PASSWORD
from kehou.accounts.models import User
from kehou.core.db import analyze
from kehou.demo import names
from kehou.demo.day import DayStory, seed_day_story
from kehou.demo.menus import MenuSummary, seed_menus
from kehou.demo.money import (
    MoneyStory,
    seed_money_story,
    seed_next_year_calendar,
    seed_withdrawal,
)
from kehou.demo.months import MonthsStory, seed_past_months
from kehou.demo.oversight import OversightStory, seed_oversight
from kehou.demo.plans import PlanSeeder, PlanSummary, SchoolToPlan, seed_profile, seed_terms
from kehou.demo.sittings import TermHistory, generate_sittings, replay_autumn
from kehou.lib.school_calendar import school_year_start
from kehou.org.models import (
    AuthorisedCollector,
    ClassMembership,
    ExternalOrganisation,
    Guardian,
    LeadershipMember,
    Region,
    School,
    SchoolClass,
    SchoolYear,
    Staff,
    Student,
    StudentGuardian,
)
from kehou.terms.models import Term

BATCH_SIZE = 2000
MAX_SCHOOLS = 2000  # school codes number up to 999 schools per county

SMALL_CITY = {"schools": 12, "students": 6000}
FULL_CITY = {"schools": 362, "students": 190_000}  # seed 004

# Fixed, memorable demo logins. Generated numbers never use the 138 prefix.
PHONE_SUPERUSER = "13800000000"
PHONE_CITY_OFFICER = "13800000001"
PHONE_COUNTY_OFFICER = "13800000002"
PHONE_SCHOOL_ADMIN = "13800000003"
PHONE_TEACHER = "13800000004"
PHONE_GATE = "13800000005"
PHONE_GUARDIAN = "13800000006"
PHONE_ALLOCATING_ADMIN = "13800000007"

LOGIN_ROLES = [
    (PHONE_SUPERUSER, gettext_lazy("System administrator (Django admin)")),
    (PHONE_CITY_OFFICER, gettext_lazy("City education bureau officer")),
    (PHONE_COUNTY_OFFICER, gettext_lazy("County education bureau officer")),
    (PHONE_SCHOOL_ADMIN, gettext_lazy("School admin")),
    (PHONE_TEACHER, gettext_lazy("Teacher (head of a class)")),
    (PHONE_GATE, gettext_lazy("Gate keeper")),
    (PHONE_GUARDIAN, gettext_lazy("Guardian (two children)")),
    (PHONE_ALLOCATING_ADMIN, gettext_lazy("School admin (choices closed, ready to allocate)")),
]


@functools.cache
def _demo_password_hash() -> str:
    """Argon2 is slow on purpose: hash the shared demo password once per process."""
    return make_password(DEMO_PASSWORD)


class SeedRefused(Exception):
    """The database already holds schools and the caller did not ask to flush."""


@dataclass
class DemoLogin:
    role: str
    name: str
    phone: str
    where: str
    password: str = DEMO_PASSWORD


@dataclass
class SeedSummary:
    regions: int = 0
    schools: int = 0
    leadership: int = 0
    classes: int = 0
    students: int = 0
    memberships: int = 0
    guardians: int = 0
    guardian_links: int = 0
    collectors: int = 0
    staff: int = 0
    organisations: int = 0
    users: int = 0
    elapsed: float = 0.0
    logins: list[DemoLogin] = field(default_factory=list)
    plans: PlanSummary = field(default_factory=PlanSummary)
    menus: MenuSummary | None = None
    history: TermHistory | None = None  # the allocated school's term so far
    day: DayStory | None = None  # the main school's days this month (kehou.demo.day)
    money: MoneyStory | None = None  # the main school's October bills and pay (kehou.demo.money)
    months: MonthsStory | None = None  # every school's roll calls before this month
    oversight: OversightStory | None = None  # reports, surveys, complaints, supervision

    @property
    def rows(self) -> int:
        return (
            self.regions
            + self.schools
            + self.leadership
            + self.classes
            + self.students
            + self.memberships
            + self.guardians
            + self.guardian_links
            + self.collectors
            + self.staff
            + self.organisations
            + self.users
            + self.plans.rows
        )


# --- the plan: which schools, where, how big ----------------------------------------


@dataclass
class SchoolPlan:
    county: names.County
    town: str
    school_type: str
    is_urban: bool
    is_boarding: bool
    name: str = ""
    address: str = ""
    weight: float = 1.0
    central: "SchoolPlan | None" = None
    students: int = 0
    school: School | None = None
    admin_id: int | None = None


T = School.Type
# Students per grade in a typical school of each kind, before scaling to the city total.
_PER_GRADE = {
    (T.PRIMARY, True): 300,
    (T.PRIMARY, False): 60,
    (T.TEACHING_POINT, False): 8,
    (T.JUNIOR, True): 450,
    (T.JUNIOR, False): 200,
    (T.NINE_YEAR, True): 200,
    (T.NINE_YEAR, False): 60,
    (T.COMPLETE_MIDDLE, True): 500,
    (T.COMPLETE_MIDDLE, False): 300,
}
_COUNTY_WEIGHTS = [0.42, 0.22, 0.36]
_URBAN_SHARE = {"371602": 0.6, "371603": 0.2, "371621": 0.2}
_CAMPUSES = ["东校区", "西校区", "南校区", "北校区", "新校区", "分校"]


class _Namer:
    """Gives each planned school a unique, plausible name and an address."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.counters: dict[tuple[str, str], int] = {}
        self.central_by_town: dict[tuple[str, str], SchoolPlan] = {}

    def _next(self, county: names.County, kind: str) -> int:
        key = (county.code, kind)
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.counters[key]

    def name(self, plan: SchoolPlan) -> None:
        rng, c, town = self.rng, plan.county, plan.town
        if plan.is_urban:
            if plan.school_type == T.PRIMARY:
                k = self._next(c, "primary")
                base = f"{c.name}第一实验小学" if k == 1 else f"{c.name}第{names.ordinal(k)}小学"
            elif plan.school_type == T.NINE_YEAR:
                base = f"{c.name}{town[:2]}实验学校"
            else:  # junior and complete middle schools share the numbering
                base = f"{c.name}第{names.ordinal(self._next(c, 'middle'))}中学"
            plan.address = names.urban_address(rng, c, town)
        else:
            village = names.village(rng)
            central_key = (c.code, town)
            if plan.school_type == T.TEACHING_POINT:
                base = f"{c.name}{town}{village}教学点"
            elif plan.school_type == T.JUNIOR:
                base = f"{c.name}{town}中学"
            elif plan.school_type == T.COMPLETE_MIDDLE:
                base = f"{c.name}第{names.ordinal(self._next(c, 'middle'))}中学"
            elif central_key not in self.central_by_town:
                self.central_by_town[central_key] = plan
                suffix = "中心小学" if plan.school_type == T.PRIMARY else "中心学校"
                base = f"{c.name}{town}{suffix}"
                village = None
            else:
                suffix = "小学" if plan.school_type == T.PRIMARY else "学校"
                base = f"{c.name}{town}{village}{suffix}"
            plan.address = names.rural_address(rng, c, town, village)
        name, i = base, 0
        while name in self.used:
            name = base + _CAMPUSES[i % len(_CAMPUSES)] + ("" if i < len(_CAMPUSES) else str(i))
            i += 1
        self.used.add(name)
        plan.name = name


def plan_schools(rng: random.Random, count: int) -> list[SchoolPlan]:
    """The mix of seed 004's city: mostly primary schools, urban mostly in 滨城区, rural
    boarding junior and nine-year schools, teaching points run by their central school.
    The first six are fixed so that even a tiny city shows every kind."""
    binc, zhan, huim = names.COUNTIES
    namer = _Namer(rng)
    fixed = [
        SchoolPlan(binc, "市中街道", T.PRIMARY, True, False),
        SchoolPlan(zhan, "黄升镇", T.NINE_YEAR, False, True),
        SchoolPlan(zhan, "黄升镇", T.TEACHING_POINT, False, False),
        SchoolPlan(binc, "市东街道", T.JUNIOR, True, False),
        SchoolPlan(huim, "孙武街道", T.COMPLETE_MIDDLE, True, True),
        SchoolPlan(huim, "姜楼镇", T.PRIMARY, False, False),
    ]
    plans: list[SchoolPlan] = []
    for i in range(count):
        if i < len(fixed):
            plan = fixed[i]
        else:
            plan = _random_plan(rng, namer)
        if plan.school_type == T.TEACHING_POINT:
            plan.central = namer.central_by_town[(plan.county.code, plan.town)]
        namer.name(plan)
        per_grade = _PER_GRADE[(plan.school_type, plan.is_urban)]
        grades = len(School.GRADES[plan.school_type])
        plan.weight = per_grade * grades * rng.uniform(0.7, 1.3)
        plans.append(plan)
    return plans


def _random_plan(rng: random.Random, namer: _Namer) -> SchoolPlan:
    county = rng.choices(names.COUNTIES, weights=_COUNTY_WEIGHTS)[0]
    if rng.random() < _URBAN_SHARE[county.code]:
        school_type = rng.choices([T.PRIMARY, T.JUNIOR, T.NINE_YEAR], weights=[72, 20, 8])[0]
        town = rng.choice(county.urban_towns)
        boarding = school_type == T.JUNIOR and rng.random() < 0.1
        return SchoolPlan(county, town, school_type, True, boarding)
    school_type = rng.choices(
        [T.PRIMARY, T.TEACHING_POINT, T.JUNIOR, T.NINE_YEAR], weights=[55, 15, 15, 15]
    )[0]
    if school_type == T.TEACHING_POINT:
        towns = [t for t in county.towns if (county.code, t) in namer.central_by_town]
        if not towns:  # no central school in this county yet: this one becomes it
            school_type = T.PRIMARY
            town = rng.choice(county.towns)
        else:
            town = rng.choice(towns)
    else:
        town = rng.choice(county.towns)
    boarding_share = {T.PRIMARY: 0.15, T.JUNIOR: 0.7, T.NINE_YEAR: 0.6}.get(school_type, 0)
    return SchoolPlan(county, town, school_type, False, rng.random() < boarding_share)


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` exactly (largest remainder)."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    shares = [math.floor(x) for x in exact]
    short = total - sum(shares)
    by_remainder = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[:short]:
        shares[i] += 1
    return shares


# --- people -------------------------------------------------------------------------

SUBJECTS_PRIMARY = [
    ("语文", 30), ("数学", 26), ("英语", 10), ("道德与法治", 5), ("科学", 6), ("体育", 7),
    ("音乐", 5), ("美术", 5), ("信息技术", 3), ("语文、道德与法治", 3),
]  # fmt: skip
SUBJECTS_MIDDLE = [
    ("语文", 16), ("数学", 16), ("英语", 14), ("物理", 8), ("化学", 6), ("生物", 6),
    ("历史", 6), ("地理", 6), ("道德与法治", 6), ("体育与健康", 7), ("音乐", 3),
    ("美术", 3), ("信息科技", 3),
]  # fmt: skip

EXTERNAL_KINDS = list(Staff.ExternalKind)
EXTERNAL_PROFILES: dict[str, list[tuple[str, str]]] = {
    # kind: [(qualification, what they teach)]
    "retired_teacher": [
        ("小学高级教师（已退休）", "书法"), ("中学一级教师（已退休）", "数学思维"),
        ("特级教师（已退休）", "阅读指导"),
    ],
    "parent": [
        ("家长志愿者，注册会计师", "财商启蒙"), ("家长志愿者，护士", "急救常识"),
        ("家长志愿者，厨师", "劳动教育"),
    ],
    "university_student": [
        ("滨州学院体育学院在读本科生", "足球"), ("滨州医学院在读本科生", "健康教育"),
        ("滨州学院音乐学院在读本科生", "合唱"),
    ],
    "coach": [
        ("国家二级篮球运动员，篮球初级教练员", "篮球"),
        ("跆拳道黑带二段，社会体育指导员", "跆拳道"),
        ("乒乓球二级教练员", "乒乓球"),
    ],
    "folk_artist": [
        ("沾化渔鼓戏演员", "渔鼓戏"), ("剪纸艺人，市民间文艺家协会会员", "剪纸"),
        ("胡集书会说书艺人", "曲艺"),
    ],
    "craftsman": [
        ("博兴草柳编手艺人", "草柳编"), ("木工高级技师", "木工"), ("面塑手艺人", "面塑"),
    ],
    "heritage_inheritor": [
        ("省级非物质文化遗产代表性传承人（沾化渔鼓戏）", "渔鼓戏"),
        ("市级非物质文化遗产代表性传承人（惠民泥塑）", "泥塑"),
        ("县级非物质文化遗产代表性传承人（河南张泥塑）", "泥塑"),
    ],
    "professional": [
        ("注册消防工程师", "消防安全"), ("电子工程师", "机器人编程"), ("执业医师", "卫生健康"),
    ],
    "volunteer": [
        ("社区志愿者，红十字救护员证", "应急救护"), ("图书馆志愿者", "绘本阅读"),
        ("关工委“五老”志愿者", "红色故事"),
    ],
}  # fmt: skip
ORG_KINDS = ["体育文化有限公司", "艺术培训学校", "科技教育有限公司", "研学服务有限公司"]
ORG_OFFERS = [["sports"], ["arts"], ["science", "interest_group"], ["labour", "club"]]
ORG_BRANDS = ["启航", "星火", "博雅", "致远", "乐学", "童心", "鸿鹄", "渤海", "春蕾", "向上"]
COLLECTOR_RELATIONS = ["邻居", "姑姑", "舅舅", "姨妈", "叔叔", "托管班老师", "表哥"]
PAY_RATES = [Decimal("60.00"), Decimal("70.00"), Decimal("80.00"), Decimal("100.00")]

R = StudentGuardian.Relation


@dataclass
class Family:
    """Siblings share their guardians (and the household's circumstances)."""

    surname: str
    guardians: list[tuple[Guardian, str, bool, bool]]  # guardian, relation, primary, collects
    left_behind: bool
    migrant: bool
    low_income: str
    birth_region: str
    children: int = 0


class _CitySeeder:
    def __init__(self, *, rng: random.Random, stdout, summary: SeedSummary) -> None:
        self.rng = rng
        self.stdout = stdout
        self.summary = summary
        self.phones = names.PhoneSequence()
        self.student_numbers = names.StudentNumbers()
        self.password = _demo_password_hash()
        self.now = timezone.now()
        self.year = SchoolYear.objects.get_or_create(
            start_year=school_year_start(timezone.localdate())
        )[0]
        self.families: dict[str, deque[Family]] = {}  # by school code
        self.organisations: dict[str, list[ExternalOrganisation]] = {}
        self.logins: dict[str, DemoLogin] = {}

    # --- helpers -------------------------------------------------------------------

    def user(self, *, phone: str, name: str, role: str, school_id=None, region=None) -> User:
        return User(
            phone=phone,
            name=name,
            role=role,
            school_id=school_id,
            region=region,
            password=self.password,
            is_active=True,
            date_joined=self.now,
        )

    def _say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message + "\n")  # OutputWrapper adds no second newline

    # --- regions and organisations -------------------------------------------------

    def regions(self) -> tuple[Region, dict[str, Region]]:
        city, _created = Region.objects.get_or_create(
            code=names.CITY_CODE,
            defaults={"name": names.CITY_NAME, "level": Region.Level.CITY},
        )
        counties = {}
        for c in names.COUNTIES:
            counties[c.code], _created = Region.objects.get_or_create(
                code=c.code,
                defaults={"name": c.name, "level": Region.Level.COUNTY, "parent": city},
            )
        self.summary.regions = 1 + len(counties)
        return city, counties

    def external_organisations(self, counties: dict[str, Region], school_count: int) -> None:
        rng = self.rng
        start = datetime.date(self.year.start_year, 8, 1)
        orgs = []
        for i in range(max(3, school_count // 30)):
            county = names.COUNTIES[i % len(names.COUNTIES)]
            kind = ORG_KINDS[i % len(ORG_KINDS)]
            vetted = i % 4 != 3  # one in four still waits for the bureau
            orgs.append(
                ExternalOrganisation(
                    region=counties[county.code],
                    name=f"{county.name}{rng.choice(ORG_BRANDS)}{kind}",
                    credit_code=names.credit_code(rng, county.code),
                    licence_number=f"教民{county.code}{rng.randint(10**9, 10**10 - 1)}",
                    # The sixth one's licence has lapsed: vetted but not usable.
                    licence_valid_until=start.replace(year=start.year + (-1 if i == 5 else 3)),
                    status="approved" if vetted else "pending",
                    status_on=start - datetime.timedelta(days=rng.randint(10, 300))
                    if vetted
                    else None,
                    offers=ORG_OFFERS[i % len(ORG_OFFERS)],
                    has_violation_record=i == 7,
                )
            )
        names_seen: set[str] = set()
        for org in orgs:  # brand names can repeat; make each one distinct
            while org.name in names_seen:
                org.name = org.name.replace("有限公司", "有限责任公司", 1) + "分公司"
            names_seen.add(org.name)
        ExternalOrganisation.objects.bulk_create(orgs)
        for org in orgs:
            self.organisations.setdefault(org.region_id, []).append(org)
        self.summary.organisations = len(orgs)

    # --- schools ---------------------------------------------------------------------

    def schools(self, plans: list[SchoolPlan], counties: dict[str, Region]) -> None:
        """Central schools first: a teaching point needs its central school's id.

        学校标识码 here: "3" + the county code + a three-digit number within the county."""
        serial: dict[str, int] = {}
        for plan in plans:
            serial[plan.county.code] = serial.get(plan.county.code, 0) + 1
            plan.school = School(
                code=f"3{plan.county.code}{serial[plan.county.code]:03d}",
                name=plan.name,
                region=counties[plan.county.code],
                school_type=plan.school_type,
                is_urban=plan.is_urban,
                is_boarding=plan.is_boarding,
                address=plan.address,
                phone=f"0543-{self.rng.randint(2000000, 8999999)}",
            )
        central = [p.school for p in plans if p.central is None]
        School.objects.bulk_create(central, batch_size=BATCH_SIZE)
        points = [p for p in plans if p.central is not None]
        for plan in points:
            plan.school.central_school = plan.central.school
        School.objects.bulk_create([p.school for p in points], batch_size=BATCH_SIZE)
        self.summary.schools = len(plans)

    def populate(self, plan: SchoolPlan, *, first: bool, second: bool = False) -> None:
        """Everything inside one school, written with one bulk_create per table. The first
        school's people (and, with `second`, this school's admin) get the printed logins."""
        rng, school = self.rng, plan.school
        grades = list(School.GRADES[plan.school_type])
        per_grade = apportion(plan.students, [rng.uniform(0.9, 1.1) for _ in grades])
        target = 45 if plan.is_urban else 40
        class_sizes: list[tuple[int, list[int]]] = []  # (grade, sizes of its classes)
        for grade, n in zip(grades, per_grade, strict=True):
            if n == 0:
                continue
            count = 1 if plan.school_type == T.TEACHING_POINT else max(1, math.ceil(n / target))
            class_sizes.append((grade, apportion(n, [1.0] * count)))
        class_count = sum(len(sizes) for _g, sizes in class_sizes)

        users: list[User] = []
        # Leading group and the school's own accounts.
        principal_gender = "M" if rng.random() < 0.7 else "F"
        principal = names.person_name(rng, principal_gender, "adult")
        leadership = self.leadership(plan, principal)
        admin_phone = (
            PHONE_SCHOOL_ADMIN if first else PHONE_ALLOCATING_ADMIN if second else next(self.phones)
        )
        users.append(
            self.user(
                phone=admin_phone, name=principal, role=User.Role.SCHOOL_ADMIN, school_id=school.pk
            )
        )
        gate_name = names.person_name(rng, "M", "elder")
        gate_phone = PHONE_GATE if first else next(self.phones)
        users.append(
            self.user(phone=gate_phone, name=gate_name, role=User.Role.GATE, school_id=school.pk)
        )
        if first:
            self.logins[PHONE_SCHOOL_ADMIN] = DemoLogin("", principal, admin_phone, school.name)
            self.logins[PHONE_GATE] = DemoLogin("", gate_name, gate_phone, school.name)
        if second:
            self.logins[PHONE_ALLOCATING_ADMIN] = DemoLogin("", principal, admin_phone, school.name)

        # Staff: about one school teacher per 18 children, and external instructors.
        teacher_count = max(1 if plan.school_type == T.TEACHING_POINT else 2, plan.students // 18)
        teacher_count = max(teacher_count, math.ceil(class_count / 2))
        staff = [self.school_teacher(plan) for _ in range(teacher_count)]
        if first:
            staff[0].phone = PHONE_TEACHER
            self.logins[PHONE_TEACHER] = DemoLogin("", staff[0].name, PHONE_TEACHER, school.name)
        if plan.school_type != T.TEACHING_POINT:
            external_count = min(8, 1 + plan.students // 250)
            if first:
                external_count = max(external_count, len(EXTERNAL_KINDS))
            for i in range(external_count):
                kind = EXTERNAL_KINDS[i % len(EXTERNAL_KINDS)] if first else None
                staff.append(self.external_instructor(plan, kind))
        staff_users = [
            self.user(phone=s.phone, name=s.name, role=User.Role.TEACHER, school_id=school.pk)
            for s in staff
        ]
        users.extend(staff_users)

        # Children, class by class, with their families.
        classes: list[SchoolClass] = []
        pupils: list[tuple[Student, int]] = []  # student, index of its class
        links: list[tuple[Student, Guardian, str, bool, bool]] = []
        collectors: list[tuple[Student, AuthorisedCollector]] = []
        new_guardians: list[Guardian] = []
        forced_family: Family | None = None
        for grade, sizes in class_sizes:
            for number, size in enumerate(sizes, start=1):
                class_index = len(classes)
                head = staff[class_index % teacher_count]
                classes.append(
                    SchoolClass(
                        school=school,
                        school_year=self.year,
                        grade=grade,
                        number=number,
                        head_teacher=head,
                    )
                )
                for _k in range(size):
                    family = None
                    if first and not pupils:
                        family = self.new_family(plan, new_guardians, demo_guardian=True)
                        forced_family = family
                    elif first and forced_family and grade != grades[0] and number == 1:
                        family, forced_family = forced_family, None  # the demo's sibling
                    student = self.child(plan, grade, family, links, new_guardians)
                    pupils.append((student, class_index))
                    if rng.random() < 0.02:
                        collectors.append((student, self.collector(student)))

        guardian_users = [
            self.user(phone=g.phone, name=g.name, role=User.Role.GUARDIAN) for g in new_guardians
        ]
        users.extend(guardian_users)

        # Write: users first (everyone else points at them), then the school's people.
        User.objects.bulk_create(users, batch_size=BATCH_SIZE)
        plan.admin_id = users[0].pk
        for s, u in zip(staff, staff_users, strict=True):
            s.user_id = u.pk
        for g, u in zip(new_guardians, guardian_users, strict=True):
            g.user_id = u.pk
        LeadershipMember.objects.bulk_create(leadership, batch_size=BATCH_SIZE)
        Staff.objects.bulk_create(staff, batch_size=BATCH_SIZE)
        for c in classes:
            c.head_teacher_id = c.head_teacher.pk
        SchoolClass.objects.bulk_create(classes, batch_size=BATCH_SIZE)
        Guardian.objects.bulk_create(new_guardians, batch_size=BATCH_SIZE)
        students = [s for s, _i in pupils]
        Student.objects.bulk_create(students, batch_size=BATCH_SIZE)
        year_id = self.year.pk
        ClassMembership.objects.bulk_create(
            [
                ClassMembership(
                    student_id=s.pk, school_class_id=classes[i].pk, school_year_id=year_id
                )
                for s, i in pupils
            ],
            batch_size=BATCH_SIZE,
        )
        StudentGuardian.objects.bulk_create(
            [
                StudentGuardian(
                    student_id=s.pk,
                    guardian_id=g.pk,
                    relation=relation,
                    is_primary=primary,
                    may_collect=collects,
                )
                for s, g, relation, primary, collects in links
            ],
            batch_size=BATCH_SIZE,
        )
        for s, c in collectors:
            c.student_id = s.pk
        AuthorisedCollector.objects.bulk_create([c for _s, c in collectors])

        sm = self.summary
        sm.leadership += len(leadership)
        sm.staff += len(staff)
        sm.classes += len(classes)
        sm.students += len(students)
        sm.memberships += len(students)
        sm.guardians += len(new_guardians)
        sm.guardian_links += len(links)
        sm.collectors += len(collectors)
        sm.users += len(users)

    def leadership(self, plan: SchoolPlan, principal: str) -> list[LeadershipMember]:
        rng, school = self.rng, plan.school
        if plan.school_type == T.TEACHING_POINT:
            posts = [("教学点负责人", "head"), ("安全管理员", "member")]
        else:
            posts = [("校长", "head"), ("业务副校长", "deputy")]
            if plan.students > 600 or rng.random() < 0.5:
                posts.append(("安全副校长", "deputy"))
            posts += [("教导主任", "member"), ("德育主任", "member")]
            if plan.students > 300:
                posts.append(("总务主任", "member"))
            if plan.school_type in (T.PRIMARY, T.NINE_YEAR):
                posts.append(("少先队大队辅导员", "member"))
            else:
                posts.append(("团委书记", "member"))
        members = []
        for order, (post, role) in enumerate(posts):
            name = (
                principal if role == "head" else names.person_name(rng, rng.choice("MF"), "adult")
            )
            members.append(
                LeadershipMember(school=school, name=name, post=post, group_role=role, order=order)
            )
        return members

    def school_teacher(self, plan: SchoolPlan) -> Staff:
        rng = self.rng
        gender = "F" if rng.random() < (0.75 if plan.school_type in (T.PRIMARY,) else 0.6) else "M"
        pool = SUBJECTS_PRIMARY if max(plan.school.grades) <= 6 else SUBJECTS_MIDDLE
        subjects = rng.choices([s for s, _w in pool], weights=[w for _s, w in pool])[0]
        return Staff(
            school=plan.school,
            name=names.person_name(rng, gender, "adult"),
            phone=next(self.phones),
            gender=gender,
            kind=Staff.Kind.SCHOOL_TEACHER,
            subjects=subjects,
            qualification="小学教师资格证"
            if max(plan.school.grades) <= 6
            else "初级中学教师资格证",
            pay_per_class_hour=PAY_RATES[0],
            pay_terms="校内教师课后服务补助，按课时计酬，按月发放",
        )

    def external_instructor(self, plan: SchoolPlan, kind: str | None) -> Staff:
        rng = self.rng
        kind = kind or rng.choice(EXTERNAL_KINDS)
        qualification, teaches = rng.choice(EXTERNAL_PROFILES[kind])
        generation = {"university_student": "child", "retired_teacher": "elder"}.get(kind, "adult")
        gender = rng.choice("MF")
        name = names.person_name(rng, gender, "adult" if generation == "child" else generation)
        roll = rng.random()
        result = (
            Staff.CheckResult.PASSED
            if roll < 0.9
            else Staff.CheckResult.PENDING
            if roll < 0.97
            else Staff.CheckResult.FAILED
        )
        start = datetime.date(self.year.start_year, 9, 1)
        signed = result == Staff.CheckResult.PASSED
        organisation = None
        if kind in ("coach", "professional", "folk_artist") and rng.random() < 0.4:
            orgs = self.organisations.get(plan.school.region_id)
            organisation = rng.choice(orgs) if orgs else None
        return Staff(
            school=plan.school,
            name=name,
            phone=next(self.phones),
            gender=gender,
            kind=Staff.Kind.EXTERNAL,
            subjects=teaches,
            external_kind=kind,
            organisation=organisation,
            qualification=qualification,
            background_check_date=start - datetime.timedelta(days=rng.randint(7, 60)),
            background_check_result=result,
            agreement_start=start if signed else None,
            agreement_end=datetime.date(self.year.start_year + 1, 7, 15) if signed else None,
            pay_per_class_hour=rng.choice(PAY_RATES),
            pay_terms="按实际课时计酬，每月结算" if signed else "",
        )

    def new_family(
        self, plan: SchoolPlan, new_guardians: list[Guardian], *, demo_guardian: bool = False
    ) -> Family:
        rng, urban = self.rng, plan.is_urban
        migrant = rng.random() < (0.15 if urban else 0.03)
        left_behind = not migrant and rng.random() < (0.02 if urban else 0.08)
        roll = rng.random()
        poverty, dibao = (0.015, 0.012) if urban else (0.04, 0.028)
        low_income = (
            Student.LowIncomeBasis.POVERTY_FILE
            if roll < poverty
            else Student.LowIncomeBasis.DIBAO
            if roll < poverty + dibao
            else ""
        )
        family_name = names.surname(rng)
        if demo_guardian:
            left_behind = False

        def person(relation: str) -> Guardian:
            gender = "M" if relation in (R.FATHER, R.GRANDFATHER) else "F"
            generation = "elder" if relation in (R.GRANDFATHER, R.GRANDMOTHER) else "adult"
            own = family_name if relation in (R.FATHER, R.GRANDFATHER) else None
            guardian = Guardian(
                school=plan.school,
                name=names.person_name(rng, gender, generation, own),
                phone=next(self.phones),
            )
            new_guardians.append(guardian)
            return guardian

        # (relation, primary contact, may collect the child)
        if left_behind:  # parents work away: grandparents bring the child up
            first = R.GRANDMOTHER if rng.random() < 0.6 else R.GRANDFATHER
            people = [(first, True, True)]
            if rng.random() < 0.5:
                other = R.GRANDFATHER if first == R.GRANDMOTHER else R.GRANDMOTHER
                people.append((other, False, True))
            if rng.random() < 0.3:
                people.append((R.MOTHER, False, False))
        else:
            roll = rng.random()
            first = R.MOTHER if roll < 0.6 else R.FATHER if roll < 0.9 else R.GRANDMOTHER
            if demo_guardian:
                first = R.MOTHER
            people = [(first, True, True)]
            if rng.random() < 0.6:
                other = R.FATHER if first == R.MOTHER else R.MOTHER
                people.append((other, False, True))
        guardians = [(person(rel), rel, primary, collects) for rel, primary, collects in people]
        if demo_guardian:
            guardians[0][0].phone = PHONE_GUARDIAN
            self.logins[PHONE_GUARDIAN] = DemoLogin(
                "", guardians[0][0].name, PHONE_GUARDIAN, plan.school.name
            )
        return Family(
            surname=family_name,
            guardians=guardians,
            left_behind=left_behind,
            migrant=migrant,
            low_income=low_income,
            birth_region=rng.choice(names.MIGRANT_BIRTH_REGIONS) if migrant else plan.county.code,
        )

    def child(
        self,
        plan: SchoolPlan,
        grade: int,
        family: Family | None,
        links: list,
        new_guardians: list[Guardian],
    ) -> Student:
        rng = self.rng
        if family is None:
            # Siblings share a family within a school: a guardian record is one
            # school's (docs/adr/0007-guardians-across-schools.md).
            pool = self.families.setdefault(plan.school.code, deque(maxlen=400))
            if pool and rng.random() < (0.14 if plan.is_urban else 0.22):
                family = pool[rng.randrange(len(pool))]
                if family.children >= (3 if rng.random() < 0.1 else 2):
                    family = None
            if family is None:
                family = self.new_family(plan, new_guardians)
                pool.append(family)
        family.children += 1
        gender = "M" if rng.random() < 0.515 else "F"
        held_back = rng.random() < 0.03
        birth = names.birth_date_for_grade(rng, grade, self.year.start_year, held_back=held_back)
        boarder = False
        if plan.is_boarding:
            share = 0.05 if grade <= 3 else 0.3 if grade <= 6 else 0.7 if grade <= 9 else 0.9
            if family.left_behind:
                share = min(1.0, share * 1.5)
            boarder = rng.random() < share
        surname = family.surname if rng.random() < 0.95 else names.surname(rng)
        student = Student(
            school_id=plan.school.pk,
            student_number=self.student_numbers(family.birth_region, birth, gender),
            name=names.person_name(rng, gender, "child", surname),
            gender=gender,
            birth_date=birth,
            is_boarder=boarder,
            has_disability=rng.random() < 0.015,
            is_left_behind=family.left_behind,
            is_migrant_child=family.migrant,
            low_income_basis=family.low_income,
        )
        for guardian, relation, primary, collects in family.guardians:
            links.append((student, guardian, relation, primary, collects))
        return student

    def collector(self, student: Student) -> AuthorisedCollector:
        rng = self.rng
        return AuthorisedCollector(
            name=names.person_name(rng, rng.choice("MF"), "adult"),
            relation=rng.choice(COLLECTOR_RELATIONS),
            phone=next(self.phones),
            valid_until=datetime.date(self.year.start_year + 1, 7, 15)
            if rng.random() < 0.7
            else None,
        )

    # --- bureau accounts -----------------------------------------------------------

    def bureau_users(self, city: Region, counties: dict[str, Region]) -> None:
        rng = self.rng
        users = [
            self.user(
                phone=PHONE_CITY_OFFICER,
                name=names.person_name(rng, "F", "adult"),
                role=User.Role.BUREAU,
                region=city,
            ),
            self.user(
                phone=PHONE_COUNTY_OFFICER,
                name=names.person_name(rng, "M", "adult"),
                role=User.Role.BUREAU,
                region=counties[names.COUNTIES[0].code],
            ),
        ]
        for c in names.COUNTIES[1:]:
            users.append(
                self.user(
                    phone=next(self.phones),
                    name=names.person_name(rng, rng.choice("MF"), "adult"),
                    role=User.Role.BUREAU,
                    region=counties[c.code],
                )
            )
        superuser = self.user(
            phone=PHONE_SUPERUSER, name="系统管理员", role=User.Role.BUREAU, region=city
        )
        superuser.is_staff = superuser.is_superuser = True
        users.append(superuser)
        User.objects.bulk_create(users)
        self.summary.users += len(users)
        self.logins[PHONE_SUPERUSER] = DemoLogin("", superuser.name, PHONE_SUPERUSER, city.name)
        self.logins[PHONE_CITY_OFFICER] = DemoLogin(
            "", users[0].name, PHONE_CITY_OFFICER, city.name
        )
        self.logins[PHONE_COUNTY_OFFICER] = DemoLogin(
            "", users[1].name, PHONE_COUNTY_OFFICER, users[1].region.name
        )


def seed_city(
    *,
    schools: int,
    students: int,
    seed: int = 2026,
    flush: bool = False,
    sessions: bool = False,
    stdout=None,
) -> SeedSummary:
    """Build the demo city in one transaction and return what was written.

    Besides the schools and people: the school year's two terms, the city's policy profile
    and a published plan for every school for the autumn term (kehou.demo.plans). With
    `sessions` (the small demo), the autumn term as it happened (kehou.demo.sittings):
    every school publishes a menu and every child ranks choices (kehou.demo.menus); the
    main school (the first: its admin, teacher, gate keeper and the guardian are the
    printed logins) ran its allocation before term and had a withdrawal and a join in
    October; the second school's choice window has just passed its closing time, ready to
    close and allocate from the page (a one-school city keeps its only school so instead);
    and every school's sittings are generated on the days the holiday calendar knows.

    Refuses (SeedRefused) when the database already holds schools, unless `flush`, which
    first deletes every school and person and every account that is not a superuser
    (see flush_demo_data). `stdout` (anything with .write(str)) receives progress lines.
    """
    if not 1 <= schools <= MAX_SCHOOLS or students < 0:
        raise ValueError(
            _("A demo city has 1 to %(max)d schools and no negative number of students.")
            % {"max": MAX_SCHOOLS}
        )
    started = time.perf_counter()
    summary = SeedSummary()
    with transaction.atomic():
        demo_accounts = User.objects.filter(phone__in=[p for p, _l in LOGIN_ROLES])
        if School.objects.exists() or demo_accounts.exists():
            if not flush:
                raise SeedRefused(
                    _(
                        "The database already holds %(count)d schools: the demo city is seeded "
                        "only into an empty database. Use --flush to replace it, or --if-empty."
                    )
                    % {"count": School.objects.count()}
                )
            flush_demo_data()
        rng = random.Random(seed)
        seeder = _CitySeeder(rng=rng, stdout=stdout, summary=summary)
        city, counties = seeder.regions()
        seeder.external_organisations(counties, schools)
        seeder.bureau_users(city, counties)
        plans = plan_schools(rng, schools)
        for plan, share in zip(plans, apportion(students, [p.weight for p in plans]), strict=True):
            plan.students = share
        seeder.schools(plans, counties)
        step = max(1, len(plans) // 20)
        for i, plan in enumerate(plans):
            # the second school's admin is a printed login where its menu waits to be allocated
            seeder.populate(plan, first=i == 0, second=sessions and i == 1)
            if stdout is not None and ((i + 1) % step == 0 or i + 1 == len(plans)):
                seeder._say(
                    _("%(done)d/%(total)d schools, %(students)d students, %(seconds).1f s")
                    % {
                        "done": i + 1,
                        "total": len(plans),
                        "students": summary.students,
                        "seconds": time.perf_counter() - started,
                    }
                )
        seed_plans(seeder, city, plans, seed=seed)
        if sessions:
            seed_term_so_far(seeder, [p.school for p in plans], seed=seed)
    analyze()
    summary.logins = [
        _login_with_role(seeder.logins[phone], label)
        for phone, label in LOGIN_ROLES
        if phone in seeder.logins  # a one-school city has no second school's admin
    ]
    summary.elapsed = time.perf_counter() - started
    return summary


def seed_plans(seeder: _CitySeeder, city: Region, plans: list[SchoolPlan], *, seed: int) -> None:
    """Terms, the city's policy profile and every school's published plan (issue 3)."""
    started = time.perf_counter()
    autumn, _spring = seed_terms(seeder.year)
    officer = User.objects.filter(phone=PHONE_CITY_OFFICER).first()
    seed_profile(city, officer)
    plan_seeder = PlanSeeder(rng=random.Random(f"plans-{seed}"), term=autumn, now=seeder.now)
    plan_seeder.summary.terms = 2
    entries = [
        SchoolToPlan(
            school=p.school,
            admin_id=p.admin_id,
            county_name=p.county.name,
            central_name=p.central.name if p.central else "",
        )
        for p in plans
    ]
    plan_seeder.write(entries)
    seeder.summary.plans = plan_seeder.summary
    seeder._say(
        _(
            "Plans for %(term)s: %(plans)d published, %(compliant)d meet every rule "
            "(%(seconds).1f s)."
        )
        % {
            "term": autumn,
            "plans": plan_seeder.summary.plans,
            "compliant": plan_seeder.summary.compliant,
            "seconds": time.perf_counter() - started,
        }
    )


def seed_term_so_far(seeder: _CitySeeder, schools: list[School], *, seed: int) -> None:
    """Menus with every child's choices, the main school's allocation and October, and
    every school's sittings (kehou.demo.menus, kehou.demo.sittings)."""
    started = time.perf_counter()
    summary = seeder.summary
    autumn = Term.objects.get(school_year=seeder.year, semester=Term.Semester.FIRST)
    main, others = schools[0], schools[1:]
    withdrawn = None
    # seed_menus leaves the window of the first school it is given ready to close.
    summary.menus = seed_menus(schools=[*others[:1], main, *others[1:]], term=autumn, seed=seed)
    if others:
        family = StudentGuardian.objects.filter(guardian__phone=PHONE_GUARDIAN)
        summary.history = replay_autumn(
            school=main,
            term=autumn,
            seed=seed,
            family_student_ids=list(family.values_list("student_id", flat=True)),
        )
        withdrawn = seed_withdrawal(
            school=main,
            term=autumn,
            family_student_ids=list(family.values_list("student_id", flat=True)),
        )
    generated = generate_sittings(schools=schools, term=autumn)
    summary.plans.sessions = generated.created
    summary.plans.sessions_skipped = generated.skipped
    if summary.history is not None:
        summary.day = seed_day_story(school=main, phones=seeder.phones, seed=seed)
        # The spring term's holidays, for its budget; entered after the autumn term's
        # sittings were generated, as a bureau would when the State Council publishes them
        # (the sittings page then offers the term's January days).
        seed_next_year_calendar(autumn)
        summary.money = seed_money_story(school=main, term=autumn, withdrawn=withdrawn)
        months_started = time.perf_counter()
        summary.months = seed_past_months(schools=schools, first_day=autumn.start, seed=seed)
        seeder._say(
            _(
                "Roll calls of every school's past months (%(months)s): %(sittings)d sittings, "
                "%(marks)d marks (%(seconds).1f s)."
            )
            % {
                "months": "、".join(f"{m.month}月" for m in summary.months.months) or "—",
                "sittings": summary.months.sittings,
                "marks": summary.months.marks,
                "seconds": time.perf_counter() - months_started,
            }
        )
        summary.oversight = story = seed_oversight(
            city=main.region.parent or main.region,
            schools=schools,
            months=summary.months.months,
            term=autumn,
            seed=seed,
        )
        seeder._say(
            _(
                "Oversight: %(rows)d school-months of figures, %(reports)d monthly reports "
                "submitted (%(late)s has not sent the month before last's), %(answers)d "
                "answers to the bureau's satisfaction survey, a needs survey sent, "
                "%(complaints)d complaints, a mid-term check and an exemplary case "
                "(%(seconds).1f s)."
            )
            % {
                "rows": story.school_months,
                "reports": story.reports,
                "late": story.late_school or "—",
                "answers": story.survey_answers,
                "complaints": story.complaints,
                "seconds": story.seconds,
            }
        )
    if summary.history is not None:
        seeder._say(
            _(
                "%(school)s ran its allocation on 31 August (%(seats)d seats from the first "
                "day of term) and is running; %(sittings)d sittings generated for every "
                "school (%(seconds).1f s)."
            )
            % {
                "school": summary.history.school,
                "seats": summary.history.enrolments,
                "sittings": generated.created,
                "seconds": time.perf_counter()
                - started
                - summary.day.seconds
                - summary.money.seconds,
            }
        )
        _say_day(seeder, summary.day)
        _say_money(seeder, summary.money)


def _say_money(seeder: _CitySeeder, story: MoneyStory) -> None:
    if story.skipped:
        seeder._say(_("Money: left out (%(why)s).") % {"why": story.skipped})
        return
    seeder._say(
        _(
            "Money (demo data): the city's fee standard, %(fee)s yuan per service day under "
            "%(document)s; October's %(bills)d bills come to %(billed)s yuan (%(low)d waived "
            "as low-income, one by the school; %(leaver)s left the service on 15 October); "
            "%(cash)d cash payments and a platform statement with %(matched)d rows matched "
            "and %(unmatched)d to match by hand; October's pay sheet: %(lines)d people, "
            "%(pay)s yuan; a spring plan drafted for next term's budget (%(seconds).1f s)."
        )
        % {
            "fee": money.yuan_text(story.standard.amount_fen),
            "document": story.standard.document,
            "bills": story.bills,
            "billed": money.yuan_text(story.billed_fen),
            "low": story.low_income,
            "leaver": story.withdrawn.name if story.withdrawn else "—",
            "cash": story.cash,
            "matched": story.matched,
            "unmatched": story.unmatched,
            "lines": story.pay_lines,
            "pay": money.yuan_text(story.pay_fen),
            "seconds": story.seconds,
        }
    )


def _say_day(seeder: _CitySeeder, day: DayStory) -> None:
    if day.today_sittings:
        today = _(
            "today's %(sittings)d sittings are not taken yet: %(duty)s on duty, and the "
            "teacher's class waits for its roll call"
        ) % {"sittings": day.today_sittings, "duty": "、".join(day.duty_today)}
    else:
        today = _("no sittings today")
    seeder._say(
        _(
            "Days this month: %(days)d days of roll calls (%(marks)d marks) and dismissals "
            "(%(dismissals)d, %(late)d late), duty, leave, e-mail for the demo guardian and "
            "safety records; %(today)s (%(seconds).1f s)."
        )
        % {
            "days": day.days,
            "marks": day.marks,
            "dismissals": day.dismissals,
            "late": day.late,
            "today": today,
            "seconds": day.seconds,
        }
    )


def _login_with_role(login: DemoLogin, label) -> DemoLogin:
    login.role = str(label)
    return login


def demo_logins() -> list[DemoLogin]:
    """The demo logins as they stand in the database (for `seed --if-empty`)."""
    users = {u.phone: u for u in User.objects.filter(phone__in=[p for p, _l in LOGIN_ROLES])}
    logins = []
    for phone, label in LOGIN_ROLES:
        user = users.get(phone)
        if user is None:
            continue
        where = user.school.name if user.school_id else user.region.name if user.region_id else ""
        if user.role == User.Role.GUARDIAN:
            link = (
                StudentGuardian.objects.filter(guardian__user=user)
                .select_related("student__school")
                .first()
            )
            where = link.student.school.name if link else ""
        logins.append(DemoLogin(str(label), user.name, phone, where))
    return logins


def _delete_newest_first(rows, newer: str) -> None:
    """Delete rows chained to their earlier versions by a protecting one-to-one: those no
    newer row refers to (`newer` is the reverse accessor), until none are left."""
    while rows.exists():
        rows.filter(**{f"{newer}__isnull": True}).delete()


def flush_demo_data() -> None:
    """Delete every school and person (with the schools' plans, menus, seats, sittings,
    bills, payments and pay), every account that is not a superuser, the demo superuser,
    the demo regions and their policy profiles and fee standards. Audit logging is off:
    this is a reset, not a change to anybody's record."""
    from auditlog.context import disable_auditlog

    from kehou.attendance.models import Attendance, LeaveRequest, RollCallBatch
    from kehou.billing.models import (
        Bill,
        BillLine,
        BillRun,
        FeeStandard,
        Refund,
        SittingCancellation,
        Waiver,
    )
    from kehou.catalog.models import Menu
    from kehou.complaints.models import Complaint
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
    from kehou.enrollment.models import Enrollment
    from kehou.notifications.models import Notification
    from kehou.payments.models import Payment, Payout, Statement, StatementRow
    from kehou.payroll.models import PayItem, PayLine, PayRates, PaySheet
    from kehou.policy.models import PolicyProfile
    from kehou.policy.models import SchoolPlan as Plan
    from kehou.reports.models import MonthlyReport, SchoolMonth
    from kehou.resources.models import Resource
    from kehou.safety.models import ChecklistItem, Defect, Drill, Incident, Inspection
    from kehou.sittings.models import Sitting
    from kehou.supervision.models import ExemplaryCase, Review, ScoringSheet
    from kehou.surveys.models import Survey

    with disable_auditlog():
        # Records protect the sittings, children, staff and accounts they name: they go
        # first, the records that refer to others before those they refer to.
        # The bureau's records first of all: reports, complaints, reviews and surveys name
        # schools, children and accounts; a correction protects the version it corrects
        # and a sheet's new version its old one, so the newest go first.
        _delete_newest_first(MonthlyReport.objects.all(), "superseded_by")
        for model in (SchoolMonth, Complaint, ExemplaryCase, Review, Survey, Resource):
            model.objects.all().delete()
        _delete_newest_first(ScoringSheet.objects.all(), "next_version")
        # Money next: payments and refunds protect bills, bills protect children
        # and terms, pay lines protect staff.
        for model in (
            Payout,
            Payment,
            StatementRow,
            Statement,
            Refund,
            BillLine,
            Bill,
            BillRun,
            Waiver,
            SittingCancellation,
            PayItem,
            PayLine,
            PaySheet,
            PayRates,
            Notification,  # with their deliveries
            Attendance,
            RollCallBatch,
            LeaveRequest,
            Alert,
            Dismissal,
            Custody,
            Handover,
            WalkHomeConsent,
            GateVisit,
            Duty,
            DayRules,
            Defect,
            Inspection,  # with their results
            ChecklistItem,
            Incident,
            Drill,
        ):
            model.objects.all().delete()
        Sitting.objects.all().delete()
        Enrollment.objects.all().delete()  # an offering's seats protect it
        Menu.objects.all().delete()  # with their offerings, runs and waiting lists
        Plan.objects.all().delete()
        demo_city = Region.objects.filter(code=names.CITY_CODE).first()
        if demo_city is not None:  # its profiles and fee standards; the templates stay
            FeeStandard.objects.filter(region__path__startswith=demo_city.path).delete()
            PolicyProfile.objects.filter(region__path__startswith=demo_city.path).delete()
        for model in (
            ClassMembership,
            StudentGuardian,
            AuthorisedCollector,
            SchoolClass,
            Student,
            Guardian,
            LeadershipMember,
            Staff,
        ):
            model.objects.all().delete()
        User.objects.filter(is_superuser=False).delete()
        User.objects.filter(phone=PHONE_SUPERUSER).delete()
        School.objects.filter(central_school__isnull=False).delete()
        School.objects.all().delete()
        ExternalOrganisation.objects.all().delete()
        city = Region.objects.filter(code=names.CITY_CODE).first()
        if city is not None:
            Region.objects.filter(path__startswith=city.path).exclude(pk=city.pk).delete()
            city.delete()
