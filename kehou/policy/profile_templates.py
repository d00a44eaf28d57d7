"""The shipped template profiles, one per seed locality (R4).

Kept free of the app's models so migration 0003 can pass its historical models.
"""

from kehou.policy_rules.profiles import PROFILES
from kehou.policy_rules.serialise import profile_to_dict


def install_templates(profile_model, version_model) -> int:
    """Create the shipped templates that are missing; shared with migration 0003, which
    passes its historical models."""
    created = 0
    for key, rules in PROFILES.items():
        if profile_model.objects.filter(key=key).exists():
            continue
        data = profile_to_dict(rules)
        profile = profile_model.objects.create(
            key=key, name=rules.locality, region=None, rules=data, version=1
        )
        version_model.objects.create(
            profile=profile, version=1, rules=data, note="随系统提供的模板(依据该政策文件)"
        )
        created += 1
    return created
