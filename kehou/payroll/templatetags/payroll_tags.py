"""`{% load payroll_tags %}`: the names of kinds of work and of what a budget line groups."""

from django import template

from kehou.core.labels import CATEGORY_LABELS, category_label
from kehou.payroll.models import WORK_CHOICES
from kehou.sittings.models import Sitting

register = template.Library()

_WORK = dict(WORK_CHOICES)
_KINDS = dict(Sitting.Kind.choices)


@register.filter
def work_label(work) -> str:
    return str(_WORK.get(str(work), work))


@register.filter
def category_or_kind(key: str) -> str:
    """A budget line's key: an activity category, or the kind of a plan slot's sitting."""
    if key in CATEGORY_LABELS:
        return category_label(key)
    return str(_KINDS.get(key, key))
