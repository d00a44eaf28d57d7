"""The navigation's link to the inbox, with the unread count (one COUNT per page)."""

from django import template

from kehou.notifications.selectors import unread_count

register = template.Library()


@register.inclusion_tag("notifications/includes/inbox_link.html")
def inbox_link(user):
    return {"unread": unread_count(user)}
