"""The compliance check (R6): every shortfall of a school plan against its locality's rules.

How the day is counted (decided from seeds 000 and 001):
- "每天至少提供2小时" is counted per grade and per Monday–Friday service day, as the union
  of that day's REGULAR slots open to the grade. Extended care (延时托管) is not counted:
  both seeds name it as an addition for pupils with special needs, on request, beyond the
  daily service. Boarders' service and evening study are not counted either: they are not
  open to every pupil of the grade. The weekend day of 5+2+1 has no minimum (001 puts the
  2 hours on the 5 workdays).
- The end time ("结束时间不早于当地正常下班时间") is the latest end of the grade's REGULAR
  slots that day, for the same reason. An end exactly at the off-work time passes.
- A grade group is reported on its worst service day.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from . import texts
from .model import (
    BASIC_CATEGORIES,
    EXTENDED_CATEGORIES,
    JUNIOR_GRADES,
    WEEKDAYS,
    WEEKEND,
    Category,
    Citation,
    ContentModel,
    PlanFacts,
    ProfileRules,
    SlotKind,
)


class RuleId(enum.StrEnum):
    SERVICE_DAYS = "service_days"
    WEEKEND_DAYS = "weekend_days"
    MIN_MINUTES = "min_minutes"
    END_TIME = "end_not_before_off_work"
    EXTENDED_CARE = "extended_care"
    EVENING_STUDY_DURATION = "evening_study_duration"
    EVENING_STUDY_END = "evening_study_end"
    VACATION_WINTER = "vacation_winter"
    VACATION_SUMMER = "vacation_summer"
    CONTENT_MODEL = "content_model"
    URBAN_TARGET = "urban_target"
    PAY_FLOOR = "pay_floor"
    FEE = "fee"
    GRADE12_NO_WRITTEN_HOMEWORK = "grade12_no_written_homework"
    JUNIOR_HOMEWORK_AT_SCHOOL = "junior_homework_at_school"


# A city's plans, each in its latest version, with room to spare.
CHECKS_REMEMBERED = 4096

RULE_ZH = {
    RuleId.SERVICE_DAYS: "每周服务天数",
    RuleId.WEEKEND_DAYS: "双休日服务天数",
    RuleId.MIN_MINUTES: "每天服务时长",
    RuleId.END_TIME: "结束时间不早于下班时间",
    RuleId.EXTENDED_CARE: "延时托管服务",
    RuleId.EVENING_STUDY_DURATION: "初中晚自习时长",
    RuleId.EVENING_STUDY_END: "初中晚自习结束时间",
    RuleId.VACATION_WINTER: "寒假开放",
    RuleId.VACATION_SUMMER: "暑假开放",
    RuleId.CONTENT_MODEL: "服务内容模式",
    RuleId.URBAN_TARGET: "城区“2+3”学校占比",
    RuleId.PAY_FLOOR: "教师课时报酬下限",
    RuleId.FEE: "收费标准",
    RuleId.GRADE12_NO_WRITTEN_HOMEWORK: "一二年级不留书面作业",
    RuleId.JUNIOR_HOMEWORK_AT_SCHOOL: "初中校内完成书面作业比例",
}


@dataclass(frozen=True)
class Shortfall:
    rule: RuleId
    message: str  # Chinese, for the school and the bureau
    plan_value: object  # None when the plan does not state it
    required: object
    citation: Citation
    scope: str = ""  # e.g. "1-2年级", "7-9年级晚自习18:30-20:30"
    unknown: bool = False  # the plan does not state the fact the rule needs
    # The message as facts (kehou.policy_rules.texts): pages write it in their language.
    text: str = ""
    params: dict = field(default_factory=dict, hash=False)

    def as_dict(self) -> dict:
        """JSON-ready form (for `kehou plan check --json` and the API)."""
        return {
            "rule": str(self.rule),
            "rule_name": RULE_ZH[self.rule],
            "message": self.message,
            "plan_value": jsonable(self.plan_value),
            "required": jsonable(self.required),
            "scope": self.scope,
            "unknown": self.unknown,
            "text": self.text,
            "params": self.params,
            "citation": {
                "seed": self.citation.seed,
                "where": self.citation.where,
                "quote": self.citation.quote,
                "note": self.citation.note,
            },
        }


def jsonable(value: object) -> object:
    if isinstance(value, dt.time):
        return hhmm(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def _found(
    rule: RuleId,
    text: str,
    params: dict,
    plan_value: object,
    required: object,
    cite: Citation,
    *,
    unknown: bool = False,
) -> Shortfall:
    """A shortfall whose message and scope are written from `text` and `params`."""
    return Shortfall(
        rule,
        texts.zh(text, params),
        plan_value,
        required,
        cite,
        scope=texts.scope_zh(params),
        unknown=unknown,
        text=text,
        params=params,
    )


def _amount(amount: Decimal) -> str:
    return f"{amount.normalize():f}"


def hhmm(t: dt.time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def check_plan(plan: PlanFacts, profile: ProfileRules) -> list[Shortfall]:
    """Every shortfall of `plan` against `profile`, in a stable order; [] = compliant.

    Only rules the profile states are checked (a None field is no rule).
    """
    return list(_shortfalls(plan, profile))


@functools.lru_cache(maxsize=CHECKS_REMEMBERED)
def _shortfalls(plan: PlanFacts, profile: ProfileRules) -> tuple[Shortfall, ...]:
    """The check, remembered for the plans checked last: the outcome depends on the two
    frozen values alone, and a city's compliance table and dashboard check the same
    published plans on every page."""
    found: list[Shortfall] = []
    for check in _CHECKS:
        found.extend(check(plan, profile))
    return tuple(found)


# --- days ------------------------------------------------------------------------------


def _service_days(plan: PlanFacts, profile: ProfileRules) -> list[Shortfall]:
    rule = profile.service_days_per_week
    if rule is None:
        return []
    days = len(plan.service_weekdays & WEEKDAYS)
    if days >= rule.value:
        return []
    params = {"days": days, "required": rule.value}
    return [_found(RuleId.SERVICE_DAYS, "service_days", params, days, rule.value, rule.cite)]


def _weekend_days(plan: PlanFacts, profile: ProfileRules) -> list[Shortfall]:
    rule = profile.weekend_days_per_week
    if rule is None:
        return []
    days = len(plan.service_weekdays & WEEKEND)
    if days >= rule.value:
        return []
    params = {"days": days, "required": rule.value}
    return [_found(RuleId.WEEKEND_DAYS, "weekend_days", params, days, rule.value, rule.cite)]


# --- the service day, per grade ---------------------------------------------------------


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _day_per_grade(plan: PlanFacts) -> dict[int, tuple]:
    """grade -> (fewest minutes, earliest end, weekdays with the fewest, weekdays with the
    earliest end, number of service days) over the plan's Monday–Friday service days,
    REGULAR slots only."""
    weekdays = sorted(plan.service_weekdays & WEEKDAYS)
    regular = [s for s in plan.slots if s.kind is SlotKind.REGULAR]
    result = {}
    for grade in sorted(plan.grades):
        per_day: list[tuple[int, int, dt.time | None]] = []
        for weekday in weekdays:
            spans = sorted(
                (_minutes(s.start), _minutes(s.end), s.end)
                for s in regular
                if s.covers(grade) and (s.weekdays is None or weekday in s.weekdays)
            )
            total, reach, latest = 0, -1, None
            for start, end, end_time in spans:  # union of the intervals
                if end > reach:
                    total += end - max(start, reach)
                    reach, latest = end, end_time
            per_day.append((weekday, total, latest))
        if not per_day:
            continue
        fewest = min(m for _, m, _ in per_day)
        ends = [e for _, _, e in per_day if e is not None]
        earliest = min(ends) if ends else None
        result[grade] = (
            fewest,
            earliest,
            tuple(w for w, m, _ in per_day if m == fewest),
            tuple(w for w, _, e in per_day if e == earliest),
            len(per_day),
        )
    return result


def _grouped(values: dict[int, object]) -> list[tuple[int, int, object]]:
    """Runs of consecutive grades with the same value: [(lo, hi, value)]."""
    runs: list[tuple[int, int, object]] = []
    for grade in sorted(values):
        if runs and runs[-1][1] == grade - 1 and runs[-1][2] == values[grade]:
            runs[-1] = (runs[-1][0], grade, values[grade])
        else:
            runs.append((grade, grade, values[grade]))
    return runs


def _which_days(weekdays: tuple, all_days: int) -> list[int]:
    """The weekdays a value holds on, [] when it holds on every service day."""
    return [] if len(weekdays) == all_days else list(weekdays)


def _min_minutes(plan: PlanFacts, profile: ProfileRules) -> list[Shortfall]:
    rule = profile.min_minutes_per_day
    if rule is None:
        return []
    per_grade = _day_per_grade(plan)
    short = {
        g: (minutes, days, n)
        for g, (minutes, _, days, _, n) in per_grade.items()
        if minutes < rule.value
    }
    found = []
    for lo, hi, (minutes, days, n) in _grouped(short):
        params = {
            "grades": [lo, hi],
            "minutes": minutes,
            "which_days": _which_days(days, n),
            "required": rule.value,
        }
        found.append(
            _found(RuleId.MIN_MINUTES, "min_minutes", params, minutes, rule.value, rule.cite)
        )
    return found


def _end_time(plan: PlanFacts, profile: ProfileRules) -> list[Shortfall]:
    rule = profile.off_work_time
    if rule is None or rule.value is None:
        return []  # no rule, or the bureau has not entered the local time yet: profile_gaps
    off_work = rule.value
    short = {
        g: (end, days, n)
        for g, (_, end, _, days, n) in _day_per_grade(plan).items()
        if end is not None and end < off_work
    }
    found = []
    for lo, hi, (end, days, n) in _grouped(short):
        params = {
            "grades": [lo, hi],
            "end": hhmm(end),
            "which_days": _which_days(days, n),
            "off_work": hhmm(off_work),
        }
        found.append(_found(RuleId.END_TIME, "end_time", params, end, off_work, rule.cite))
    return found


def _extended_care(plan: PlanFacts, profile: ProfileRules) -> list[Shortfall]:
    rule = profile.extended_care_required
    if rule is None or not rule.value:
        return []
    if any(s.kind is SlotKind.EXTENDED_CARE for s in plan.slots):
        return []
    return [_found(RuleId.EXTENDED_CARE, "extended_care_missing", {}, False, True, rule.cite)]


def _evening_study(plan: PlanFacts, profile: ProfileRules) -> list[Shortfall]:
    longest = profile.evening_study_max_minutes
    latest = profile.evening_study_latest_end
    found = []
    for slot in plan.slots:
        if slot.kind is not SlotKind.EVENING_STUDY:
            continue
        where = [*slot.grades, hhmm(slot.start), hhmm(slot.end)]
        if longest is not None and slot.minutes > longest.value:
            params = {"slot": where, "minutes": slot.minutes, "required": longest.value}
            found.append(
                _found(
                    RuleId.EVENING_STUDY_DURATION,
                    "evening_study_too_long",
                    params,
                    slot.minutes,
                    longest.value,
                    longest.cite,
                )
            )
        if latest is not None and slot.end > latest.value:
            params = {"slot": where, "end": hhmm(slot.end), "latest": hhmm(latest.value)}
            found.append(
                _found(
                    RuleId.EVENING_STUDY_END,
                    "evening_study_too_late",
                    params,
                    slot.end,
                    latest.value,
                    latest.cite,
                )
            )
    return found


def _vacation(plan: PlanFacts, profile: ProfileRules) -> list[Shortfall]:
    found = []
    for rule, weeks, rule_id, season in (
        (
            profile.vacation_weeks_winter,
            plan.vacation_weeks_winter,
            RuleId.VACATION_WINTER,
            "winter",
        ),
        (
            profile.vacation_weeks_summer,
            plan.vacation_weeks_summer,
            RuleId.VACATION_SUMMER,
            "summer",
        ),
    ):
        if rule is None or not rule.value:
            continue
        if weeks is None:
            params = {"season": season, "required": rule.value}
            found.append(
                _found(
                    rule_id, "vacation_unstated", params, None, rule.value, rule.cite, unknown=True
                )
            )
        elif weeks < rule.value:
            params = {"season": season, "weeks": weeks, "required": rule.value}
            found.append(_found(rule_id, "vacation_short", params, weeks, rule.value, rule.cite))
    return found


# --- content ----------------------------------------------------------------------------


def extended_items(plan: PlanFacts) -> list[str]:
    """The plan's extended service items (the N of 2+N), by distinct name."""
    names: list[str] = []
    for item in plan.content:
        if item.category in EXTENDED_CATEGORIES and item.name not in names:
            names.append(item.name)
    return names


def content_problems(
    plan: PlanFacts, model: ContentModel
) -> list[tuple[str, dict, object, object]]:
    """What `plan` lacks to satisfy `model`: [(text, params, plan value, required)], each
    text a key of kehou.policy_rules.texts."""
    problems: list[tuple[str, dict, object, object]] = []
    offered = {item.category for item in plan.content}
    name = model.name
    for category in sorted(model.basic, key=list(Category).index):
        if category not in offered:
            problems.append(
                (
                    "content_basic_missing",
                    {"model": name, "category": str(category)},
                    sorted(offered & BASIC_CATEGORIES, key=list(Category).index),
                    sorted(model.basic, key=list(Category).index),
                )
            )
    n = len(extended_items(plan))
    if n < model.min_extended:
        params = {"model": name, "required": model.min_extended, "n": n}
        problems.append(("content_extended_short", params, n, model.min_extended))
    if model.homework_minutes is not None:
        minutes = plan.homework_minutes_per_day
        if minutes is None:
            params = {"model": name, "required": model.homework_minutes}
            problems.append(("homework_minutes_unstated", params, None, model.homework_minutes))
        elif minutes < model.homework_minutes:
            params = {"model": name, "minutes": minutes, "required": model.homework_minutes}
            problems.append(("homework_minutes_short", params, minutes, model.homework_minutes))
    if model.club_days is not None:
        lo, hi = model.club_days
        days = plan.club_days_per_week
        if days is None or not lo <= days <= hi:
            params = {"club_days": days, "model": name, "lo": lo, "hi": hi}
            problems.append(("club_days", params, days, model.club_days))
    return problems


def _content(plan: PlanFacts, profile: ProfileRules) -> list[Shortfall]:
    rule = profile.content_models
    if rule is None or not rule.value:
        return []
    attempts = [content_problems(plan, model) for model in rule.value]
    if any(not problems for problems in attempts):
        return []
    # Report against the model the plan comes closest to (the first on a tie).
    closest = min(range(len(attempts)), key=lambda i: len(attempts[i]))
    others = [m.name for i, m in enumerate(rule.value) if i != closest]
    return [
        _found(
            RuleId.CONTENT_MODEL,
            text,
            {**params, "others": others},
            plan_value,
            required,
            rule.cite,
            unknown=plan_value is None,
        )
        for text, params, plan_value, required in attempts[closest]
    ]


# --- money and homework -----------------------------------------------------------------


def _pay_floor(plan: PlanFacts, profile: ProfileRules) -> list[Shortfall]:
    rule = profile.pay_floor_per_class_hour
    if rule is None:
        return []
    pay = plan.pay_per_class_hour_yuan
    if pay is None:
        params = {"pay": _amount(rule.value)}
        return [
            _found(
                RuleId.PAY_FLOOR, "pay_unstated", params, None, rule.value, rule.cite, unknown=True
            )
        ]
    if pay >= rule.value:
        return []
    params = {"amount": _amount(pay), "pay": _amount(rule.value)}
    return [_found(RuleId.PAY_FLOOR, "pay_low", params, pay, rule.value, rule.cite)]


def _fee(plan: PlanFacts, profile: ProfileRules) -> list[Shortfall]:
    rule = profile.fee_standard
    if rule is None:
        return []
    ceiling = rule.value.max_yuan_per_term
    fee = plan.fee_yuan_per_term
    if fee is None:
        if ceiling is None:
            return [
                _found(
                    RuleId.FEE, "fee_unstated_free", {}, None, Decimal(0), rule.cite, unknown=True
                )
            ]
        params = {"ceiling": _amount(ceiling)}
        return [_found(RuleId.FEE, "fee_unstated", params, None, ceiling, rule.cite, unknown=True)]
    if ceiling is None and fee > 0:
        params = {"amount": _amount(fee)}
        return [_found(RuleId.FEE, "fee_without_standard", params, fee, Decimal(0), rule.cite)]
    if ceiling is not None and fee > ceiling:
        params = {"amount": _amount(fee), "ceiling": _amount(ceiling)}
        return [_found(RuleId.FEE, "fee_over_ceiling", params, fee, ceiling, rule.cite)]
    return []


def _grade12_homework(plan: PlanFacts, profile: ProfileRules) -> list[Shortfall]:
    rule = profile.grade12_no_written_homework
    if rule is None or not rule.value or not plan.grades & {1, 2}:
        return []
    rule_id = RuleId.GRADE12_NO_WRITTEN_HOMEWORK
    if plan.grade12_written_homework is None:
        return [_found(rule_id, "grade12_unstated", {}, None, False, rule.cite, unknown=True)]
    if not plan.grade12_written_homework:
        return []
    return [_found(rule_id, "grade12_homework", {}, True, False, rule.cite)]


def _junior_homework(plan: PlanFacts, profile: ProfileRules) -> list[Shortfall]:
    rule = profile.junior_homework_at_school_min_percent
    if rule is None or not plan.grades & JUNIOR_GRADES:
        return []
    share = plan.junior_homework_at_school_percent
    rule_id = RuleId.JUNIOR_HOMEWORK_AT_SCHOOL
    if share is None:
        params = {"required": rule.value}
        return [
            _found(rule_id, "junior_unstated", params, None, rule.value, rule.cite, unknown=True)
        ]
    if share >= rule.value:
        return []
    params = {"share": share, "required": rule.value}
    return [_found(rule_id, "junior_low", params, share, rule.value, rule.cite)]


_CHECKS = (
    _service_days,
    _weekend_days,
    _min_minutes,
    _end_time,
    _extended_care,
    _evening_study,
    _vacation,
    _content,
    _pay_floor,
    _fee,
    _grade12_homework,
    _junior_homework,
)


# --- the profile itself and the region --------------------------------------------------


GAPS_ZH = {
    "off_work_time": "当地正常下班时间未录入:暂不检查“结束时间不早于当地下班时间”",
}


def profile_gap_fields(profile: ProfileRules) -> list[str]:
    """The profile fields a seed states whose value the bureau still has to enter (the
    rule is not checked until it does): keys of GAPS_ZH."""
    gaps = []
    if profile.off_work_time is not None and profile.off_work_time.value is None:
        gaps.append("off_work_time")
    return gaps


def profile_gaps(profile: ProfileRules) -> list[str]:
    """The notes "rule not checked" of profile_gap_fields, in Chinese."""
    return [GAPS_ZH[name] for name in profile_gap_fields(profile)]


@dataclass(frozen=True)
class TargetResult:
    rule: RuleId
    urban_schools: int
    qualifying: int
    share_percent: Decimal  # one decimal place; 0 when there is no urban school
    required_percent: int
    meets: bool
    short_schools: tuple[str, ...]  # urban schools not yet running the target model
    unknown_urban: tuple[str, ...]  # schools whose urban status is not recorded
    citation: Citation

    @property
    def message(self) -> str:
        verdict = "达标" if self.meets else "未达标"
        return (
            f"城区{self.urban_schools}所学校中{self.qualifying}所实现“2+3”,"
            f"占{self.share_percent}%,要求{self.required_percent}%以上,{verdict}"
        )


def urban_target_share(plans: Iterable[PlanFacts], profile: ProfileRules) -> TargetResult | None:
    """Region-level 2+3 target (003): the share of urban schools whose plan satisfies the
    target model, against the required share ("达80%以上": exactly 80 % meets it).
    None when the profile has no such target. Schools outside the county seat are not
    counted (003: 乡镇及以下学校暂不纳入统计)."""
    rule = profile.urban_target
    if rule is None:
        return None
    urban = qualifying = 0
    short: list[str] = []
    unknown: list[str] = []
    for plan in plans:
        if plan.is_urban is None:
            unknown.append(plan.school)
            continue
        if not plan.is_urban:
            continue
        urban += 1
        if content_problems(plan, rule.value.model):
            short.append(plan.school)
        else:
            qualifying += 1
    share = (
        (Decimal(qualifying * 100) / Decimal(urban)).quantize(Decimal("0.1"))
        if urban
        else Decimal(0)
    )
    return TargetResult(
        rule=RuleId.URBAN_TARGET,
        urban_schools=urban,
        qualifying=qualifying,
        share_percent=share,
        required_percent=rule.value.share_percent,
        # Compare exact integers, not the rounded share: 79.96 % must not round up to 80.
        meets=urban > 0 and qualifying * 100 >= rule.value.share_percent * urban,
        short_schools=tuple(short),
        unknown_urban=tuple(unknown),
        citation=rule.cite,
    )
