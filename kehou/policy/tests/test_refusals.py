"""Every write of the policy app guards itself: the personas who may not use it are
refused by the service (OutOfScope, a 404 on a page) and nothing changes."""

import pytest

from kehou.org.access import SYSTEM, OutOfScope
from kehou.policy import services
from kehou.policy.models import PolicyProfile
from kehou.testing import factories as f
from kehou.testing.snapshots import everything

from .test_services import seed_002_input

# (fixture, attribute): each must not write north's plan or north's county's profile.
OUTSIDERS = [
    ("south", "admin"),
    ("north", "teacher"),
    ("north", "gate"),
    ("north", "guardian_user"),
    ("south", "county_officer"),
]
NOT_NORTHS_ADMIN = [*OUTSIDERS, ("north", "county_officer"), ("city_officer", None)]
NOT_NORTH_COUNTYS_OFFICER = [*OUTSIDERS, ("north", "admin"), ("city_officer", None)]


def _actor(request, fixture: str, attribute: str | None):
    value = request.getfixturevalue(fixture)
    return value if attribute is None else getattr(value, attribute)


@pytest.fixture
def draft(north):
    term = f.TermFactory()
    plan = services.plan_start_draft(school=north.school, term=term, actor=north.admin)
    return services.plan_update(plan=plan, actor=north.admin, data=seed_002_input())


def _refused(call) -> None:
    before = everything()
    with pytest.raises(OutOfScope):
        call()
    assert everything() == before


@pytest.mark.parametrize(("fixture", "attribute"), NOT_NORTHS_ADMIN)
def test_only_the_schools_admin_writes_its_plan(request, north, draft, fixture, attribute):
    actor = _actor(request, fixture, attribute)
    _refused(lambda: services.plan_update(plan=draft, actor=actor, data=seed_002_input()))
    _refused(lambda: services.plan_publish(plan=draft, actor=actor))
    _refused(lambda: services.plan_start_draft(school=north.school, term=draft.term, actor=actor))
    _refused(
        lambda: services.leadership_replace(
            school=north.school,
            actor=actor,
            members=[services.LeaderInput("陈校长", "校长", "head")],
        )
    )


@pytest.mark.parametrize(("fixture", "attribute"), NOT_NORTH_COUNTYS_OFFICER)
def test_only_the_regions_officer_adopts_and_edits_its_profile(request, north, fixture, attribute):
    actor = _actor(request, fixture, attribute)
    profile = services.profile_adopt(
        template_key="anxi_003", region=north.county, actor=north.county_officer
    )
    values = services.profile_values_of(services.profile_rules(profile))
    _refused(
        lambda: services.profile_adopt(template_key="jiangsu_000", region=north.county, actor=actor)
    )
    _refused(
        lambda: services.profile_update(
            profile=profile,
            actor=actor,
            values=services.ProfileValues(**{**vars(values), "service_days_per_week": 4}),
            note="本县通知",
        )
    )


@pytest.mark.parametrize(
    ("fixture", "attribute"),
    [*OUTSIDERS, ("north", "admin"), ("north", "county_officer"), ("city_officer", None)],
)
def test_only_kehou_or_a_superuser_installs_and_edits_the_templates(request, fixture, attribute):
    actor = _actor(request, fixture, attribute)
    services.profile_templates_install(actor=SYSTEM)
    PolicyProfile.objects.filter(key="anxi_003").delete()
    template = PolicyProfile.objects.get(key="jiangsu_000")
    _refused(lambda: services.profile_templates_install(actor=actor))
    _refused(
        lambda: services.profile_update(
            profile=template, actor=actor, values=services.ProfileValues(), note="x"
        )
    )


def test_no_actor_is_anyone_no_more(north, draft):
    _refused(lambda: services.plan_publish(plan=draft, actor=None))
    _refused(lambda: services.profile_templates_install(actor=None))
    _refused(
        lambda: services.profile_adopt(template_key="anxi_003", region=north.county, actor=None)
    )


def test_kehou_itself_and_a_superuser_may(north, draft):
    root = f.UserFactory(is_superuser=True, role="bureau")
    assert services.profile_templates_install(actor=SYSTEM) == 0
    assert services.profile_templates_install(actor=root) == 0
    profile = services.profile_adopt(template_key="anxi_003", region=north.county, actor=root)
    assert profile.versions.get().changed_by == root
    published = services.plan_publish(plan=draft, actor=SYSTEM, confirmed=True)
    assert published.status == "published" and published.published_by is None
