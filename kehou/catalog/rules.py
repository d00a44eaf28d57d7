"""What a school's menu may hold, read from its region's policy profile (SPEC R4, R8).

The menu services check only what the school's profile states: a rule the profile does
not state is not checked, and a school under no profile is checked for none of them. A
refusal quotes the rule's citation (`citation`), so it names the document it rests on
rather than one city's rules assumed everywhere.
"""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext

from kehou.org.models import School
from kehou.policy.selectors import profile_for_school, profile_rules
from kehou.policy_rules import Citation, ProfileRules, Rule


def school_rules(school: School) -> ProfileRules | None:
    """The rules of the profile the school follows; None when no region above it has one."""
    profile = profile_for_school(school)
    return profile_rules(profile) if profile is not None else None


def stated(rules: ProfileRules | None, name: str) -> Rule | None:
    """The profile's rule `name`, or None when the profile does not state it (nothing is
    then checked). A yes/no rule switched off counts as not stated."""
    rule = getattr(rules, name, None) if rules is not None else None
    if rule is None or rule.value is None or rule.value is False:
        return None
    return rule


def no_fee_standard(rules: ProfileRules | None) -> Rule | None:
    """The fee-standard rule when it says no standard has been issued yet (no fee may be
    charged at all, an agency fee included); None otherwise."""
    rule = stated(rules, "fee_standard")
    return rule if rule is not None and rule.value.max_yuan_per_term is None else None


def _source_text(seed: str, where: str) -> str:
    number, _sep, _rest = seed.partition("_")
    if number.isdigit():
        return gettext("seed %(number)s") % {"number": number}
    return where or seed


# Translated when the message is shown, in the language of the page that shows it.
_source = lazy(_source_text, str)


def citation(rule: Rule) -> dict:
    """The params `source` (e.g. "种子000", or the bureau's entry) and `quote` (the
    sentence, in Chinese) of a refusal that rests on `rule`."""
    cite: Citation = rule.cite
    return {"source": _source(cite.seed, cite.where), "quote": cite.quote}
