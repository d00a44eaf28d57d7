from django import template
from django.utils.translation import gettext as _

from kehou.policy import rule_labels

register = template.Library()


@register.filter
def shown(value) -> str:
    """A shortfall's plan or required value for people: 17:50, 60, not stated …"""
    from kehou.core.labels import category_label
    from kehou.policy_rules.check import jsonable
    from kehou.policy_rules.model import Category

    if value is None:
        return _("Not stated")
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [category_label(v) if isinstance(v, Category) else v for v in value]
        return _(", ").join(str(jsonable(i)) for i in items) or _("None")
    return str(jsonable(value))


@register.filter
def shortfall_text(shortfall) -> str:
    """The shortfall's sentence in the page's language."""
    return rule_labels.shortfall_message(shortfall)


@register.filter
def shortfall_where(shortfall) -> str:
    """The part of the plan a shortfall concerns, in the page's language."""
    return rule_labels.shortfall_scope(shortfall)


@register.filter
def rule_label(rule) -> str:
    """A compliance rule's name in the page's language."""
    return rule_labels.rule_name(rule)


@register.filter
def target_text(target) -> str:
    """The urban target's verdict in the page's language."""
    return rule_labels.target_message(target)
