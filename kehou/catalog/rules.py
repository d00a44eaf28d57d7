"""What a school's menu may hold, read from its region's policy profile (SPEC R4, R8).

The menu services check only what the school's profile states: a rule the profile does
not state is not checked, and a school under no profile is checked for none of them. A
refusal quotes the rule's citation (`citation`), so it names the document it rests on
rather than one city's rules assumed everywhere.
"""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehou.lib.vocabulary import Category
from kehou.org.models import School
from kehou.policy.selectors import profile_for_school, profile_rules
from kehou.policy_rules import Citation, ProfileRules, Rule, document_name


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


# Subject training (学科类培训) by what an activity is, not only by the school's tick: the
# subjects the Ministry of Education manages as 学科类 (教育部办公厅《关于进一步明确义务教育
# 阶段校外培训学科类和非学科类范围的通知》, 教监管厅函〔2021〕3号: 道德与法治、语文、历史、
# 地理、数学、外语(英语、日语、俄语)、物理、化学、生物), with the usual names of their
# training, and the categories whose content is school subject work by definition.
SUBJECT_WORDS = (
    "道德与法治",
    "语文",
    "历史",
    "地理",
    "数学",
    "奥数",
    "外语",
    "英语",
    "日语",
    "俄语",
    "物理",
    "化学",
    "生物",
    "作文",
)
SUBJECT_CATEGORIES = frozenset({Category.HOMEWORK, Category.EVENING_STUDY, Category.TUTORING})


def subject_training_reason(*, name: str, category: str, ticked: bool):
    """Why an activity counts as subject training (a translatable text), or None."""
    if ticked:
        return _("the school marked it as subject training")
    if category in SUBJECT_CATEGORIES:
        return _("its category is school subject work")
    for word in SUBJECT_WORDS:
        if word in (name or ""):
            return _named_subject(word)
    return None


def _named_subject_text(word: str) -> str:
    return gettext("its name names the school subject “%(word)s”") % {"word": word}


# Translated when the message is shown, in the language of the page that shows it.
_named_subject = lazy(_named_subject_text, str)


def citation(rule: Rule) -> dict:
    """The params `source` (the document's name, see `document_name`) and `quote` (the
    sentence, in Chinese) of a refusal that rests on `rule`."""
    cite: Citation = rule.cite
    return {"source": document_name(cite), "quote": cite.quote}
