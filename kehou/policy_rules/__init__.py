"""The pure compliance core of the school plan (SPEC R4, R6). Not a Django app: it imports
only the standard library, so it runs and is tested without a database.

- `model`: ProfileRules (a locality's rules, each with its citation) and PlanFacts (what a
  school plan states).
- `check`: `check_plan(plan, profile) -> list[Shortfall]` and the region-level
  `urban_target_share(plans, profile)` for 003's urban 2+3 target.
- `profiles`: one profile per seed locality, `PROFILES[key]`.
- `serialise`: profile <-> JSON-ready dict for storage and editing.
"""

from .check import (
    RULE_ZH,
    RuleId,
    Shortfall,
    TargetResult,
    check_plan,
    profile_gap_fields,
    profile_gaps,
    urban_target_share,
)
from .documents import DOCUMENT_TITLES, document_name, document_title
from .model import (
    Category,
    Citation,
    ContentItem,
    ContentModel,
    FeeStandard,
    PlanFacts,
    ProfileRules,
    Rule,
    Slot,
    SlotKind,
    UrbanTarget,
)

__all__ = [
    "DOCUMENT_TITLES",
    "document_name",
    "document_title",
    "RULE_ZH",
    "Category",
    "Citation",
    "ContentItem",
    "ContentModel",
    "FeeStandard",
    "PlanFacts",
    "ProfileRules",
    "Rule",
    "RuleId",
    "Shortfall",
    "Slot",
    "SlotKind",
    "TargetResult",
    "UrbanTarget",
    "check_plan",
    "profile_gap_fields",
    "profile_gaps",
    "urban_target_share",
]
