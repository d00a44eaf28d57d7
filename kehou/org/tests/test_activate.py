"""Guardian account activation (SPEC R26): a guardian from a roster creates a login."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kehou.accounts.models import User
from kehou.core import errors
from kehou.org.models import Guardian, StudentGuardian
from kehou.org.services import guardian_activate
from kehou.testing import factories as f
from kehou.testing.snapshots import everything

PASSWORD = "Qiuyue-2026-safe"


@pytest.fixture
def roster_guardian(north):
    """A father the school imported: a Guardian without a login."""
    guardian = f.GuardianFactory(name="王大北", phone="13812340000")
    StudentGuardian.objects.create(
        student=north.child, guardian=guardian, relation=StudentGuardian.Relation.FATHER
    )
    return guardian


def _activate(client, north, **overrides):
    data = {
        "phone": "138 1234 0000",
        "student_number": north.child.student_number.lower(),
        "child_name": north.child.name,
        "password": PASSWORD,
        "password_again": PASSWORD,
        **overrides,
    }
    return client.post(reverse("org:activate"), data)


def test_activation_creates_guardian_login(client, north, roster_guardian):
    # when
    response = _activate(client, north)
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    roster_guardian.refresh_from_db()
    user = roster_guardian.user
    assert user.role == User.Role.GUARDIAN
    assert user.phone == "13812340000"
    assert user.name == "王大北"
    assert user.check_password(PASSWORD)
    # and the new login sees the child
    login = client.post(
        reverse("accounts:login"), {"username": "13812340000", "password": PASSWORD}
    )
    assert login.status_code == 302
    home = client.get(reverse("home:index"))
    assert [c.name for c in home.context["children"]] == [north.child.name]


@pytest.mark.parametrize(
    "overrides",
    [
        {"phone": "13812349999"},
        {"student_number": "G000000000000000000"},
        {"child_name": "别人家孩子"},
    ],
)
def test_activation_mismatch_gives_one_generic_error(client, north, roster_guardian, overrides):
    # when
    response = _activate(client, north, **overrides)
    # then
    assert response.status_code == 200
    body = response.content.decode()
    assert "与学校登记的信息不符" in body
    roster_guardian.refresh_from_db()
    assert roster_guardian.user is None
    assert (
        not User.objects.filter(role=User.Role.GUARDIAN).exclude(pk=north.guardian_user.pk).exists()
    )


@pytest.mark.parametrize(
    "overrides",
    [{"phone": "12345"}, {"phone": "13812349999"}, {"child_name": "别人家孩子"}],
)
def test_the_service_refuses_a_mismatch_with_one_code_and_changes_nothing(
    north, roster_guardian, overrides
):
    details = {
        "phone": "13812340000",
        "student_number": north.child.student_number,
        "child_name": north.child.name,
        "password": PASSWORD,
        **overrides,
    }
    before = everything()
    with pytest.raises(ValidationError) as refused:
        guardian_activate(**details)
    assert errors.codes(refused.value) == {"activation_refused"}
    assert everything() == before


def test_activation_of_someone_elses_child_is_refused(client, north, south, roster_guardian):
    response = _activate(
        client,
        north,
        student_number=south.child.student_number,
        child_name=south.child.name,
    )
    assert response.status_code == 200
    roster_guardian.refresh_from_db()
    assert roster_guardian.user is None


def test_already_active_guardian_cannot_activate_again(client, north):
    # given: the persona guardian already has a login
    before = north.guardian_user.password
    # when
    response = _activate(client, north, phone=north.guardian.phone)
    # then
    assert response.status_code == 200
    north.guardian_user.refresh_from_db()
    assert north.guardian_user.password == before
    assert Guardian.objects.get(pk=north.guardian.pk).user == north.guardian_user


@pytest.mark.parametrize(
    "password1, password2, message",
    [
        ("12345678", "12345678", "最常见的密码"),
        ("short1a", "short1a", "密码太短"),
        (PASSWORD, PASSWORD + "x", "两次输入的密码不一致"),
    ],
)
def test_activation_checks_the_password(
    client, north, roster_guardian, password1, password2, message
):
    response = _activate(client, north, password=password1, password_again=password2)
    assert response.status_code == 200
    assert message in response.content.decode()
    roster_guardian.refresh_from_db()
    assert roster_guardian.user is None


def test_activation_page_renders_in_chinese(client, db):
    body = client.get(reverse("org:activate")).content.decode()
    assert "学籍号" in body
    assert "激活" in body


def test_logged_in_user_is_sent_home(client, north):
    client.force_login(north.admin)
    response = client.get(reverse("org:activate"))
    assert response.status_code == 302


def test_repeated_activation_guesses_are_locked_out(client, north, roster_guardian, settings):
    # given: as many wrong guesses as the login page allows
    for _ in range(settings.LOGIN_LOCKOUT["ACCOUNT_FAILURES"]):
        _activate(client, north, child_name="猜错的名字")
    # when: the right details
    response = _activate(client, north)
    # then: refused with the lockout page, nothing written
    assert response.status_code == 429
    assert "暂时锁定" in response.content.decode()
    roster_guardian.refresh_from_db()
    assert roster_guardian.user is None
