"""Lockout (issue 8, item 4; research S3): paused per phone + address and per address, a
try while paused does not extend the pause, and the page says what is true."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kehou.accounts.models import LoginFailure, User
from kehou.testing import factories as f
from kehou.testing.clock import freeze_now

HOME = "10.0.0.1"  # the principal's own network
ELSEWHERE = "203.0.113.9"  # someone else's


@pytest.fixture
def rules(settings):
    settings.LOGIN_LOCKOUT = {
        "ACCOUNT_FAILURES": 5,
        "ACCOUNT_WINDOW_MINUTES": 15,
        "ADDRESS_FAILURES": 30,
        "ADDRESS_WINDOW_MINUTES": 15,
    }
    return settings.LOGIN_LOCKOUT


def _client(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def _login(client, phone, password):
    return client.post(reverse("accounts:login"), {"username": phone, "password": password})


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_passwords_from_elsewhere_do_not_lock_the_principal_out(north, rules):
    # given: five wrong passwords for the principal's phone from another address
    attacker = _client(ELSEWHERE)
    for _ in range(5):
        _login(attacker, north.admin.phone, "wrong-password")
    assert _login(attacker, north.admin.phone, f.TEST_PASSWORD).status_code == 429
    # when: the principal logs in from their own network
    principal = _client(HOME)
    response = _login(principal, north.admin.phone, f.TEST_PASSWORD)
    # then: in
    assert response.status_code == 302
    assert _logged_in(principal)


def test_the_sixth_try_from_the_same_address_is_refused_even_with_the_right_password(
    north, south, rules
):
    client = _client(HOME)
    for _ in range(5):
        assert _login(client, north.admin.phone, "wrong-password").status_code == 200
    response = _login(client, north.admin.phone, f.TEST_PASSWORD)
    assert response.status_code == 429
    assert "暂时锁定" in response.content.decode()
    assert not _logged_in(client)
    # other phones from the same address are not affected
    assert _login(client, south.admin.phone, f.TEST_PASSWORD).status_code == 302


def test_a_try_while_locked_does_not_extend_the_lock(north, rules):
    client = _client(HOME)
    start = timezone.now()
    with freeze_now(start):
        for _ in range(5):
            _login(client, north.admin.phone, "wrong-password")
    # tries during the pause, the last one a minute before it ends
    for minute in (1, 5, 10, 14):
        with freeze_now(start + dt.timedelta(minutes=minute)):
            response = _login(client, north.admin.phone, "wrong-password")
            assert response.status_code == 429
    assert LoginFailure.objects.count() == 5  # the refused tries were not counted
    # when: the 15 minutes since the fifth failure are over
    with freeze_now(start + dt.timedelta(minutes=15, seconds=1)):
        response = _login(client, north.admin.phone, f.TEST_PASSWORD)
    # then: the pause ended when it said it would
    assert response.status_code == 302


def test_the_lock_page_says_until_when_and_how_to_get_back_in(north, rules):
    client = _client(HOME)
    start = timezone.now().replace(microsecond=0)
    with freeze_now(start):
        for _ in range(5):
            _login(client, north.admin.phone, "wrong-password")
    with freeze_now(start + dt.timedelta(minutes=5)):
        response = _login(client, north.admin.phone, f.TEST_PASSWORD)
    body = response.content.decode()
    until = timezone.localtime(start + dt.timedelta(minutes=15)).strftime("%H:%M")
    assert response.status_code == 429
    assert until in body
    assert "10 分钟" in body
    assert "不计入" in body  # a try now does not count nor extend
    assert "学校管理员" in body  # who resets a forgotten password
    assert "临时密码" in body
    assert int(response["Retry-After"]) == 600


def test_one_address_cannot_try_passwords_across_many_accounts(db, rules):
    # given: 30 accounts and one address trying 4 wrong passwords on each (120 tries,
    # each account below its own limit)
    accounts = [f.UserFactory(role=User.Role.GUARDIAN) for _ in range(30)]
    client = _client(ELSEWHERE)
    answered = []
    for account in accounts:
        for _ in range(4):
            answered.append(_login(client, account.phone, "wrong-password").status_code)
    # then: after 30 failures from the address, every further try is refused unchecked
    assert answered[:30] == [200] * 30
    assert set(answered[30:]) == {429}
    assert LoginFailure.objects.filter(address=ELSEWHERE).count() == 30
    # even with a right password, for any phone, from that address
    response = _login(client, accounts[-1].phone, f.TEST_PASSWORD)
    assert response.status_code == 429
    assert "网络地址" in response.content.decode()
    # and the accounts' owners elsewhere are not affected
    assert _login(_client(HOME), accounts[0].phone, f.TEST_PASSWORD).status_code == 302


def test_thresholds_are_settings(north, settings):
    settings.LOGIN_LOCKOUT = {"ACCOUNT_FAILURES": 2, "ADDRESS_FAILURES": 100}
    client = _client(HOME)
    for _ in range(2):
        _login(client, north.admin.phone, "wrong-password")
    assert _login(client, north.admin.phone, f.TEST_PASSWORD).status_code == 429


def test_a_right_password_clears_the_phones_failures_from_that_address(north, rules):
    client = _client(HOME)
    for _ in range(4):
        _login(client, north.admin.phone, "wrong-password")
    assert _login(client, north.admin.phone, f.TEST_PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        _login(client, north.admin.phone, "wrong-password")
    assert _login(client, north.admin.phone, f.TEST_PASSWORD).status_code == 302


def test_the_admin_login_is_behind_the_same_lockout(db, rules):
    root = User.objects.create_superuser("13600000000", "root-pass-2026", name="管理员")
    client = _client(HOME)
    for _ in range(5):
        client.post("/admin/login/", {"username": root.phone, "password": "wrong"})
    client.post("/admin/login/", {"username": root.phone, "password": "root-pass-2026"})
    assert not _logged_in(client)


def test_the_address_comes_from_the_proxy_header_only_when_configured(north, rules, settings):
    settings.LOGIN_CLIENT_ADDRESS_HEADER = "X-Real-IP"
    proxy = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP=ELSEWHERE)
    for _ in range(5):
        _login(proxy, north.admin.phone, "wrong-password")
    assert LoginFailure.objects.filter(address=ELSEWHERE).count() == 5
    # another client behind the same proxy is not paused
    neighbour = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP=HOME)
    assert _login(neighbour, north.admin.phone, f.TEST_PASSWORD).status_code == 302
