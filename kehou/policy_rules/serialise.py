"""A profile to JSON-ready dicts and back, so the Django side can store it (JSONField),
let the bureau edit it and keep its history. `profile_from_dict(profile_to_dict(p)) == p`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from .model import Category, Citation, ContentModel, FeeStandard, ProfileRules, Rule, UrbanTarget


def _time_out(value: dt.time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def _time_in(value: str | None) -> dt.time | None:
    return None if value is None else dt.time.fromisoformat(value)


def _model_out(model: ContentModel) -> dict:
    return {
        "name": model.name,
        "basic": sorted(str(c) for c in model.basic),
        "min_extended": model.min_extended,
        "homework_minutes": model.homework_minutes,
        "club_days": None if model.club_days is None else list(model.club_days),
    }


def _model_in(data: dict) -> ContentModel:
    return ContentModel(
        name=data["name"],
        basic=frozenset(Category(c) for c in data.get("basic", ())),
        min_extended=int(data.get("min_extended", 0)),
        homework_minutes=data.get("homework_minutes"),
        club_days=None if data.get("club_days") is None else tuple(data["club_days"]),
    )


def _decimal_out(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal_in(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


_SAME = (lambda v: v, lambda v: v)
# field -> (encode value, decode value)
_CODECS: dict[str, tuple[Callable, Callable]] = {
    "service_days_per_week": _SAME,
    "weekend_days_per_week": _SAME,
    "min_minutes_per_day": _SAME,
    "off_work_time": (_time_out, _time_in),
    "extended_care_required": _SAME,
    "evening_study_max_minutes": _SAME,
    "evening_study_latest_end": (_time_out, _time_in),
    "vacation_weeks_winter": _SAME,
    "vacation_weeks_summer": _SAME,
    "content_models": (
        lambda models: [_model_out(m) for m in models],
        lambda data: tuple(_model_in(m) for m in data),
    ),
    "urban_target": (
        lambda t: {"model": _model_out(t.model), "share_percent": t.share_percent},
        lambda d: UrbanTarget(_model_in(d["model"]), int(d["share_percent"])),
    ),
    "pay_floor_per_class_hour": (_decimal_out, _decimal_in),
    "fee_standard": (
        lambda f: {"max_yuan_per_term": _decimal_out(f.max_yuan_per_term)},
        lambda d: FeeStandard(_decimal_in(d.get("max_yuan_per_term"))),
    ),
    "leave_refund_min_days": _SAME,
    "report_due_day": _SAME,
    "report_reminder_days": _SAME,
    "complaint_reply_days": _SAME,
    "grade12_no_written_homework": _SAME,
    "junior_homework_at_school_min_percent": _SAME,
    "evening_study_weekdays_only": _SAME,
    "no_subject_training_by_organisations": _SAME,
    "no_new_lessons": _SAME,
    "no_commercial_promotion": _SAME,
    "no_high_risk_activities": _SAME,
    "agency_fee_for_organisations_only": _SAME,
    "instructors_vetted": _SAME,
}
# The rules of a menu (kehou.catalog): yes/no rules a bureau may switch on or off.
MENU_RULE_FIELDS = (
    "evening_study_weekdays_only",
    "no_subject_training_by_organisations",
    "no_new_lessons",
    "no_commercial_promotion",
    "no_high_risk_activities",
    "agency_fee_for_organisations_only",
    "instructors_vetted",
)
RULE_FIELDS = tuple(_CODECS)
# Rules bills read (kehou.billing), not checked against a plan or a menu.
BILLING_RULE_FIELDS = ("leave_refund_min_days",)
# Rules the monthly report and the complaint channel read (kehou.reports, kehou.complaints).
OVERSIGHT_RULE_FIELDS = ("report_due_day", "report_reminder_days", "complaint_reply_days")
# Rules other apps read, not checked against a plan or a menu.
UNCHECKED_RULE_FIELDS = (*BILLING_RULE_FIELDS, *OVERSIGHT_RULE_FIELDS)


def profile_to_dict(profile: ProfileRules) -> dict:
    data: dict = {"key": profile.key, "locality": profile.locality, "notes": list(profile.notes)}
    rules = {}
    for name, (encode, _) in _CODECS.items():
        rule = getattr(profile, name)
        if rule is not None:
            rules[name] = {"value": encode(rule.value), "cite": dataclasses.asdict(rule.cite)}
    data["rules"] = rules
    return data


def profile_from_dict(data: dict) -> ProfileRules:
    """Raises ValueError (naming the field) on an unknown rule or a malformed value."""
    rules = data.get("rules", {})
    unknown = set(rules) - set(_CODECS)
    if unknown:
        raise ValueError(f"未知规则: {', '.join(sorted(unknown))}")
    kwargs = {}
    for name, entry in rules.items():
        _, decode = _CODECS[name]
        try:
            kwargs[name] = Rule(decode(entry["value"]), Citation(**entry["cite"]))
        except (KeyError, TypeError, ValueError, ArithmeticError) as error:
            raise ValueError(f"规则{name}的值无效: {error}") from error
    return ProfileRules(
        key=data["key"], locality=data["locality"], notes=tuple(data.get("notes", ())), **kwargs
    )
