"""The complaint ledger (投诉举报台账) as .xlsx: a school's list, or the bureau's list of
its region's escalated and late complaints, with the filter the page shows.

The submitter's name and phone stay out: a file travels further than a page, and someone
reporting wrongdoing (举报) is owed that the school cannot learn who it was from a
spreadsheet. The complaint's page keeps them for whoever handles it."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from kehou.complaints.models import Complaint
from kehou.core.spreadsheets import Sheet, build_xlsx


def _day(moment):
    return timezone.localdate(moment) if moment else None


def ledger_headers(*, show_school: bool) -> list[str]:
    return [
        _("No."),
        _("Received on"),
        *([_("School")] if show_school else []),
        _("Kind"),
        _("What it is about"),
        _("What happened"),
        _("State"),
        _("Reply due by"),
        _("Past due"),
        _("Escalated because"),
        _("Assigned to"),
        _("Handling notes"),
        _("Reply"),
        _("Replied on"),
        _("Closed on"),
    ]


def ledger_row(number: int, complaint: Complaint, overdue: bool, *, show_school: bool) -> list:
    return [
        number,
        complaint.received_on,
        *([complaint.school.name] if show_school else []),
        complaint.get_kind_display(),
        complaint.get_topic_display(),
        complaint.text,
        complaint.get_state_display(),
        complaint.due_on,
        _("Yes") if overdue else _("No"),
        complaint.get_escalation_display() if complaint.escalation else "",
        complaint.assigned_to.name if complaint.assigned_to else "",
        complaint.handling,
        complaint.reply,
        _day(complaint.replied_at),
        _day(complaint.closed_at),
    ]


def ledger_workbook(
    rows: list[tuple[Complaint, bool]], *, title: str, filter_label: str, show_school: bool
) -> bytes:
    printed = _("Printed on %(day)s") % {"day": f"{timezone.localdate():%Y-%m-%d}"}
    return build_xlsx(
        [
            Sheet(
                name=_("Complaint ledger"),
                title=[title, f"{filter_label} · {printed}"],
                headers=ledger_headers(show_school=show_school),
                rows=[
                    ledger_row(n, c, overdue, show_school=show_school)
                    for n, (c, overdue) in enumerate(rows, start=1)
                ],
            )
        ]
    )
