"""Rules of the codebase that a reader should not have to trust: a school day is the Beijing
date, the project names no machine's paths, and the code speaks of the project alone."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SOURCES = [
    path
    for folder in ("kehou", "bench", "tests")
    for path in (ROOT / folder).rglob("*")
    if path.suffix in {".py", ".html", ".md", ".js", ".css", ".toml", ".cfg"}
    and "migrations" not in path.parts
]
TEXTS = [*SOURCES, ROOT / "README.md", ROOT / "Makefile", ROOT / "pyproject.toml"]
TEXTS += list((ROOT / "docs").rglob("*.md")) + [ROOT / ".ci" / "run"]
THIS = Path(__file__).resolve()


def _offending(pattern: str, paths) -> list[str]:
    found = []
    regex = re.compile(pattern)
    for path in paths:
        if path.resolve() == THIS:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if regex.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_a_school_day_is_the_beijing_date():
    """`timezone.localdate()`, never the server's or UTC's date."""
    python = [p for p in SOURCES if p.suffix == ".py"]
    assert _offending(r"date\.today\(\)|\.now\(\)\.date\(\)|datetime\.now\(|utcnow\(", python) == []


def test_no_machine_paths():
    assert _offending(r"/work/|/root/|/home/\w+|C:\\\\", TEXTS) == []


def test_the_code_speaks_of_the_project_alone():
    assert _offending(r"(?i)\b(engineer [a-z]\b|the lead\b|lead's|helper-\d)", TEXTS) == []


def test_the_migrations_describe_the_models(db):
    """A model change without its migration passes every test (the test database is built
    from the migrations) and surfaces later as a surprise migration on a production box."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        raise AssertionError(out.getvalue()) from None
