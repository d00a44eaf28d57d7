"""Template helpers for pages every role shares (the navigation)."""

from django import template

from kehou.org import access

register = template.Library()


@register.filter
def is_external_instructor(user) -> bool:
    """An instructor who sees only their own groups' children: the navigation leaves out
    the school's class list and the class teacher's reviews."""
    return access.is_external_instructor(user)
