"""The Django admin (superusers only) lists and adds every org and accounts model."""

import pytest
from django.urls import reverse

from kehou.accounts.models import User

MODELS = [
    "accounts_user",
    "org_region",
    "org_school",
    "org_schoolyear",
    "org_schoolclass",
    "org_student",
    "org_guardian",
    "org_externalorganisation",
    "org_staff",
]


@pytest.fixture
def root(db):
    return User.objects.create_superuser("13600000000", "root-pass-2026", name="管理员")


@pytest.mark.parametrize("model", MODELS)
def test_superuser_opens_changelist_and_add_form(client, north, root, model):
    client.force_login(root)
    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{model}_add")).status_code == 200


def test_superuser_opens_a_student_and_a_user(client, north, root):
    client.force_login(root)
    url = reverse("admin:org_student_change", args=[north.child.pk])
    assert client.get(url).status_code == 200
    url = reverse("admin:accounts_user_change", args=[north.admin.pk])
    assert client.get(url).status_code == 200


def test_admin_adds_a_user_by_phone(client, north, root):
    client.force_login(root)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "phone": "13612345678",
            "name": "新老师",
            "role": "teacher",
            "school": north.school.pk,
            "password1": "Kehou-new-2026",
            "password2": "Kehou-new-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(phone="13612345678").check_password("Kehou-new-2026")


def test_school_admin_cannot_open_django_admin(client, north):
    client.force_login(north.admin)
    response = client.get(reverse("admin:org_student_changelist"))
    assert response.status_code == 302
