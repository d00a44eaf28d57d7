"""Move kehou's clock in a test: `timezone.now()` (and so `timezone.localdate()`)."""

from contextlib import contextmanager
from unittest import mock

from django.utils import timezone


@contextmanager
def freeze_now(moment):
    """Inside the block, `django.utils.timezone.now()` returns `moment` (aware)."""
    with mock.patch.object(timezone, "now", return_value=moment):
        yield moment
