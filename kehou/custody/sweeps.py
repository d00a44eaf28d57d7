"""The end of the day, watched by kehou itself (run every minute by kehou.custody.tasks).

- `alerts_sweep`: once the school's last sitting of today has ended and the school's
  `alert_after` minutes have passed, every child still in someone's custody raises an
  `unaccounted` alert; a sitting that ended with children on its roster and no roll taken
  raises `roll_not_taken`. Each alert is raised once (its key) and goes to the day's duty
  staff and the school's admins.
- `not_collected_sweep`: a child still on site after their last sitting's end plus the
  school's collection grace: their guardians are told once where the child is ("with
  <teacher> at <room>").

Both read a school's day in a few queries whatever its size, and may run twice (two
workers, a retry) without telling anyone twice.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kehou.custody.models import Alert, Custody, DayRules
from kehou.custody.services import _at_local, alert_key, alert_raise
from kehou.notifications.models import Notification
from kehou.notifications.recipients import guardian_users
from kehou.notifications.services import in_inbox_language, notify
from kehou.org.models import School
from kehou.sittings.models import Sitting
from kehou.sittings.selectors import day_rosters


def _last_ends(day: dt.date) -> dict[int, dt.time]:
    rows = Sitting.objects.filter(date=day).values("school_id").annotate(last=Max("end"))
    return {row["school_id"]: row["last"] for row in rows}


def alerts_sweep(now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    ends = _last_ends(day)
    rules = {r.school_id: r for r in DayRules.objects.filter(school_id__in=list(ends))}
    raised = {"unaccounted": 0, "roll_not_taken": 0}
    for school_id, last in ends.items():
        delay = rules.get(school_id, DayRules()).alert_after
        if now >= _at_local(day, last) + dt.timedelta(minutes=delay):
            raised["unaccounted"] += _unaccounted(school_id, day)
        raised["roll_not_taken"] += _roll_not_taken(school_id, day, now)
    return raised


def _unaccounted(school_id: int, day: dt.date) -> int:
    open_rows = list(
        Custody.objects.filter(school_id=school_id, until__isnull=True).select_related(
            "student", "holder", "sitting"
        )
    )
    keys = {c.student_id: alert_key(Alert.Kind.UNACCOUNTED, day, c.student_id) for c in open_rows}
    known = set(Alert.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    raised = 0
    for custody in open_rows:
        if keys[custody.student_id] in known:
            continue
        with in_inbox_language():
            details = _("%(name)s is still at school, with %(holder)s%(where)s.") % {
                "name": custody.student.name,
                "holder": custody.holder.name,
                "where": _where(custody),
            }
        _alert, created = alert_raise(
            school=school_id,
            kind=Alert.Kind.UNACCOUNTED,
            date=day,
            student=custody.student_id,
            sitting=custody.sitting_id,
            details=details,
        )
        raised += created
    return raised


def _where(custody: Custody) -> str:
    sitting = custody.sitting
    if sitting is None:
        return ""
    place = sitting.room or sitting.label or sitting.get_kind_display()
    return _(" at %(place)s") % {"place": place}


def _roll_not_taken(school_id: int, day: dt.date, now: dt.datetime) -> int:
    local = timezone.localtime(now)
    ended = [
        s
        for s in Sitting.objects.filter(
            school_id=school_id, date=day, roll_taken_at__isnull=True, end__lte=local.time()
        )
    ]
    if not ended:
        return 0
    keys = {s.pk: alert_key(Alert.Kind.ROLL_NOT_TAKEN, day, sitting=s.pk) for s in ended}
    known = set(Alert.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    waiting = {s.pk for s in ended if keys[s.pk] not in known}
    if not waiting:
        return 0
    raised = 0
    for roster in day_rosters(School(pk=school_id), day):
        sitting = roster.sitting
        if sitting.pk not in waiting or not roster.entries:
            continue
        with in_inbox_language():
            details = _("No roll was taken at %(sitting)s %(start)s–%(end)s (%(n)s children).") % {
                "sitting": sitting.label or sitting.get_kind_display(),
                "start": sitting.start.strftime("%H:%M"),
                "end": sitting.end.strftime("%H:%M"),
                "n": len(roster.entries),
            }
        _alert, created = alert_raise(
            school=school_id,
            kind=Alert.Kind.ROLL_NOT_TAKEN,
            date=day,
            sitting=sitting.pk,
            details=details,
        )
        raised += created
    return raised


def not_collected_key(day: dt.date, student_id: int) -> str:
    return f"not_collected:{day.isoformat()}:{student_id}"


def not_collected_sweep(now: dt.datetime | None = None) -> int:
    """Tell the guardians of each child still on site past their last sitting's end plus
    the grace; returns how many children's guardians were told now."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    ends = _last_ends(day)
    rules = {r.school_id: r for r in DayRules.objects.filter(school_id__in=list(ends))}
    last_by_child = dict(
        Custody.objects.filter(school_id__in=list(ends), sitting__date=day)
        .values("student_id")
        .annotate(last=Max("sitting__end"))
        .values_list("student_id", "last")
    )
    told = 0
    open_rows = Custody.objects.filter(school_id__in=list(ends), until__isnull=True)
    overdue = []
    for custody in open_rows.select_related("student", "holder", "sitting", "school"):
        last = last_by_child.get(custody.student_id, ends[custody.school_id])
        grace = rules.get(custody.school_id, DayRules()).collection_grace
        if now >= _at_local(day, last) + dt.timedelta(minutes=grace):
            overdue.append(custody)
    if not overdue:
        return 0
    keys = {c.student_id: not_collected_key(day, c.student_id) for c in overdue}
    known = set(Notification.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    overdue = [c for c in overdue if keys[c.student_id] not in known]
    users = guardian_users([c.student_id for c in overdue])
    for custody in overdue:
        recipients = users.get(custody.student_id, [])
        if not recipients:
            continue
        with in_inbox_language():
            title = _("%(name)s has not been collected yet") % {"name": custody.student.name}
            body = _("%(name)s is not yet collected: with %(holder)s%(where)s.") % {
                "name": custody.student.name,
                "holder": custody.holder.name,
                "where": _where(custody),
            }
        notify(
            recipients=recipients,
            kind=Notification.Kind.LATE_COLLECTION,
            title=title,
            body=body,
            key=keys[custody.student_id],
            school=custody.school,
        )
        told += 1
    return told
