"""Move kehou's clock in a test: `timezone.now()` (and so `timezone.localdate()`).

The patch replaces a module attribute, which every thread sees: freeze the clock once,
in the test's own thread, around any threads the test starts. Two threads each freezing
it restore in the wrong order and leave it frozen for every later test, so that is
refused here, and the suite fails a test that leaves the clock patched
(kehou.testing.pytest_plugin)."""

import threading
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

REAL_NOW = timezone.now


@contextmanager
def freeze_now(moment):
    """Inside the block, `django.utils.timezone.now()` returns `moment` (aware)."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("freeze the clock in the test's thread, around the threads it starts")
    with mock.patch.object(timezone, "now", return_value=moment):
        yield moment
