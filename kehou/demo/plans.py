"""The demo city's terms, its policy profile and a published plan for every school (issue 3).

The city is 滨州 and adopts its own seed's rules (004, a news report: two accepted content
modes, 30+X or weekly club days; no illegal extra lessons; no fee before the government
approves a standard). 004 is silent on most rules, so the bureau then enters, the way a
real bureau would and citing its own local notice, the rules it sets itself: five service
days a week, two hours a day, not ending before the local off-work time (17:30), extended
care on request, junior evening study ending by 20:30, and a pay floor of 60 yuan a
class-hour. Every other rule stays unstated, and the profile page says it is not checked.

Then every school gets a plan that fits its type (primary 1–2 / 3–6, junior 7–9, evening
study and a boarders' slot at boarding schools). Most plans meet every rule; a few fall
short the ways real plans do — four service days, too short a day, an end before the
off-work time, too little homework tutoring for 30+X and no weekly club day — so the
bureau's compliance table has something to show.

Everything but the profile is written with bulk_create: the 362-school city gets its plans
in about a second.
"""

import dataclasses
import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from kehou.accounts.models import User
from kehou.org.access import SYSTEM
from kehou.org.models import Region, School, SchoolYear
from kehou.policy.models import PlanContentItem, PlanSlot, PlanVacationWeek, PolicyProfile
from kehou.policy.models import SchoolPlan as Plan
from kehou.terms.models import Term

BATCH_SIZE = 2000
TEMPLATE = "binzhou_004"
OFF_WORK_TIME = datetime.time(17, 30)
EVENING_STUDY_END = datetime.time(20, 30)
PAY_FLOOR = Decimal(60)
REPORT_DUE_DAY = 24
REPORT_REMINDER_DAYS = 3
COMPLAINT_REPLY_DAYS = 7
# The bureau's own notice (made up for the demo), cited by every rule it enters.
LOCAL_NOTICE = (
    "依据《滨州市教育局关于做好义务教育学校课后服务工作的通知》（演示）：每周5个工作日"
    "开展课后服务，每天不少于2小时，结束时间不早于本市正常下班时间17:30；对有特殊需要的"
    "学生提供延时托管；初中晚自习不晚于20:30结束；教师课后服务报酬每课时不低于60元。"
    "各校于每月24日前报送上月课后服务月报；家长投诉、举报7日内办结答复。"
)

# How a plan falls short (None = it meets every rule of the demo profile).
OK = None
FOUR_DAYS = "four_days"
TOO_SHORT = "too_short"
ENDS_EARLY = "ends_early"
SHORT_HOMEWORK = "short_homework"  # 20 minutes of homework tutoring and no club day
# The first schools of any demo city, so even the 12-school city shows every kind.
FIXED_VARIANTS = [OK, OK, FOUR_DAYS, OK, TOO_SHORT, ENDS_EARLY, OK, SHORT_HOMEWORK, OK, OK, OK, OK]
RANDOM_VARIANTS = [
    (OK, 72),
    (FOUR_DAYS, 7),
    (TOO_SHORT, 7),
    (ENDS_EARLY, 7),
    (SHORT_HOMEWORK, 7),
]

MON_FRI = [0, 1, 2, 3, 4]
SATURDAY = 5

SPORTS = ["跳绳", "篮球", "足球", "乒乓球", "田径", "武术", "啦啦操", "羽毛球", "踢毽子"]
EXTENDED = [
    ("书法", "arts"),
    ("合唱", "arts"),
    ("国画", "arts"),
    ("剪纸", "arts"),
    ("沾化渔鼓戏", "arts"),
    ("科学小实验", "science"),
    ("机器人编程", "science"),
    ("航模", "science"),
    ("绘本阅读", "reading"),
    ("经典诵读", "reading"),
    ("劳动实践", "labour"),
    ("博兴草柳编", "labour"),
    ("围棋", "interest_group"),
    ("象棋", "interest_group"),
    ("文学社", "club"),
    ("小记者社", "club"),
]
PAY = [Decimal("60.00"), Decimal("70.00"), Decimal("80.00")]

SAFETY = (
    "一、每段服务开始前由服务教师点名，缺勤学生当即联系家长，核实去向。\n"
    "二、放学按年级分批离校，家长凭接送卡在校门口指定区域接孩子；家长未到的学生留校看护，"
    "不得让学生独自离校。\n"
    "三、值班领导、护导教师和保安全程在岗，校门口设“护学岗”。\n"
    "四、体育活动前检查场地和器材；学校制定课后服务安全应急预案，每学期至少演练一次。\n"
    "五、校外人员进校服务须经背景审查、签订协议，服务时有校内教师陪同。"
)


@dataclass
class PlanSummary:
    terms: int = 0
    plans: int = 0
    compliant: int = 0
    slots: int = 0
    content_items: int = 0
    sessions: int = 0
    sessions_skipped: str = ""  # why sessions (or some of their days) were not generated
    variants: dict = dataclasses.field(default_factory=dict)

    @property
    def rows(self) -> int:
        return self.terms + self.plans + self.slots + self.content_items + self.sessions


@dataclass
class SchoolToPlan:
    """What the plan seeder needs of a demo school."""

    school: School
    admin_id: int | None
    county_name: str
    central_name: str = ""


def seed_terms(year: SchoolYear) -> tuple[Term, Term]:
    """Autumn (Sep 1 – Jan 22) and spring (Feb 22 – Jul 2) of the school year."""
    y = year.start_year
    autumn, _created = Term.objects.get_or_create(
        school_year=year,
        semester=Term.Semester.FIRST,
        defaults={"start": datetime.date(y, 9, 1), "end": datetime.date(y + 1, 1, 22)},
    )
    spring, _created = Term.objects.get_or_create(
        school_year=year,
        semester=Term.Semester.SECOND,
        defaults={"start": datetime.date(y + 1, 2, 22), "end": datetime.date(y + 1, 7, 2)},
    )
    return autumn, spring


def seed_profile(city: Region, officer: User | None) -> PolicyProfile:
    """滨州市 adopts seed 004 (version 1), then its officer enters the city's own rules
    (version 2), each citing the city's notice; the rules 004 states keep 004's citation."""
    from kehou.policy import services as policy

    actor = officer or SYSTEM
    policy.profile_templates_install(actor=SYSTEM)
    profile = policy.profile_adopt(template_key=TEMPLATE, region=city, actor=actor)
    values = policy.profile_values_of(policy.profile_rules(profile))
    return policy.profile_update(
        profile=profile,
        actor=actor,
        values=dataclasses.replace(
            values,
            service_days_per_week=5,
            min_minutes_per_day=120,
            off_work_time=OFF_WORK_TIME,
            extended_care_required=True,
            evening_study_latest_end=EVENING_STUDY_END,
            pay_floor_per_class_hour=PAY_FLOOR,
            report_due_day=REPORT_DUE_DAY,
            report_reminder_days=REPORT_REMINDER_DAYS,
            complaint_reply_days=COMPLAINT_REPLY_DAYS,
        ),
        note=LOCAL_NOTICE,
    )


def _slot(plan, grades, start, end, kind=PlanSlot.Kind.REGULAR, weekdays=None, label=""):
    return PlanSlot(
        plan=plan,
        grade_from=grades[0],
        grade_to=grades[1],
        start=start,
        end=end,
        kind=kind,
        weekdays=weekdays,
        label=label,
    )


def _t(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


class PlanSeeder:
    def __init__(self, *, rng: random.Random, term: Term, now: datetime.datetime) -> None:
        self.rng = rng
        self.term = term
        self.now = now
        self.summary = PlanSummary()

    def variant(self, index: int) -> str | None:
        if index < len(FIXED_VARIANTS):
            return FIXED_VARIANTS[index]
        kinds, weights = zip(*RANDOM_VARIANTS, strict=True)
        return self.rng.choices(kinds, weights=weights)[0]

    def plan(self, entry: SchoolToPlan, variant: str | None) -> Plan:
        rng, school = self.rng, entry.school
        term = self.term
        grades = [g for g in school.grades if g <= 9]
        mode = (
            Plan.ServiceMode.FLEXIBLE_LEAVING
            if rng.random() < 0.8
            else Plan.ServiceMode.EXTENDED_DISMISSAL
        )
        weekdays = [0, 1, 2, 3] if variant == FOUR_DAYS else MON_FRI
        homework_minutes, club_days = rng.choice([30, 40, 45, 60]), rng.choice([1, 2])
        short = variant == SHORT_HOMEWORK
        published = timezone.make_aware(
            datetime.datetime.combine(term.start - datetime.timedelta(days=7), _t("10:00"))
        )
        plan = Plan(
            school=school,
            term=term,
            version=1,
            status=Plan.Status.PUBLISHED,
            term_start=term.start,
            term_end=term.end,
            service_weekdays=[*weekdays, SATURDAY],
            service_mode=mode,
            homework_minutes_per_day=20 if short else homework_minutes,
            club_days_per_week=0 if short else club_days,
            pay_per_class_hour=rng.choice(PAY),
            fee_per_term=Decimal(0),
            grade12_written_homework=False if 1 in grades else None,
            junior_homework_at_school_percent=rng.choice([80, 85, 90]) if 7 in grades else None,
            service_method=self.method_text(entry, mode),
            safety_measures=SAFETY,
            complaint_channel=(
                f"学校课后服务监督电话 {school.phone}；{entry.county_name}教育局监督电话 "
                f"0543-{3210000 + int(school.region.code[-2:]) * 101}；12345政务服务便民热线"
            ),
            created_by_id=entry.admin_id,
            published_by_id=entry.admin_id,
            published_at=published,
        )
        plan._demo = (entry, variant, grades, weekdays)
        return plan

    def method_text(self, entry: SchoolToPlan, mode: str) -> str:
        school = entry.school
        text = (
            "学生自愿参加，家长申请、学校审核。每天课后服务分两段：第一段以作业辅导为主，"
            "教师答疑解惑、培优辅差，不讲新课；第二段开展体育、艺术、科普、阅读等活动，"
            "学生按兴趣选择。周六上午开放校园，组织体育和社团活动。"
        )
        if mode == Plan.ServiceMode.FLEXIBLE_LEAVING:
            text += "实行弹性离校：家长可选择第一段结束或全部结束后接孩子。"
        else:
            text += "实行延时放学：服务结束后学生按年级统一离校。"
        if school.is_boarding:
            text += "寄宿生晚间由生活老师和值班教师负责管理。"
        if entry.central_name:
            text += f"教学点由{entry.central_name}统筹安排，中心学校教师定期走教。"
        return text

    def parts(self, plan: Plan) -> tuple[list, list, list]:
        entry, variant, grades, weekdays = plan._demo
        school = entry.school
        rng = self.rng
        slots: list[PlanSlot] = []
        primary = [g for g in grades if g <= 6]
        junior = [g for g in grades if g >= 7]
        ends = []
        if primary:
            if variant == ENDS_EARLY:
                low, high = ("15:00", "17:00"), ("15:10", "17:10")
            else:
                low = ("15:30", "17:30")
                high = ("16:30", "17:50") if variant == TOO_SHORT else ("15:50", "17:50")
            if min(primary) <= 2:
                slots.append(
                    _slot(plan, (min(primary), 2), _t(low[0]), _t(low[1]), weekdays=weekdays)
                )
                ends.append(low[1])
            if max(primary) >= 3:
                slots.append(
                    _slot(plan, (max(3, min(primary)), max(primary)), _t(high[0]), _t(high[1]),
                          weekdays=weekdays)
                )  # fmt: skip
                ends.append(high[1])
        if junior:
            if variant == ENDS_EARLY:
                span = ("15:20", "17:20")
            elif variant == TOO_SHORT and not primary:
                span = ("16:40", "18:00")
            else:
                span = ("16:00", "18:00")
            slots.append(
                _slot(plan, (min(junior), max(junior)), _t(span[0]), _t(span[1]), weekdays=weekdays)
            )
            ends.append(span[1])
        lo, hi = min(grades), max(grades)
        care_start = _t(max(ends))
        care_end = (datetime.datetime.combine(self.term.start, care_start) + datetime.timedelta(
            minutes=40)).time()  # fmt: skip
        slots.append(
            _slot(plan, (lo, hi), care_start, care_end, PlanSlot.Kind.EXTENDED_CARE, weekdays,
                  "家长申请，看护至家长来接")
        )  # fmt: skip
        slots.append(
            _slot(plan, (lo, hi), _t("09:00"), _t("11:00"), weekdays=[SATURDAY],
                  label="周六上午：体育活动、社团活动")
        )  # fmt: skip
        if school.is_boarding:
            if primary:
                slots.append(
                    _slot(plan, (min(primary), max(primary)), _t("18:40"), _t("20:00"),
                          PlanSlot.Kind.BOARDING, weekdays, "寄宿生晚间服务")
                )  # fmt: skip
            if junior:
                slots.append(
                    _slot(plan, (min(junior), max(junior)), _t("19:00"), _t("20:30"),
                          PlanSlot.Kind.EVENING_STUDY, weekdays, "晚自习：自主学习，不讲新课")
                )  # fmt: skip

        content = [PlanContentItem(plan=plan, name="作业辅导", category="homework")]
        for name in rng.sample(SPORTS, 2 if school.is_urban else 1):
            content.append(PlanContentItem(plan=plan, name=name, category="sports"))
        if school.school_type == School.Type.TEACHING_POINT:
            n = 1
        elif school.is_urban:
            n = rng.choice([3, 3, 4])
        else:
            n = rng.choice([1, 2, 3])
        for name, category in rng.sample(EXTENDED, n):
            content.append(PlanContentItem(plan=plan, name=name, category=category))
        if junior:
            content.append(PlanContentItem(plan=plan, name="课业答疑", category="tutoring"))

        y = self.term.school_year.start_year + 1
        weeks = [
            PlanVacationWeek(
                plan=plan,
                season=PlanVacationWeek.Season.WINTER,
                start=datetime.date(y, 1, 25),
                end=datetime.date(y, 1, 29),
            ),
            PlanVacationWeek(
                plan=plan,
                season=PlanVacationWeek.Season.SUMMER,
                start=datetime.date(y, 7, 12),
                end=datetime.date(y, 7, 30),
            ),
        ]
        return slots, content, weeks

    def record_shortfalls(self, plans: list[Plan]) -> None:
        """The record `plan_publish` keeps of what a plan went out with (`published_shortfalls`,
        shown on the plan page and to the bureau): the plans are bulk-created as published, so
        the same check is run and stored here, as the service would have after the admin
        confirmed."""
        from kehou.policy.selectors import plan_check, profile_for_school

        for plan in plans:
            profile = profile_for_school(plan.school)
            shortfalls = plan_check(plan=plan, profile=profile) if profile is not None else []
            plan.published_shortfalls = [s.as_dict() for s in shortfalls]
        Plan.objects.bulk_update(plans, ["published_shortfalls"], batch_size=BATCH_SIZE)

    def write(self, entries: list[SchoolToPlan]) -> list[Plan]:
        plans = [self.plan(entry, self.variant(i)) for i, entry in enumerate(entries)]
        Plan.objects.bulk_create(plans, batch_size=BATCH_SIZE)
        slots, content, weeks = [], [], []
        for plan in plans:
            s, c, w = self.parts(plan)
            slots += s
            content += c
            weeks += w
            variant = plan._demo[1]
            key = variant or "compliant"
            self.summary.variants[key] = self.summary.variants.get(key, 0) + 1
        PlanSlot.objects.bulk_create(slots, batch_size=BATCH_SIZE)
        PlanContentItem.objects.bulk_create(content, batch_size=BATCH_SIZE)
        PlanVacationWeek.objects.bulk_create(weeks, batch_size=BATCH_SIZE)
        self.record_shortfalls(plans)
        self.summary.plans = len(plans)
        self.summary.compliant = self.summary.variants.get("compliant", 0)
        self.summary.slots = len(slots)
        self.summary.content_items = len(content)
        return plans
