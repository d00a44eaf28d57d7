"""Platform settings that later steps rely on."""

import subprocess
import sys

import pytest
from django.db import connection


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only setting")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert connection.settings_dict["NAME"] != ":memory:"


def test_kehou_console_script_wraps_management_commands():
    result = subprocess.run(
        [sys.executable, "-m", "kehou", "help", "migrate"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "migrate" in result.stdout


def test_chinese_is_the_default_language(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "argon2" in settings.PASSWORD_HASHERS[0].lower()


def test_site_stylesheet_is_found_by_staticfiles():
    from django.contrib.staticfiles import finders

    assert finders.find("kehou/site.css")


def test_person_name_fields_read_as_full_names_in_chinese():
    from django.utils import translation

    from kehou.org.models import Guardian, School, Student

    with translation.override("zh-hans"):
        assert str(Student._meta.get_field("name").verbose_name) == "姓名"
        assert str(Guardian._meta.get_field("name").verbose_name) == "姓名"
        assert str(School._meta.get_field("name").verbose_name) == "名称"


def test_pages_are_chinese_even_for_an_english_browser(client, db):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "手机号" in response.content.decode()


def test_language_switch_turns_pages_english(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = client.get("/login/")
    assert "Mobile" in response.content.decode() or "mobile" in response.content.decode()
