"""What pages call weekdays, grades, classes and categories: one translatable label for
each code (Chinese by default, English on English pages)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehou.lib.vocabulary import Category

WEEKDAY_LABELS = (
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
)

GRADE_LABELS = {
    1: gettext_lazy("Grade 1"),
    2: gettext_lazy("Grade 2"),
    3: gettext_lazy("Grade 3"),
    4: gettext_lazy("Grade 4"),
    5: gettext_lazy("Grade 5"),
    6: gettext_lazy("Grade 6"),
    7: gettext_lazy("Grade 7"),
    8: gettext_lazy("Grade 8"),
    9: gettext_lazy("Grade 9"),
    10: gettext_lazy("Senior 1"),
    11: gettext_lazy("Senior 2"),
    12: gettext_lazy("Senior 3"),
}

CATEGORY_LABELS = {
    Category.HOMEWORK: gettext_lazy("Homework tutoring"),
    Category.SPORTS: gettext_lazy("Sports"),
    Category.SCIENCE: gettext_lazy("Science"),
    Category.ARTS: gettext_lazy("Arts"),
    Category.LABOUR: gettext_lazy("Labour"),
    Category.READING: gettext_lazy("Reading"),
    Category.FILM: gettext_lazy("Film"),
    Category.INTEREST_GROUP: gettext_lazy("Interest group"),
    Category.CLUB: gettext_lazy("Club"),
    Category.EVENING_STUDY: gettext_lazy("Evening study"),
    Category.EXTENDED_CARE: gettext_lazy("Extended care"),
    Category.TUTORING: gettext_lazy("Study help"),
    Category.OTHER: gettext_lazy("Other"),
}


def weekday_label(day: int) -> str:
    return str(WEEKDAY_LABELS[day]) if 0 <= day <= 6 else str(day)


def weekdays_label(days: Iterable[int]) -> str:
    """[0, 1, 2, 3, 4, 5] -> "周一至周五、周六": runs of three or more working days joined."""
    days = sorted({d for d in days if 0 <= d <= 6})
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1 and day <= 4:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(
                _("%(first)s to %(last)s")
                % {"first": WEEKDAY_LABELS[run[0]], "last": WEEKDAY_LABELS[run[-1]]}
            )
        else:
            parts.extend(str(WEEKDAY_LABELS[d]) for d in run)
    return _(", ").join(parts)


def grade_label(grade: int) -> str:
    return str(GRADE_LABELS.get(grade, grade))


def grades_label(grade_from: int, grade_to: int) -> str:
    """ "三年级" or "1–6年级" (grades 1–6)."""
    if grade_from == grade_to:
        return grade_label(grade_from)
    return _("Grades %(from)d–%(to)d") % {"from": grade_from, "to": grade_to}


def class_label(grade: int, number: int) -> str:
    """三年级1班 (Grade 3, class 1)."""
    return _("%(grade)s, class %(number)d") % {"grade": grade_label(grade), "number": number}


def category_label(category: str) -> str:
    try:
        return str(CATEGORY_LABELS[Category(category)])
    except ValueError:
        return category
