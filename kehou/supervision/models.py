"""Supervision records (R24): the bureau's planning reviews, mid-term checks and annual
assessments of each school (前期规划、中期检查、年度考核, seed 001), each scored on one of
the region's scoring sheets, with findings the school rectifies; and the exemplary cases
(典型案例, seeds 000, 003) the bureau publishes.

A scoring sheet is frozen once a review uses it: changing it makes a new version, so a
past review always shows the items and points it was scored on. Writes go through
kehou.supervision.services only; django-auditlog keeps each row's history.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    """The three stages of seed 001's 监管机制."""

    PLANNING = "planning", _("Planning review")
    MIDTERM = "midterm", _("Mid-term check")
    ANNUAL = "annual", _("Annual assessment")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class ScoringSheet(models.Model):
    """评分表: one version of a region's sheet for one kind of review. Grade bands are
    the lowest total (in points) that earns each grade; none set, no grade is given."""

    region = models.ForeignKey(
        "org.Region", related_name="scoring_sheets", on_delete=models.PROTECT
    )
    name = models.CharField(_("name of the sheet"), max_length=100)
    kind = models.CharField(_("kind of review"), max_length=10, choices=Kind.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, related_name="next_version", on_delete=models.PROTECT
    )
    is_current = models.BooleanField(_("current version"), default=True)
    excellent_from = models.DecimalField(
        _("excellent from"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    good_from = models.DecimalField(
        _("good from"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    pass_from = models.DecimalField(
        _("pass from"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scoring sheet")
        verbose_name_plural = _("scoring sheets")
        ordering = ["region", "kind", "name", "-version"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def max_total(self):
        return sum(item.max_points for item in self.items.all())

    def grade_for(self, total) -> str:
        """The grade band a total falls in ("" when the sheet sets no bands)."""
        if self.pass_from is None:
            return ""
        for grade, lowest in (
            (Grade.EXCELLENT, self.excellent_from),
            (Grade.GOOD, self.good_from),
            (Grade.PASS, self.pass_from),
        ):
            if lowest is not None and total >= lowest:
                return grade
        return Grade.FAIL


class SheetItem(models.Model):
    sheet = models.ForeignKey(ScoringSheet, related_name="items", on_delete=models.CASCADE)
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("item"), max_length=300)
    max_points = models.PositiveSmallIntegerField(_("maximum points"))

    class Meta:
        verbose_name = _("scoring item")
        verbose_name_plural = _("scoring items")
        ordering = ["sheet", "order"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "order"], name="unique_sheet_item_order"),
            models.CheckConstraint(name="sheet_item_has_points", condition=Q(max_points__gt=0)),
        ]

    def __str__(self) -> str:
        return self.text


class Review(models.Model):
    """One review of one school in one term: a draft while the officer records it, final
    (frozen) once finalised; the school sees it only then."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("review status", "Draft")
        FINAL = "final", pgettext_lazy("review status", "Final")

    school = models.ForeignKey("org.School", related_name="reviews", on_delete=models.PROTECT)
    term = models.ForeignKey("terms.Term", related_name="+", on_delete=models.PROTECT)
    kind = models.CharField(_("kind of review"), max_length=10, choices=Kind.choices)
    sheet = models.ForeignKey(ScoringSheet, related_name="reviews", on_delete=models.PROTECT)
    reviewed_on = models.DateField(_("date of the review"))
    reviewers = models.CharField(_("reviewers"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    total = models.DecimalField(_("total score"), max_digits=6, decimal_places=1, default=0)
    grade = models.CharField(_("grade band"), max_length=10, choices=Grade.choices, blank=True)
    summary = models.TextField(_("findings"), blank=True)
    requires_rectification = models.BooleanField(_("rectification required"), default=False)
    rectification_due = models.DateField(_("rectify by"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-reviewed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "term", "kind"], name="one_review_per_school_term_kind"
            ),
            models.CheckConstraint(
                name="rectification_has_due_date",
                condition=Q(requires_rectification=False) | Q(rectification_due__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.get_kind_display()} {self.reviewed_on}"

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL


class ItemScore(models.Model):
    review = models.ForeignKey(Review, related_name="scores", on_delete=models.CASCADE)
    school = models.ForeignKey("org.School", related_name="+", on_delete=models.PROTECT)
    item = models.ForeignKey(SheetItem, related_name="scores", on_delete=models.PROTECT)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        ordering = ["review", "item__order"]
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="one_score_per_item"),
            models.CheckConstraint(name="points_not_negative", condition=Q(points__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.points}"


class Finding(models.Model):
    """发现的问题. Once the review is final, a finding the school must rectify is open
    until the bureau accepts a rectification of it."""

    class Severity(models.TextChoices):
        MINOR = "minor", _("Minor")
        MAJOR = "major", _("Major")
        SERIOUS = "serious", _("Serious")

    class Status(models.TextChoices):
        NOTED = "noted", _("Noted")
        OPEN = "open", _("To be rectified")
        SUBMITTED = "submitted", _("Rectification submitted")
        ACCEPTED = "accepted", _("Rectified")

    review = models.ForeignKey(Review, related_name="findings", on_delete=models.CASCADE)
    school = models.ForeignKey("org.School", related_name="+", on_delete=models.PROTECT)
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.TextField(_("finding"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NOTED
    )

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["review", "order"]
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self) -> str:
        return self.text[:50]


class Rectification(models.Model):
    """整改: what the school did about a finding, and the bureau's decision."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting the bureau")
        ACCEPTED = "accepted", pgettext_lazy("rectification status", "Accepted")
        RETURNED = "returned", pgettext_lazy("rectification status", "Returned")

    finding = models.ForeignKey(Finding, related_name="rectifications", on_delete=models.CASCADE)
    school = models.ForeignKey("org.School", related_name="+", on_delete=models.PROTECT)
    action = models.TextField(_("what the school did"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.PROTECT
    )
    submitted_at = models.DateTimeField()
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("the bureau's note"), blank=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["finding", "submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["finding"],
                condition=Q(status="submitted"),
                name="one_pending_rectification_per_finding",
            ),
        ]

    def __str__(self) -> str:
        return self.action[:50]


class ExemplaryCase(models.Model):
    """典型案例: a school's practice the bureau publishes on the public pages. The bureau
    writes one as a draft, or a school proposes its own (000: 各校要…积极报道学校优秀典型
    案例); either way only the bureau publishes."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("case status", "Draft")
        PROPOSED = "proposed", pgettext_lazy("case status", "Proposed by the school")
        PUBLISHED = "published", pgettext_lazy("case status", "Published")
        WITHDRAWN = "withdrawn", pgettext_lazy("case status", "Withdrawn")

    school = models.ForeignKey(
        "org.School", related_name="exemplary_cases", on_delete=models.PROTECT
    )
    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(_("summary"), max_length=300)
    body = models.TextField(_("the case"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("exemplary case")
        verbose_name_plural = _("exemplary cases")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="published_case_has_date",
                condition=~Q(status="published") | Q(published_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title
