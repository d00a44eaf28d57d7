"""Format rules for the identifiers schools type in. Pure Python: used by models,
the roster importer and the API alike."""

import re

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SCHOOL_CODE = re.compile(r"^\d{10}$")
_STUDENT_NUMBER = re.compile(r"^[A-Za-z0-9]{3,20}$")
_REGION_CODE = re.compile(r"^\d{6}$")


def normalise_mobile(raw: object) -> str:
    """Strip what people add around a mainland mobile number: spaces, dashes, +86."""
    text = str(raw or "").strip().replace(" ", "").replace("-", "")
    if text.endswith(".0"):  # a number typed into an Excel cell comes back as a float
        text = text[:-2]
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    return text


def is_mobile(value: str) -> bool:
    return bool(_MOBILE.match(value))


def is_school_code(value: str) -> bool:
    """学校标识码: ten digits, issued by the Ministry of Education."""
    return bool(_SCHOOL_CODE.match(value))


def is_student_number(value: str) -> bool:
    """学籍号 (G + 18 characters) or a shorter school-local number."""
    return bool(_STUDENT_NUMBER.match(value))


def is_region_code(value: str) -> bool:
    """行政区划代码: six digits."""
    return bool(_REGION_CODE.match(value))


def mask_mobile(phone: object) -> str:
    """138****0004: enough for a gate keeper or a history reader to recognise a number
    without holding it (also django-auditlog's mask for phone fields)."""
    text = "" if phone is None else str(phone)
    if not text or text == "None":
        return ""
    if len(text) < 8:
        return "****"
    return text[:3] + "****" + text[-4:]
