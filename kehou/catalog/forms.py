"""Forms of the menu pages. They only parse input; the rules live in kehou.catalog.services."""

from django import forms
from django.db import models
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from kehou.catalog.models import MECHANISM_LABELS, Activity, Menu, Offering
from kehou.catalog.services import ACTIVITY_FIELDS
from kehou.core.labels import WEEKDAY_LABELS
from kehou.org.models import ExternalOrganisation, School, Staff


def _formfield(model_field, **kwargs):
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class ActivityForm(forms.Form):
    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(Activity, fields=ACTIVITY_FIELDS, formfield_callback=_formfield)
        )
        # The organisations registered with the school's county or a region above it.
        codes = [code for code in school.region.path.split("/") if code]
        self.fields["organisation"].queryset = ExternalOrganisation.objects.filter(
            region__code__in=codes
        ).order_by("status", "name")
        self.fields["organisation"].help_text = _(
            "Leave empty when the school's own teachers deliver it."
        )

    @classmethod
    def initial_from(cls, activity: Activity) -> dict:
        return {
            name: getattr(activity, name) for name in ACTIVITY_FIELDS if name != "organisation"
        } | {"organisation": activity.organisation_id}


OFFERING_FORM_FIELDS = (
    "activity",
    "name",
    "grade_from",
    "grade_to",
    "capacity",
    "instructor",
    "room",
    "off_campus_venue",
    "fee_per_term",
    "is_fallback",
)


class OfferingForm(forms.Form):
    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Offering, fields=OFFERING_FORM_FIELDS))
        self.fields["activity"].queryset = Activity.objects.filter(school=school)
        self.fields["activity"].label = _("activity")
        self.fields["instructor"].queryset = Staff.objects.filter(
            school=school, is_active=True
        ).order_by("kind", "name")
        grades = [(g, g) for g in school.grades]
        self.fields["grade_from"] = forms.TypedChoiceField(
            label=_("from grade"), choices=grades, coerce=int
        )
        self.fields["grade_to"] = forms.TypedChoiceField(
            label=_("to grade"), choices=grades, coerce=int
        )

    @classmethod
    def initial_from(cls, offering: Offering) -> dict:
        initial = {name: getattr(offering, name) for name in OFFERING_FORM_FIELDS}
        initial["activity"] = offering.activity_id
        initial["instructor"] = offering.instructor_id
        return initial


class MeetingForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("weekday"),
        choices=[("", "—")] + [(i, name) for i, name in enumerate(WEEKDAY_LABELS)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    start = forms.TimeField(
        label=_("start"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end = forms.TimeField(
        label=_("end"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return data.get("weekday") is None and not data.get("start") and not data.get("end")


MeetingFormSet = forms.formset_factory(MeetingForm, extra=2, max_num=14, validate_max=True)


def meetings_from(formset) -> list[tuple]:
    """The non-blank rows as (weekday, start, end); a partly-filled row is kept so the
    service names it."""
    return [
        (
            form.cleaned_data.get("weekday"),
            form.cleaned_data.get("start"),
            form.cleaned_data.get("end"),
        )
        for form in formset.forms
        if form.cleaned_data and not form.is_blank()
    ]


MECHANISM_TRADE_OFF = _(
    "Round by round: every child first gets one offering and the result is more even, but "
    "a family that ranks several offerings can sometimes do better by ranking differently "
    "from what it wants. Child by child in lottery order: ranking honestly is always best, "
    "but children early in the lottery take all the popular offerings and about 3 in 100 "
    "children may get nothing."
)


class MenuSettingsForm(forms.Form):
    mode = forms.ChoiceField(label=_("sign-up mode"), choices=Menu.Mode.choices)
    mechanism = forms.ChoiceField(
        label=_("allocation mechanism"),
        choices=list(MECHANISM_LABELS.items()),
        help_text=MECHANISM_TRADE_OFF,
    )
    max_extended_per_child = forms.IntegerField(
        label=_("extended offerings a child may hold per week"), min_value=1, max_value=7
    )
    window_opens_at = forms.DateTimeField(
        label=_("choice window opens"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    window_closes_at = forms.DateTimeField(
        label=_("choice window closes"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
