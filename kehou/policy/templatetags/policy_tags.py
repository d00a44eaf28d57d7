from django import template

from kehou.policy_rules.check import WEEKDAY_ZH

register = template.Library()


@register.filter
def weekdays_zh(value) -> str:
    """[0, 2] → "周一、周三"; a single int → its name; None → ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, int):
        return WEEKDAY_ZH[value] if 0 <= value <= 6 else str(value)
    return "、".join(WEEKDAY_ZH[d] for d in value if 0 <= d <= 6)


@register.filter
def shown(value) -> str:
    """A shortfall's plan or required value for people: 17:50, 60元, 未说明 …"""
    from kehou.policy_rules.check import jsonable
    from kehou.policy_rules.model import CATEGORY_ZH, Category

    if value is None:
        return "未说明"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [CATEGORY_ZH.get(Category(v), v) if isinstance(v, Category) else v for v in value]
        return "、".join(str(jsonable(i)) for i in items) or "无"
    return str(jsonable(value))
