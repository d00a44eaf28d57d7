"""The families are told when an allocation's results are published (kehou.notifications):
one notice to each guardian of every child allocated, written in the run's transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _

from kehou.notifications.models import Notification
from kehou.notifications.recipients import guardian_users
from kehou.notifications.services import in_inbox_language, notify


def results_published(*, run, menu, student_ids: Iterable[int]) -> None:
    guardians = guardian_users(student_ids)
    recipients = {u.pk: u for users in guardians.values() for u in users}
    if not recipients:
        return
    with in_inbox_language():
        notify(
            recipients=recipients.values(),
            kind=Notification.Kind.PLACEMENT,
            title=_("The allocation results are published"),
            body=_(
                "%(school)s has published the results of the choices for %(term)s: see your "
                "child's seats, waiting-list places and why."
            )
            % {"school": menu.school.name, "term": str(menu.term)},
            link=reverse("placement:family"),
            key=f"allocation:{run.pk}",
            school=menu.school,
        )
