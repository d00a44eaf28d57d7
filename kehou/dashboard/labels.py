"""Labels of codes other apps define, for the dashboard's charts and tables."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kehou.complaints.models import Complaint

OVERDUE = "overdue"  # counts_by_state's key for those past their time limit


def complaint_state_label(code: str) -> str:
    if code == OVERDUE:
        return _("Not replied in time (of the above)")
    try:
        return str(Complaint.State(code).label)
    except ValueError:
        return code
