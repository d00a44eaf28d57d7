"""Forms of the complaint pages. They only parse; kehou.complaints.services checks and
writes (and says what is wrong, field by field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kehou.complaints.models import Complaint

TEXT = 4000


def _text(label, *, rows: int = 4, required: bool = True, help_text: str = ""):
    return forms.CharField(
        label=label,
        max_length=TEXT,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class PublicComplaintForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Complaint.Kind.choices, widget=forms.RadioSelect
    )
    topic = forms.ChoiceField(label=_("What it is about"), choices=Complaint.Topic.choices)
    text = _text(_("What happened"), rows=6, help_text=_("When, where, who, and what you ask for."))
    name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("Mobile phone (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("Only the school and the bureau see it, to call you back."),
    )


class FamilyComplaintForm(forms.Form):
    student = forms.TypedChoiceField(label=_("Child"), coerce=int)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Complaint.Kind.choices, widget=forms.RadioSelect
    )
    topic = forms.ChoiceField(label=_("What it is about"), choices=Complaint.Topic.choices)
    text = _text(_("What happened"), rows=6, help_text=_("When, where, who, and what you ask for."))

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = [(c.pk, f"{c.name} · {c.school.name}") for c in children]


class FollowForm(forms.Form):
    code = forms.CharField(
        label=_("Follow-up code"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=_("Assign to"), coerce=int)
    note = forms.CharField(label=_("Note (optional)"), max_length=TEXT, required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            (p.pk, f"{p.name} · {p.get_role_display()}") for p in people
        ]


class HandleForm(forms.Form):
    handling = _text(
        _("What was found and done"),
        help_text=_("For the school and the bureau; the submitter does not see it."),
    )


class ReplyForm(forms.Form):
    reply = _text(_("Reply"), help_text=_("The submitter reads this."))


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=TEXT, required=False)
