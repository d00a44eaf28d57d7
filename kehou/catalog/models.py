"""The menu (菜单) of a school's term: activities, their offerings and meeting times (R8, R9).

A `Menu` carries the lifecycle and the allocation settings of one school's term; an
`Offering` is one group of an activity with its grades, seats, instructor, venue and
meetings. Seats are counted in `Offering.taken` (children seated) and `Offering.held`
(seats offered to a waiting family, not yet answered), changed only by conditional
UPDATEs in kehou.enrollment.seats; a CHECK keeps `taken + held <= capacity` whatever
happens.
"""

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehou.core.labels import CATEGORY_LABELS
from kehou.lib.vocabulary import (  # noqa: F401  (re-exported for the menu's apps)
    BASIC_CATEGORIES,
    EXTENDED_CATEGORIES,
    MENU_CATEGORIES,
)

# The categories of the menu (kehou.lib.vocabulary), with their translatable labels.
Category = models.TextChoices(
    "Category", [(c.name, (c.value, CATEGORY_LABELS[c])) for c in MENU_CATEGORIES]
)


# The groups seed 001 puts first ("优先保障残疾儿童、留守儿童、进城务工人员随迁子女、
# 家庭经济困难儿童"), as names of Student facts; see Menu.priority_tiers.
PRIORITY_GROUPS = ("disability", "left_behind", "migrant", "low_income")
PRIORITY_GROUP_LABELS = {
    "disability": _("Disabled children"),
    "left_behind": _("Left-behind children"),
    "migrant": _("Migrant workers' children"),
    "low_income": _("Children of low-income families"),
}


def student_priority_groups(student) -> list[str]:
    """The seed 001 priority groups (names of PRIORITY_GROUPS) an org.Student belongs to."""
    facts = {
        "disability": student.has_disability,
        "left_behind": student.is_left_behind,
        "migrant": student.is_migrant_child,
        "low_income": bool(student.low_income_basis),
    }
    return [group for group in PRIORITY_GROUPS if facts[group]]


def priority_tier(groups, tiers) -> int:
    """Index of the first tier naming one of `groups`; len(tiers) for every other child
    (lower goes first). `tiers` is a Menu.priority_tiers value."""
    tiers = tiers or []
    for index, tier in enumerate(tiers):
        if any(group in tier for group in groups):
            return index
    return len(tiers)


def default_priority_tiers() -> list[list[str]]:
    return [list(PRIORITY_GROUPS)]


# How a school admin is told the mechanisms, in plain words (the stored choices keep the
# literature's names for the metrics page, which explains them).
MECHANISM_LABELS = {
    "da": _("Round by round (every child first gets one offering)"),
    "rsd": _("Child by child in lottery order (ranking honestly is always best)"),
}

# What families are told about a menu's choice (or sign-up) window: Menu.window_state_at.
WINDOW_NOT_YET, WINDOW_OPEN, WINDOW_CLOSED = "not_yet", "open", "closed"


class Menu(models.Model):
    """One school's menu for one term, and how it is filled."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WINDOW_OPEN = "window_open", _("Choice window open")
        CLOSED = "closed", _("Choice window closed")
        ALLOCATED = "allocated", _("Allocated")
        RUNNING = "running", _("Running")

    class Mode(models.TextChoices):
        LOTTERY = "lottery", _("Choice window and fair allocation")
        FCFS = "fcfs", _("First come, first served")

    class Mechanism(models.TextChoices):
        DA = "da", _("Deferred acceptance (round-wise for several offerings)")
        RSD = "rsd", _("Tiered random serial dictatorship (strictly strategy-proof)")

    school = models.ForeignKey("org.School", related_name="menus", on_delete=models.CASCADE)
    term = models.ForeignKey("terms.Term", related_name="menus", on_delete=models.PROTECT)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    mode = models.CharField(
        _("sign-up mode"), max_length=10, choices=Mode.choices, default=Mode.LOTTERY
    )
    mechanism = models.CharField(
        _("allocation mechanism"), max_length=5, choices=Mechanism.choices, default=Mechanism.DA
    )
    max_extended_per_child = models.PositiveSmallIntegerField(
        _("extended offerings a child may hold per week"), default=1
    )
    window_opens_at = models.DateTimeField(_("choice window opens"), null=True, blank=True)
    window_closes_at = models.DateTimeField(_("choice window closes"), null=True, blank=True)
    # The lottery seed stays secret until the window closes; its hash is published before.
    lottery_seed = models.CharField(max_length=128, blank=True, editable=False)
    lottery_seed_hash = models.CharField(
        _("published lottery seed hash"), max_length=64, blank=True
    )
    # Ordered tiers of priority groups: a child is in the first tier any of whose groups
    # they belong to; children in none come after every tier. The school may add or order
    # tiers under its profile; the default is seed 001's single tier.
    priority_tiers = models.JSONField(_("priority tiers"), default=default_priority_tiers)
    accept_deadline_hours = models.PositiveSmallIntegerField(
        _("hours a family has to accept a waiting-list seat"), default=48
    )

    class Meta:
        verbose_name = _("menu")
        verbose_name_plural = _("menus")
        constraints = [
            models.UniqueConstraint(fields=["school", "term"], name="one_menu_per_school_term"),
            models.CheckConstraint(
                name="menu_k_at_least_one", condition=Q(max_extended_per_child__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.term}"

    # The one definition of the choice window as it is true at a moment: from the stored
    # status, the window's dates and the present, so reading a page never writes.

    def status_at(self, now: dt.datetime) -> str:
        """The status as it is true at `now`: a window whose closing time has passed is
        closed, whether or not the school has pressed "close" yet; one whose opening time
        is still ahead is not open yet (the menu is published)."""
        if self.status == self.Status.WINDOW_OPEN:
            if self.window_closes_at is not None and self.window_closes_at <= now:
                return self.Status.CLOSED
            if self.window_opens_at is not None and now < self.window_opens_at:
                return self.Status.PUBLISHED
        return self.status

    def window_state_at(self, now: dt.datetime) -> str:
        """What families are told about the choice (or sign-up) window at `now`:
        WINDOW_NOT_YET, WINDOW_OPEN or WINDOW_CLOSED."""
        status = self.status_at(now)
        if status == self.Status.WINDOW_OPEN:
            return WINDOW_OPEN
        if status in (self.Status.DRAFT, self.Status.PUBLISHED):
            return WINDOW_NOT_YET
        return WINDOW_CLOSED

    def window_is_open_at(self, now: dt.datetime) -> bool:
        return self.window_state_at(now) == WINDOW_OPEN

    @property
    def window_state(self) -> str:
        return self.window_state_at(timezone.now())

    @property
    def window_is_open(self) -> bool:
        return self.window_is_open_at(timezone.now())

    @property
    def window_has_ended(self) -> bool:
        """The choice window's closing time has passed while the menu still says it is
        open (the school closes it, which reveals the seed and lets the allocation run)."""
        return (
            self.status == self.Status.WINDOW_OPEN
            and self.status_at(timezone.now()) == self.Status.CLOSED
        )

    @property
    def shown_status(self) -> str:
        """The status as it is true now, for every page (see `status_at`)."""
        return self.status_at(timezone.now())

    def get_mechanism_plain_display(self) -> str:
        return MECHANISM_LABELS.get(self.mechanism, self.mechanism)

    def get_shown_status_display(self) -> str:
        return self.Status(self.shown_status).label


class Activity(models.Model):
    """What is taught (e.g. 足球, 剪纸); an activity can run as several offerings."""

    class RiskLevel(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    school = models.ForeignKey("org.School", related_name="activities", on_delete=models.CASCADE)
    name = models.CharField(_("activity"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("content"), blank=True)
    organisation = models.ForeignKey(
        "org.ExternalOrganisation",
        verbose_name=_("delivered by organisation"),
        null=True,
        blank=True,
        related_name="activities",
        on_delete=models.PROTECT,
    )
    # Declared facts the seeds forbid (000, 001); a service refuses them with the rule named.
    is_subject_training = models.BooleanField(_("subject training (学科类培训)"), default=False)
    teaches_new_lessons = models.BooleanField(_("teaches new lessons (讲新课)"), default=False)
    has_commercial_promotion = models.BooleanField(_("commercial promotion"), default=False)
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["school", "category", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_extended(self) -> bool:
        return self.category in EXTENDED_CATEGORIES


class Offering(models.Model):
    """One group of an activity in a menu: the unit families rank and seats are taken in."""

    menu = models.ForeignKey(Menu, related_name="offerings", on_delete=models.CASCADE)
    activity = models.ForeignKey(Activity, related_name="offerings", on_delete=models.PROTECT)
    name = models.CharField(_("offering"), max_length=100, blank=True, help_text=_("e.g. 足球A班"))
    grade_from = models.PositiveSmallIntegerField(_("from grade"))
    grade_to = models.PositiveSmallIntegerField(_("to grade"))
    capacity = models.PositiveIntegerField(_("capacity"))
    taken = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)
    held = models.PositiveIntegerField(
        _("seats offered, not yet answered"), default=0, editable=False
    )
    instructor = models.ForeignKey(
        "org.Staff",
        verbose_name=_("instructor"),
        null=True,
        blank=True,
        related_name="offerings",
        on_delete=models.PROTECT,
    )
    room = models.CharField(_("room"), max_length=50, blank=True)
    off_campus_venue = models.CharField(
        _("off-campus venue"),
        max_length=100,
        blank=True,
        help_text=_("e.g. the library, museum or youth palace"),
    )
    fee_per_term = models.DecimalField(
        _("fee per term (yuan)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Only where an external organisation delivers it (代收费)."),
    )
    is_fallback = models.BooleanField(
        _("guaranteed basic care"),
        default=False,
        help_text=_("Homework tutoring that takes every applicant left without a place."),
    )

    class Meta:
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        ordering = ["menu", "activity__category", "activity__name", "name"]
        constraints = [
            models.CheckConstraint(
                name="offering_not_overfilled", condition=Q(taken__lte=F("capacity") - F("held"))
            ),
            models.CheckConstraint(
                name="offering_grades_in_order",
                condition=Q(grade_from__gte=1, grade_to__lte=12, grade_from__lte=F("grade_to")),
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.activity.name

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.taken - self.held, 0)


class OfferingMeeting(models.Model):
    """When an offering meets: a weekday and a time window, once or several times a week."""

    offering = models.ForeignKey(Offering, related_name="meetings", on_delete=models.CASCADE)
    weekday = models.PositiveSmallIntegerField(_("weekday"), help_text=_("0 = Monday … 6 = Sunday"))
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        verbose_name = _("meeting time")
        verbose_name_plural = _("meeting times")
        ordering = ["offering", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                name="meeting_ends_after_start", condition=Q(end__gt=F("start"))
            ),
            models.CheckConstraint(name="meeting_weekday", condition=Q(weekday__lte=6)),
            models.UniqueConstraint(fields=["offering", "weekday", "start"], name="unique_meeting"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"
