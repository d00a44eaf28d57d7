"""The words of each shortfall, kept apart from the check so that every language is built
from the same facts.

A Shortfall carries `text` (one of the keys below) and `params` (plain JSON values: ints,
"HH:MM" times, amounts as strings, weekday numbers, category and season codes, the
profile's own model names). `zh(text, params)` writes the Chinese sentence the pure core
reports; kehou.policy.rule_labels writes the same sentence through gettext for the pages,
so an English page reads English. Param names decide how a value is shown:

- grades [lo, hi]                 → 1-2年级
- which_days [weekday, ...]       → (周一、周五); [] = every service day, nothing shown
- slot [lo, hi, start, end]       → 7-9年级晚自习18:30-20:30
- season "winter" / "summer"      → 寒假 / 暑假
- category a Category code        → 体育活动
- others [model name, ...]        → (也可采用“2+N”); [] = nothing
- pay, amount, ceiling  "59.99"   → 59.99元
- club_days int or None           → 3天 / 未说明
- anything else                   → as it is
"""

from __future__ import annotations

from kehou.lib.vocabulary import CATEGORY_NAMES_ZH, WEEKDAY_NAMES_ZH

ZH = {
    "service_days": "每周服务{days}天,要求{required}天",
    "weekend_days": "双休日每周服务{days}天,要求{required}天",
    "min_minutes": "{grades}每天服务{minutes}分钟{which_days},要求不少于{required}分钟",
    "end_time": "{grades}结束时间{end}{which_days}早于当地下班时间{off_work}",
    "extended_care_missing": "未提供延时托管服务(对有特殊需要的学生,学校应提供)",
    "evening_study_too_long": "{slot}共{minutes}分钟,超过{required}分钟",
    "evening_study_too_late": "{slot}结束时间{end}晚于{latest}",
    "vacation_unstated": "方案未说明{season}开放周数,要求{required}周",
    "vacation_short": "{season}开放{weeks}周,要求{required}周",
    "content_basic_missing": "“{model}”的基本服务缺少{category}{others}",
    "content_extended_short": "“{model}”要求至少{required}项拓展服务,方案有{n}项{others}",
    "homework_minutes_unstated": ("方案未说明每天作业辅导时长,“{model}”要求{required}分钟{others}"),
    "homework_minutes_short": "每天作业辅导{minutes}分钟,“{model}”要求{required}分钟{others}",
    "club_days": "每周社团活动{club_days},“{model}”要求每周{lo}-{hi}天{others}",
    "pay_unstated": "方案未说明教师每课时报酬,要求不低于{pay}",
    "pay_low": "教师每课时报酬{amount},低于{pay}",
    "fee_unstated_free": "方案未说明是否收取课后服务费(不得收费)",
    "fee_unstated": "方案未说明是否收取课后服务费(不超过{ceiling}/学期)",
    "fee_without_standard": "收取课后服务费{amount}/学期,但当地尚未出台收费标准,不得收费",
    "fee_over_ceiling": "课后服务费{amount}/学期,超过收费标准{ceiling}",
    "grade12_unstated": "方案未说明一二年级是否留书面家庭作业(要求不留)",
    "grade12_homework": "一二年级留书面家庭作业,要求不留",
    "junior_unstated": "方案未说明初中学生在校完成书面作业的比例,要求至少{required}%",
    "junior_low": "初中学生在校完成书面作业{share}%,要求至少{required}%",
}

SEASONS_ZH = {"winter": "寒假", "summer": "暑假"}
AMOUNTS = frozenset({"pay", "amount", "ceiling"})


def grade_label_zh(lo: int, hi: int) -> str:
    return f"{lo}年级" if lo == hi else f"{lo}-{hi}年级"


def _zh_value(name: str, value: object) -> str:
    if name == "grades":
        return grade_label_zh(*value)
    if name == "which_days":
        return "(" + "、".join(WEEKDAY_NAMES_ZH[d] for d in value) + ")" if value else ""
    if name == "slot":
        lo, hi, start, end = value
        return f"{grade_label_zh(lo, hi)}晚自习{start}-{end}"
    if name == "season":
        return SEASONS_ZH[value]
    if name == "category":
        return CATEGORY_NAMES_ZH[value]
    if name == "others":
        return f"(也可采用“{'”或“'.join(value)}”)" if value else ""
    if name in AMOUNTS:
        return f"{value}元"
    if name == "club_days":
        return "未说明" if value is None else f"{value}天"
    return str(value)


def zh(text: str, params: dict) -> str:
    """The Chinese sentence of a shortfall."""
    return ZH[text].format(**{name: _zh_value(name, v) for name, v in params.items()})


def scope_zh(params: dict) -> str:
    """What part of the plan a shortfall is about ("1-2年级", an evening slot, a content
    model), "" for the whole plan."""
    if "slot" in params:
        return _zh_value("slot", params["slot"])
    if "grades" in params:
        return _zh_value("grades", params["grades"])
    if "model" in params:
        return str(params["model"])
    return ""
