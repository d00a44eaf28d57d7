"""Complaints and reports (投诉、举报, R20, seed 003's 监督举报渠道).

A parent (through their login) or anyone (from a school's public page, no login) files
one; it moves received → assigned → handled → replied → closed, with a time limit from
the locality's policy profile (`complaint_reply_days`), and is escalated to the county's
bureau when it concerns fees or a refused child, or when it is late. The submitter
follows it with a code. Every change goes through kehou.complaints.services, which
writes a ComplaintEvent (who, when, from which state to which) with it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehou.accounts.models import validate_mobile


class Complaint(models.Model):
    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        REPORT = "report", _("Report of wrongdoing")

    class Topic(models.TextChoices):
        FEES = "fees", _("Fees and charges")
        REFUSED = "refused", _("A child refused or kept out")
        SAFETY = "safety", _("Children's safety")
        TEACHING = "teaching", _("Teaching and activities")
        CONDUCT = "conduct", _("A teacher's conduct")
        OTHER = "other", pgettext_lazy("complaint topic", "Other")

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        ASSIGNED = "assigned", _("Assigned")
        HANDLED = "handled", _("Being handled")
        REPLIED = "replied", _("Replied")
        CLOSED = "closed", pgettext_lazy("complaint state", "Closed")

    class Escalation(models.TextChoices):
        LATE = "late", _("Not replied in time")
        FEES = "fees", _("Concerns fees")
        REFUSED = "refused", _("Concerns a refused child")

    # Not yet replied: the time limit runs and the complaint counts as late after it.
    WAITING = (State.RECEIVED, State.ASSIGNED, State.HANDLED)

    school = models.ForeignKey(
        "org.School", verbose_name=_("school"), related_name="complaints", on_delete=models.PROTECT
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    topic = models.CharField(_("topic"), max_length=10, choices=Topic.choices)
    text = models.TextField(_("what happened"))
    student = models.ForeignKey(
        "org.Student",
        verbose_name=_("child"),
        null=True,
        blank=True,
        related_name="complaints",
        on_delete=models.PROTECT,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        related_name="complaints",
        on_delete=models.PROTECT,
    )
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(
        _("mobile phone"), max_length=11, blank=True, validators=[validate_mobile]
    )
    # A keyed hash of the network address a public complaint came from: enough to count
    # one address's complaints (kehou.complaints.services.PUBLIC_LIMIT), not to find it.
    sent_from = models.CharField(max_length=32, blank=True, editable=False)
    # Random and unguessable (kehou.complaints.codes); the only key a public submitter has.
    code = models.CharField(_("follow-up code"), max_length=16, unique=True, editable=False)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RECEIVED
    )
    received_at = models.DateTimeField(_("received at"))
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("reply due by"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        related_name="complaints_assigned",
        on_delete=models.PROTECT,
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalation = models.CharField(
        _("escalated because"), max_length=10, choices=Escalation.choices, blank=True
    )
    handling = models.TextField(_("handling notes"), blank=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["school", "state"]),
            models.Index(fields=["school", "received_on"]),
            models.Index(fields=["due_on", "state"]),
            models.Index(fields=["sent_from", "received_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="replied_complaint_has_reply",
                condition=Q(state__in=["received", "assigned", "handled"])
                | (~Q(reply="") & Q(replied_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="escalated_complaint_has_reason",
                condition=Q(escalated_at__isnull=True) | ~Q(escalation=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_on:%Y-%m-%d} {self.get_topic_display()}"


class ComplaintEvent(models.Model):
    """One change of a complaint: its state (from, to), an assignment, a note, an
    escalation. Written by the service with the change, never edited."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ASSIGNED = "assigned", _("Assigned")
        HANDLED = "handled", _("Handling recorded")
        REPLIED = "replied", pgettext_lazy("complaint action", "Replied")
        CLOSED = "closed", pgettext_lazy("complaint action", "Closed")
        ESCALATED = "escalated", _("Escalated to the bureau")

    school = models.ForeignKey("org.School", related_name="+", on_delete=models.PROTECT)
    complaint = models.ForeignKey(Complaint, related_name="events", on_delete=models.CASCADE)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    from_state = models.CharField(
        _("from state"), max_length=10, choices=Complaint.State.choices, blank=True
    )
    to_state = models.CharField(_("to state"), max_length=10, choices=Complaint.State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    at = models.DateTimeField(_("when"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action}"
