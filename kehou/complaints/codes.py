"""The follow-up code a submitter keeps (R20): 12 characters drawn with `secrets` from
31 letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L), about
2^59 possibilities, so guessing one is hopeless even without a rate limit. Shown in
groups of four; typed in any case, with or without spaces and dashes."""

import re
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 12


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_code(raw: object) -> str:
    """The stored form of a code as typed: upper case, separators dropped; "" when it
    cannot be a code at all."""
    text = re.sub(r"[\s\-_.·]", "", str(raw or "")).upper()
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return ""
    return text


def shown(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
