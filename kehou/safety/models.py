"""Safety records (R17): incidents, inspections by checklist with each defect tracked to
closure, emergency drills. Accident insurance is not stored here: it is the family's
answer on the term's application (`kehou.enrollment.models.Application`).

Every row names the user who recorded it; django-auditlog keeps the history of each save
(kehou.safety.apps). Writes go through kehou.safety.services only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehou.safety import checklists


class Area(models.TextChoices):
    """The checklist's areas (kehou.safety.checklists.AREAS, seeds 000, 002, 004)."""

    GATE = checklists.GATE, _("Gate and visitors")
    FIRE = checklists.FIRE, _("Fire safety")
    BUILDINGS = checklists.BUILDINGS, _("School buildings")
    EQUIPMENT = checklists.EQUIPMENT, _("Equipment and facilities")
    CLINIC = checklists.CLINIC, _("Clinic and first aid")
    WATER = checklists.WATER, _("Drinking water")
    TRAFFIC = checklists.TRAFFIC, _("Traffic")
    FOOD = checklists.FOOD, _("Food hygiene")
    VENUES = checklists.VENUES, _("Activity venues")


class Incident(models.Model):
    """安全事故/意外伤害: what happened to which children, and what the school did."""

    class Kind(models.TextChoices):
        INJURY = "injury", _("Accidental injury")
        ILLNESS = "illness", _("Sudden illness")
        CONFLICT = "conflict", _("Conflict between children")
        MISSING = "missing", _("Child missing")
        INTRUSION = "intrusion", _("Intruder or outside threat")
        OTHER = "other", pgettext_lazy("incident kind", "Other")

    class Severity(models.TextChoices):
        NONE = "none", _("No injury")
        MINOR = "minor", _("Minor injury")
        SERIOUS = "serious", _("Serious injury")

    class Informed(models.TextChoices):
        PHONE = "phone", _("By phone")
        IN_PERSON = "in_person", _("In person")
        MESSAGE = "message", _("By message")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("incident status", "Open")
        FOLLOWED_UP = "followed_up", _("Followed up")
        CLOSED = "closed", pgettext_lazy("incident status", "Closed")

    school = models.ForeignKey("org.School", related_name="incidents", on_delete=models.PROTECT)
    occurred_at = models.DateTimeField(_("when it happened"))
    place = models.CharField(_("where"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("what happened"))
    students = models.ManyToManyField(
        "org.Student", verbose_name=_("children involved"), related_name="incidents", blank=True
    )
    staff = models.ManyToManyField(
        "org.Staff", verbose_name=_("staff involved"), related_name="incidents", blank=True
    )
    severity = models.CharField(_("injuries"), max_length=10, choices=Severity.choices)
    treatment = models.TextField(_("treatment"), blank=True)
    guardian_informed_at = models.DateTimeField(_("guardian told at"), null=True, blank=True)
    guardian_informed_by = models.ForeignKey(
        "org.Staff",
        verbose_name=_("guardian told by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    guardian_informed_how = models.CharField(
        _("guardian told how"), max_length=10, choices=Informed.choices, blank=True
    )
    follow_up = models.TextField(_("follow-up actions"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    conclusion = models.TextField(_("conclusion"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["school", "status"])]
        constraints = [
            models.CheckConstraint(
                name="closed_incident_has_conclusion",
                condition=~Q(status="closed") | (~Q(conclusion="") & Q(closed_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.place}"


class ChecklistItem(models.Model):
    """One of the school's own checklist items, next to the defaults of
    kehou.safety.checklists. Retired items stay (past inspections name them)."""

    school = models.ForeignKey(
        "org.School", related_name="checklist_items", on_delete=models.CASCADE
    )
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    text = models.CharField(_("item"), max_length=200)
    is_active = models.BooleanField(_("in use"), default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.PROTECT
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["school", "area", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def key(self) -> str:
        return checklists.item_key(own=self.pk)


class Inspection(models.Model):
    """安全检查 (排查): one walk through some areas of the school, item by item."""

    school = models.ForeignKey("org.School", related_name="inspections", on_delete=models.PROTECT)
    inspected_on = models.DateField(_("date of the inspection"))
    inspectors = models.ManyToManyField(
        "org.Staff", verbose_name=_("inspectors"), related_name="inspections"
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.inspected_on:%Y-%m-%d}"


class InspectionResult(models.Model):
    """One item checked: OK or a defect. The item's text is kept as it read that day."""

    inspection = models.ForeignKey(Inspection, related_name="results", on_delete=models.CASCADE)
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    item_code = models.CharField(max_length=40, blank=True)  # a default item
    item = models.ForeignKey(
        ChecklistItem, null=True, blank=True, related_name="results", on_delete=models.PROTECT
    )
    text = models.CharField(_("item"), max_length=200)
    ok = models.BooleanField(_("OK"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        ordering = ["inspection", "pk"]
        constraints = [
            models.CheckConstraint(
                name="result_names_one_item",
                condition=(Q(item_code="") & Q(item__isnull=False))
                | (~Q(item_code="") & Q(item__isnull=True)),
            ),
            models.UniqueConstraint(
                fields=["inspection", "item_code"],
                condition=~Q(item_code=""),
                name="default_item_once_per_inspection",
            ),
            models.UniqueConstraint(
                fields=["inspection", "item"],
                condition=Q(item__isnull=False),
                name="own_item_once_per_inspection",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Defect(models.Model):
    """隐患: a failed item, tracked to its rectification (整改) and the admin's verification."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("defect status", "Open")
        RECTIFIED = "rectified", _("Rectified, to verify")
        CLOSED = "closed", _("Verified and closed")

    school = models.ForeignKey("org.School", related_name="defects", on_delete=models.PROTECT)
    result = models.OneToOneField(InspectionResult, related_name="defect", on_delete=models.CASCADE)
    description = models.TextField(_("defect"))
    responsible = models.ForeignKey(
        "org.Staff",
        verbose_name=_("responsible"),
        related_name="defects",
        on_delete=models.PROTECT,
    )
    deadline = models.DateField(_("rectify by"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    rectification = models.TextField(_("what was done"), blank=True)
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    closed_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    closing_note = models.CharField(_("verification note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("defect")
        verbose_name_plural = _("defects")
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["school", "status", "deadline"])]
        constraints = [
            models.CheckConstraint(
                name="rectified_defect_says_what_and_when",
                condition=Q(status="open") | (~Q(rectification="") & Q(rectified_on__isnull=False)),
            ),
            models.CheckConstraint(
                name="closed_defect_was_verified",
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.description[:50]

    def is_overdue(self, today) -> bool:
        return checklists.is_overdue(
            deadline=self.deadline,
            rectified=self.status == self.Status.RECTIFIED,
            closed=self.status == self.Status.CLOSED,
            today=today,
        )


class Drill(models.Model):
    """应急演练: an emergency drill, who took part and what was learnt."""

    class Kind(models.TextChoices):
        FIRE = "fire", _("Fire evacuation")
        EARTHQUAKE = "earthquake", _("Earthquake")
        STAMPEDE = "stampede", _("Crowding on stairs (防踩踏)")
        INTRUDER = "intruder", _("Intruder (防暴)")
        FLOOD = "flood", _("Flood or storm")
        FOOD = "food", _("Food poisoning")
        OTHER = "other", pgettext_lazy("drill kind", "Other")

    school = models.ForeignKey("org.School", related_name="drills", on_delete=models.PROTECT)
    held_on = models.DateField(_("date of the drill"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    children_count = models.PositiveIntegerField(_("children taking part"))
    staff_count = models.PositiveIntegerField(_("staff taking part"))
    classes = models.ManyToManyField(
        "org.SchoolClass", verbose_name=_("classes"), related_name="drills", blank=True
    )
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    observations = models.TextField(_("observations"), blank=True)
    follow_ups = models.TextField(_("follow-ups"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("emergency drill")
        verbose_name_plural = _("emergency drills")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.kind}"
