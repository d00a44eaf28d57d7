"""Applications, safety agreements, ranked choices, enrolments, waiting lists and the
history of every seat (R10-R13).

Two different ways out, named differently on every page, message and history entry:
leaving the after-school service (退出课后服务: the application is withdrawn and every seat
of the term ends) and dropping one offering (退选: one enrolment ends, the rest stays).

An `Enrollment` is a child's seat in an offering, with dated effect: the child is on the
roster from `starts_on` up to, not including, `ends_on`; rosters and bills follow these
dates. While it is ACTIVE it holds one of the offering's seats (`Offering.taken` counts
them), also when `ends_on` is set ahead: the seat is released on that day. Only one active
enrolment per child and offering exists (a partial unique constraint), so a double click
or a race cannot seat a child twice. Seats change only in kehou.enrollment.seats, which
writes a `SeatEvent` for each change.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kehou.core.fields import WeekdaysField


class SafetyAgreement(models.Model):
    """安全责任书/承诺书: the school's text, versioned; families sign a version."""

    school = models.ForeignKey(
        "org.School", related_name="safety_agreements", on_delete=models.CASCADE
    )
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        verbose_name = _("safety agreement")
        verbose_name_plural = _("safety agreements")
        ordering = ["school", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["school", "version"], name="unique_agreement_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Application(models.Model):
    """A guardian's application for one child for one term (voluntary, 自愿)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        TEACHER_REVIEWED = "teacher_reviewed", _("Reviewed by the class teacher")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Left the after-school service")

    student = models.ForeignKey(
        "org.Student", related_name="applications", on_delete=models.CASCADE
    )
    term = models.ForeignKey("terms.Term", related_name="applications", on_delete=models.PROTECT)
    guardian = models.ForeignKey(
        "org.Guardian", related_name="applications", on_delete=models.PROTECT
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    service_weekdays = WeekdaysField(_("service days"), default=list)
    wants_extended_care = models.BooleanField(_("extended care (延时托管)"), default=False)
    has_accident_insurance = models.BooleanField(_("accident insurance bought"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    teacher_reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    teacher_reviewed_at = models.DateTimeField(null=True, blank=True)
    teacher_note = models.CharField(_("class teacher's note"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    starts_on = models.DateField(_("takes part from"), null=True, blank=True)
    withdrawn_on = models.DateField(_("left the after-school service from"), null=True, blank=True)
    withdrawal_reason = models.CharField(
        _("reason for leaving the after-school service"), max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["term", "student"]
        constraints = [
            models.UniqueConstraint(fields=["student", "term"], name="one_application_per_term"),
            models.CheckConstraint(
                name="refusal_has_reason",
                condition=~Q(status="refused") | ~Q(refusal_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.term}"


class AgreementSignature(models.Model):
    """Who signed which version of the safety agreement for an application, and when."""

    application = models.ForeignKey(
        Application, related_name="signatures", on_delete=models.CASCADE
    )
    agreement = models.ForeignKey(
        SafetyAgreement, related_name="signatures", on_delete=models.PROTECT
    )
    signed_by = models.ForeignKey("accounts.User", related_name="+", on_delete=models.PROTECT)
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("agreement signature")
        verbose_name_plural = _("agreement signatures")
        ordering = ["application", "-signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "agreement"], name="sign_each_version_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.agreement}"


class Choice(models.Model):
    """A family's ranked choice of an offering (1 = first choice)."""

    application = models.ForeignKey(Application, related_name="choices", on_delete=models.CASCADE)
    offering = models.ForeignKey(
        "catalog.Offering", related_name="choices", on_delete=models.CASCADE
    )
    rank = models.PositiveSmallIntegerField(_("rank"))

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["application", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "offering"], name="rank_offering_once"),
            models.UniqueConstraint(fields=["application", "rank"], name="one_offering_per_rank"),
            models.CheckConstraint(name="rank_from_one", condition=Q(rank__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.application} #{self.rank} {self.offering}"


class Enrollment(models.Model):
    """A child's seat in an offering, from `starts_on` until `ends_on` (R13)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Dropped")

    class Source(models.TextChoices):
        ALLOCATION = "allocation", _("Allocation")
        SECOND_ROUND = "second_round", _("Second round")
        FALLBACK = "fallback", _("Guaranteed basic care")
        WAITLIST = "waitlist", _("From the waiting list")
        FCFS = "fcfs", _("First come, first served")
        SCHOOL = "school", _("Placed by the school")

    student = models.ForeignKey("org.Student", related_name="enrollments", on_delete=models.CASCADE)
    offering = models.ForeignKey(
        "catalog.Offering", related_name="enrollments", on_delete=models.PROTECT
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, related_name="enrollments", on_delete=models.SET_NULL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    source = models.CharField(_("source"), max_length=15, choices=Source.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(
        _("no longer in the group from"),
        null=True,
        blank=True,
        help_text=_("The first day the child is no longer in the group."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_reason = models.CharField(_("reason for dropping"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["offering", "student"]
        indexes = [models.Index(fields=["offering", "starts_on"], name="enrolment_roster_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "offering"],
                condition=Q(status="active"),
                name="one_active_seat_per_child_offering",
            ),
            models.CheckConstraint(
                name="enrolment_ends_after_start",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} → {self.offering}"


class WaitlistEntry(models.Model):
    """A child waiting for a seat in an offering they ranked above what they got."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Seat offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Offer expired")
        REMOVED = "removed", _("Removed")

    offering = models.ForeignKey(
        "catalog.Offering", related_name="waitlist", on_delete=models.CASCADE
    )
    student = models.ForeignKey(
        "org.Student", related_name="waitlist_entries", on_delete=models.CASCADE
    )
    application = models.ForeignKey(
        Application, related_name="waitlist_entries", on_delete=models.CASCADE
    )
    tier = models.PositiveSmallIntegerField(_("priority tier"))
    lottery_number = models.PositiveIntegerField(_("lottery number"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    respond_by = models.DateTimeField(_("accept by"), null=True, blank=True)

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting-list entries")
        ordering = ["offering", "tier", "lottery_number", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["offering", "student"], name="wait_once_per_offering"),
        ]

    def __str__(self) -> str:
        return f"{self.student} ⏳ {self.offering}"


class SeatEvent(models.Model):
    """One change of one seat, append-only (R12, R13): who took, released or was offered
    which seat, from which day, and why.

    Written by kehou.enrollment.seats in the same transaction as the change itself, bulk
    changes (an allocation's results) included; bills and the monthly report read it.
    """

    class Kind(models.TextChoices):
        TAKEN = "taken", _("Seat taken")
        ENDED = "ended", _("Seat's end date set")
        RELEASED = "released", _("Seat released")
        OFFERED = "offered", _("Seat offered from the waiting list")
        DECLINED = "declined", _("Offer declined")
        EXPIRED = "expired", _("Offer expired")
        LEFT_WAITLIST = "left_waitlist", _("Offered seat given up")

    school = models.ForeignKey("org.School", related_name="+", on_delete=models.CASCADE)
    offering = models.ForeignKey(
        "catalog.Offering", related_name="seat_events", on_delete=models.CASCADE
    )
    student = models.ForeignKey("org.Student", related_name="seat_events", on_delete=models.CASCADE)
    enrollment = models.ForeignKey(
        Enrollment, null=True, blank=True, related_name="events", on_delete=models.CASCADE
    )
    kind = models.CharField(_("change"), max_length=15, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=15, blank=True)
    effective_on = models.DateField(_("takes effect on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("e.g. the allocation run")
    )
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("seat change")
        verbose_name_plural = _("seat changes")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["student", "at"], name="seat_event_student_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.student_id} → {self.offering_id}"
