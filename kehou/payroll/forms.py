"""Forms of the pay pages. They only parse; kehou.payroll.services checks and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    input_type = "date"


class YuanInput(forms.TextInput):
    def __init__(self) -> None:
        super().__init__(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 8})


class RatesForm(forms.Form):
    effective_from = forms.DateField(label=_("In effect from"), widget=DateInput)
    per_class_hour = forms.CharField(
        label=_("Per class-hour (yuan)"), max_length=20, widget=YuanInput()
    )
    per_tutoring_hour = forms.CharField(
        label=_("Per homework-tutoring hour (yuan)"), max_length=20, widget=YuanInput()
    )
    per_club_session = forms.CharField(
        label=_("Per club session (yuan)"), max_length=20, widget=YuanInput()
    )
    per_duty_day = forms.CharField(
        label=_("Per duty day (yuan)"), max_length=20, widget=YuanInput()
    )
    class_hour_minutes = forms.IntegerField(
        label=_("Minutes per class-hour"),
        help_text=_("How long one class-hour (课时) is at this school, e.g. 40 or 45."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class MonthForm(forms.Form):
    month = forms.CharField(
        label=_("Month"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"}),
    )
