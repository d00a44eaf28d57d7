"""Chinese by default, everywhere: every message in the code and templates has its Chinese
translation, and the compiled catalogs say what the sources say.

Extraction runs Django's makemessages over a copy of the source tree, so a message added
without running it (or translated only in English) fails here instead of showing English
on a Chinese page."""

import gettext
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "kehou"


Message = tuple[str | None, str]
"""A message as gettext looks it up: (msgctxt or None, msgid). "Done" with the context "a
button" and "Done" without one are two messages, each with its own translation."""


def _entries(po: Path) -> list[tuple[Message, str, bool]]:
    """((msgctxt, msgid), msgstr, fuzzy) of the live entries of a .po file (obsolete ones
    skipped)."""
    found = []
    entry: dict = {}
    key = None

    def close() -> None:
        if entry.get("msgid"):
            message = (entry.get("msgctxt"), entry["msgid"])
            found.append((message, entry.get("msgstr", ""), entry.get("fuzzy", False)))
        entry.clear()

    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("#~") or not line.strip():
            continue
        if line.startswith("#"):
            if "msgid" in entry:
                close()
            if line.startswith("#,") and "fuzzy" in line:
                entry["fuzzy"] = True
            continue
        keyword, _space, rest = line.partition(" ")
        if line.startswith('"'):
            entry[key] = entry.get(key, "") + json.loads(line)
            continue
        if keyword in ("msgctxt", "msgid") and "msgid" in entry and key != "msgctxt":
            close()
        key = "msgstr" if keyword.startswith("msgstr") else keyword
        if keyword == "msgstr[1]":
            key = "plural_translation"
        entry[key] = json.loads(rest)
    close()
    return found


def _catalogs(root: Path) -> list[Path]:
    return sorted(root.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """The source tree's messages, extracted afresh into a copy of the tree."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext (xgettext) is not installed")
    copy = tmp_path_factory.mktemp("messages") / "kehou"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "vendor"))
    subprocess.run(
        [sys.executable, "-P", "-m", "kehou", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=copy,
        env={
            "DJANGO_SETTINGS_MODULE": "kehou.settings",
            "KEHOU_DEBUG": "1",
            "PYTHONPATH": str(ROOT),
            "PATH": "/usr/bin:/bin",
        },
        check=True,
        capture_output=True,
    )
    return copy


def test_every_message_has_its_chinese_translation(extracted):
    translated = {
        msgid
        for po in _catalogs(PACKAGE)
        for msgid, msgstr, fuzzy in _entries(po)
        if msgstr and not fuzzy
    }
    missing = sorted(
        f"{po.relative_to(extracted.parent)}: {msgid!r}"
        for po in _catalogs(extracted)
        for msgid, _msgstr, _fuzzy in _entries(po)
        if msgid not in translated
    )
    assert missing == []


def test_no_catalog_keeps_a_fuzzy_or_empty_entry():
    unfinished = [
        f"{po.relative_to(ROOT)}: {msgid!r}"
        for po in _catalogs(PACKAGE)
        for msgid, msgstr, fuzzy in _entries(po)
        if fuzzy or not msgstr
    ]
    assert unfinished == []


@pytest.mark.parametrize("po", _catalogs(PACKAGE), ids=lambda p: p.parts[-5])
def test_the_compiled_catalog_matches_its_source(po):
    with po.with_suffix(".mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    for (context, msgid), msgstr, fuzzy in _entries(po):
        if msgstr and not fuzzy and "\n" not in msgid:
            found = catalog.pgettext(context, msgid) if context else catalog.gettext(msgid)
            assert found == msgstr, (po.parts[-5], context, msgid)


def test_no_message_has_two_translations():
    """Django merges every app's catalog into one, and the app earlier in INSTALLED_APPS wins
    for a message both translate: a second translation of the same English shows on the
    other app's pages too. One idea has one word; two meanings of one English word are two
    messages (more precise English, or a context)."""
    translations: dict[Message, dict[str, list[str]]] = {}
    for po in _catalogs(PACKAGE):
        for message, msgstr, fuzzy in _entries(po):
            if msgstr and not fuzzy:
                translations.setdefault(message, {}).setdefault(msgstr, []).append(po.parts[-5])
    conflicts = sorted(
        (f"{message!r}: {found}" for message, found in translations.items() if len(found) > 1),
    )
    assert conflicts == []
