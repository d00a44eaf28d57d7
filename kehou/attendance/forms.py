"""Forms of the leave pages (the roll call page is read field by field: one radio group
per child)."""

from django import forms
from django.utils.translation import gettext_lazy as _

DATE = {"type": "date"}


class LeaveForm(forms.Form):
    student = forms.TypedChoiceField(label=_("Child"), coerce=int)
    # ISO format: <input type=date> shows nothing for zh-hans's default "2026/11/23".
    first_day = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    last_day = forms.DateField(
        label=_("Last day"),
        required=False,
        help_text=_("Leave it empty for one day."),
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Teachers see it on the roll call, e.g. 发烧请病假."),
    )

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = [(c.pk, c.name) for c in children]
        if len(children) == 1:
            self.fields["student"].initial = children[0].pk
