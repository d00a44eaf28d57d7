"""`{% load money %}` then `{{ amount_fen|yuan }}`: fen shown as yuan ("1,234.50")."""

from django import template

from kehou.money import yuan_text

register = template.Library()


@register.filter
def yuan(fen) -> str:
    if fen is None or fen == "":
        return ""
    return yuan_text(int(fen))
