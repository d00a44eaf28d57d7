"""The seed profiles (R4): every rule cites its seed verbatim; silent seeds have no rule."""

import ast
import os
import pathlib
import re

import pytest

from kehou.policy_rules.profiles import PROFILES
from kehou.policy_rules.serialise import RULE_FIELDS, profile_from_dict, profile_to_dict

# The policy texts sit beside the repository (../shared/seeds); KEHOU_SEEDS may point
# elsewhere. In CI (KEHOU_CI=1) their absence is a failure, not a skip.
REPOSITORY = pathlib.Path(__file__).resolve().parents[3]
SEEDS = pathlib.Path(os.environ.get("KEHOU_SEEDS") or REPOSITORY.parent / "shared" / "seeds")
IN_CI = os.environ.get("KEHOU_CI") == "1"


def _flat(text):
    # The seeds were extracted from PDFs and web pages: line breaks left stray spaces.
    return re.sub(r"\s+", "", text)


def rules(profile):
    return {name: getattr(profile, name) for name in RULE_FIELDS if getattr(profile, name)}


def test_the_seed_texts_are_found_in_ci():
    if IN_CI:
        assert SEEDS.is_dir(), f"the policy texts are missing: {SEEDS}"
        assert len(list(SEEDS.glob("*.txt"))) == 5


@pytest.mark.skipif(
    not SEEDS.is_dir() and not IN_CI, reason="seed texts not found beside the repository"
)
@pytest.mark.parametrize("key", sorted(PROFILES))
def test_every_citation_is_quoted_verbatim_from_its_seed(key):
    for name, rule in rules(PROFILES[key]).items():
        seed_file = SEEDS / f"{rule.cite.seed}.txt"
        assert seed_file.is_file(), (key, name)
        assert _flat(rule.cite.quote) in _flat(seed_file.read_text()), (key, name)


def test_the_four_seed_localities_are_shipped():
    assert sorted(PROFILES) == ["anxi_003", "binzhou_004", "changzhi_001", "jiangsu_000"]
    for key, profile in PROFILES.items():
        for rule in rules(profile).values():
            assert rule.cite.seed.startswith(key[-3:])


def test_what_each_seed_states_and_what_it_leaves_out():
    assert set(rules(PROFILES["jiangsu_000"])) == {
        "service_days_per_week",
        "min_minutes_per_day",
        "off_work_time",
        "extended_care_required",
        "evening_study_max_minutes",
        "evening_study_latest_end",
        "evening_study_weekdays_only",
        "pay_floor_per_class_hour",
        "no_subject_training_by_organisations",
        "no_new_lessons",
        "agency_fee_for_organisations_only",
        "instructors_vetted",
    }
    assert set(rules(PROFILES["changzhi_001"])) == {
        "service_days_per_week",
        "weekend_days_per_week",
        "min_minutes_per_day",
        "off_work_time",
        "extended_care_required",
        "evening_study_latest_end",
        "vacation_weeks_winter",
        "vacation_weeks_summer",
        "fee_standard",
        "grade12_no_written_homework",
        "junior_homework_at_school_min_percent",
        "evening_study_weekdays_only",
        "no_new_lessons",
        "no_commercial_promotion",
        "no_high_risk_activities",
        "instructors_vetted",
    }
    assert set(rules(PROFILES["anxi_003"])) == {
        "service_days_per_week",
        "min_minutes_per_day",
        "content_models",
        "urban_target",
        "instructors_vetted",
        "report_due_day",  # 每月24日报送
    }
    assert set(rules(PROFILES["binzhou_004"])) == {
        "content_models",
        "no_new_lessons",
        "fee_standard",
    }
    # no seed gives the local off-work time: the bureau enters it
    assert all(p.off_work_time is None or p.off_work_time.value is None for p in PROFILES.values())


@pytest.mark.parametrize("key", sorted(PROFILES))
def test_profiles_survive_a_json_round_trip(key):
    import json

    profile = PROFILES[key]
    data = json.loads(json.dumps(profile_to_dict(profile), ensure_ascii=False))
    assert profile_from_dict(data) == profile


def test_a_malformed_profile_is_refused_naming_the_rule():
    data = profile_to_dict(PROFILES["jiangsu_000"])
    data["rules"]["off_work_time"]["value"] = "25:99"
    with pytest.raises(ValueError, match="off_work_time"):
        profile_from_dict(data)
    data = profile_to_dict(PROFILES["jiangsu_000"])
    data["rules"]["bogus"] = {}
    with pytest.raises(ValueError, match="bogus"):
        profile_from_dict(data)


def test_the_core_imports_no_django_and_no_kehou_app_but_the_pure_lib():
    root = pathlib.Path(__file__).resolve().parents[1]
    for path in root.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                pure = name == "kehou.lib" or name.startswith("kehou.lib.")
                assert pure or not name.startswith(("django", "kehou")), (path.name, name)
