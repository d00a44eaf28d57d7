"""What the profile pages call each rule of a profile and how they show its value.

The pure core (kehou.policy_rules) names rules in Chinese for the compliance report; the
profile pages use these translatable labels, so English pages read English. A citation
(the seed's own words) stays as written.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kehou.core.labels import category_label
from kehou.policy_rules.serialise import MENU_RULE_FIELDS, RULE_FIELDS

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
PLAN_RULE_FIELDS = tuple(name for name in RULE_FIELDS if name not in MENU_RULE_FIELDS)


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
                "value": rule_value_text(name, rule.value) if rule is not None else "",
                "cite": rule.cite if rule is not None else None,
            }
        )
    return rows
