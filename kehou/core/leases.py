"""Leases: how a long piece of background work shows it is still alive.

The worker that runs it renews `lease_until` on the work's row every few seconds from a
thread of its own (its own database connection, so it is seen while the work's own
transaction is still open). If the process dies, even by SIGKILL, the renewals stop and the
lease lapses: whoever looks next knows the work was interrupted and may start it again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone

logger = logging.getLogger("kehou.worker")

LEASE = dt.timedelta(seconds=120)
RENEW_EVERY = dt.timedelta(seconds=20)


def lease_end(now: dt.datetime | None = None, lease: dt.timedelta = LEASE) -> dt.datetime:
    return (now or timezone.now()) + lease


@contextmanager
def renewing(queryset, *, field: str = "lease_until", lease=LEASE, every=RENEW_EVERY):
    """Renew `field` on the rows of `queryset` while the block runs."""
    stopped = threading.Event()

    def renew() -> None:
        try:
            while not stopped.wait(every.total_seconds()):
                try:
                    queryset.update(**{field: lease_end(lease=lease)})
                except Exception:  # a busy database: the next renewal tries again
                    logger.warning("lease renewal failed", exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=renew, name="kehou-lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopped.set()
        thread.join(timeout=every.total_seconds() + 5)
