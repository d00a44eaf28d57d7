"""Attendance (考勤, R15): one mark per child per sitting, and the leave guardians file.

A mark is present, late, absent or on leave. Marking present (or late) puts the child in
the custody of the sitting's responsible adult (kehou.custody.chain); an absence that no
leave explains, once the roll is closed, is told to the guardian. A phone without signal
keeps its marks and sends them later as one `RollCallBatch` whose id the phone chose, so a
batch sent twice is applied once; a mark carries the time it was tapped on the phone.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LeaveRequest(models.Model):
    """请假: a guardian (or the school for them) says the child will not come, for a day or a
    range of days, with a reason. Rosters show it; roll call marks those children on leave."""

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    school = models.ForeignKey("org.School", related_name="+", on_delete=models.CASCADE)
    student = models.ForeignKey(
        "org.Student", related_name="leave_requests", on_delete=models.PROTECT
    )
    first_day = models.DateField(pgettext_lazy("a date range", "from"))
    last_day = models.DateField(pgettext_lazy("a date range", "until"))
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.FILED
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-first_day", "-pk"]
        indexes = [models.Index(fields=["student", "first_day"], name="leave_student_idx")]
        constraints = [
            models.CheckConstraint(
                name="leave_ends_after_it_begins", condition=Q(last_day__gte=F("first_day"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.first_day}–{self.last_day}"

    def covers(self, day) -> bool:
        return self.status == self.Status.FILED and self.first_day <= day <= self.last_day


class RollCallBatch(models.Model):
    """One sending of marks from a phone. Its id is made on the phone when the roll call
    is saved there, so sending it again (the connection dropped before the answer came)
    finds it here and changes nothing."""

    id = models.UUIDField(primary_key=True, editable=False)
    school = models.ForeignKey("org.School", related_name="+", on_delete=models.CASCADE)
    sitting = models.ForeignKey(
        "sittings.Sitting", related_name="roll_batches", on_delete=models.PROTECT
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT
    )
    received_at = models.DateTimeField(default=timezone.now)
    marks = models.PositiveSmallIntegerField(default=0)
    applied = models.PositiveSmallIntegerField(default=0)  # marks that changed something

    class Meta:
        verbose_name = _("roll call sent")
        verbose_name_plural = _("roll calls sent")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return str(self.id)


class Attendance(models.Model):
    """One child's mark at one sitting. On PostgreSQL the table is partitioned by month of
    `day` (see migrations/0004 and `attendance_partitions_ahead_task`): the database's
    primary key there is (id, day) and the uniqueness (sitting, student, day), which is
    the same rule since a sitting has one day; Django still treats `id` as the pk."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT = "absent", _("Absent")
        LEAVE = "leave", _("On leave")

    school = models.ForeignKey("org.School", related_name="+", on_delete=models.CASCADE)
    sitting = models.ForeignKey(
        "sittings.Sitting", related_name="attendance", on_delete=models.PROTECT
    )
    student = models.ForeignKey("org.Student", related_name="attendance", on_delete=models.PROTECT)
    # The sitting's date, copied so that the table can be partitioned by month on
    # PostgreSQL (migration 0004) and a month's figures need no join with the sittings.
    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    leave = models.ForeignKey(
        LeaveRequest, null=True, blank=True, related_name="marks", on_delete=models.SET_NULL
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Empty for the marks kehou writes itself when it closes a roll (a child nobody marked
    # is absent, or on leave when a leave covers the day).
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    # When the teacher tapped (the phone's clock for a roll call sent later, never in the
    # future); `received_at` is when the server got it.
    marked_at = models.DateTimeField(_("marked at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    batch = models.ForeignKey(
        RollCallBatch, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    guardian_told_at = models.DateTimeField(_("guardian told at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["sitting", "student"]
        indexes = [
            models.Index(fields=["student", "sitting"], name="attendance_student_idx"),
            models.Index(fields=["school", "day"], name="attendance_school_day_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["sitting", "student"], name="one_mark_per_child_and_sitting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sitting_id} {self.student_id} {self.status}"

    @property
    def is_there(self) -> bool:
        return self.status in (self.Status.PRESENT, self.Status.LATE)
