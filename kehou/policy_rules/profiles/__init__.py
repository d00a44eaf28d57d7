"""One policy profile per seed locality (R4), as Python data with citations.

The Django side loads these as the initial profiles of the seed regions (via
`kehou.policy_rules.serialise.profile_to_dict`) and the bureau edits them from there.
"""

from ..model import ProfileRules
from . import anxi_003, binzhou_004, changzhi_001, jiangsu_000

PROFILES: dict[str, ProfileRules] = {
    module.PROFILE.key: module.PROFILE
    for module in (jiangsu_000, changzhi_001, anxi_003, binzhou_004)
}
