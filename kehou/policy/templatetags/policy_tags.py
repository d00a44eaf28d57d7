from django import template

register = template.Library()


@register.filter
def shown(value) -> str:
    """A shortfall's plan or required value for people: 17:50, 60元, 未说明 …"""
    from kehou.core.labels import category_label
    from kehou.policy_rules.check import jsonable
    from kehou.policy_rules.model import Category

    if value is None:
        return "未说明"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [category_label(v) if isinstance(v, Category) else v for v in value]
        return "、".join(str(jsonable(i)) for i in items) or "无"
    return str(jsonable(value))
