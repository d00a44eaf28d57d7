"""What the family is told, in their inbox and on the channels they chose
(kehou.notifications): a seat offered from a waiting list, the school's decision on an
application. Called inside the service's transaction, after its checks: the notice is
written with the change or not at all. Each names its event in `key`, so a repeat of the
code that noticed it tells nobody twice."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehou.enrollment.models import Application, WaitlistEntry
from kehou.notifications.models import Notification
from kehou.notifications.recipients import guardian_users
from kehou.notifications.services import in_inbox_language, notify


def seats_offered(entries: Sequence[WaitlistEntry], offering) -> None:
    """Each offered child's guardians: accept or decline by the deadline."""
    if not entries:
        return
    guardians = guardian_users(e.student_id for e in entries)
    names = dict(
        Application.objects.filter(pk__in=[e.application_id for e in entries]).values_list(
            "student_id", "student__name"
        )
    )
    with in_inbox_language():
        link = reverse("placement:family")
        for entry in entries:
            deadline = timezone.localtime(entry.respond_by).strftime("%Y-%m-%d %H:%M")
            notify(
                recipients=guardians.get(entry.student_id, []),
                kind=Notification.Kind.SEAT_OFFER,
                title=_("A seat in “%(offering)s” is offered to %(child)s")
                % {"offering": offering, "child": names.get(entry.student_id, "")},
                body=_(
                    "A seat came free and your child is next in line. Accept or decline it "
                    "by %(deadline)s on the results page; after that it goes to the next "
                    "child."
                )
                % {"deadline": deadline},
                link=link,
                key=f"seat_offer:{entry.pk}",
                school=offering.menu.school,
            )


def application_decided(app: Application, *, joined: bool = False) -> None:
    """The family learns the school's decision: approved (or admitted during the term),
    or refused with the reason."""
    student = app.student
    with in_inbox_language():
        values = {"child": student.name, "term": str(app.term)}
        if app.status == Application.Status.REFUSED:
            title = _("The application for %(child)s was refused") % values
            body = _("The school refused the application for %(term)s. The reason: %(reason)s") % {
                **values,
                "reason": app.refusal_reason,
            }
            key = f"application:{app.pk}:refused"
        else:
            values["day"] = app.starts_on.isoformat() if app.starts_on else ""
            title = _("The application for %(child)s is approved") % values
            body = (
                _(
                    "The school approved the application for %(term)s; your child takes part "
                    "from %(day)s."
                )
                % values
            )
            key = f"application:{app.pk}:approved"
            if joined:
                key += f":{values['day']}"
        notify(
            recipients=guardian_users([student.pk]).get(student.pk, []),
            kind=Notification.Kind.APPLICATION,
            title=title,
            body=body,
            link=reverse("enrollment:family"),
            key=key,
            school=student.school,
        )
