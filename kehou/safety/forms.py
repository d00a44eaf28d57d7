"""Forms of the safety pages. They only parse; kehou.safety.services checks and writes."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from kehou.safety.models import Area, Drill, Incident

TEXT = 4000


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if isinstance(value, dt.datetime):
            from django.utils import timezone

            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


def _choices(objects, label=str) -> list[tuple[int, str]]:
    return [(o.pk, label(o)) for o in objects]


class IncidentForm(forms.Form):
    occurred_at = forms.DateTimeField(label=_("When it happened"), widget=DateTimeInput)
    place = forms.CharField(label=_("Where it happened"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Incident.Kind.choices)
    description = forms.CharField(
        label=_("What happened"), max_length=TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    students = forms.TypedMultipleChoiceField(
        label=_("Children involved"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (or Command) to choose several."),
    )
    staff = forms.TypedMultipleChoiceField(
        label=_("Staff involved"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    severity = forms.ChoiceField(
        label=_("Injuries"), choices=Incident.Severity.choices, widget=forms.RadioSelect
    )
    treatment = forms.CharField(
        label=_("Treatment"),
        max_length=TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    guardian_informed_at = forms.DateTimeField(
        label=_("Guardian told at"), required=False, widget=DateTimeInput
    )
    guardian_informed_by = forms.TypedChoiceField(
        label=_("Guardian told by"), coerce=int, required=False, empty_value=None
    )
    guardian_informed_how = forms.ChoiceField(
        label=_("Guardian told how"),
        required=False,
        choices=[("", "—"), *Incident.Informed.choices],
    )
    follow_up = forms.CharField(
        label=_("Follow-up actions"),
        max_length=TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, students, staff, student_label=str, **kwargs):
        super().__init__(*args, **kwargs)
        self.students = {s.pk: s for s in students}
        self.staff = {s.pk: s for s in staff}
        self.fields["students"].choices = _choices(students, student_label)
        self.fields["staff"].choices = _choices(staff)
        self.fields["guardian_informed_by"].choices = [("", "—"), *_choices(staff)]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["students"] = [self.students[pk] for pk in data["students"]]
        data["staff"] = [self.staff[pk] for pk in data["staff"]]
        data["guardian_informed_by"] = self.staff.get(data["guardian_informed_by"])
        return data


class CloseIncidentForm(forms.Form):
    conclusion = forms.CharField(
        label=_("Conclusion"), max_length=TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class RectifyForm(forms.Form):
    rectification = forms.CharField(
        label=_("What was done"), max_length=TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    rectified_on = forms.DateField(label=_("Rectified on"), widget=DateInput)


class VerifyForm(forms.Form):
    note = forms.CharField(label=_("Verification note"), max_length=200, required=False)


class ChecklistItemForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), choices=Area.choices)
    text = forms.CharField(label=_("Item"), max_length=200)


class DrillForm(forms.Form):
    held_on = forms.DateField(label=_("Date of the drill"), widget=DateInput)
    kind = forms.ChoiceField(label=_("Kind"), choices=Drill.Kind.choices)
    children_count = forms.IntegerField(label=_("Children taking part"), min_value=0)
    staff_count = forms.IntegerField(label=_("Staff taking part"), min_value=0)
    classes = forms.TypedMultipleChoiceField(
        label=_("Classes"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1)
    observations = forms.CharField(
        label=_("Observations"),
        max_length=TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    follow_ups = forms.CharField(
        label=_("Follow-ups"),
        max_length=TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.classes = {c.pk: c for c in classes}
        self.fields["classes"].choices = _choices(classes, lambda c: c.name)

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["classes"] = [self.classes[pk] for pk in data["classes"]]
        return data
