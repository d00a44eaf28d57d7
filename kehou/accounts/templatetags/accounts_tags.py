import datetime

from django import template

register = template.Library()


@register.filter
def minutes(value) -> int:
    """A timedelta as whole minutes, rounded up (the lockout's cool-off)."""
    if not isinstance(value, datetime.timedelta):
        return 0
    return -(-int(value.total_seconds()) // 60)


@register.inclusion_tag("accounts/includes/password_link.html")
def password_link():
    """The header's link to choosing one's own password (on every page, every role)."""
    return {}
