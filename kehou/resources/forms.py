"""Forms of the resource pages. They only parse input; kehou.resources.services decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kehou.core.labels import GRADE_LABELS
from kehou.resources.models import CATEGORY_CHOICES, Resource

GRADE_CHOICES = [(grade, label) for grade, label in GRADE_LABELS.items()]


class ResourceForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=Resource.Kind.choices)
    # Plain text: the service checks the address (http or https only) and says why.
    url = forms.CharField(
        label=_("web address"), max_length=500, help_text=_("e.g. https://basic.smartedu.cn")
    )
    category = forms.ChoiceField(
        label=_("category"),
        choices=[("", _("Any subject"))] + CATEGORY_CHOICES,
        required=False,
    )
    grade_from = forms.TypedChoiceField(
        label=_("from grade"), choices=GRADE_CHOICES, coerce=int, initial=1
    )
    grade_to = forms.TypedChoiceField(
        label=_("to grade"), choices=GRADE_CHOICES, coerce=int, initial=9
    )
    description = forms.CharField(label=_("description"), widget=forms.Textarea, required=False)
    is_free = forms.BooleanField(
        label=_("free of charge"),
        required=False,
        initial=True,
        help_text=_("Only free resources may be listed."),
    )

    @classmethod
    def initial_from(cls, resource: Resource) -> dict:
        return {name: getattr(resource, name) for name in cls.base_fields}


class FilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("category"), choices=[("", _("Any subject"))] + CATEGORY_CHOICES, required=False
    )
    grade = forms.TypedChoiceField(
        label=_("grade"),
        choices=[("", _("Any grade"))] + GRADE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )


class AttachForm(forms.Form):
    resource = forms.ModelChoiceField(label=_("resource"), queryset=Resource.objects.none())

    def __init__(self, *args, available, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(pk__in=[r.pk for r in available])
