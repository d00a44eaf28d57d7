"""Forms of the everyday records and of external organisations. They only parse; the
services in kehou.org.services check and write."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehou.accounts.models import User
from kehou.core.labels import category_label
from kehou.org.models import ExternalOrganisation, Staff, Student, StudentGuardian

# Wide enough for what people paste (spaces, +86, full-width digits): the service
# normalises and checks.
PHONE_MAX = 30


class DateInput(forms.DateInput):
    input_type = "date"


class StudentForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=60)
    student_number = forms.CharField(label=_("Student number"), max_length=40)
    gender = forms.ChoiceField(label=_("Gender"), choices=Student.Gender.choices)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput)
    school_class = forms.TypedChoiceField(
        label=_("Class"), required=False, coerce=int, empty_value=None
    )
    is_boarder = forms.BooleanField(label=_("Boarder"), required=False)

    PRIORITY_FIELDS = ("has_disability", "is_left_behind", "is_migrant_child", "low_income_basis")
    has_disability = forms.BooleanField(label=_("Disability"), required=False)
    is_left_behind = forms.BooleanField(label=_("Left-behind child (留守)"), required=False)
    is_migrant_child = forms.BooleanField(label=_("Migrant worker's child (随迁)"), required=False)
    low_income_basis = forms.ChoiceField(
        label=_("Low-income basis"), required=False, choices=Student.LowIncomeBasis.choices
    )

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.classes = {c.pk: c for c in classes}
        self.fields["school_class"].choices = [("", _("No class"))] + [
            (c.pk, c.name) for c in classes
        ]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        class_pk = data.pop("school_class")
        data["low_income_basis"] = data.get("low_income_basis") or ""
        return data | {"school_class": self.classes.get(class_pk)}


class GuardianForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=60)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=PHONE_MAX,
        help_text=_("The guardian logs in with this number."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    relation = forms.ChoiceField(label=_("Relation"), choices=StudentGuardian.Relation.choices)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)
    may_collect = forms.BooleanField(label=_("May collect the child"), required=False)


class StaffForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=60)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=PHONE_MAX,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=[("", "—"), *Student.Gender.choices]
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("a staff member", "Kind"), choices=Staff.Kind.choices
    )
    external_kind = forms.ChoiceField(
        label=_("External kind"),
        required=False,
        choices=[("", "—"), *Staff.ExternalKind.choices],
        help_text=_("For an external instructor only."),
    )
    subjects = forms.CharField(label=_("Subjects"), max_length=100, required=False)
    qualification = forms.CharField(label=_("Qualification"), max_length=100, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        required=False,
        queryset=ExternalOrganisation.objects.none(),
        help_text=_("Only organisations on the education bureau's approved list."),
    )
    is_active = forms.BooleanField(
        label=pgettext_lazy("a staff member", "Active"),
        required=False,
        help_text=_("An inactive staff member cannot log in and is not assigned to children."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class AccountForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=60)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=PHONE_MAX,
        help_text=_("The login phone."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[
            (User.Role.SCHOOL_ADMIN, User.Role.SCHOOL_ADMIN.label),
            (User.Role.TEACHER, User.Role.TEACHER.label),
            (User.Role.GATE, User.Role.GATE.label),
        ],
    )
    is_active = forms.BooleanField(
        label=_("May log in"),
        required=False,
        help_text=_("Untick to deactivate the login (e.g. someone who has left)."),
    )

    def __init__(self, *args, may_change_role: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_change_role:
            del self.fields["role"]


class OrganisationForm(forms.Form):
    region = forms.TypedChoiceField(label=_("Registered in"), coerce=int)
    name = forms.CharField(label=_("Name"), max_length=120)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        help_text=_("18 characters, as on the business licence."),
    )
    licence_number = forms.CharField(
        label=_("Licence number"),
        max_length=60,
        required=False,
        help_text=_("The school-running or business licence it holds."),
    )
    licence_valid_until = forms.DateField(
        label=_("Licence valid until"), required=False, widget=DateInput
    )
    scope = forms.CharField(
        label=_("Business scope"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    offers = forms.MultipleChoiceField(
        label=_("May offer"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Never homework tutoring, subject tutoring or evening study: external "
            "organisations may not deliver subject training."
        ),
    )
    has_violation_record = forms.BooleanField(label=_("Record of violations"), required=False)

    def __init__(self, *args, regions, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = {r.pk: r for r in regions}
        self.fields["region"].choices = [(r.pk, r.name) for r in regions]
        self.fields["offers"].choices = [
            (c.value, category_label(c)) for c in ExternalOrganisation.MAY_OFFER
        ]
        if editing:
            del self.fields["region"]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("region", None)
        return data


class VetForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=ExternalOrganisation.Status.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Required to refuse or suspend; kept in the organisation's history."),
    )


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or credit code"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Vetting status"),
        required=False,
        choices=[("", _("All")), *ExternalOrganisation.Status.choices],
    )
