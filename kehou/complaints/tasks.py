"""The complaints' periodic work, run by `kehou worker` (kehou.complaints.services)."""

import datetime as dt

from django_tasks import task

from kehou.core.scheduler import periodic


@periodic(every=dt.timedelta(hours=1))
@task()
def complaints_escalate_late_task() -> int:
    """Put the complaints past their time limit, not yet replied, before the bureau
    (each once)."""
    from kehou.complaints import services
    from kehou.org.access import SYSTEM

    return services.complaints_escalate_late(actor=SYSTEM)
