"""Free online resources (R25): "免费线上资源（国家中小学智慧教育平台、录播课）" listed and
attached to offerings.

A `Resource` is listed either by a bureau for every school under its region (`school`
empty: the national platform, a city's own library) or by one school (`school` set: its
recorded lessons). `region` is always set (the bureau's region, or the school's county),
so the resources a school may use are its own and those of every region above it. The
policy speaks of free resources only: a paid one is refused (and the table holds only
free ones). An `OfferingResource` attaches a resource to an offering of a school; the
catalog shows them through the reverse relation `offering.resource_links`, never by
importing this app.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kehou.core.labels import CATEGORY_LABELS, grades_label

URL_MAX = 500
CATEGORY_CHOICES = [(code.value, label) for code, label in CATEGORY_LABELS.items()]


class Resource(models.Model):
    class Kind(models.TextChoices):
        PLATFORM = "platform", _("Platform")
        RECORDED_LESSON = "recorded_lesson", _("Recorded lesson")
        READING = "reading", _("Reading material")
        OTHER = "other", _("Other resource")

    region = models.ForeignKey("org.Region", related_name="resources", on_delete=models.CASCADE)
    school = models.ForeignKey(
        "org.School",
        null=True,
        blank=True,
        related_name="resources",
        on_delete=models.CASCADE,
        help_text=_("Empty for a bureau's resource, offered to every school of its region."),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    url = models.CharField(_("web address"), max_length=URL_MAX)
    category = models.CharField(_("category"), max_length=20, choices=CATEGORY_CHOICES, blank=True)
    grade_from = models.PositiveSmallIntegerField(_("from grade"), default=1)
    grade_to = models.PositiveSmallIntegerField(_("to grade"), default=9)
    description = models.TextField(_("description"), blank=True)
    is_free = models.BooleanField(_("free of charge"), default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("online resource")
        verbose_name_plural = _("online resources")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(name="resource_is_free", condition=Q(is_free=True)),
            models.CheckConstraint(
                name="resource_grades_in_order",
                condition=Q(grade_from__gte=1, grade_to__lte=12, grade_from__lte=F("grade_to")),
            ),
            models.CheckConstraint(
                name="resource_url_is_web",
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def is_region_resource(self) -> bool:
        return self.school_id is None

    @property
    def grades(self) -> str:
        return grades_label(self.grade_from, self.grade_to)

    def usable_at(self, school) -> bool:
        """The school's own resource, or one a bureau listed for a region the school is in."""
        if self.school_id is not None:
            return self.school_id == school.pk
        return school.region.path.startswith(self.region.path)


class OfferingResource(models.Model):
    """A resource attached to one offering; `school` is the offering's school."""

    school = models.ForeignKey(
        "org.School", related_name="offering_resources", on_delete=models.CASCADE
    )
    offering = models.ForeignKey(
        "catalog.Offering", related_name="resource_links", on_delete=models.CASCADE
    )
    resource = models.ForeignKey(Resource, related_name="links", on_delete=models.CASCADE)
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    attached_at = models.DateTimeField(_("attached at"), auto_now_add=True)

    class Meta:
        verbose_name = _("resource of an offering")
        verbose_name_plural = _("resources of offerings")
        ordering = ["offering", "resource__title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "resource"], name="resource_once_per_offering"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offering_id}: {self.resource_id}"
