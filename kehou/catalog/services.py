"""Writes of menus, activities and offerings (SPEC R8, R9, R25).

Every write validates everything first and then writes in one transaction; a refusal
raises ValidationError whose messages are Chinese, name the field and, where a policy
forbids the thing, quote the rule and the seed document it comes from (000, 001).

Lifecycle of a menu: draft → published → window_open → closed → allocated → running
(an FCFS menu may go from closed straight to running: its seats were claimed in the
window). Offerings are edited freely in draft and published. Once the choice window has
opened families have ranked on the strength of the grades, times, venue and fee, so from
then on only two changes are accepted: a larger capacity (more seats never hurt a family;
freed seats go to the waiting list) and a different instructor (illness, replacement),
who must be vetted like the first. No offering is added or removed after the window opens.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kehou.allocation import seed_commitment
from kehou.catalog.models import Activity, Category, Menu, Offering, OfferingMeeting
from kehou.lib.vocabulary import WEEKDAY_NAMES_ZH as WEEKDAY_ZH
from kehou.org.models import ExternalOrganisation, School, Staff

BUCKET_MINUTES = 5

SEED_000 = "种子000《关于全面推进中小学课后服务进一步提升课后服务水平的实施方案》"
SEED_001 = "种子001《长治市教育局关于进一步推进义务教育阶段公办学校课后服务工作的实施方案》"

# The rules, each quoting the seed sentence it rests on.
RULE_SUBJECT_TRAINING = (
    "校外机构不得开展学科类培训。依据"
    + SEED_000
    + "：“可根据发展学生兴趣特长的需要，适当引进资质优、行为规范、信誉度高、无违法违规记录的"
    "社会组织和校外专业机构参与课后服务，但不得开展学科类培训。”"
)
RULE_NEW_LESSONS = (
    "课后服务不得讲新课。依据"
    + SEED_000
    + "：“学校不得利用课后服务时间讲授新课。”；"
    + SEED_001
    + "：“不得组织集体补课和上新课。”"
)
RULE_COMMERCIAL = "课后服务严禁商业推广。依据" + SEED_001 + "：“严禁开展商业推广性质的活动”"
RULE_HIGH_RISK = (
    "课后服务不得开展危险性较高的活动。依据" + SEED_001 + "：“不得组织开展危险性较高的活动”"
)
RULE_FEE = (
    "只有由校外机构承担的项目才可代收费。依据"
    + SEED_000
    + "：“还可采用代收费方式向社会组织和校外专业机构提供课后服务”"
)
RULE_INSTRUCTOR = (
    "授课人须具备资质并经审核。依据"
    + SEED_000
    + "：“具备资质的社会专业人员”，机构须“资质优、行为规范、信誉度高、无违法违规记录”"
)
RULE_EVENING_STUDY = (
    "晚自习只在初中、工作日开设，不晚于20:30结束。依据"
    + SEED_001
    + "：“初中学校可探索在工作日晚上开设自习班，但不得讲授新课，不得分配到学科，"
    "原则上结束时间不晚于20:30。”"
)
EVENING_STUDY_LATEST = dt.time(20, 30)

STATUS_ZH = {
    Menu.Status.DRAFT: "草稿",
    Menu.Status.PUBLISHED: "已发布",
    Menu.Status.WINDOW_OPEN: "选课开放中",
    Menu.Status.CLOSED: "选课已截止",
    Menu.Status.ALLOCATED: "已分配",
    Menu.Status.RUNNING: "运行中",
}
EDITABLE = (Menu.Status.DRAFT, Menu.Status.PUBLISHED)

ACTIVITY_FIELDS = (
    "name",
    "category",
    "description",
    "organisation",
    "is_subject_training",
    "teaches_new_lessons",
    "has_commercial_promotion",
    "risk_level",
    "online_resource_url",
)
OFFERING_FIELDS = (
    "activity",
    "name",
    "grade_from",
    "grade_to",
    "capacity",
    "instructor",
    "room",
    "off_campus_venue",
    "fee_per_term",
    "is_fallback",
)
# What may still change once the window has opened (see the module docstring).
LATE_CHANGES = {"capacity", "instructor"}

Meeting = tuple[int, dt.time, dt.time]


# --- reads the contract puts here -------------------------------------------------------


def menu_for(*, school: School, term) -> Menu:
    """The school's menu for the term, created as an empty draft the first time."""
    menu, _created = Menu.objects.get_or_create(school=school, term=term)
    return menu


def buckets_of(meetings: Iterable[Meeting]) -> frozenset[tuple[int, int]]:
    """(weekday, 5-minute bucket) pairs covered; two meetings clash when they share one."""
    pairs = set()
    for weekday, start, end in meetings:
        first = (start.hour * 60 + start.minute) // BUCKET_MINUTES
        last = (end.hour * 60 + end.minute + BUCKET_MINUTES - 1) // BUCKET_MINUTES
        pairs.update((weekday, bucket) for bucket in range(first, last))
    return frozenset(pairs)


def meeting_buckets(offering: Offering) -> frozenset[tuple[int, int]]:
    return buckets_of((m.weekday, m.start, m.end) for m in offering.meetings.all())


def eligible_offerings(*, menu: Menu, grade: int):
    return (
        Offering.objects.filter(menu=menu, grade_from__lte=grade, grade_to__gte=grade)
        .select_related("activity", "instructor")
        .prefetch_related("meetings")
    )


# --- activities -------------------------------------------------------------------------


def _delivered_externally(activity: Activity, instructor: Staff | None = None) -> bool:
    return activity.organisation_id is not None or (
        instructor is not None and instructor.organisation_id is not None
    )


def _content_problems(activity: Activity, instructor: Staff | None = None) -> list[str]:
    label = f"活动“{activity.name}”"
    problems = []
    if activity.is_subject_training and _delivered_externally(activity, instructor):
        problems.append(f"{label}是由校外机构承担的学科类培训，不予保存。{RULE_SUBJECT_TRAINING}")
    if activity.teaches_new_lessons:
        problems.append(f"{label}讲新课，不予保存。{RULE_NEW_LESSONS}")
    if activity.has_commercial_promotion:
        problems.append(f"{label}含商业推广，不予保存。{RULE_COMMERCIAL}")
    if activity.risk_level == Activity.RiskLevel.HIGH:
        problems.append(f"{label}风险等级为“高”，不予保存。{RULE_HIGH_RISK}")
    return problems


def _in_use_after_window(activity: Activity) -> bool:
    return (
        activity.pk is not None
        and Offering.objects.filter(activity=activity).exclude(menu__status__in=EDITABLE).exists()
    )


def activity_save(*, school: School, actor, activity: Activity | None = None, **fields) -> Activity:
    """Create an activity (or change `activity`) after checking what the seeds forbid."""
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    if activity is not None and activity.school_id != school.pk:
        raise ValidationError("该活动不属于本校")
    target = Activity(school=school) if activity is None else Activity.objects.get(pk=activity.pk)
    old_category = target.category
    for name, value in fields.items():
        setattr(target, name, value)
    target.name = (target.name or "").strip()
    errors = []
    if not target.name:
        errors.append("活动名称：必填")
    if target.category not in Category.values:
        errors.append("类别：请选择课后服务类别")
    if target.risk_level not in Activity.RiskLevel.values:
        errors.append("风险等级：请选择低、中或高")
    organisation = target.organisation
    if organisation is not None and not organisation.is_usable_on(timezone.localdate()):
        errors.append(
            f"承担机构“{organisation.name}”未经教育局审核、有违规记录或资质已过期。{RULE_INSTRUCTOR}"
        )
    errors += _content_problems(target)
    if activity is not None and target.category != old_category and _in_use_after_window(target):
        errors.append("类别：选课已开放的菜单中有该活动的项目，类别不能再改")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        target.save()
    return target


# --- offerings --------------------------------------------------------------------------


def _meeting_problems(meetings: Sequence, *, category: str) -> tuple[list[str], list[Meeting]]:
    errors: list[str] = []
    clean: list[Meeting] = []
    if not meetings:
        return ["上课时间：至少填写一次（星期几、开始、结束）"], []
    for row, meeting in enumerate(meetings, start=1):
        try:
            weekday, start, end = meeting
        except (TypeError, ValueError):
            errors.append(f"上课时间第{row}行：应为星期几、开始时间、结束时间")
            continue
        if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
            errors.append(f"上课时间第{row}行：星期应为0（周一）到6（周日）")
            continue
        if not isinstance(start, dt.time) or not isinstance(end, dt.time):
            errors.append(f"上课时间第{row}行：请填写开始和结束时间")
            continue
        if end <= start:
            errors.append(f"上课时间第{row}行：结束时间{end:%H:%M}应晚于开始时间{start:%H:%M}")
            continue
        if category == Category.EVENING_STUDY and (weekday > 4 or end > EVENING_STUDY_LATEST):
            errors.append(f"上课时间第{row}行：{RULE_EVENING_STUDY}")
            continue
        clean.append((weekday, start, end))
    seen: list[tuple[int, Meeting]] = []
    for row, meeting in enumerate(clean, start=1):
        for other_row, other in seen:
            if buckets_of([meeting]) & buckets_of([other]):
                errors.append(
                    f"上课时间第{row}行（{WEEKDAY_ZH[meeting[0]]} {meeting[1]:%H:%M}–"
                    f"{meeting[2]:%H:%M}）与第{other_row}行（{WEEKDAY_ZH[other[0]]} "
                    f"{other[1]:%H:%M}–{other[2]:%H:%M}）时间重叠，同一项目不能同时上两次课"
                )
        seen.append((row, meeting))
    return errors, clean


def _instructor_problems(instructor: Staff | None, *, school: School, day: dt.date) -> list[str]:
    if instructor is None:
        return []
    if instructor.school_id != school.pk:
        return ["授课人：只能选择本校登记的教师或外聘人员"]
    problems = instructor.vetting_problems(day)
    if problems:
        return [
            f"授课人“{instructor.name}”在学期开始日{day:%Y-%m-%d}不能安排："
            f"{'、'.join(problems)}。{RULE_INSTRUCTOR}"
        ]
    return []


def _offering_problems(menu: Menu, target: Offering, clean_meetings: list[Meeting]) -> list[str]:
    school = menu.school
    activity = target.activity if target.activity_id else None
    errors = []
    if activity is None:
        return ["活动：请选择"]
    if activity.school_id != school.pk:
        errors.append("活动：只能选择本校的活动")
    grades = school.grades
    if target.grade_from is None or target.grade_to is None:
        errors.append("年级：请填写起止年级")
    else:
        if target.grade_from not in grades or target.grade_to not in grades:
            errors.append(
                f"年级：本校只有{grades.start}至{grades.stop - 1}年级，"
                f"不能开设{target.grade_from}至{target.grade_to}年级的项目"
            )
        elif target.grade_from > target.grade_to:
            errors.append("年级：起始年级不能高于结束年级")
        if activity.category == Category.EVENING_STUDY and target.grade_from < 7:
            errors.append(f"年级：{RULE_EVENING_STUDY}")
    if target.capacity is None or target.capacity < 1:
        errors.append("容纳人数：至少为1")
    fee = target.fee_per_term
    if fee is not None and fee < 0:
        errors.append("代收费：不能为负数")
    elif fee and not _delivered_externally(activity, target.instructor):
        errors.append(f"代收费：本项目不是校外机构承担的，不能收费。{RULE_FEE}")
    if target.is_fallback and activity.category != Category.HOMEWORK:
        errors.append("保底托管：只有作业辅导项目可以作为保底")
    errors += _instructor_problems(target.instructor, school=school, day=menu.term.start)
    errors += _content_problems(activity, target.instructor)
    return errors


def offering_save(
    *,
    menu: Menu,
    actor,
    meetings: Sequence[Meeting],
    offering: Offering | None = None,
    **fields,
) -> Offering:
    """Create an offering in `menu` (or change `offering`) with its meetings."""
    unknown = set(fields) - set(OFFERING_FIELDS)
    if unknown:
        raise TypeError(f"unknown offering fields: {sorted(unknown)}")
    with transaction.atomic():
        menu = Menu.objects.select_for_update().select_related("school", "term").get(pk=menu.pk)
        if offering is not None and offering.menu_id != menu.pk:
            raise ValidationError("该项目不属于这份菜单")
        if offering is None:
            before = None
            target = Offering(menu=menu)
        else:
            before = Offering.objects.select_for_update().get(pk=offering.pk)
            target = Offering.objects.get(pk=offering.pk)
        for name, value in fields.items():
            setattr(target, name, value)
        if target.fee_per_term == Decimal(0):
            target.fee_per_term = None
        target.name = (target.name or "").strip()
        target.room = (target.room or "").strip()
        target.off_campus_venue = (target.off_campus_venue or "").strip()
        category = target.activity.category if target.activity_id else ""
        meeting_errors, clean_meetings = _meeting_problems(meetings, category=category)
        if menu.status not in EDITABLE:
            _check_late_change(menu, before, target, clean_meetings)
        errors = _offering_problems(menu, target, clean_meetings) + meeting_errors
        if errors:
            raise ValidationError(errors)
        grew = before is not None and target.capacity > before.capacity
        target.save()
        if before is None or menu.status in EDITABLE:
            target.meetings.all().delete()
            OfferingMeeting.objects.bulk_create(
                OfferingMeeting(offering=target, weekday=w, start=s, end=e)
                for w, s, e in sorted(clean_meetings)
            )
        if grew and menu.status not in EDITABLE:
            offering_id = target.pk
            transaction.on_commit(lambda: _refill(offering_id))
    return target


def _check_late_change(menu, before, target, clean_meetings) -> None:
    status = STATUS_ZH[menu.status]
    if before is None:
        raise ValidationError(f"菜单{status}，不能再增加项目（选课开放后家长已按现有项目填报）")
    changed = [
        name
        for name in OFFERING_FIELDS
        if name not in LATE_CHANGES and getattr(before, name) != getattr(target, name)
    ]
    old_meetings = sorted((m.weekday, m.start, m.end) for m in before.meetings.all())
    if changed or (clean_meetings and sorted(clean_meetings) != old_meetings):
        raise ValidationError(
            f"菜单{status}，家长已按现有信息填报：只能增加容纳人数或更换授课人，"
            "年级、时间、地点、费用等不能再改"
        )
    if target.capacity is not None and target.capacity < before.capacity:
        raise ValidationError(
            f"容纳人数：菜单{status}，只能增加，不能从{before.capacity}减少到{target.capacity}"
        )


def _refill(offering_id: int) -> None:
    """Offer the new seats to the waiting list (engineer F's service, when present)."""
    try:
        from kehou.placement.services import waitlist_refill
    except ImportError:  # pragma: no cover - placement lands in the same step
        return
    waitlist_refill(offering_id=offering_id)


def offering_delete(*, offering: Offering, actor) -> None:
    with transaction.atomic():
        menu = Menu.objects.select_for_update().get(pk=offering.menu_id)
        if menu.status not in EDITABLE:
            raise ValidationError(f"菜单{STATUS_ZH[menu.status]}，不能再删除项目")
        offering.delete()


# --- settings and lifecycle -------------------------------------------------------------


def menu_settings_save(
    *,
    menu: Menu,
    actor,
    mode: str,
    mechanism: str,
    max_extended_per_child: int,
    window_opens_at: dt.datetime | None,
    window_closes_at: dt.datetime | None,
) -> Menu:
    errors = []
    if mode not in Menu.Mode.values:
        errors.append("报名方式：请选择选课抽签或先到先得")
    if mechanism not in Menu.Mechanism.values:
        errors.append("分配机制：请选择轮次延迟接受或随机序列独裁")
    if not isinstance(max_extended_per_child, int) or max_extended_per_child < 1:
        errors.append("每名学生每周可参加的拓展项目数：至少为1")
    if window_opens_at and window_closes_at and window_closes_at <= window_opens_at:
        errors.append("选课截止时间：应晚于开放时间")
    with transaction.atomic():
        locked = Menu.objects.select_for_update().get(pk=menu.pk)
        if locked.status not in EDITABLE:
            errors.insert(0, f"菜单{STATUS_ZH[locked.status]}，报名方式和选课时间不能再改")
        if errors:
            raise ValidationError(errors)
        locked.mode = mode
        locked.mechanism = mechanism
        locked.max_extended_per_child = max_extended_per_child
        locked.window_opens_at = window_opens_at
        locked.window_closes_at = window_closes_at
        locked.save(
            update_fields=[
                "mode",
                "mechanism",
                "max_extended_per_child",
                "window_opens_at",
                "window_closes_at",
            ]
        )
    return locked


def _transition(menu: Menu, *, source: Iterable[str], action: str) -> Menu:
    locked = Menu.objects.select_for_update().select_related("school", "term").get(pk=menu.pk)
    if locked.status not in source:
        wanted = "或".join(f"“{STATUS_ZH[s]}”" for s in source)
        raise ValidationError(
            f"不能{action}：菜单现在是“{STATUS_ZH[locked.status]}”，只有{wanted}的菜单可以{action}"
        )
    return locked


def menu_publish(*, menu: Menu, actor) -> Menu:
    """draft → published: the menu is shown to families and on the public page."""
    with transaction.atomic():
        locked = _transition(menu, source=[Menu.Status.DRAFT], action="发布")
        offerings = list(
            locked.offerings.select_related("activity", "instructor__organisation")
            .prefetch_related("meetings")
            .order_by("pk")
        )
        errors = [] if offerings else ["菜单还没有任何项目，不能发布"]
        for offering in offerings:
            label = f"项目“{offering}”"
            if offering.instructor is None:
                errors.append(f"{label}：还没有授课人")
            if not offering.meetings.all():
                errors.append(f"{label}：还没有上课时间")
            errors += [
                f"{label}：{problem}"
                for problem in _instructor_problems(
                    offering.instructor, school=locked.school, day=locked.term.start
                )
                + _content_problems(offering.activity, offering.instructor)
            ]
        if errors:
            raise ValidationError(errors)
        locked.status = Menu.Status.PUBLISHED
        locked.save(update_fields=["status"])
    return locked


def menu_open_window(*, menu: Menu, actor) -> Menu:
    """published → window_open: draws the secret lottery seed and publishes its hash."""
    now = timezone.now()
    with transaction.atomic():
        locked = _transition(menu, source=[Menu.Status.PUBLISHED], action="开放选课")
        if locked.window_closes_at is None or locked.window_closes_at <= now:
            raise ValidationError("不能开放选课：请先在设置中填写一个晚于现在的选课截止时间")
        seed = secrets.token_hex(16)
        locked.lottery_seed = seed
        locked.lottery_seed_hash = seed_commitment(seed)
        locked.window_opens_at = now
        locked.status = Menu.Status.WINDOW_OPEN
        locked.save(
            update_fields=["lottery_seed", "lottery_seed_hash", "window_opens_at", "status"]
        )
    return locked


def menu_close_window(*, menu: Menu, actor) -> Menu:
    """window_open → closed: choices stop; the seed may now be shown."""
    now = timezone.now()
    with transaction.atomic():
        locked = _transition(menu, source=[Menu.Status.WINDOW_OPEN], action="截止选课")
        if locked.window_closes_at is None or locked.window_closes_at > now:
            locked.window_closes_at = now
        locked.status = Menu.Status.CLOSED
        locked.save(update_fields=["window_closes_at", "status"])
    return locked


def menu_mark_allocated(*, menu: Menu, actor) -> Menu:
    """closed → allocated, after an allocation run wrote its result (idempotent)."""
    with transaction.atomic():
        locked = _transition(
            menu, source=[Menu.Status.CLOSED, Menu.Status.ALLOCATED], action="标记为已分配"
        )
        if locked.status != Menu.Status.ALLOCATED:
            locked.status = Menu.Status.ALLOCATED
            locked.save(update_fields=["status"])
    return locked


def menu_start_running(*, menu: Menu, actor) -> Menu:
    """allocated → running (an FCFS menu: closed → running, its seats were claimed)."""
    with transaction.atomic():
        source = [Menu.Status.ALLOCATED]
        current = Menu.objects.only("mode").get(pk=menu.pk)
        if current.mode == Menu.Mode.FCFS:
            source.append(Menu.Status.CLOSED)
        locked = _transition(menu, source=source, action="开始上课")
        locked.status = Menu.Status.RUNNING
        locked.save(update_fields=["status"])
    return locked


def organisations_for(school: School):
    """Organisations a school may pick from: all, the vetted first."""
    return ExternalOrganisation.objects.order_by("-is_vetted", "name")
