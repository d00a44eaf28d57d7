"""Format rules for the identifiers schools type in. Pure Python: used by models,
the roster importer and the API alike.

Every phone number and student/ID number that enters kehou - a form, the login, the
activation, the roster import, a service - passes through `normalise_mobile` or
`normalise_student_number` here, and then `is_mobile` / `is_student_number`, which accept
ASCII only. Normalising means:

- Unicode NFKC, so full-width "１３８" and "Ｇ" become "138" and "G";
- invisible characters removed: format characters (zero-width spaces and joiners, the
  byte-order mark, direction marks: category Cf), control characters (Cc) and every
  kind of space;
- any other decimal digit (category Nd: Arabic-Indic "٠١٢", Devanagari, ...) turned into
  its ASCII digit. NFKC leaves those alone. They are converted rather than refused:
  a digit of any script has exactly one value (unicodedata.decimal), a phone keyboard
  set to Arabic or Persian types them for the same number, and once converted the
  number is stored and compared in one form - which is what the lookups (activation,
  login, lockout) and the unique constraints need. What is left that is not ASCII
  (a letter of another script, a symbol) fails `is_mobile` / `is_student_number`.
"""

import re
import unicodedata

_MOBILE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)
_SCHOOL_CODE = re.compile(r"[0-9]{10}", re.ASCII)
_STUDENT_NUMBER = re.compile(r"[A-Za-z0-9]{3,20}", re.ASCII)
_REGION_CODE = re.compile(r"[0-9]{6}", re.ASCII)

_INVISIBLE = {"Cf", "Cc", "Zs", "Zl", "Zp"}


def normalise_identifier(raw: object) -> str:
    """NFKC, invisible characters and spaces removed, every decimal digit as ASCII."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw))
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category in _INVISIBLE or char.isspace():
            continue
        if category == "Nd" and not ("0" <= char <= "9"):
            char = str(unicodedata.decimal(char))
        out.append(char)
    return "".join(out)


def normalise_mobile(raw: object) -> str:
    """A mainland mobile number as typed or imported, in the one stored form: what
    `normalise_identifier` does, then dashes (of any kind), +86 and Excel's ".0" removed."""
    text = "".join(c for c in normalise_identifier(raw) if unicodedata.category(c) != "Pd")
    if text.endswith(".0"):  # a number typed into an Excel cell comes back as a float
        text = text[:-2]
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    return text


def normalise_student_number(raw: object) -> str:
    """A 学籍号 or school-local number in its stored form (its case is kept: lookups
    compare it case-insensitively)."""
    return normalise_identifier(raw)


def is_mobile(value: str) -> bool:
    return isinstance(value, str) and bool(_MOBILE.fullmatch(value))


def is_school_code(value: str) -> bool:
    """学校标识码: ten digits, issued by the Ministry of Education."""
    return isinstance(value, str) and bool(_SCHOOL_CODE.fullmatch(value))


def is_student_number(value: str) -> bool:
    """学籍号 (G + 18 characters) or a shorter school-local number."""
    return isinstance(value, str) and bool(_STUDENT_NUMBER.fullmatch(value))


def is_region_code(value: str) -> bool:
    """行政区划代码: six digits."""
    return isinstance(value, str) and bool(_REGION_CODE.fullmatch(value))


def mask_mobile(phone: object) -> str:
    """138****0004: enough for a gate keeper or a history reader to recognise a number
    without holding it (also django-auditlog's mask for phone fields)."""
    text = "" if phone is None else str(phone)
    if not text or text == "None":
        return ""
    if len(text) < 8:
        return "****"
    return text[:3] + "****" + text[-4:]
