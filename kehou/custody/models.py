"""Custody: at every moment, one named adult is responsible for each child present (R16).

A `Custody` row is one stretch of one child with one adult (a `Staff` record): it opens when
a teacher marks the child present at a sitting or receives them in a hand-over, and ends
when the next adult takes the child over or when the child is dismissed. A partial UNIQUE
constraint keeps at most one open row per child, so a child can never be in two custodies,
whatever two phones do at the same moment; every change goes through
`kehou.custody.chain`, which locks the children's rows in one order.

The rows are never edited after they close: together with `Handover` and `Dismissal` they
are the day's record of who had which child, from when to when, and who said so.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DayRules(models.Model):
    """A school's own times for the end of the day (no row = the field defaults). They are
    the school's operating choices, not a locality's policy, so they live with the school."""

    school = models.OneToOneField("org.School", related_name="day_rules", on_delete=models.CASCADE)
    roll_closes_after = models.PositiveSmallIntegerField(
        _("roll call closes (minutes after the start)"), default=15
    )
    collection_grace = models.PositiveSmallIntegerField(
        _("collection counts as late (minutes after the end)"), default=10
    )
    alert_after = models.PositiveSmallIntegerField(
        _("alert for children still on site (minutes after the last sitting)"), default=30
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("end-of-day rules")
        verbose_name_plural = _("end-of-day rules")

    def __str__(self) -> str:
        return str(self.school_id)


class Duty(models.Model):
    """值班: a staff member on duty at a school on a day. Alerts go to them (and the
    school admins); children not collected at the end stay with them."""

    school = models.ForeignKey("org.School", related_name="duties", on_delete=models.CASCADE)
    date = models.DateField(_("date"))
    staff = models.ForeignKey("org.Staff", related_name="duties", on_delete=models.PROTECT)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["date", "staff__name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "date", "staff"], name="duty_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.staff_id}"


class Handover(models.Model):
    """交接班: one adult hands children to another, in one action on a phone."""

    school = models.ForeignKey("org.School", related_name="handovers", on_delete=models.CASCADE)
    from_staff = models.ForeignKey(
        "org.Staff",
        verbose_name=pgettext_lazy("hand-over", "from"),
        null=True,
        blank=True,
        related_name="handovers_given",
        on_delete=models.PROTECT,
    )
    to_staff = models.ForeignKey(
        "org.Staff", verbose_name=_("to"), related_name="handovers_taken", on_delete=models.PROTECT
    )
    sitting = models.ForeignKey(
        "sittings.Sitting",
        verbose_name=_("to the sitting"),
        null=True,
        blank=True,
        related_name="handovers",
        on_delete=models.PROTECT,
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT
    )
    children = models.PositiveSmallIntegerField(_("children"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        ordering = ["-at"]
        indexes = [models.Index(fields=["school", "at"], name="handover_school_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.from_staff_id}→{self.to_staff_id}"


class Custody(models.Model):
    class Began(models.TextChoices):
        ROLL_CALL = "roll_call", _("Marked present")
        HANDOVER = "handover", _("Hand-over")

    class Ended(models.TextChoices):
        HANDOVER = "handover", _("Handed over")
        DISMISSED = "dismissed", _("Dismissed")
        CORRECTED = "corrected", _("Marked absent after all")

    school = models.ForeignKey("org.School", related_name="custodies", on_delete=models.CASCADE)
    student = models.ForeignKey("org.Student", related_name="custodies", on_delete=models.PROTECT)
    holder = models.ForeignKey(
        "org.Staff",
        verbose_name=_("responsible adult"),
        related_name="custodies",
        on_delete=models.PROTECT,
    )
    sitting = models.ForeignKey(
        "sittings.Sitting",
        null=True,
        blank=True,
        related_name="custodies",
        on_delete=models.PROTECT,
    )
    since = models.DateTimeField(_("since"))
    until = models.DateTimeField(pgettext_lazy("custody", "until"), null=True, blank=True)
    began = models.CharField(_("began by"), max_length=10, choices=Began.choices)
    ended = models.CharField(_("ended by"), max_length=10, choices=Ended.choices, blank=True)
    handover = models.ForeignKey(
        Handover, null=True, blank=True, related_name="custodies", on_delete=models.PROTECT
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("custody")
        verbose_name_plural = _("custodies")
        ordering = ["since", "pk"]
        indexes = [
            models.Index(fields=["school", "since"], name="custody_school_since_idx"),
            models.Index(fields=["student", "since"], name="custody_student_since_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(until__isnull=True),
                name="one_open_custody_per_child",
            ),
            models.CheckConstraint(
                name="custody_ends_after_it_begins",
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
            ),
            models.CheckConstraint(
                name="custody_closed_has_reason",
                condition=(Q(until__isnull=True) & Q(ended=""))
                | (Q(until__isnull=False) & ~Q(ended="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} with {self.holder_id} since {self.since:%H:%M}"

    @property
    def is_open(self) -> bool:
        return self.until is None


class WalkHomeConsent(models.Model):
    """A guardian's written consent that the child walks home alone (自行离校), on file:
    given in the app by the guardian, or a signed paper form the school recorded."""

    school = models.ForeignKey("org.School", related_name="+", on_delete=models.CASCADE)
    student = models.ForeignKey(
        "org.Student", related_name="walk_home_consents", on_delete=models.PROTECT
    )
    guardian = models.ForeignKey("org.Guardian", related_name="+", on_delete=models.PROTECT)
    statement = models.TextField(_("statement"), max_length=1000)
    on_paper = models.BooleanField(_("signed paper form"), default=False)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("walk-home consent")
        verbose_name_plural = _("walk-home consents")
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(
                name="consent_valid_range",
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} from {self.valid_from}"

    def in_force_on(self, day) -> bool:
        """Not withdrawn, from valid_from until valid_until (or open-ended); the same rule
        as a query: `kehou.custody.services.consent_in_force`."""
        return (
            self.withdrawn_at is None
            and self.valid_from <= day
            and (self.valid_until is None or self.valid_until >= day)
        )


class Dismissal(models.Model):
    """How a child's day ended: the custody it closed, how, when, and who recorded it."""

    class How(models.TextChoices):
        COLLECTED = "collected", _("Collected")
        WALKS_ALONE = "walks_alone", _("Walked home alone (consent on file)")
        ESCORT = "escort", _("Escorted home (放学护送)")
        BUS = "bus", _("School bus")
        DORMITORY = "dormitory", _("To the dormitory")

    class Verified(models.TextChoices):
        CODE = "code", _("Pickup code typed in")
        QR = "qr", _("Pickup code scanned")
        LIST = "list", _("Recognised on the list of collectors")

    school = models.ForeignKey("org.School", related_name="dismissals", on_delete=models.CASCADE)
    student = models.ForeignKey("org.Student", related_name="dismissals", on_delete=models.PROTECT)
    custody = models.OneToOneField(Custody, related_name="dismissal", on_delete=models.PROTECT)
    date = models.DateField(_("date"))
    how = models.CharField(_("how"), max_length=12, choices=How.choices)
    at = models.DateTimeField(_("at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT
    )
    # Collected: by whom, and how the gate knew they may.
    guardian = models.ForeignKey(
        "org.Guardian", null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    collector = models.ForeignKey(
        "org.AuthorisedCollector", null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    collected_by = models.CharField(_("collected by"), max_length=50, blank=True)
    verified = models.CharField(
        _("verified by"), max_length=8, choices=Verified.choices, blank=True
    )
    consent = models.ForeignKey(
        WalkHomeConsent, null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    # Escort or bus: the route and the adult who took the child.
    route = models.CharField(_("route or bus"), max_length=100, blank=True)
    escort = models.CharField(_("escort"), max_length=50, blank=True)
    minutes_late = models.PositiveSmallIntegerField(_("minutes late"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("dismissal")
        verbose_name_plural = _("dismissals")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["school", "date"], name="dismissal_school_date_idx"),
            models.Index(fields=["student", "date"], name="dismissal_student_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="collected_names_collector",
                condition=~Q(how="collected") | ~Q(collected_by=""),
            ),
            models.CheckConstraint(
                name="walks_alone_has_consent",
                condition=~Q(how="walks_alone") | Q(consent__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.how} {self.at:%H:%M}"


class Alert(models.Model):
    """Something the duty staff must look at now; open until someone resolves it with a
    reason. `key` makes raising idempotent (one alert per child, kind and day)."""

    class Kind(models.TextChoices):
        UNACCOUNTED = "unaccounted", _("Child still on site after the last sitting")
        MISSING = "missing", _("Present earlier, missing from a later sitting")
        ROLL_NOT_TAKEN = "roll_not_taken", _("Roll call not taken")

    school = models.ForeignKey("org.School", related_name="alerts", on_delete=models.CASCADE)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    student = models.ForeignKey(
        "org.Student", null=True, blank=True, related_name="alerts", on_delete=models.PROTECT
    )
    sitting = models.ForeignKey(
        "sittings.Sitting", null=True, blank=True, related_name="alerts", on_delete=models.PROTECT
    )
    details = models.CharField(_("details"), max_length=300, blank=True)
    key = models.CharField(max_length=120, unique=True, editable=False)
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    resolution = models.CharField(_("how it was resolved"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["school", "resolved_at"], name="alert_open_idx")]
        constraints = [
            models.CheckConstraint(
                name="alert_resolved_with_reason",
                condition=Q(resolved_at__isnull=True) | ~Q(resolution=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.date} {self.student_id}"


class GateVisit(models.Model):
    """门卫登记: a visitor at the gate, from arrival to leaving."""

    school = models.ForeignKey("org.School", related_name="gate_visits", on_delete=models.CASCADE)
    name = models.CharField(_("visitor"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True)
    organisation = models.CharField(pgettext_lazy("gate visit", "from"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    host = models.CharField(_("visiting"), max_length=50, blank=True)
    arrived_at = models.DateTimeField(_("arrived"), default=timezone.now)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("gate visit")
        verbose_name_plural = _("gate visits")
        ordering = ["-arrived_at"]
        indexes = [models.Index(fields=["school", "arrived_at"], name="gatevisit_school_idx")]
        constraints = [
            models.CheckConstraint(
                name="visit_leaves_after_arriving",
                condition=Q(left_at__isnull=True) | Q(left_at__gte=F("arrived_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.arrived_at:%Y-%m-%d %H:%M}"
