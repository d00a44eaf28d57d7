"""Writes of profiles and school plans (SPEC R4, R5).

A published plan is never edited in place: `plan_start_draft` copies it into a new
version, `plan_update` changes only drafts, and `plan_publish` supersedes the previous
published version. Every profile change appends a `PolicyProfileVersion`. Each write is
one transaction and validates everything before touching the database; a refusal raises
ValidationError with Chinese messages that name the field and row.

The contract reads (`profile_for_school`, `profile_rules`, `plan_facts`, `plan_check`,
`current_plan`) live in kehou.policy.selectors and are re-exported here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kehou.accounts.models import User
from kehou.lib.vocabulary import WEEKDAY_NAMES_ZH as WEEKDAY_ZH
from kehou.org.models import LeadershipMember, Region, School
from kehou.policy.models import (
    PlanContentItem,
    PlanMakeupDay,
    PlanSlot,
    PlanVacationWeek,
    PolicyProfile,
    PolicyProfileVersion,
    SchoolPlan,
)
from kehou.policy.profile_templates import install_templates
from kehou.policy.selectors import (  # noqa: F401  (re-exported: the step 2 contract)
    compulsory_grades,
    current_plan,
    plan_check,
    plan_facts,
    profile_for_school,
    profile_rules,
)
from kehou.policy_rules import Category, Citation, FeeStandard, ProfileRules, Rule
from kehou.policy_rules.serialise import profile_to_dict
from kehou.terms.models import Term

SEASON_ZH = {"winter": "寒假", "summer": "暑假"}
SEASON_MONTHS = {"winter": {1, 2}, "summer": {7, 8}}


# --- the plan's data, as entered --------------------------------------------------------


@dataclass(frozen=True)
class SlotInput:
    grade_from: int
    grade_to: int
    start: dt.time
    end: dt.time
    kind: str = PlanSlot.Kind.REGULAR
    weekdays: tuple[int, ...] | None = None  # None = every service day
    label: str = ""


@dataclass(frozen=True)
class ContentInput:
    name: str
    category: str


@dataclass(frozen=True)
class VacationWeekInput:
    season: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class MakeupDayInput:
    date: dt.date
    follows_weekday: int


@dataclass(frozen=True)
class PlanInput:
    """Everything a school admin enters on the plan page."""

    term_start: dt.date
    term_end: dt.date
    service_weekdays: tuple[int, ...]
    service_mode: str = ""
    homework_minutes_per_day: int | None = None
    club_days_per_week: int | None = None
    pay_per_class_hour: Decimal | None = None
    fee_per_term: Decimal | None = None
    grade12_written_homework: bool | None = None
    junior_homework_at_school_percent: int | None = None
    service_method: str = ""
    safety_measures: str = ""
    complaint_channel: str = ""
    slots: Sequence[SlotInput] = ()
    content: Sequence[ContentInput] = ()
    vacation_weeks: Sequence[VacationWeekInput] = ()
    makeup_days: Sequence[MakeupDayInput] = ()


PLAN_FIELDS = (
    "term_start",
    "term_end",
    "service_weekdays",
    "service_mode",
    "homework_minutes_per_day",
    "club_days_per_week",
    "pay_per_class_hour",
    "fee_per_term",
    "grade12_written_homework",
    "junior_homework_at_school_percent",
    "service_method",
    "safety_measures",
    "complaint_channel",
)


def plan_input_of(plan: SchoolPlan) -> PlanInput:
    """The plan's current data in the shape `plan_update` takes."""
    return PlanInput(
        **{name: getattr(plan, name) for name in PLAN_FIELDS if name != "service_weekdays"},
        service_weekdays=tuple(plan.service_weekdays),
        slots=[
            SlotInput(
                s.grade_from,
                s.grade_to,
                s.start,
                s.end,
                s.kind,
                tuple(s.weekdays) if s.weekdays else None,
                s.label,
            )
            for s in plan.slots.all()
        ],
        content=[ContentInput(c.name, c.category) for c in plan.content.all()],
        vacation_weeks=[
            VacationWeekInput(w.season, w.start, w.end) for w in plan.vacation_weeks.all()
        ],
        makeup_days=[MakeupDayInput(m.date, m.follows_weekday) for m in plan.makeup_days.all()],
    )


def _grades_label(grades) -> str:
    grades = sorted(grades)
    return f"{grades[0]}-{grades[-1]}年级" if grades else "无"


def plan_validate(*, school: School, data: PlanInput) -> list[str]:
    """Every problem of `data` for `school`, in Chinese, each naming the field and row."""
    errors: list[str] = []
    if data.term_end <= data.term_start:
        errors.append(f"服务结束日期{data.term_end}应晚于开始日期{data.term_start}")
    weekdays = set(data.service_weekdays)
    if not weekdays:
        errors.append("服务日:至少选择一天")
    if not weekdays <= set(range(7)):
        errors.append("服务日:星期应为周一至周日")
    if data.service_mode and data.service_mode not in SchoolPlan.ServiceMode.values:
        errors.append("服务方式:无效的选项")
    for label, value, lo, hi in (
        ("每天作业辅导时长(分钟)", data.homework_minutes_per_day, 0, 600),
        ("每周社团活动天数", data.club_days_per_week, 0, 7),
        ("初中在校完成书面作业比例(%)", data.junior_homework_at_school_percent, 0, 100),
    ):
        if value is not None and not lo <= value <= hi:
            errors.append(f"{label}应在{lo}到{hi}之间")
    for label, value in (
        ("教师每课时报酬", data.pay_per_class_hour),
        ("每生每学期收费", data.fee_per_term),
    ):
        if value is not None and value < 0:
            errors.append(f"{label}不能为负数")

    school_grades = compulsory_grades(school)
    for row, slot in enumerate(data.slots, start=1):
        where = f"时段第{row}行"
        if slot.kind not in PlanSlot.Kind.values:
            errors.append(f"{where}:类型无效")
        if slot.grade_from > slot.grade_to:
            errors.append(f"{where}:起始年级{slot.grade_from}大于结束年级{slot.grade_to}")
        elif not set(range(slot.grade_from, slot.grade_to + 1)) <= school_grades:
            errors.append(
                f"{where}:年级{slot.grade_from}-{slot.grade_to}超出本校年级"
                f"({_grades_label(school_grades)})"
            )
        if slot.end <= slot.start:
            errors.append(f"{where}:结束时间{slot.end:%H:%M}应晚于开始时间{slot.start:%H:%M}")
        if slot.weekdays is not None:
            extra = set(slot.weekdays) - weekdays
            if extra:
                days = "、".join(WEEKDAY_ZH[d] for d in sorted(extra) if 0 <= d <= 6)
                errors.append(f"{where}:{days}不是本方案的服务日")
        if slot.kind == PlanSlot.Kind.EVENING_STUDY and slot.grade_from < 7:
            errors.append(f"{where}:晚自习只适用于初中(7-9年级)")
    if data.slots:
        seen = set()
        for row, slot in enumerate(data.slots, start=1):
            key = (slot.grade_from, slot.grade_to, slot.start, slot.end, slot.kind)
            if key in seen:
                errors.append(f"时段第{row}行:与前面的时段重复")
            seen.add(key)

    for row, item in enumerate(data.content, start=1):
        if not item.name.strip():
            errors.append(f"服务内容第{row}行:请填写名称")
        if item.category not in Category._value2member_map_:
            errors.append(f"服务内容第{row}行:类别无效")

    weeks = sorted(enumerate(data.vacation_weeks, start=1), key=lambda rw: rw[1].start)
    for row, week in weeks:
        where = f"寒暑假开放第{row}行"
        season = SEASON_ZH.get(week.season)
        if season is None:
            errors.append(f"{where}:请选择寒假或暑假")
            continue
        if week.end < week.start:
            errors.append(f"{where}:结束日期{week.end}早于开始日期{week.start}")
            continue
        if not (
            week.start.month in SEASON_MONTHS[week.season]
            and week.end.month in SEASON_MONTHS[week.season]
        ):
            months = "1-2月" if week.season == "winter" else "7-8月"
            errors.append(f"{where}:{week.start}至{week.end}不在{season}({months})内")
        if week.start <= data.term_end and week.end >= data.term_start:
            errors.append(
                f"{where}:{week.start}至{week.end}与学期服务日期"
                f"{data.term_start}至{data.term_end}重叠"
            )
    for (row_a, a), (row_b, b) in zip(weeks, weeks[1:], strict=False):
        if b.start <= a.end:
            errors.append(f"寒暑假开放第{row_b}行:与第{row_a}行的日期重叠")

    dates = set()
    for row, day in enumerate(data.makeup_days, start=1):
        where = f"调休上班日第{row}行"
        if not data.term_start <= day.date <= data.term_end:
            errors.append(f"{where}:{day.date}不在学期服务日期内")
        if not 0 <= day.follows_weekday <= 4:
            errors.append(f"{where}:应按周一至周五中某一天的课表上课")
        if day.date in dates:
            errors.append(f"{where}:{day.date}重复")
        dates.add(day.date)
    return errors


def _write_parts(plan: SchoolPlan, data: PlanInput) -> None:
    PlanSlot.objects.bulk_create(
        PlanSlot(
            plan=plan,
            grade_from=s.grade_from,
            grade_to=s.grade_to,
            start=s.start,
            end=s.end,
            kind=s.kind,
            weekdays=sorted(s.weekdays) if s.weekdays else None,
            label=s.label,
        )
        for s in data.slots
    )
    PlanContentItem.objects.bulk_create(
        PlanContentItem(plan=plan, name=c.name.strip(), category=c.category) for c in data.content
    )
    PlanVacationWeek.objects.bulk_create(
        PlanVacationWeek(plan=plan, season=w.season, start=w.start, end=w.end)
        for w in data.vacation_weeks
    )
    PlanMakeupDay.objects.bulk_create(
        PlanMakeupDay(plan=plan, date=m.date, follows_weekday=m.follows_weekday)
        for m in data.makeup_days
    )


def _set_fields(plan: SchoolPlan, data: PlanInput) -> None:
    for name in PLAN_FIELDS:
        value = getattr(data, name)
        if name == "service_weekdays":
            value = sorted(set(value))
        setattr(plan, name, value)


def _lock_plan(plan: SchoolPlan) -> SchoolPlan:
    return (
        SchoolPlan.objects.select_for_update(of=("self",))
        .select_related("school__region", "term")
        .get(pk=plan.pk)
    )


@transaction.atomic
def plan_update(*, plan: SchoolPlan, actor: User | None, data: PlanInput) -> SchoolPlan:
    """Replace a draft's data with `data` (fields, slots, content, vacation weeks and
    make-up choices together). Refuses a published or superseded plan."""
    plan = _lock_plan(plan)
    if not plan.is_editable:
        raise ValidationError("已发布的方案不能直接修改,请先“开始新版本”")
    errors = plan_validate(school=plan.school, data=data)
    if errors:
        raise ValidationError(errors)
    _set_fields(plan, data)
    plan.save()
    for related in (plan.slots, plan.content, plan.vacation_weeks, plan.makeup_days):
        related.all().delete()
    _write_parts(plan, data)
    return plan


@transaction.atomic
def plan_start_draft(*, school: School, term: Term, actor: User | None) -> SchoolPlan:
    """The draft of the school's plan for `term`: the existing draft, else a new version
    copying the published (or latest) one with all its parts, else an empty draft with the
    term's usual dates, Monday to Friday."""
    # Lock the school row so two admins pressing at once get one draft, not an error.
    School.objects.select_for_update().filter(pk=school.pk).first()
    existing = SchoolPlan.objects.filter(
        school=school, term=term, status=SchoolPlan.Status.DRAFT
    ).first()
    if existing is not None:
        return existing
    versions = SchoolPlan.objects.filter(school=school, term=term)
    latest_version = versions.aggregate(v=Max("version"))["v"] or 0
    source = (
        versions.filter(status=SchoolPlan.Status.PUBLISHED).first()
        or versions.order_by("-version").first()
    )
    if source is None:
        return SchoolPlan.objects.create(
            school=school,
            term=term,
            version=1,
            term_start=term.start,
            term_end=term.end,
            service_weekdays=[0, 1, 2, 3, 4],
            created_by=actor,
        )
    source = SchoolPlan.objects.prefetch_related(
        "slots", "content", "vacation_weeks", "makeup_days"
    ).get(pk=source.pk)
    data = plan_input_of(source)
    draft = SchoolPlan(
        school=school,
        term=term,
        version=latest_version + 1,
        status=SchoolPlan.Status.DRAFT,
        created_by=actor,
    )
    _set_fields(draft, data)
    draft.save()
    _write_parts(draft, data)
    return draft


@transaction.atomic
def plan_publish(*, plan: SchoolPlan, actor: User | None) -> SchoolPlan:
    """Publish a draft; the previously published version becomes superseded."""
    plan = _lock_plan(plan)
    if plan.status == SchoolPlan.Status.PUBLISHED:
        return plan
    if not plan.is_editable:
        raise ValidationError("已被替代的旧版本不能发布")
    problems = []
    if not plan.service_weekdays:
        problems.append("服务日:至少选择一天")
    if not plan.slots.exists():
        problems.append("时段:至少填写一个服务时段")
    if problems:
        raise ValidationError(["方案还不能发布:", *problems])
    SchoolPlan.objects.filter(
        school=plan.school, term=plan.term, status=SchoolPlan.Status.PUBLISHED
    ).update(status=SchoolPlan.Status.SUPERSEDED, updated_at=timezone.now())
    plan.status = SchoolPlan.Status.PUBLISHED
    plan.published_by = actor
    plan.published_at = timezone.now()
    plan.save(update_fields=["status", "published_by", "published_at", "updated_at"])
    return plan


# --- the leading group ---------------------------------------------------------------


@dataclass(frozen=True)
class LeaderInput:
    name: str
    post: str
    group_role: str


@transaction.atomic
def leadership_replace(
    *, school: School, actor: User | None, members: Sequence[LeaderInput]
) -> list[LeadershipMember]:
    """Replace the school's leading group (领导小组): exactly one head when not empty."""
    errors = []
    for row, member in enumerate(members, start=1):
        if not member.name.strip():
            errors.append(f"领导小组第{row}行:请填写姓名")
        if not member.post.strip():
            errors.append(f"领导小组第{row}行:请填写职务")
        if member.group_role not in LeadershipMember.GroupRole.values:
            errors.append(f"领导小组第{row}行:组内职务无效")
    heads = sum(1 for m in members if m.group_role == LeadershipMember.GroupRole.HEAD)
    if members and heads != 1:
        errors.append(f"领导小组:应有且只有一名组长(现有{heads}名)")
    if errors:
        raise ValidationError(errors)
    LeadershipMember.objects.filter(school=school).delete()
    return LeadershipMember.objects.bulk_create(
        LeadershipMember(
            school=school,
            name=m.name.strip(),
            post=m.post.strip(),
            group_role=m.group_role,
            order=i,
        )
        for i, m in enumerate(members)
    )


# --- profiles ----------------------------------------------------------------------------


@transaction.atomic
def profile_templates_install() -> int:
    """Create the 4 template profiles (one per seed locality) if absent; idempotent.
    Returns how many were created."""
    return install_templates(PolicyProfile, PolicyProfileVersion)


def _append_version(profile: PolicyProfile, actor: User | None, note: str) -> None:
    PolicyProfileVersion.objects.create(
        profile=profile,
        version=profile.version,
        rules=profile.rules,
        changed_by=actor,
        note=note[:200],
    )


@transaction.atomic
def profile_adopt(*, template_key: str, region: Region, actor: User | None) -> PolicyProfile:
    """Give `region` the rules of a template. A region that already has a profile gets a
    new version of it (the old rules stay in its history)."""
    try:
        template = PolicyProfile.objects.get(key=template_key, region__isnull=True)
    except PolicyProfile.DoesNotExist as error:
        raise ValidationError(f"模板“{template_key}”不存在") from error
    note = f"采用模板“{template.name}”"
    profile = PolicyProfile.objects.select_for_update().filter(region=region).first()
    if profile is None:
        profile = PolicyProfile.objects.create(
            key=f"{region.code}-{template.key}"[:50],
            name=f"{region.name}课后服务政策",
            region=region,
            rules=template.rules,
            version=1,
        )
    else:
        profile.rules = template.rules
        profile.version += 1
        profile.save(update_fields=["rules", "version", "updated_at"])
    _append_version(profile, actor, note)
    return profile


@dataclass(frozen=True)
class ProfileValues:
    """The values a bureau officer edits. None = no such rule in this locality (except
    off_work_time: None keeps the rule "not before the off-work time" with the time still
    to be entered, when the profile has that rule)."""

    service_days_per_week: int | None = None
    weekend_days_per_week: int | None = None
    min_minutes_per_day: int | None = None
    off_work_time: dt.time | None = None
    extended_care_required: bool = False
    evening_study_max_minutes: int | None = None
    evening_study_latest_end: dt.time | None = None
    vacation_weeks_winter: int | None = None
    vacation_weeks_summer: int | None = None
    pay_floor_per_class_hour: Decimal | None = None
    # "" = no fee rule; "none" = no standard yet (no fee may be billed); "max" = a ceiling
    fee_mode: str = ""
    fee_max_per_term: Decimal | None = None
    grade12_no_written_homework: bool = False
    junior_homework_at_school_min_percent: int | None = None


EDITABLE_RULES = (
    "service_days_per_week",
    "weekend_days_per_week",
    "min_minutes_per_day",
    "off_work_time",
    "extended_care_required",
    "evening_study_max_minutes",
    "evening_study_latest_end",
    "vacation_weeks_winter",
    "vacation_weeks_summer",
    "pay_floor_per_class_hour",
    "fee_standard",
    "grade12_no_written_homework",
    "junior_homework_at_school_min_percent",
)


def profile_values_of(rules: ProfileRules) -> ProfileValues:
    def value(name):
        rule = getattr(rules, name)
        return None if rule is None else rule.value

    fee = rules.fee_standard
    return ProfileValues(
        **{
            name: value(name)
            for name in EDITABLE_RULES
            if name not in {"fee_standard", "extended_care_required", "grade12_no_written_homework"}
        },
        extended_care_required=bool(value("extended_care_required")),
        grade12_no_written_homework=bool(value("grade12_no_written_homework")),
        fee_mode="" if fee is None else ("none" if fee.value.max_yuan_per_term is None else "max"),
        fee_max_per_term=None if fee is None else fee.value.max_yuan_per_term,
    )


def profile_validate(values: ProfileValues) -> list[str]:
    errors = []
    for label, value, lo, hi in (
        ("每周服务天数", values.service_days_per_week, 1, 5),
        ("双休日服务天数", values.weekend_days_per_week, 0, 2),
        ("每天最少服务时长(分钟)", values.min_minutes_per_day, 1, 600),
        ("初中晚自习最长时长(分钟)", values.evening_study_max_minutes, 1, 300),
        ("寒假开放周数", values.vacation_weeks_winter, 0, 6),
        ("暑假开放周数", values.vacation_weeks_summer, 0, 9),
        ("初中在校完成书面作业最低比例(%)", values.junior_homework_at_school_min_percent, 0, 100),
    ):
        if value is not None and not lo <= value <= hi:
            errors.append(f"{label}应在{lo}到{hi}之间")
    if values.pay_floor_per_class_hour is not None and values.pay_floor_per_class_hour < 0:
        errors.append("教师每课时报酬下限不能为负数")
    if values.fee_mode not in {"", "none", "max"}:
        errors.append("收费标准:无效的选项")
    if values.fee_mode == "max" and (
        values.fee_max_per_term is None or values.fee_max_per_term < 0
    ):
        errors.append("收费标准:请填写每生每学期收费上限(元)")
    return errors


def _bureau_citation(region: Region | None, version: int, note: str) -> Citation:
    name = region.name if region else "模板"
    return Citation(
        seed="bureau",
        where=f"{name}教育局录入(第{version}版)",
        quote=note or "教育局在系统中录入",
    )


@transaction.atomic
def profile_update(
    *, profile: PolicyProfile, actor: User | None, values: ProfileValues, note: str
) -> PolicyProfile:
    """Change the editable values of a profile, keep each unchanged rule's citation, and
    append a version. A changed value keeps the seed's citation with a note saying who
    changed it; a new rule cites the bureau's entry."""
    errors = profile_validate(values)
    if not note.strip():
        errors.append("修改说明:请说明修改的原因或依据文件")
    if errors:
        raise ValidationError(errors)
    profile = (
        PolicyProfile.objects.select_for_update(of=("self",))
        .select_related("region")
        .get(pk=profile.pk)
    )
    rules = profile_rules(profile)
    version = profile.version + 1
    bureau = _bureau_citation(profile.region, version, note.strip())

    wanted = {
        name: getattr(values, name)
        for name in EDITABLE_RULES
        if name not in {"fee_standard", "extended_care_required", "grade12_no_written_homework"}
    }
    wanted["extended_care_required"] = True if values.extended_care_required else None
    wanted["grade12_no_written_homework"] = True if values.grade12_no_written_homework else None
    if values.fee_mode == "":
        wanted["fee_standard"] = None
    else:
        ceiling = values.fee_max_per_term if values.fee_mode == "max" else None
        wanted["fee_standard"] = FeeStandard(ceiling)

    changes = {}
    for name, value in wanted.items():
        old = getattr(rules, name)
        if name == "off_work_time" and value is None and old is not None:
            # The seed states the rule without the time: keep it, time still to be entered.
            if old.value is not None:
                changes[name] = Rule(None, old.cite)
            continue
        if value is None:
            if old is not None:
                changes[name] = None
        elif old is None:
            changes[name] = Rule(value, bureau)
        elif old.value != value:
            who = profile.region.name if profile.region else "管理员"
            changes[name] = Rule(
                value,
                dataclasses.replace(
                    old.cite,
                    note=f"{who}教育局于第{version}版修改:{note.strip()}"[:300],
                ),
            )
    if not changes:
        raise ValidationError("没有任何修改")
    new_rules = dataclasses.replace(rules, **changes)
    profile.rules = profile_to_dict(new_rules)
    profile.version = version
    profile.save(update_fields=["rules", "version", "updated_at"])
    _append_version(profile, actor, note.strip())
    return profile
