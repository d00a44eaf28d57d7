"""What the profile pages call each rule of a profile and how they show its value.

The pure core (kehou.policy_rules) names rules in Chinese for the compliance report; the
profile pages use these translatable labels, so English pages read English. A citation
(the seed's own words) stays as written.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kehou.core.labels import category_label, grades_label, weekday_label
from kehou.policy_rules import RuleId, profile_gap_fields
from kehou.policy_rules.serialise import MENU_RULE_FIELDS, RULE_FIELDS, UNCHECKED_RULE_FIELDS
from kehou.policy_rules.texts import AMOUNTS

RULE_LABELS = {
    "service_days_per_week": gettext_lazy("Service days a week (Monday-Friday)"),
    "weekend_days_per_week": gettext_lazy("Weekend service days (5+2+1)"),
    "min_minutes_per_day": gettext_lazy("Shortest service a day"),
    "off_work_time": gettext_lazy("Ends no earlier than the local off-work time"),
    "extended_care_required": gettext_lazy("Extended care must be offered"),
    "evening_study_max_minutes": gettext_lazy("Junior evening study: longest"),
    "evening_study_latest_end": gettext_lazy("Junior evening study: latest end"),
    "vacation_weeks_winter": gettext_lazy("Winter vacation opening weeks"),
    "vacation_weeks_summer": gettext_lazy("Summer vacation opening weeks"),
    "content_models": gettext_lazy("Service content model"),
    "urban_target": gettext_lazy("Share of urban schools running “2+3”"),
    "pay_floor_per_class_hour": gettext_lazy("Teacher pay floor per class-hour"),
    "fee_standard": gettext_lazy("Fee standard"),
    "leave_refund_min_days": gettext_lazy("A leave is refunded from (service days)"),
    "report_due_day": gettext_lazy("Monthly report due on (day of the next month)"),
    "report_reminder_days": gettext_lazy("Monthly report reminder (days before it is due)"),
    "complaint_reply_days": gettext_lazy("A complaint is replied to within (days)"),
    "grade12_no_written_homework": gettext_lazy("No written homework in grades 1-2"),
    "junior_homework_at_school_min_percent": gettext_lazy(
        "Junior written homework done at school: lowest share"
    ),
    "evening_study_weekdays_only": gettext_lazy("Junior evening study only Monday to Friday"),
    "no_subject_training_by_organisations": gettext_lazy(
        "No subject training by outside organisations"
    ),
    "no_new_lessons": gettext_lazy("No new lessons during the service"),
    "no_commercial_promotion": gettext_lazy("No commercial promotion"),
    "no_high_risk_activities": gettext_lazy("No high-risk activities"),
    "agency_fee_for_organisations_only": gettext_lazy(
        "Fees collected on behalf of others only for outside organisations"
    ),
    "instructors_vetted": gettext_lazy("External instructors qualified and background-checked"),
}
# What kehou does about a rule no document of the locality states, when it is not simply
# "not checked".
UNSTATED_MEANING = {
    "report_due_day": gettext_lazy("Not stated: the monthly report has no due day"),
    "report_reminder_days": gettext_lazy("Not stated: no reminder is sent"),
    "complaint_reply_days": gettext_lazy("Not stated: complaints have no time limit"),
}
PLAN_RULE_FIELDS = tuple(
    name
    for name in RULE_FIELDS
    if name not in MENU_RULE_FIELDS and name not in UNCHECKED_RULE_FIELDS
)


def rule_value_text(name: str, value) -> str:
    """A rule's value as the profile page shows it."""
    if value is None:
        return _("Not entered yet (the bureau enters it)")
    if name in {"min_minutes_per_day", "evening_study_max_minutes"}:
        return _("%(n)d minutes") % {"n": value}
    if name in {"service_days_per_week", "weekend_days_per_week"}:
        return _("%(n)d days") % {"n": value}
    if name.startswith("vacation_weeks"):
        return _("%(n)d weeks") % {"n": value}
    if name in {"off_work_time", "evening_study_latest_end"}:
        return value.strftime("%H:%M")
    if name == "leave_refund_min_days":
        return _("%(n)d service days or more") % {"n": value}
    if name == "report_due_day":
        return _("The %(n)d. of the following month") % {"n": value}
    if name in {"report_reminder_days", "complaint_reply_days"}:
        return _("%(n)d days") % {"n": value}
    if name == "pay_floor_per_class_hour":
        return _("%(amount)s yuan a class-hour") % {"amount": f"{value.normalize():f}"}
    if name == "fee_standard":
        ceiling = value.max_yuan_per_term
        if ceiling is None:
            return _("No fee standard yet, no fee may be charged")
        return _("At most %(amount)s yuan per child per term") % {"amount": ceiling}
    if name == "junior_homework_at_school_min_percent":
        return _("At least %(n)d%%") % {"n": value}
    if name == "content_models":
        return _(" or ").join(content_model_text(m) for m in value)
    if name == "urban_target":
        return _("At least %(share)d%% of urban schools run %(model)s") % {
            "share": value.share_percent,
            "model": content_model_text(value.model),
        }
    if value is True:
        return _("Yes")
    return str(value)


def content_model_text(model) -> str:
    parts = []
    if model.basic:
        names = _(", ").join(category_label(c) for c in sorted(model.basic))
        parts.append(_("basic services: %(names)s") % {"names": names})
    if model.min_extended:
        n = model.min_extended
        parts.append(
            ngettext("at least %(n)d extended service", "at least %(n)d extended services", n)
            % {"n": n}
        )
    if model.homework_minutes:
        parts.append(_("homework tutoring %(n)d minutes a day") % {"n": model.homework_minutes})
    if model.club_days:
        low, high = model.club_days
        parts.append(_("clubs %(low)d-%(high)d days a week") % {"low": low, "high": high})
    return _("“%(name)s” (%(parts)s)") % {"name": model.name, "parts": _("; ").join(parts)}


def profile_rule_rows(rules, names) -> list[dict]:
    """One row per rule in `names`: its label and, when the profile states it, the value
    shown and the citation; a rule the profile does not state is not checked."""
    rows = []
    for name in names:
        rule = getattr(rules, name)
        rows.append(
            {
                "name": name,
                "label": RULE_LABELS[name],
                "stated": rule is not None,
                "unstated": UNSTATED_MEANING.get(name, ""),
                "value": rule_value_text(name, rule.value) if rule is not None else "",
                "cite": rule.cite if rule is not None else None,
            }
        )
    return rows


# --- the compliance check's shortfalls, in the page's language --------------------------

RULE_ID_LABELS = {
    RuleId.SERVICE_DAYS: gettext_lazy("Service days a week"),
    RuleId.WEEKEND_DAYS: gettext_lazy("Weekend service days"),
    RuleId.MIN_MINUTES: gettext_lazy("Service time a day"),
    RuleId.END_TIME: gettext_lazy("Ends no earlier than the off-work time"),
    RuleId.EXTENDED_CARE: gettext_lazy("Extended care"),
    RuleId.EVENING_STUDY_DURATION: gettext_lazy("Junior evening study: length"),
    RuleId.EVENING_STUDY_END: gettext_lazy("Junior evening study: end"),
    RuleId.VACATION_WINTER: gettext_lazy("Winter vacation opening"),
    RuleId.VACATION_SUMMER: gettext_lazy("Summer vacation opening"),
    RuleId.CONTENT_MODEL: gettext_lazy("Service content model"),
    RuleId.URBAN_TARGET: gettext_lazy("Share of urban schools running “2+3”"),
    RuleId.PAY_FLOOR: gettext_lazy("Teacher pay floor per class-hour"),
    RuleId.FEE: gettext_lazy("Fee standard"),
    RuleId.GRADE12_NO_WRITTEN_HOMEWORK: gettext_lazy("No written homework in grades 1-2"),
    RuleId.JUNIOR_HOMEWORK_AT_SCHOOL: gettext_lazy("Junior written homework done at school"),
}

# One sentence per kehou.policy_rules.texts key, with the same params.
SHORTFALL_TEXTS = {
    "service_days": gettext_lazy("%(days)s service days a week, %(required)s required"),
    "weekend_days": gettext_lazy("%(days)s weekend service days a week, %(required)s required"),
    "min_minutes": gettext_lazy(
        "%(grades)s: %(minutes)s minutes of service a day%(which_days)s, at least "
        "%(required)s required"
    ),
    "end_time": gettext_lazy(
        "%(grades)s: ends at %(end)s%(which_days)s, before the local off-work time %(off_work)s"
    ),
    "extended_care_missing": gettext_lazy(
        "No extended care is offered (the school must offer it to pupils who need it)"
    ),
    "evening_study_too_long": gettext_lazy(
        "%(slot)s lasts %(minutes)s minutes, longer than %(required)s minutes"
    ),
    "evening_study_too_late": gettext_lazy("%(slot)s ends at %(end)s, later than %(latest)s"),
    "vacation_unstated": gettext_lazy(
        "The plan does not say how many weeks it opens in the %(season)s; %(required)s required"
    ),
    "vacation_short": gettext_lazy(
        "Opens %(weeks)s weeks in the %(season)s, %(required)s required"
    ),
    "content_basic_missing": gettext_lazy(
        "The basic services of “%(model)s” lack %(category)s%(others)s"
    ),
    "content_extended_short": gettext_lazy(
        "“%(model)s” needs at least %(required)s extended services, the plan has %(n)s%(others)s"
    ),
    "homework_minutes_unstated": gettext_lazy(
        "The plan does not say how long homework tutoring lasts a day; “%(model)s” "
        "requires %(required)s minutes%(others)s"
    ),
    "homework_minutes_short": gettext_lazy(
        "Homework tutoring %(minutes)s minutes a day; “%(model)s” requires %(required)s "
        "minutes%(others)s"
    ),
    "club_days": gettext_lazy(
        "Club activities: %(club_days)s a week; “%(model)s” requires %(lo)s-%(hi)s days "
        "a week%(others)s"
    ),
    "pay_unstated": gettext_lazy(
        "The plan does not state the teachers' pay per class-hour; at least %(pay)s required"
    ),
    "pay_low": gettext_lazy("Teachers' pay per class-hour is %(amount)s, below %(pay)s"),
    "fee_unstated_free": gettext_lazy(
        "The plan does not say whether a service fee is charged (none may be charged)"
    ),
    "fee_unstated": gettext_lazy(
        "The plan does not say whether a service fee is charged (at most %(ceiling)s a term)"
    ),
    "fee_without_standard": gettext_lazy(
        "A service fee of %(amount)s a term is charged, but no local fee standard has "
        "been issued: no fee may be charged"
    ),
    "fee_over_ceiling": gettext_lazy(
        "A service fee of %(amount)s a term, above the standard of %(ceiling)s"
    ),
    "grade12_unstated": gettext_lazy(
        "The plan does not say whether grades 1-2 get written homework (none is allowed)"
    ),
    "grade12_homework": gettext_lazy("Grades 1-2 get written homework; none is allowed"),
    "junior_unstated": gettext_lazy(
        "The plan does not state the share of written homework junior pupils do at "
        "school; at least %(required)s%% required"
    ),
    "junior_low": gettext_lazy(
        "Junior pupils do %(share)s%% of their written homework at school; at least "
        "%(required)s%% required"
    ),
}
SEASON_TEXTS = {
    "winter": gettext_lazy("winter vacation"),
    "summer": gettext_lazy("summer vacation"),
}


def _param_text(name: str, value) -> str:
    """One param as the page's language shows it (the names of kehou.policy_rules.texts)."""
    if name == "grades":
        return grades_label(*value)
    if name == "which_days":
        if not value:
            return ""
        return _(" (%(days)s)") % {"days": _(", ").join(weekday_label(d) for d in value)}
    if name == "slot":
        lo, hi, start, end = value
        return _("%(grades)s evening study %(start)s-%(end)s") % {
            "grades": grades_label(lo, hi),
            "start": start,
            "end": end,
        }
    if name == "season":
        return str(SEASON_TEXTS[value])
    if name == "category":
        return str(category_label(value))
    if name == "others":
        if not value:
            return ""
        return _(" (or “%(names)s”)") % {"names": _("” or “").join(value)}
    if name in AMOUNTS:
        return _("%(amount)s yuan") % {"amount": value}
    if name == "club_days":
        return _("not stated") if value is None else _("%(n)d days") % {"n": value}
    return str(value)


def _facts(shortfall) -> tuple[str, str, dict, str, str]:
    """(rule, text, params, message, scope) of a Shortfall or of its as_dict()."""
    if isinstance(shortfall, dict):
        get = shortfall.get
        return (
            get("rule", ""),
            get("text", ""),
            get("params") or {},
            get("message", ""),
            get("scope", ""),
        )
    return (
        str(shortfall.rule),
        shortfall.text,
        shortfall.params,
        shortfall.message,
        shortfall.scope,
    )


def shortfall_message(shortfall) -> str:
    """The shortfall's sentence in the active language (the core's Chinese when it has no
    text key, e.g. a record kept before the key existed)."""
    _rule, text, params, message, _scope = _facts(shortfall)
    if text not in SHORTFALL_TEXTS:
        return message
    return str(SHORTFALL_TEXTS[text]) % {name: _param_text(name, v) for name, v in params.items()}


def shortfall_scope(shortfall) -> str:
    """What part of the plan it concerns (grades, an evening slot, a content model)."""
    _rule, text, params, _message, scope = _facts(shortfall)
    if text not in SHORTFALL_TEXTS:
        return scope
    for name in ("slot", "grades", "model"):
        if name in params:
            return _param_text(name, params[name])
    return ""


def rule_name(rule) -> str:
    """A compliance rule's name in the active language."""
    try:
        return str(RULE_ID_LABELS[RuleId(str(rule))])
    except ValueError:
        return str(rule)


def shortfall_line(shortfall) -> str:
    """ "Rule: sentence", for a list (the confirmation); the sentence itself names the
    grades, slot or model it concerns."""
    rule, *_rest = _facts(shortfall)
    return _("%(rule)s: %(message)s") % {
        "rule": rule_name(rule),
        "message": shortfall_message(shortfall),
    }


GAP_TEXTS = {
    "off_work_time": gettext_lazy(
        "The local off-work time has not been entered: “ends no earlier than the local "
        "off-work time” is not checked yet"
    ),
}


def profile_gap_notes(rules) -> list[str]:
    """The profile's "rule not checked" notes in the active language."""
    return [str(GAP_TEXTS[name]) for name in profile_gap_fields(rules)]


def target_message(target) -> str:
    """The urban 2+3 target's verdict (kehou.policy_rules.TargetResult) in the active
    language."""
    verdict = _("met") if target.meets else _("not met")
    return _(
        "%(qualifying)d of %(urban)d urban schools run “2+3”: %(share)s%%, at least "
        "%(required)d%% required, %(verdict)s"
    ) % {
        "qualifying": target.qualifying,
        "urban": target.urban_schools,
        "share": target.share_percent,
        "required": target.required_percent,
        "verdict": verdict,
    }
