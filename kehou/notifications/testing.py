"""A gateway for SMS and WeChat that sends nothing: it records each message (and logs it),
and fails on request. The tests use it; so may the demo
(`KEHOU_SMS_GATEWAY=kehou.notifications.testing.RecordingGateway`), where the worker's
log then shows each text message it would have sent."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from kehou.lib.validators import mask_mobile
from kehou.notifications.channels import DeliveryFailed

logger = logging.getLogger("kehou.notifications")


@dataclass(frozen=True)
class Sent:
    address: str
    title: str
    body: str
    link: str
    reference: str


class RecordingGateway:
    """`fail_times(n, retry=True)`: the next n sends raise DeliveryFailed. `delay`: seconds
    each send takes (to widen a race in a test). Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sent: list[Sent] = []
        self.failures_left = 0
        self.retry = True
        self.delay = 0.0
        self.calls = 0

    def fail_times(self, count: int, *, retry: bool = True) -> None:
        with self._lock:
            self.failures_left = count
            self.retry = retry

    def reset(self) -> None:
        with self._lock:
            self.sent.clear()
            self.failures_left = 0
            self.retry = True
            self.delay = 0.0
            self.calls = 0

    def send(self, *, address: str, title: str, body: str, link: str) -> str:
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            self.calls += 1
            if self.failures_left > 0:
                self.failures_left -= 1
                raise DeliveryFailed("the test gateway was told to fail", retry=self.retry)
            reference = f"test-{len(self.sent) + 1}"
            self.sent.append(Sent(address, title, body, link, reference))
        logger.info("test gateway: to %s: %s — %s %s", mask_mobile(address), title, body, link)
        return reference
