from django import template

from kehou.catalog.selectors import WEEKDAY_NAMES

register = template.Library()


@register.filter
def weekdays(days) -> str:
    """[0, 2] → "Mon, Wed" (translated)."""
    return ", ".join(str(WEEKDAY_NAMES[d]) for d in days or [] if 0 <= int(d) <= 6)
