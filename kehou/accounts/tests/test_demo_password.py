"""The demo city's published password opens nothing outside the demo: a demo database put
in production cannot be entered with it (settings.DEMO_MODE)."""

from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django.urls import reverse

from kehou.accounts.backends import DEMO_PASSWORD
from kehou.accounts.models import User
from kehou.testing import factories as f


def _demo_account(**kwargs) -> User:
    user = f.UserFactory(role=User.Role.GUARDIAN, **kwargs)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def _login(client, phone, password):
    return client.post(reverse("accounts:login"), {"username": phone, "password": password})


def test_outside_the_demo_the_demo_password_is_refused_with_a_clear_message(client, db, settings):
    # given a production server holding an account with the demo password
    settings.DEMO_MODE = False
    user = _demo_account()
    # when its holder logs in with it
    response = _login(client, user.phone, DEMO_PASSWORD)
    # then the login is refused, saying why
    body = response.content.decode()
    assert response.status_code == 200
    assert "演示系统公开的密码" in body
    assert "_auth_user_id" not in client.session
    # and no other door opens with it (the admin's login, an API, a script)
    request = RequestFactory().post("/")
    assert authenticate(request=request, username=user.phone, password=DEMO_PASSWORD) is None
    user.is_staff = user.is_superuser = True
    user.save()
    admin = Client()
    admin.post("/admin/login/", {"username": user.phone, "password": DEMO_PASSWORD})
    assert "_auth_user_id" not in admin.session


def test_outside_the_demo_other_passwords_still_work(client, db, settings):
    settings.DEMO_MODE = False
    user = f.UserFactory(role=User.Role.GUARDIAN)
    assert _login(client, user.phone, f.TEST_PASSWORD).status_code == 302


def test_in_the_demo_the_demo_password_logs_in(client, db, settings):
    settings.DEMO_MODE = True
    user = _demo_account()
    response = _login(client, user.phone, DEMO_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
