"""Forms of the calendar pages: the bureau's holiday notice, one row per holiday run or
make-up workday."""

import datetime as dt

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from kehou.core.labels import WEEKDAY_LABELS
from kehou.terms.models import SpecialDay
from kehou.terms.services import DayEntry

ENTRY_ROWS = 16
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CalendarEntryForm(forms.Form):
    source = forms.CharField(
        label=_("Source of the notice"),
        max_length=200,
        help_text=_(
            "For example: 国务院办公厅关于2027年部分节假日安排的通知 (国办发明电〔2026〕…号)"
        ),
    )
    override_library = forms.BooleanField(
        label=_("Replace the calendar library's data for this year"), required=False
    )


class DayRowForm(forms.Form):
    """One row; every field is optional so that blank rows are simply skipped."""

    date = forms.DateField(label=_("Date"), required=False, widget=DATE_INPUT)
    until = forms.DateField(label=_("Until (holidays)"), required=False, widget=DATE_INPUT)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *SpecialDay.Kind.choices], required=False
    )
    name = forms.CharField(label=_("Holiday name"), max_length=30, required=False)
    follows_weekday = forms.TypedChoiceField(
        label=_("Follows the timetable of"),
        choices=[("", "—"), *[(str(i), WEEKDAY_LABELS[i]) for i in range(5)]],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if self.is_blank():
            return data
        if not data.get("date"):
            self.add_error("date", _("Enter the date."))
        if not data.get("kind"):
            self.add_error("kind", _("Choose holiday or make-up workday."))
        if not (data.get("name") or "").strip():
            self.add_error("name", _("Enter the holiday's name, e.g. 春节."))
        until = data.get("until")
        if until and data.get("date"):
            if data.get("kind") != SpecialDay.Kind.HOLIDAY:
                self.add_error("until", _("Only a run of holidays has an end date."))
            elif until < data["date"]:
                self.add_error("until", _("The end date lies before the date."))
            elif (until - data["date"]).days > 31:
                self.add_error("until", _("A run of holidays lasts at most a month."))
        return data

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        raw_fields = ("date", "until", "kind", "name", "follows_weekday")
        if self.is_bound:
            return not any((self.data.get(self.add_prefix(f)) or "").strip() for f in raw_fields)
        return not any(data.get(f) for f in raw_fields)

    def entries(self) -> list[DayEntry]:
        """The dates of this row (a run of holidays gives one entry per day)."""
        data = self.cleaned_data
        day, until = data["date"], data.get("until") or data["date"]
        result = []
        while day <= until:
            result.append(
                DayEntry(day, data["kind"], data["name"].strip(), data.get("follows_weekday"))
            )
            day += dt.timedelta(days=1)
        return result


def day_rows_formset(data=None, *, initial=None) -> forms.BaseFormSet:
    initial = list(initial or [])
    formset_class = formset_factory(
        DayRowForm, extra=max(ENTRY_ROWS - len(initial), 4), max_num=200, absolute_max=200
    )
    return formset_class(data, initial=initial if data is None else None, prefix="days")
