"""Filter forms for the list pages. They only parse; selectors do the filtering."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kehou.core.labels import grade_label
from kehou.org.models import School
from kehou.org.selectors import counties_for

URBAN_CHOICES = [("", _("Urban and rural")), ("urban", _("Urban")), ("rural", _("Rural"))]
BOARDER_CHOICES = [
    ("", _("All")),
    ("yes", _("Boarders")),
    ("no", _("Day pupils")),
]
PRIORITY_CHOICES = [
    ("", _("All students")),
    ("any", _("Any priority group")),
    ("disability", _("Disability")),
    ("left_behind", _("Left-behind")),
    ("migrant", _("Migrant worker's child")),
    ("low_income", _("Low-income")),
]


class SchoolFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False, max_length=100)
    county = forms.ChoiceField(label=_("County / district"), required=False)
    school_type = forms.ChoiceField(
        label=_("School type"),
        required=False,
        choices=[("", _("All types")), *School.Type.choices],
    )
    urban = forms.ChoiceField(label=_("Urban / rural"), required=False, choices=URBAN_CHOICES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", _("All counties"))] + [
            (region.code, region.name) for region in counties_for(user)
        ]


class StudentFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or student number"), required=False, max_length=50)
    grade = forms.ChoiceField(label=_("Grade"), required=False)
    school_class = forms.ChoiceField(label=_("Class"), required=False)
    boarder = forms.ChoiceField(label=_("Boarding"), required=False, choices=BOARDER_CHOICES)
    priority = forms.ChoiceField(
        label=_("Priority group"), required=False, choices=PRIORITY_CHOICES
    )

    def __init__(self, *args, classes, grades, show_priority: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [("", _("All grades"))] + [
            (str(g), grade_label(g)) for g in grades
        ]
        self.fields["school_class"].choices = [("", _("All classes"))] + [
            (str(c.pk), c.name) for c in classes
        ]
        if not show_priority:
            # Not even the filter: choosing it would reveal who is in the group.
            del self.fields["priority"]
