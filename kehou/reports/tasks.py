"""The monthly report's periodic work, run by `kehou worker`."""

import datetime as dt

from django_tasks import task

from kehou.core.scheduler import periodic


@periodic(every=dt.timedelta(hours=1))
@task()
def school_months_refresh_task() -> int:
    """Recompute the current and the previous month's figures of every school."""
    from django.utils import timezone

    from kehou.lib.months import first_of, previous_month
    from kehou.org.models import School
    from kehou.reports.figures import refresh_months

    month = first_of(timezone.localdate())
    ids = list(School.objects.values_list("pk", flat=True))
    return refresh_months(ids, month) + refresh_months(ids, previous_month(month))


@periodic(daily_at=dt.time(8, 0))
@task()
def report_reminders_task() -> dict:
    """Remind the schools that have not submitted last month's report, and tell the
    county once a school is late."""
    from kehou.org.access import SYSTEM
    from kehou.reports.services import report_reminders_send

    return report_reminders_send(actor=SYSTEM)
