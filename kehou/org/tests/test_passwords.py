"""Passwords (issue 8, item 9): imported staff get in, everyone changes their own password,
a school admin resets a staff member's or a guardian's, audited; the rules of research S2."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kehou.accounts.models import User
from kehou.accounts.services import password_change
from kehou.core import errors
from kehou.org import services as org_services
from kehou.org.access import OutOfScope
from kehou.org.models import StudentGuardian
from kehou.org.services import guardian_activate, guardian_password_reset, staff_password_reset
from kehou.testing import factories as f
from kehou.testing.clock import freeze_now
from kehou.testing.snapshots import refused

GOOD = "Qiuyue-2026-safe"


def _login(client, phone, password):
    return client.post(reverse("accounts:login"), {"username": phone, "password": password})


@pytest.fixture
def imported_teacher(north):
    """A teacher the roster import created: a staff record, no login."""
    return f.StaffFactory(school=north.school, name="赵老师", phone="13712345678")


# ----- imported staff ----------------------------------------------------------------


def test_an_imported_teacher_cannot_activate_on_the_parents_page(client, north, imported_teacher):
    """Why an imported teacher could not get in: activation knows only guardians."""
    response = client.post(
        reverse("org:activate"),
        {
            "phone": imported_teacher.phone,
            "student_number": north.child.student_number,
            "child_name": north.child.name,
            "password": GOOD,
            "password_again": GOOD,
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(phone=imported_teacher.phone).exists()
    assert "临时密码" in client.get(reverse("org:activate")).content.decode()


def test_an_imported_teacher_gets_a_first_password_logs_in_and_chooses_their_own(
    client, north, imported_teacher
):
    # given: the admin gives the imported teacher a first password
    temporary = staff_password_reset(staff=imported_teacher, actor=north.admin, confirmed=True)
    imported_teacher.refresh_from_db()
    login = imported_teacher.user
    assert login.role == User.Role.TEACHER
    assert login.school == north.school
    assert login.name == "赵老师"
    # when: the teacher logs in with it
    assert _login(client, imported_teacher.phone, temporary).status_code == 302
    # then: every page leads to choosing a password, until they do
    home = client.get(reverse("home:index"))
    assert home.status_code == 302
    assert home["Location"] == reverse("accounts:password_change")
    response = client.post(
        reverse("accounts:password_change"),
        {"current_password": temporary, "new_password": GOOD, "new_password_again": GOOD},
    )
    assert response.status_code == 302
    assert client.get(reverse("home:index")).status_code == 200
    login.refresh_from_db()
    assert login.temporary_password_until is None
    assert login.check_password(GOOD)
    # and the next login is with their own password
    client.post(reverse("accounts:logout"))
    assert _login(client, imported_teacher.phone, GOOD).status_code == 302


def test_a_temporary_password_lapses_after_a_week(client, north, imported_teacher):
    temporary = staff_password_reset(staff=imported_teacher, actor=north.admin, confirmed=True)
    with freeze_now(timezone.now() + dt.timedelta(days=7, minutes=1)):
        response = _login(client, imported_teacher.phone, temporary)
    assert response.status_code == 200
    assert "临时密码已过期" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_staff_phone_that_already_logs_in_is_refused_clearly(north):
    staff = f.StaffFactory(school=north.school, phone=north.guardian_user.phone)
    error = refused(lambda: staff_password_reset(staff=staff, actor=north.admin, confirmed=True))
    assert errors.codes(error) == {"phone_has_login"}


def test_a_reset_asks_for_confirmation_first(north, imported_teacher):
    error = refused(lambda: staff_password_reset(staff=imported_teacher, actor=north.admin))
    assert errors.codes(error) == {"confirmation_required"}


# ----- a school admin's reset --------------------------------------------------------


def test_the_admin_resets_a_teachers_password_through_the_pages(client, north):
    staff = north.teacher.staff
    client.force_login(north.admin)
    page = client.get(reverse("org:staff_list", args=[north.school.pk])).content.decode()
    url = reverse("org:staff_password_reset", args=[north.school.pk, staff.pk])
    assert url in page
    confirm = client.get(url)
    assert "确认" in confirm.content.decode() or "重置" in confirm.content.decode()
    north.teacher.refresh_from_db()
    before = north.teacher.password
    response = client.post(url, {"confirmed": "1"})
    assert response["Cache-Control"] == "no-store"
    temporary = response.context["password"]
    assert temporary in response.content.decode()
    north.teacher.refresh_from_db()
    assert north.teacher.password != before
    assert north.teacher.check_password(temporary)
    assert not north.teacher.check_password(f.TEST_PASSWORD)
    # audited, without the password
    entry = LogEntry.objects.get(object_pk=str(north.teacher.pk), actor=north.admin)
    assert entry.additional_data == {"event": "temporary_password_given"}
    assert temporary not in str(entry.changes)


def test_the_admin_resets_a_guardians_password_from_the_student_page(client, north):
    client.force_login(north.admin)
    url = reverse("org:guardian_password_reset", args=[north.child.pk, north.guardian.pk])
    assert url in client.get(reverse("org:student_detail", args=[north.child.pk])).content.decode()
    response = client.post(url, {"confirmed": "1"})
    temporary = response.context["password"]
    north.guardian_user.refresh_from_db()
    assert north.guardian_user.check_password(temporary)
    assert north.guardian_user.temporary_password_until is not None


def test_a_teacher_sees_no_reset_buttons(client, north):
    client.force_login(north.teacher)
    body = client.get(reverse("org:student_detail", args=[north.child.pk])).content.decode()
    assert "/guardians/" not in body


def test_a_guardian_with_a_child_at_another_school_is_not_reset_by_one_school(north, south):
    StudentGuardian.objects.create(
        student=south.child, guardian=north.guardian, relation=StudentGuardian.Relation.MOTHER
    )
    error = refused(
        lambda: guardian_password_reset(
            guardian=north.guardian, school=north.school, actor=north.admin, confirmed=True
        )
    )
    assert errors.codes(error) == {"reset_not_here"}
    assert "相城" not in " ".join(errors.messages(error))  # names no other school


def test_a_guardian_of_another_school_is_out_of_scope(north, south):
    with pytest.raises(OutOfScope):
        guardian_password_reset(
            guardian=south.guardian, school=north.school, actor=north.admin, confirmed=True
        )


def test_a_guardian_without_a_login_is_told_to_activate(north):
    guardian = f.GuardianFactory()
    StudentGuardian.objects.create(
        student=north.child, guardian=guardian, relation=StudentGuardian.Relation.FATHER
    )
    error = refused(
        lambda: guardian_password_reset(
            guardian=guardian, school=north.school, actor=north.admin, confirmed=True
        )
    )
    assert errors.codes(error) == {"guardian_not_activated"}


def test_an_admin_does_not_reset_their_own_password_here(north):
    own = f.StaffFactory(school=north.school, user=north.admin, phone=north.admin.phone)
    error = refused(lambda: staff_password_reset(staff=own, actor=north.admin, confirmed=True))
    assert errors.codes(error) == {"own_password"}


# ----- one's own password ----------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "teacher", "gate", "guardian_user"])
def test_everyone_changes_their_own_password_from_the_header(client, north, persona):
    user = getattr(north, persona)
    client.force_login(user)
    home = client.get(reverse("home:index")).content.decode()
    assert reverse("accounts:password_change") in home
    response = client.post(
        reverse("accounts:password_change"),
        {"current_password": f.TEST_PASSWORD, "new_password": GOOD, "new_password_again": GOOD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(GOOD)
    # still logged in (the session follows the new password)
    assert client.get(reverse("home:index")).status_code == 200
    assert LogEntry.objects.filter(
        object_pk=str(user.pk), additional_data={"event": "password_changed"}
    ).exists()


def test_a_wrong_current_password_changes_nothing(client, north):
    client.force_login(north.admin)
    response = client.post(
        reverse("accounts:password_change"),
        {"current_password": "not-it", "new_password": GOOD, "new_password_again": GOOD},
    )
    assert response.status_code == 200
    assert "当前密码不正确" in response.content.decode()
    north.admin.refresh_from_db()
    assert north.admin.check_password(f.TEST_PASSWORD)


# ----- the rules (research S2) ----------------------------------------------------


def _change(user, new):
    return password_change(user=user, current_password=f.TEST_PASSWORD, new_password=new)


@pytest.mark.parametrize(
    "persona, password, code",
    [
        ("admin", "Ab3$xyz", "password_too_short"),  # 7 characters
        ("admin", "password123", "password_too_common"),
        ("admin", "qwertyuiop", "password_too_common"),
        ("admin", "吴中实验小学2026", "password_context"),  # the school's name
        ("admin", "我在吴中区上班呢", "password_context"),  # the district's name
        ("admin", "我在吴中上班呢呢", "password_context"),  # the district without 区
        ("admin", "苏州市好地方啊", "password_context"),  # the city above it
        ("admin", "x13800000001x", "password_context"),  # their own phone
        ("admin", "x１３８０００００００１x", "password_context"),  # the same, full-width
        ("guardian_user", "my-kehou2026-pw", "password_demo"),  # the demo password
        ("admin", "KEHOU2026!", "password_demo"),
    ],
)
def test_a_password_breaking_a_rule_is_refused_in_chinese(north, persona, password, code):
    user = getattr(north, persona)
    error = refused(lambda: _change(user, password))
    assert code in errors.codes(error)
    message = " ".join(errors.messages(error))
    assert any("\u4e00" <= c <= "\u9fff" for c in message)


def test_a_guardians_password_may_not_contain_the_childs_student_number(north):
    number = north.child.student_number
    error = refused(lambda: _change(north.guardian_user, f"pw{number}"))
    assert errors.codes(error) == {"password_context"}
    # nor the 学籍号's digits alone (the child's ID number)
    error = refused(lambda: _change(north.guardian_user, f"pw{number[1:]}"))
    assert errors.codes(error) == {"password_context"}
    # and a guardian's password may contain the school's name of their child
    error = refused(lambda: _change(north.guardian_user, "吴中实验小学真好"))
    assert errors.codes(error) == {"password_context"}


@pytest.mark.parametrize(
    "password", ["Correct-horse-9", "一二三四五六七八", "x" * 63 + "Y", "长城永远不倒下啊"]
)
def test_a_good_password_is_accepted_even_at_64_characters(north, password):
    _change(north.admin, password)
    north.admin.refresh_from_db()
    assert north.admin.check_password(password)
    assert north.admin.password.startswith("argon2$")


def test_activation_uses_the_rules_without_telling_whether_the_details_matched(north):
    guardian = f.GuardianFactory(phone="13812340000")
    StudentGuardian.objects.create(
        student=north.child, guardian=guardian, relation=StudentGuardian.Relation.FATHER
    )
    wrong_child = {"student_number": "G000000000000000000", "child_name": "别人家孩子"}
    right_child = {"student_number": north.child.student_number, "child_name": north.child.name}
    for child in (wrong_child, right_child):
        # typed-only rules come first: the same answer whether or not the details match
        with pytest.raises(ValidationError) as short:
            guardian_activate(phone=guardian.phone, password="short", **child)
        assert errors.codes(short.value) == {"password_too_short"}
        with pytest.raises(ValidationError) as own_phone:
            guardian_activate(phone=guardian.phone, password=f"pw{guardian.phone}", **child)
        assert errors.codes(own_phone.value) == {"password_context"}
    # the school's name is checked once the details match
    with pytest.raises(ValidationError) as school:
        guardian_activate(phone=guardian.phone, password="吴中实验小学好好", **right_child)
    assert errors.codes(school.value) == {"password_context"}
    guardian.refresh_from_db()
    assert guardian.user is None


def test_a_rule_broken_at_activation_is_not_counted_as_a_guess(client, north, settings):
    guardian = f.GuardianFactory(phone="13812340000")
    StudentGuardian.objects.create(
        student=north.child, guardian=guardian, relation=StudentGuardian.Relation.FATHER
    )
    data = {
        "phone": guardian.phone,
        "student_number": north.child.student_number,
        "child_name": north.child.name,
    }
    for _ in range(settings.LOGIN_LOCKOUT["ACCOUNT_FAILURES"] + 1):
        response = client.post(
            reverse("org:activate"),
            {**data, "password": "password123", "password_again": "password123"},
        )
        assert response.status_code == 200
        assert "最常见的密码" in response.content.decode()
    response = client.post(
        reverse("org:activate"), {**data, "password": GOOD, "password_again": GOOD}
    )
    assert response.status_code == 302


# ----- first passwords for every imported staff member -----------------------------


def test_first_passwords_for_every_staff_member_without_a_login(client, north, imported_teacher):
    second = f.StaffFactory(school=north.school, name="钱老师", phone="13712345679")
    clash = f.StaffFactory(school=north.school, name="孙老师", phone=north.guardian_user.phone)
    f.StaffFactory(school=north.school, name="李老师", phone="13712345670", is_active=False)
    client.force_login(north.admin)
    staff_page = client.get(reverse("org:staff_list", args=[north.school.pk])).content.decode()
    url = reverse("org:staff_first_passwords", args=[north.school.pk])
    assert url in staff_page
    response = client.post(url, {"confirmed": "1"})
    assert response["Cache-Control"] == "no-store"
    result = response.context["result"]
    given = dict(result.given)
    assert set(given) == {imported_teacher, second}
    assert result.skipped == [clash]
    for member, password in given.items():
        member.refresh_from_db()
        assert member.user.role == User.Role.TEACHER
        assert member.user.check_password(password)
        assert password in response.content.decode()
    # a second time there is nobody left (the clash needs its phone corrected first)
    clash.delete()
    error = refused(
        lambda: org_services.staff_first_passwords_give(
            school=north.school, actor=north.admin, confirmed=True
        )
    )
    assert errors.codes(error) == {"no_staff_without_login"}


# ----- a first password, and logins without a staff record --------------------------------


def test_a_first_password_is_not_worded_as_a_reset(client, north, imported_teacher):
    """The fault: the confirmation said 重置密码 and that the current password stops
    working, for a teacher who has no login and so no password yet."""
    client.force_login(north.admin)
    url = reverse("org:staff_password_reset", args=[north.school.pk, imported_teacher.pk])
    body = client.get(url).content.decode()
    assert "初始密码" in body
    assert "重置" not in body and "当前的密码" not in body
    body = client.get(
        reverse("org:staff_password_reset", args=[north.school.pk, north.teacher.staff.pk])
    ).content.decode()
    assert "重置" in body and "当前的密码" in body  # a login that has a password: a reset


def test_a_gate_login_without_a_staff_record_is_reset_from_the_logins_page(client, north):
    assert not hasattr(north.gate, "staff") or north.gate.staff is None
    client.force_login(north.admin)
    url = reverse("org:account_password_reset", args=[north.gate.pk])
    page = client.get(reverse("org:school_accounts", args=[north.school.pk])).content.decode()
    assert url in page
    assert reverse("org:account_password_reset", args=[north.admin.pk]) not in page  # own
    response = client.post(url, {"confirmed": "1"})
    north.gate.refresh_from_db()
    assert north.gate.check_password(response.context["password"])
    entry = LogEntry.objects.get(object_pk=str(north.gate.pk), actor=north.admin)
    assert entry.additional_data == {"event": "temporary_password_given"}


def test_only_who_manages_a_login_resets_it_from_the_logins_page(client, north, south):
    url = reverse("org:account_password_reset", args=[north.gate.pk])
    for outsider in (south.admin, north.teacher, north.county_officer):
        client.force_login(outsider)
        assert client.post(url, {"confirmed": "1"}).status_code == 404
    north.gate.refresh_from_db()
    assert north.gate.check_password(f.TEST_PASSWORD)
    with pytest.raises(OutOfScope):
        org_services.account_password_reset(
            account=north.guardian_user, actor=north.admin, confirmed=True
        )


def test_a_login_reset_needs_confirmation_and_not_ones_own(north):
    error = refused(
        lambda: org_services.account_password_reset(account=north.gate, actor=north.admin)
    )
    assert errors.codes(error) == {"confirmation_required"}
    error = refused(
        lambda: org_services.account_password_reset(
            account=north.admin, actor=north.admin, confirmed=True
        )
    )
    assert errors.codes(error) == {"own_password"}
