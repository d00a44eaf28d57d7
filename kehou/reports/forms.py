from django import forms
from django.utils.translation import gettext_lazy as _

from kehou.reports.services import REASON_MAX, REMARK_MAX


class SubmitForm(forms.Form):
    remark = forms.CharField(
        label=_("Remark"),
        required=False,
        max_length=REMARK_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the figures do not say: a closure, a new activity, a problem."),
    )


class CorrectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=REASON_MAX)
    remark = forms.CharField(
        label=_("Remark"),
        required=False,
        max_length=REMARK_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
