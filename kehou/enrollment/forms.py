"""Forms of the application pages: they only parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kehou.core.labels import WEEKDAY_LABELS

INSURANCE = [("yes", _("Yes, I have bought accident insurance")), ("no", _("No"))]


class ApplyForm(forms.Form):
    service_weekdays = forms.TypedMultipleChoiceField(
        label=_("Service days"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    wants_extended_care = forms.BooleanField(label=_("Extended care (延时托管)"), required=False)
    has_accident_insurance = forms.ChoiceField(
        label=_("Accident insurance"),
        choices=INSURANCE,
        widget=forms.RadioSelect,
        help_text=_("Voluntary; the school recommends it."),
    )
    # PositiveIntegerField's range on every database: a forged value is refused here, not
    # compared or stored.
    agreement_version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        max_value=2_147_483_647,
        error_messages={
            "invalid": _("The agreement on this page is unknown: reload the page and sign again."),
            "min_value": _(
                "The agreement on this page is unknown: reload the page and sign again."
            ),
            "max_value": _(
                "The agreement on this page is unknown: reload the page and sign again."
            ),
        },
    )
    sign = forms.BooleanField(
        label=_("I have read the safety agreement above and sign it"),
        error_messages={"required": _("Please read and sign the safety agreement.")},
    )

    def __init__(self, *args, weekdays: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_weekdays"].choices = [(d, WEEKDAY_LABELS[d]) for d in weekdays]


class DatedForm(forms.Form):
    # ISO format: <input type=date> shows nothing for zh-hans's default "2026/11/23".
    on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class WithdrawForm(DatedForm):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required. Refusals are reported to the education bureau."),
    )


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)


class AgreementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}))
