import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from kehou.core.errors import codes
from kehou.custody import services
from kehou.custody.models import WalkHomeConsent
from kehou.org.access import OutOfScope
from kehou.testing import factories as f
from kehou.testing.clock import freeze_now

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 10, 12)
NOON = dt.datetime(2026, 10, 12, 12, 0, tzinfo=dt.UTC)


def test_guardian_gives_consent_in_force_within_its_days(north):
    # given the guardian of the child
    with freeze_now(NOON):
        # when they give a consent from today, open-ended
        consent = services.walk_home_consent_give(
            student=north.child,
            guardian=north.guardian,
            statement="自己沿人民路走回家",
            valid_from=TODAY,
            valid_until=None,
            on_paper=False,
            actor=north.guardian_user,
        )
    # then it is on file and in force from today, not before
    assert consent.recorded_by == north.guardian_user
    assert services.consent_in_force(north.child.pk, TODAY) == consent
    assert services.consent_in_force(north.child.pk, TODAY - dt.timedelta(days=1)) is None


def test_consent_withdrawn_or_expired_is_not_in_force(north):
    with freeze_now(NOON):
        consent = services.walk_home_consent_give(
            student=north.child,
            guardian=north.guardian,
            statement="自己走",
            valid_from=TODAY,
            valid_until=TODAY + dt.timedelta(days=3),
            on_paper=False,
            actor=north.guardian_user,
        )
        assert services.consent_in_force(north.child.pk, TODAY + dt.timedelta(days=4)) is None
        services.walk_home_consent_withdraw(consent=consent, actor=north.guardian_user)
    assert services.consent_in_force(north.child.pk, TODAY) is None


def test_school_admin_records_only_a_paper_form(north):
    with freeze_now(NOON):
        with pytest.raises(ValidationError) as refused:
            services.walk_home_consent_give(
                student=north.child,
                guardian=north.guardian,
                statement="自己走",
                valid_from=TODAY,
                valid_until=None,
                on_paper=False,
                actor=north.admin,
            )
        assert codes(refused.value) == {"consent_needs_paper"}
        assert not WalkHomeConsent.objects.exists()
        consent = services.walk_home_consent_give(
            student=north.child,
            guardian=north.guardian,
            statement="自己走",
            valid_from=TODAY,
            valid_until=None,
            on_paper=True,
            actor=north.admin,
        )
    assert consent.on_paper and consent.recorded_by == north.admin


def test_consent_refusals_write_nothing(north):
    with freeze_now(NOON), pytest.raises(ValidationError) as refused:
        services.walk_home_consent_give(
            student=north.child,
            guardian=north.guardian,
            statement=" ",
            valid_from=TODAY,
            valid_until=TODAY - dt.timedelta(days=1),
            on_paper=False,
            actor=north.guardian_user,
        )
    assert codes(refused.value) == {"statement_required", "consent_range_reversed"}
    assert not WalkHomeConsent.objects.exists()


@pytest.mark.parametrize("who", ["south_guardian", "south_admin", "north_teacher", "north_gate"])
def test_consent_out_of_scope(north, south, who):
    actor = {
        "south_guardian": south.guardian_user,
        "south_admin": south.admin,
        "north_teacher": north.teacher,
        "north_gate": north.gate,
    }[who]
    with freeze_now(NOON), pytest.raises(OutOfScope):
        services.walk_home_consent_give(
            student=north.child,
            guardian=north.guardian,
            statement="自己走",
            valid_from=TODAY,
            valid_until=None,
            on_paper=True,
            actor=actor,
        )
    assert not WalkHomeConsent.objects.exists()


def test_guardian_cannot_consent_in_another_guardians_name(north):
    other = f.GuardianFactory(school=north.school, phone="13800009999")
    with freeze_now(NOON), pytest.raises(OutOfScope):
        services.walk_home_consent_give(
            student=north.child,
            guardian=other,
            statement="自己走",
            valid_from=TODAY,
            valid_until=None,
            on_paper=False,
            actor=north.guardian_user,
        )
