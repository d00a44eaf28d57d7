"""`{% load dashboard %}`: `{{ share|percent }}` → "85.3%", "—" when there is none."""

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def percent(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{floatformat(value, 1)}%"
