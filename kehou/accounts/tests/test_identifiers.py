"""Phones and student numbers typed in other digits or with invisible characters come to
one ASCII form at every door: login, activation, the roster import, creating a user
(issue 8, item 5)."""

import pytest
from django.urls import reverse

from kehou.accounts.models import User
from kehou.org.models import StudentGuardian
from kehou.roster.schema import CellError, parse_mobile, parse_student_number
from kehou.testing import factories as f

ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
PASSWORD = "Qiuyue-2026-safe"


def test_the_login_takes_a_phone_in_arabic_indic_digits(client, north):
    response = client.post(
        reverse("accounts:login"),
        {"username": north.admin.phone.translate(ARABIC), "password": f.TEST_PASSWORD},
    )
    assert response.status_code == 302


def test_an_activation_with_arabic_indic_digits_creates_an_ascii_login(client, north):
    guardian = f.GuardianFactory(phone="13700008804")
    StudentGuardian.objects.create(
        student=north.child, guardian=guardian, relation=StudentGuardian.Relation.FATHER
    )
    response = client.post(
        reverse("org:activate"),
        {
            "phone": "137٠٠٠٠٨٨٠٤",
            "student_number": "\u200b" + north.child.student_number.translate(FULL_WIDTH),
            "child_name": north.child.name,
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert User.objects.get(phone="13700008804").role == User.Role.GUARDIAN
    assert not User.objects.exclude(phone__regex=r"^[0-9]{11}$").exists()


def test_create_user_stores_the_ascii_phone(db):
    user = User.objects.create_user("１３６\u200b0000 0000", "x", name="某人")
    assert user.phone == "13600000000"


@pytest.mark.parametrize("raw", ["137٠٠٠٠٨٨٠٤", "１３７００００８８０４", "\ufeff137-0000-8804"])
def test_the_roster_import_stores_an_ascii_phone(raw):
    assert parse_mobile(None, raw) == "13700008804"


def test_the_roster_import_stores_an_ascii_student_number():
    assert parse_student_number(None, "Ｇ٣٢٠٥٠٠٢٠١٩٠١٠١٠٠٠١\u200b") == "G320500201901010001"
    with pytest.raises(CellError):
        parse_student_number(None, "学籍号G3205")
