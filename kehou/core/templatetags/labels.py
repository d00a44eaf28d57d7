"""Template filters for the shared labels (kehou.core.labels): `{% load labels %}`."""

from django import template

from kehou.core import labels

register = template.Library()


@register.filter
def weekday(value) -> str:
    """0 → 周一; None or "" → ""."""
    return "" if value in (None, "") else labels.weekday_label(int(value))


@register.filter
def weekdays(value) -> str:
    """[0, 1, 2, 3, 4] → 周一至周五; None → ""."""
    return "" if value in (None, "") else labels.weekdays_label(int(d) for d in value)


@register.filter
def category(value) -> str:
    return labels.category_label(value)


@register.filter
def grade(value) -> str:
    return labels.grade_label(int(value))
