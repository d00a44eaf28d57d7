"""Outside the demo (settings.DEMO_MODE off: production) `kehou seed` refuses to run: it
would create accounts with the published demo password, and --flush would delete every
school, person and account."""

import io

import pytest
from django.core.management import CommandError, call_command

from kehou.accounts.models import User
from kehou.org.models import School
from kehou.testing import factories as f


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--schools", "1", "--students", "10"], "公开密码"),
        (["--schools", "1", "--students", "10", "--if-empty"], "公开密码"),
        (["--schools", "1", "--students", "10", "--flush"], "--flush"),
    ],
)
def test_seed_is_refused_outside_the_demo_and_changes_nothing(db, settings, args, says):
    # given a production database with a school and its admin
    settings.DEMO_MODE = False
    school = f.SchoolFactory()
    f.UserFactory(school=school)
    # when
    with pytest.raises(CommandError, match=says):
        call_command("seed", *args, stdout=io.StringIO())
    # then
    assert list(School.objects.all()) == [school]
    assert User.objects.count() == 1
