"""The pickup code: one per child per day, shown to the guardian as six digits and a QR code,
checked at the gate by scanning or typing it in.

The code is derived (an HMAC of the child and the day under the deployment's secret key),
not stored: showing it to a guardian writes nothing (a GET never writes), yesterday's code
opens nothing today, and nobody can work out a code from the child's number. Six digits can
coincide for two children of a school on one day; the gate then sees both and chooses by
name and class.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings

QR_PREFIX = "KEHOU-PICKUP"


def pickup_code(student_id: int, day: dt.date) -> str:
    message = f"pickup:{student_id}:{day.isoformat()}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def qr_payload(student_id: int, day: dt.date) -> str:
    """What the QR code holds: the child, the day and the code (checked again on a scan)."""
    return f"{QR_PREFIX}:{student_id}:{day.isoformat()}:{pickup_code(student_id, day)}"


def read_qr(payload: str) -> tuple[int, dt.date, str] | None:
    """(child, day, code) from a scanned payload, or None for anything else."""
    parts = payload.strip().split(":")
    if len(parts) != 4 or parts[0] != QR_PREFIX:
        return None
    try:
        return int(parts[1]), dt.date.fromisoformat(parts[2]), parts[3]
    except ValueError:
        return None


def code_matches(student_id: int, day: dt.date, code: str) -> bool:
    return hmac.compare_digest(pickup_code(student_id, day), code.strip())
