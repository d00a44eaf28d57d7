"""Locality policy profiles (R4) and the school plan, 一校一案 (R5).

A profile's rules are stored as the JSON of `kehou.policy_rules.serialise`, so the
compliance core stays pure. Every edit of a profile appends a `PolicyProfileVersion`.
A school plan is versioned: a published plan is never edited in place; editing it starts
a new draft, and publishing that draft supersedes the old version.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehou.core.fields import WeekdaysField


class PolicyProfile(models.Model):
    """The rules of one locality. A school follows the profile of the nearest region
    above it that has one (a county may refine its city's)."""

    key = models.SlugField(_("key"), max_length=50, unique=True)
    name = models.CharField(_("profile name"), max_length=100)
    region = models.OneToOneField(
        "org.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        related_name="policy_profile",
        on_delete=models.PROTECT,
        help_text=_("Empty for a template shipped with kehou, not yet adopted by a region."),
    )
    rules = models.JSONField(_("rules"))
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("policy profile")
        verbose_name_plural = _("policy profiles")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class PolicyProfileVersion(models.Model):
    """Append-only history of a profile: every version's full rules, who and why."""

    profile = models.ForeignKey(PolicyProfile, related_name="versions", on_delete=models.CASCADE)
    version = models.PositiveIntegerField(_("version"))
    rules = models.JSONField(_("rules"))
    changed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("reason for the change"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("policy profile version")
        verbose_name_plural = _("policy profile versions")
        ordering = ["profile", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "version"], name="unique_profile_version"),
        ]

    def __str__(self) -> str:
        return f"{self.profile} v{self.version}"


class SchoolPlan(models.Model):
    """一校一案: one school's plan for one term, in numbered versions."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    class ServiceMode(models.TextChoices):
        FLEXIBLE_LEAVING = "flexible_leaving", _("Flexible leaving (弹性离校)")
        EXTENDED_DISMISSAL = "extended_dismissal", _("Extended dismissal (延时放学)")

    school = models.ForeignKey("org.School", related_name="plans", on_delete=models.CASCADE)
    term = models.ForeignKey("terms.Term", related_name="plans", on_delete=models.PROTECT)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )

    term_start = models.DateField(_("first day of service"))
    term_end = models.DateField(_("last day of service"))
    # 0 = Monday … 6 = Sunday; a Saturday or Sunday here is the weekend day of 5+2+1.
    service_weekdays = WeekdaysField(_("service days"), default=list)
    service_mode = models.CharField(
        _("service mode"), max_length=20, choices=ServiceMode.choices, blank=True
    )
    homework_minutes_per_day = models.PositiveSmallIntegerField(
        _("homework tutoring minutes a day"), null=True, blank=True
    )
    club_days_per_week = models.PositiveSmallIntegerField(
        _("club days a week"), null=True, blank=True
    )
    pay_per_class_hour = models.DecimalField(
        _("teacher pay per class-hour (yuan)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
    )
    fee_per_term = models.DecimalField(
        _("fee per child per term (yuan)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("0 when the service is free; empty when not decided."),
    )
    grade12_written_homework = models.BooleanField(
        _("grades 1-2 get written homework"), null=True, blank=True
    )
    junior_homework_at_school_percent = models.PositiveSmallIntegerField(
        _("junior written homework done at school (%)"), null=True, blank=True
    )
    service_method = models.TextField(_("how the service runs"), blank=True)
    safety_measures = models.TextField(_("safety measures"), blank=True)
    complaint_channel = models.CharField(_("complaint channel"), max_length=200, blank=True)

    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # What the compliance check found when the admin published it anyway (confirmed):
    # Shortfall.as_dict() of each; [] for a plan that met every rule; None when not
    # published, or published before the check was recorded.
    published_shortfalls = models.JSONField(
        _("shortfalls when published"), null=True, blank=True, default=None
    )

    class Meta:
        verbose_name = _("school plan")
        verbose_name_plural = _("school plans")
        ordering = ["school", "term", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "term", "version"], name="unique_plan_version"
            ),
            models.UniqueConstraint(
                fields=["school", "term"], condition=Q(status="draft"), name="one_draft_plan"
            ),
            models.UniqueConstraint(
                fields=["school", "term"],
                condition=Q(status="published"),
                name="one_published_plan",
            ),
            models.CheckConstraint(
                name="plan_ends_after_start", condition=Q(term_end__gt=models.F("term_start"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.term} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class PlanSlot(models.Model):
    """A time slot of the plan for a grade group (002: grades 1-2 17:00-17:50 …)."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("After-school service")
        EXTENDED_CARE = "extended_care", _("Extended care (延时托管)")
        EVENING_STUDY = "evening_study", _("Evening study (晚自习)")
        BOARDING = "boarding", _("Boarders' evening service")

    plan = models.ForeignKey(SchoolPlan, related_name="slots", on_delete=models.CASCADE)
    grade_from = models.PositiveSmallIntegerField(_("from grade"))
    grade_to = models.PositiveSmallIntegerField(_("to grade"))
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REGULAR)
    # None = every service day of the plan; else a list of weekdays (0 = Monday).
    weekdays = WeekdaysField(_("only on"), null=True, blank=True)
    label = models.CharField(_("label"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("plan time slot")
        verbose_name_plural = _("plan time slots")
        ordering = ["plan", "kind", "grade_from", "start"]
        constraints = [
            models.CheckConstraint(
                name="slot_ends_after_start", condition=Q(end__gt=models.F("start"))
            ),
            models.CheckConstraint(
                name="slot_grades_in_order",
                condition=Q(
                    grade_from__gte=1, grade_to__lte=12, grade_from__lte=models.F("grade_to")
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grade_from}-{self.grade_to} {self.start:%H:%M}-{self.end:%H:%M}"


class PlanContentItem(models.Model):
    """What the plan offers, by category (2+N: homework tutoring and sports, N extended)."""

    plan = models.ForeignKey(SchoolPlan, related_name="content", on_delete=models.CASCADE)
    name = models.CharField(_("content"), max_length=100)
    # A kehou.policy_rules.model.Category value.
    category = models.CharField(_("category"), max_length=20)

    class Meta:
        verbose_name = _("plan content item")
        verbose_name_plural = _("plan content items")
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return self.name


class PlanVacationWeek(models.Model):
    """A week the service opens in the winter or summer vacation (001: 1 and 3 weeks)."""

    class Season(models.TextChoices):
        WINTER = "winter", _("Winter vacation")
        SUMMER = "summer", _("Summer vacation")

    plan = models.ForeignKey(SchoolPlan, related_name="vacation_weeks", on_delete=models.CASCADE)
    season = models.CharField(_("vacation"), max_length=10, choices=Season.choices)
    start = models.DateField(pgettext_lazy("a date range", "from"))
    end = models.DateField(pgettext_lazy("a date range", "until"))

    class Meta:
        verbose_name = _("vacation opening week")
        verbose_name_plural = _("vacation opening weeks")
        ordering = ["plan", "start"]
        constraints = [
            models.CheckConstraint(
                name="vacation_week_in_order", condition=Q(end__gte=models.F("start"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_season_display()} {self.start}-{self.end}"


class PlanMakeupDay(models.Model):
    """The school's choice of which weekday's timetable a make-up workday (调休) follows."""

    plan = models.ForeignKey(SchoolPlan, related_name="makeup_days", on_delete=models.CASCADE)
    date = models.DateField(_("make-up workday"))
    follows_weekday = models.PositiveSmallIntegerField(_("follows the timetable of"))

    class Meta:
        verbose_name = _("make-up day timetable")
        verbose_name_plural = _("make-up day timetables")
        constraints = [
            models.UniqueConstraint(fields=["plan", "date"], name="unique_makeup_choice"),
            models.CheckConstraint(
                name="makeup_follows_weekday", condition=Q(follows_weekday__lte=4)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} → {self.follows_weekday}"
