"""Login by mobile phone, lockout and logout (SPEC R26)."""

from django.conf import settings
from django.urls import reverse

from kehou.testing.factories import TEST_PASSWORD


def _login(client, phone, password):
    return client.post(reverse("accounts:login"), {"username": phone, "password": password})


def test_login_page_is_chinese_by_default(client, db):
    response = client.get(reverse("accounts:login"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "手机号" in body
    assert "密码" in body
    assert "课后服务管理" in body


def test_login_page_in_english_after_switching(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("accounts:login")).content.decode()
    assert "Mobile phone" in body
    assert "手机号" not in body


def test_login_by_phone_goes_home(client, north):
    response = _login(client, north.admin.phone, TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home:index")


def test_login_accepts_phone_with_spaces_and_country_code(client, north):
    response = _login(client, "+86 138 0000 0001", TEST_PASSWORD)
    assert response.status_code == 302


def test_wrong_password_is_refused_with_chinese_message(client, north):
    response = _login(client, north.admin.phone, "wrong-password")
    assert response.status_code == 200
    assert "手机号或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_after_failure_limit(client, north, south):
    # given: as many wrong passwords as the lockout allows
    for _ in range(settings.LOGIN_LOCKOUT["ACCOUNT_FAILURES"]):
        _login(client, north.admin.phone, "wrong-password")
    # when: the right password
    response = _login(client, north.admin.phone, TEST_PASSWORD)
    # then: refused with the Chinese lockout page, and not logged in
    assert response.status_code == 429
    assert "暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # other users are unaffected
    other = _login(client, south.admin.phone, TEST_PASSWORD)
    assert other.status_code == 302


def test_logout_is_a_post(client, north):
    client.force_login(north.admin)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_home_needs_login(client, db):
    response = client.get(reverse("home:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
