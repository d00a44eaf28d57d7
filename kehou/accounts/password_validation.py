"""Password rules beyond Django's (research S2: length, common passwords and context
words; no composition rules), used wherever a password is chosen - activation, change,
the choice after a temporary password - through settings.AUTH_PASSWORD_VALIDATORS.

A context word is what someone who knows the person or the school would try first:
the school's and the district's names, the person's own phone, their child's student
number, and the demo city's published password. A password containing one is refused,
whatever is around it ("吴中实验小学2026", "Ab13800000001").
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehou.accounts.backends import DEMO_PASSWORD
from kehou.lib.validators import normalise_identifier

# Suffixes of Chinese place names: "吴中区" is also tried as "吴中".
PLACE_SUFFIXES = ("特别行政区", "自治州", "自治县", "新区", "省", "市", "区", "县", "镇", "乡")
MIN_WORD = 2


def _fold(text: object) -> str:
    return normalise_identifier(unicodedata.normalize("NFKC", str(text or ""))).casefold()


def _regions(region):
    seen = set()
    while region is not None and region.pk not in seen:
        seen.add(region.pk)
        yield region
        region = region.parent


def _place_words(name: str) -> list[str]:
    words = [name]
    for suffix in PLACE_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= MIN_WORD:
            words.append(name[: -len(suffix)])
            break
    return words


def _guardian_links(user) -> list:
    """The links to the children of a guardian login, through its guardian record(s)."""
    records = getattr(user, "guardian_records", None)
    if records is not None:
        guardians = list(records.all())
    else:
        one = getattr(user, "guardian", None)
        guardians = [one] if one is not None else []
    return [
        link
        for guardian in guardians
        for link in guardian.student_links.select_related("student__school__region")
    ]


def context_words(user) -> list[str]:
    """The words a password of `user` must not contain. An unsaved user (an activation)
    brings its own in `user.password_context`: the schools, regions and student numbers
    the service found for them."""
    if user is None:
        return []
    schools, regions, numbers = [], [], []
    extra = getattr(user, "password_context", None)
    if extra is not None:
        schools += list(extra.get("schools", ()))
        regions += list(extra.get("regions", ()))
        numbers += list(extra.get("student_numbers", ()))
    if getattr(user, "school_id", None):
        schools.append(user.school)
    if getattr(user, "region_id", None):
        regions.append(user.region)
    if getattr(user, "pk", None):
        staff = getattr(user, "staff", None)
        if staff is not None:
            schools.append(staff.school)
        for link in _guardian_links(user):
            schools.append(link.student.school)
            numbers.append(link.student.student_number)
    words = []
    for school in schools:
        words.append(school.name)
        regions.append(school.region)
    for region in regions:
        for place in _regions(region):
            words += _place_words(place.name)
    for number in numbers:
        words.append(number)
        digits = "".join(c for c in number if c.isdigit())
        if len(digits) >= 8:
            words.append(digits)  # the 学籍号 without its "G": the child's ID number
    if getattr(user, "phone", ""):
        words.append(user.phone)
    found = []
    for word in words:
        folded = _fold(word)
        if len(folded) >= MIN_WORD and folded not in found:
            found.append(folded)
    return found


class ContextWordsValidator:
    """Refuses a password containing a context word of the user (see the module)."""

    def validate(self, password: str, user=None) -> None:
        folded = _fold(password)
        if DEMO_PASSWORD in folded:
            raise ValidationError(
                _(
                    "This password contains the demo's published password %(word)s, "
                    "which everyone can read: choose another."
                ),
                code="password_demo",
                params={"word": DEMO_PASSWORD},
            )
        for word in context_words(user):
            if word in folded:
                raise ValidationError(
                    _(
                        "This password contains “%(word)s”, which people who know you or "
                        "the school would try first (the school's or district's name, "
                        "your phone, your child's student number): choose another."
                    ),
                    code="password_context",
                    params={"word": word},
                )

    def get_help_text(self) -> str:
        return _(
            "It must not contain the school's or district's name, your phone or your "
            "child's student number."
        )


class MinimumLengthValidator:
    """At least `min_length` characters (S2: 8, 12 advised), with a Chinese message."""

    def __init__(self, min_length: int = 8) -> None:
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                ngettext(
                    "This password is too short: use at least %(min_length)d character.",
                    "This password is too short: use at least %(min_length)d characters.",
                    self.min_length,
                ),
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "At least %(min_length)d character; a short sentence is easy to remember.",
            "At least %(min_length)d characters; a short sentence is easy to remember.",
            self.min_length,
        ) % {"min_length": self.min_length}


class CommonPasswordValidator:
    """Django's list of 20,000 common passwords, with a Chinese message."""

    def __init__(self) -> None:
        from django.contrib.auth.password_validation import CommonPasswordValidator as Base

        self._base = Base()

    def validate(self, password: str, user=None) -> None:
        try:
            self._base.validate(password, user)
        except ValidationError:
            raise ValidationError(
                _("This password is one of the most common ones: choose another."),
                code="password_too_common",
            ) from None

    def get_help_text(self) -> str:
        return _("Not one of the most common passwords.")
