"""The pytest plugin of the whole suite (registered with `-p` in pyproject's addopts: a
conftest.py would be imported after pytest-django has read the settings).

- The environment: the suite runs the production settings (KEHOU_DEBUG unset) with a
  secret key for tests only. The demo stays on (KEHOU_DEMO=1) because many tests build the
  demo city and log in with its password; the production refusals are tested with
  settings.DEMO_MODE off (kehou/core/tests/test_production.py).
- A GET never writes (docs/ARCHITECTURE.md): every GET a test makes through Django's test
  client runs with a database guard that fails the test on any INSERT, UPDATE or DELETE,
  except the login session's own row. So each of the suite's page tests also proves its
  page reads honestly.
"""

import os
import re

import pytest

os.environ.setdefault("KEHOU_SECRET_KEY", "test-only-secret-key-never-used-by-a-server")
os.environ.setdefault("KEHOU_DEMO", "1")

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
ALLOWED_TABLES = ("django_session",)


class WriteOnGet(AssertionError):
    pass


def _forbid_writes(execute, sql, params, many, context):
    if WRITE.match(sql) and not any(f'"{table}"' in sql for table in ALLOWED_TABLES):
        raise WriteOnGet(f"a GET request wrote to the database: {sql[:300]}")
    return execute(sql, params, many, context)


@pytest.fixture(autouse=True)
def _the_clock_runs_again_after_each_test():
    """A test that leaves `timezone.now` patched fails, and the clock is put back: a
    frozen clock leaking into later tests makes them fail far from the cause."""
    from django.utils import timezone

    from kehou.testing.clock import REAL_NOW

    yield
    if timezone.now is not REAL_NOW:
        timezone.now = REAL_NOW
        pytest.fail("the test left timezone.now patched (a frozen clock)", pytrace=False)


@pytest.fixture(autouse=True)
def _a_get_never_writes(monkeypatch):
    from django.db import connections
    from django.test import Client

    original = Client.get

    def guarded_get(self, *args, **kwargs):
        guards = [c.execute_wrapper(_forbid_writes) for c in connections.all()]
        for guard in guards:
            guard.__enter__()
        try:
            return original(self, *args, **kwargs)
        finally:
            for guard in reversed(guards):
                guard.__exit__(None, None, None)

    monkeypatch.setattr(Client, "get", guarded_get)
