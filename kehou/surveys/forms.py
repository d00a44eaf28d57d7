"""Forms of the survey pages. They only parse; kehou.surveys.services checks and writes."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehou.surveys.models import SCALE_MAX, SCALE_MIN, Question, Survey


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of survey"), choices=Survey.Kind.choices)
    audience = forms.ChoiceField(
        label=_("Who answers"),
        choices=Survey.Audience.choices,
        help_text=_(
            "Students answer through their guardian's login; for young children the "
            "guardian reads the questions out and answers together with the child."
        ),
    )
    letter = forms.CharField(
        label=_("Letter to parents (告家长一封信)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Shown above the questions: why the school asks, what happens next."),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        required=False,
        widget=DateTimeInput,
        help_text=_("Leave empty to close it by hand."),
    )

    @classmethod
    def of(cls, survey: Survey, data=None) -> SurveyForm:
        return cls(
            data,
            initial={
                "title": survey.title,
                "kind": survey.kind,
                "audience": survey.audience,
                "letter": survey.letter,
                "closes_at": survey.closes_at,
            },
        )


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=400)
    kind = forms.ChoiceField(label=_("Kind of question"), choices=Question.Kind.choices)
    choices = forms.CharField(
        label=_("Answer choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a choice question: one choice a line."),
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    is_overall_satisfaction = forms.BooleanField(
        label=_("This is the overall satisfaction question"),
        required=False,
        help_text=_("One 1–5 question per survey; the bureau's satisfaction rate counts it."),
    )
    offering = forms.TypedChoiceField(
        label=_("Rates the activity"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("For a 1–5 question about one activity: its instructor is rated."),
    )

    def __init__(self, *args, offerings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.offerings = {o.pk: o for o in offerings}
        self.fields["offering"].choices = [("", "—")] + [
            (o.pk, f"{o} · {o.menu.term}") for o in offerings
        ]
        if not offerings:
            del self.fields["offering"]

    @classmethod
    def of(cls, question: Question, data=None, **kwargs) -> QuestionForm:
        return cls(
            data,
            initial={
                "text": question.text,
                "kind": question.kind,
                "choices": "\n".join(question.choices),
                "required": question.required,
                "is_overall_satisfaction": question.is_overall_satisfaction,
                "offering": question.offering_id,
            },
            **kwargs,
        )

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "text": data["text"],
            "kind": data["kind"],
            "required": data["required"],
            "choices": [line for line in data["choices"].splitlines() if line.strip()],
            "is_overall_satisfaction": data["is_overall_satisfaction"],
            "offering": self.offerings.get(data.get("offering")),
        }


SCALE_CHOICES = [(str(n), str(n)) for n in range(SCALE_MIN, SCALE_MAX + 1)]


class AnswerForm(forms.Form):
    """One field per question (`question_<pk>`), none required here: the service says
    which answers are missing, in the same words on every client."""

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for number, question in enumerate(self.questions, start=1):
            label = f"{number}. {question.text}"
            name = f"question_{question.pk}"
            choices = [(c, c) for c in question.choices]
            if question.kind == Question.Kind.SINGLE:
                field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
            elif question.kind == Question.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=choices, widget=forms.CheckboxSelectMultiple
                )
            elif question.kind == Question.Kind.SCALE:
                field = forms.ChoiceField(
                    choices=SCALE_CHOICES,
                    widget=forms.RadioSelect(attrs={"class": "scale"}),
                    help_text=_("1 = very dissatisfied, 5 = very satisfied"),
                )
            else:
                field = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
            field.required = False
            field.label = label
            field.question = question
            self.fields[name] = field

    def full_clean(self) -> None:
        # Nothing is checked here: kehou.surveys.services.response_submit checks every
        # answer, and its refusals go on these fields.
        self._errors = ErrorDict()
        self.cleaned_data = {}

    def answers(self) -> dict:
        """{question pk: the raw answer}; unchecked choices arrive as nothing."""
        out = {}
        for question in self.questions:
            name = f"question_{question.pk}"
            if question.kind == Question.Kind.MULTIPLE:
                out[question.pk] = self.data.getlist(name) if self.data else []
            else:
                out[question.pk] = self.data.get(name, "") if self.data else ""
        return out
