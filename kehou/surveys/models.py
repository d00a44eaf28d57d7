"""Surveys (R20): the needs survey before term (问卷调查、告家长一封信, seed 003) and the
satisfaction surveys for parents and students.

A `Survey` belongs either to one school (`school` set) or to a bureau (`school` empty):
`region` is always set (the school's county, or the officer's region), and a bureau
survey is sent to every school under its region. Which schools a survey was sent to is
kept as `SurveySchool` rows, written when it is sent. The big tables, `Response`,
`ResponseChild` and `Answer`, each carry the school (the tenant column).

One answer per family per survey: a family is one guardian login's children in one school.
A response is unique per (survey, school, guardian login), and each of its children gets a
`ResponseChild` row, unique per (survey, child): a second guardian of a child who is
already answered for cannot answer again, even from another login.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

SCALE_MIN = 1
SCALE_MAX = 5
SATISFIED_FROM = 4  # 4 or 5 on the 1–5 scale counts as satisfied


class Survey(models.Model):
    class Kind(models.TextChoices):
        NEEDS = "needs", _("Needs survey")
        SATISFACTION = "satisfaction", _("Satisfaction survey")

    class Audience(models.TextChoices):
        PARENTS = "parents", _("Parents")
        STUDENTS = "students", _("Students")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("survey status", "Draft")
        SENT = "sent", pgettext_lazy("survey status", "Sent")
        CLOSED = "closed", pgettext_lazy("survey status", "Closed")

    school = models.ForeignKey(
        "org.School",
        null=True,
        blank=True,
        related_name="surveys",
        on_delete=models.CASCADE,
        help_text=_("Empty for a bureau's survey, sent to every school of its region."),
    )
    region = models.ForeignKey("org.Region", related_name="surveys", on_delete=models.PROTECT)
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    audience = models.CharField(
        _("who answers"), max_length=20, choices=Audience.choices, default=Audience.PARENTS
    )
    letter = models.TextField(
        _("letter to parents"),
        max_length=4000,
        blank=True,
        help_text=_("告家长一封信: shown above the questions."),
    )
    opens_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_bureau(self) -> bool:
        return self.school_id is None

    def is_open_at(self, now) -> bool:
        """Answers are taken while the survey is sent and its closing time has not passed
        (a passed closing time reads closed even before anyone presses "close")."""
        if self.status != self.Status.SENT:
            return False
        return self.closes_at is None or now < self.closes_at

    def shown_status(self, now=None) -> str:
        now = now or timezone.now()
        if self.status == self.Status.SENT and not self.is_open_at(now):
            return self.Status.CLOSED
        return self.status

    def get_shown_status_display(self) -> str:
        return str(self.Status(self.shown_status()).label)


class SurveySchool(models.Model):
    """A school a survey was sent to (one row for a school's own survey, one per school of
    the region for a bureau's)."""

    survey = models.ForeignKey(Survey, related_name="sent_to", on_delete=models.CASCADE)
    school = models.ForeignKey("org.School", related_name="+", on_delete=models.CASCADE)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "school"], name="survey_sent_once_per_school")
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.school}"


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Scale 1–5")
        TEXT = "text", pgettext_lazy("question kind", "Text")

    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE)

    survey = models.ForeignKey(Survey, related_name="questions", on_delete=models.CASCADE)
    school = models.ForeignKey(
        "org.School", null=True, blank=True, related_name="+", on_delete=models.CASCADE
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    required = models.BooleanField(_("an answer is required"), default=True)
    choices = models.JSONField(_("answer choices"), default=list, blank=True)
    is_overall_satisfaction = models.BooleanField(
        _("overall satisfaction"),
        default=False,
        help_text=_("The survey's one 1–5 question that the bureau's satisfaction rate counts."),
    )
    offering = models.ForeignKey(
        "catalog.Offering",
        verbose_name=_("rates the activity"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
        help_text=_("A 1–5 question about one activity rates its instructor."),
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey"],
                condition=Q(is_overall_satisfaction=True),
                name="survey_one_overall_question",
            ),
            models.CheckConstraint(
                name="overall_and_rating_are_scale",
                condition=Q(kind="scale")
                | (Q(is_overall_satisfaction=False) & Q(offering__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Response(models.Model):
    """One family's answer to one survey: a guardian login, for their children in one
    school."""

    survey = models.ForeignKey(Survey, related_name="responses", on_delete=models.CASCADE)
    school = models.ForeignKey("org.School", related_name="+", on_delete=models.CASCADE)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "school", "by"], name="survey_one_response_per_login"
            )
        ]
        indexes = [models.Index(fields=["school", "submitted_at"], name="response_school_time")]

    def __str__(self) -> str:
        return f"{self.survey} ({self.submitted_at:%Y-%m-%d %H:%M})"


class ResponseChild(models.Model):
    """A child the response answers for; once per child and survey, whichever guardian
    answered."""

    response = models.ForeignKey(Response, related_name="children", on_delete=models.CASCADE)
    survey = models.ForeignKey(Survey, related_name="+", on_delete=models.CASCADE)
    school = models.ForeignKey("org.School", related_name="+", on_delete=models.CASCADE)
    student = models.ForeignKey("org.Student", related_name="+", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "student"], name="survey_one_response_per_child"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey} – {self.student_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, related_name="answers", on_delete=models.CASCADE)
    question = models.ForeignKey(Question, related_name="answers", on_delete=models.CASCADE)
    school = models.ForeignKey("org.School", related_name="+", on_delete=models.CASCADE)
    choices = models.JSONField(default=list, blank=True)  # the chosen choice texts
    scale = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once"),
            models.CheckConstraint(
                name="answer_scale_in_range",
                condition=Q(scale__isnull=True) | Q(scale__gte=SCALE_MIN, scale__lte=SCALE_MAX),
            ),
        ]
        indexes = [models.Index(fields=["question", "scale"], name="answer_question_scale")]

    def __str__(self) -> str:
        return f"{self.question}: {self.scale or ', '.join(self.choices) or self.text}"
