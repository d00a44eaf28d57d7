"""Forms of the plan and profile pages. They parse input into the services' dataclasses;
the rules across fields and rows live in kehou.policy.services."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from kehou.core.labels import GRADE_LABELS, category_label
from kehou.lib.vocabulary import PLAN_CATEGORIES
from kehou.org.models import LeadershipMember
from kehou.policy import services
from kehou.policy.models import PlanSlot, PlanVacationWeek, SchoolPlan
from kehou.policy.rule_labels import RULE_ID_LABELS, RULE_LABELS
from kehou.policy_rules import RuleId
from kehou.policy_rules.serialise import MENU_RULE_FIELDS

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
WORKDAYS = WEEKDAYS[:5]
BLANK = [("", "—")]
GRADES = BLANK + [(g, GRADE_LABELS[g]) for g in range(1, 10)]
YES_NO_UNKNOWN = [("", _("Not stated")), ("yes", _("Yes")), ("no", _("No"))]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _tri(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _tri_initial(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class PlanForm(forms.Form):
    term_start = forms.DateField(label=_("First day of service"), widget=DATE)
    term_end = forms.DateField(label=_("Last day of service"), widget=DATE)
    service_weekdays = forms.TypedMultipleChoiceField(
        label=_("Service days"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "inline-checks"}),
        help_text=_("A Saturday or Sunday is the weekend day of 5+2+1."),
    )
    service_mode = forms.ChoiceField(
        label=_("Service mode"),
        required=False,
        choices=[("", _("Not stated")), *SchoolPlan.ServiceMode.choices],
    )
    homework_minutes_per_day = forms.IntegerField(
        label=_("Homework tutoring minutes a day"), required=False, min_value=0, max_value=600
    )
    club_days_per_week = forms.IntegerField(
        label=_("Club days a week"), required=False, min_value=0, max_value=7
    )
    pay_per_class_hour = forms.DecimalField(
        label=_("Teacher pay per class-hour (yuan)"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
    )
    fee_per_term = forms.DecimalField(
        label=_("Fee per child per term (yuan)"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        help_text=_("0 when the service is free; empty when not decided."),
    )
    grade12_written_homework = forms.ChoiceField(
        label=_("Grades 1-2 get written homework"), required=False, choices=YES_NO_UNKNOWN
    )
    junior_homework_at_school_percent = forms.IntegerField(
        label=_("Junior written homework done at school (%)"),
        required=False,
        min_value=0,
        max_value=100,
    )
    service_method = forms.CharField(
        label=_("How the service runs"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    safety_measures = forms.CharField(
        label=_("Safety measures"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    complaint_channel = forms.CharField(
        label=_("Complaint channel"), required=False, max_length=200
    )

    @classmethod
    def initial_of(cls, plan: SchoolPlan) -> dict:
        initial = {name: getattr(plan, name) for name in services.PLAN_FIELDS}
        initial["grade12_written_homework"] = _tri_initial(plan.grade12_written_homework)
        return initial


class SlotForm(forms.Form):
    grade_from = forms.TypedChoiceField(label=_("From grade"), choices=GRADES, coerce=int)
    grade_to = forms.TypedChoiceField(label=_("To grade"), choices=GRADES, coerce=int)
    start = forms.TimeField(label=_("Start"), widget=TIME)
    end = forms.TimeField(label=_("End"), widget=TIME)
    kind = forms.ChoiceField(label=_("Kind"), choices=BLANK + PlanSlot.Kind.choices)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Only on"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "inline-checks"}),
        help_text=_("Leave empty for every service day."),
    )
    label = forms.CharField(label=_("Label"), max_length=50, required=False)


class ContentForm(forms.Form):
    name = forms.CharField(label=_("Content"), max_length=100)
    category = forms.ChoiceField(
        label=_("Category"), choices=BLANK + [(c.value, category_label(c)) for c in PLAN_CATEGORIES]
    )


class VacationWeekForm(forms.Form):
    season = forms.ChoiceField(label=_("Vacation"), choices=BLANK + PlanVacationWeek.Season.choices)
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("Until"), widget=DATE)


class MakeupDayForm(forms.Form):
    date = forms.DateField(label=_("Make-up workday"), widget=DATE)
    follows_weekday = forms.TypedChoiceField(
        label=_("Follows the timetable of"), choices=BLANK + WORKDAYS, coerce=int
    )


class LeaderForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=50)
    post = forms.CharField(label=_("Post"), max_length=50)
    group_role = forms.ChoiceField(
        label=_("Role in the group"), choices=BLANK + LeadershipMember.GroupRole.choices
    )


def _formset(form, extra):
    return formset_factory(form, extra=extra, can_delete=True, max_num=60, validate_max=True)


SlotFormSet = _formset(SlotForm, 2)
ContentFormSet = _formset(ContentForm, 2)
VacationWeekFormSet = _formset(VacationWeekForm, 1)
MakeupDayFormSet = _formset(MakeupDayForm, 1)
LeaderFormSet = _formset(LeaderForm, 2)

PREFIXES = {"slots": "slots", "content": "content", "weeks": "weeks", "makeup": "makeup"}


def _rows(formset) -> list[dict]:
    """The cleaned rows a user kept: not deleted, not left empty."""
    return [
        f.cleaned_data
        for f in formset.forms
        if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


class PlanEditor:
    """The plan form and its four formsets, validated together and turned into one
    `services.PlanInput`."""

    def __init__(self, data=None, *, plan: SchoolPlan):
        self.plan = plan
        if data is None:
            self.form = PlanForm(initial=PlanForm.initial_of(plan))
            self.slots = SlotFormSet(
                prefix="slots",
                initial=[
                    {
                        "grade_from": s.grade_from,
                        "grade_to": s.grade_to,
                        "start": s.start,
                        "end": s.end,
                        "kind": s.kind,
                        "weekdays": s.weekdays or [],
                        "label": s.label,
                    }
                    for s in plan.slots.all()
                ],
            )
            self.content = ContentFormSet(
                prefix="content",
                initial=[{"name": c.name, "category": c.category} for c in plan.content.all()],
            )
            self.weeks = VacationWeekFormSet(
                prefix="weeks",
                initial=[
                    {"season": w.season, "start": w.start, "end": w.end}
                    for w in plan.vacation_weeks.all()
                ],
            )
            self.makeup = MakeupDayFormSet(
                prefix="makeup",
                initial=[
                    {"date": m.date, "follows_weekday": m.follows_weekday}
                    for m in plan.makeup_days.all()
                ],
            )
        else:
            self.form = PlanForm(data)
            self.slots = SlotFormSet(data, prefix="slots")
            self.content = ContentFormSet(data, prefix="content")
            self.weeks = VacationWeekFormSet(data, prefix="weeks")
            self.makeup = MakeupDayFormSet(data, prefix="makeup")
        self.errors: list[str] = []

    @property
    def parts(self):
        return [self.form, self.slots, self.content, self.weeks, self.makeup]

    def is_valid(self) -> bool:
        # Evaluate every part so each shows its own errors at once.
        return all([part.is_valid() for part in self.parts])

    def plan_input(self) -> services.PlanInput:
        data = self.form.cleaned_data
        return services.PlanInput(
            term_start=data["term_start"],
            term_end=data["term_end"],
            service_weekdays=tuple(data["service_weekdays"]),
            service_mode=data["service_mode"],
            homework_minutes_per_day=data["homework_minutes_per_day"],
            club_days_per_week=data["club_days_per_week"],
            pay_per_class_hour=data["pay_per_class_hour"],
            fee_per_term=data["fee_per_term"],
            grade12_written_homework=_tri(data["grade12_written_homework"]),
            junior_homework_at_school_percent=data["junior_homework_at_school_percent"],
            service_method=data["service_method"],
            safety_measures=data["safety_measures"],
            complaint_channel=data["complaint_channel"],
            slots=[
                services.SlotInput(
                    grade_from=row["grade_from"],
                    grade_to=row["grade_to"],
                    start=row["start"],
                    end=row["end"],
                    kind=row["kind"],
                    weekdays=tuple(row["weekdays"]) or None,
                    label=row["label"],
                )
                for row in _rows(self.slots)
            ],
            content=[
                services.ContentInput(row["name"], row["category"]) for row in _rows(self.content)
            ],
            vacation_weeks=[
                services.VacationWeekInput(row["season"], row["start"], row["end"])
                for row in _rows(self.weeks)
            ],
            makeup_days=[
                services.MakeupDayInput(row["date"], row["follows_weekday"])
                for row in _rows(self.makeup)
            ],
        )


FEE_MODES = [
    ("", _("No fee rule")),
    ("none", _("No fee standard yet: no fee may be charged")),
    ("max", _("Fee standard: at most this much per child per term")),
]


class ProfileForm(forms.Form):
    service_days_per_week = forms.IntegerField(
        label=_("Service days a week (Monday-Friday)"), required=False, min_value=1, max_value=5
    )
    weekend_days_per_week = forms.IntegerField(
        label=_("Weekend service days a week (5+2+1)"), required=False, min_value=0, max_value=2
    )
    min_minutes_per_day = forms.IntegerField(
        label=_("Minimum minutes a service day"), required=False, min_value=1, max_value=600
    )
    off_work_time = forms.TimeField(
        label=_("Local off-work time (service may not end before it)"),
        required=False,
        widget=TIME,
    )
    extended_care_required = forms.BooleanField(
        label=_("Extended care must be offered on request"), required=False
    )
    evening_study_max_minutes = forms.IntegerField(
        label=_("Junior evening study: at most (minutes)"),
        required=False,
        min_value=1,
        max_value=300,
    )
    evening_study_latest_end = forms.TimeField(
        label=_("Junior evening study: ends by"), required=False, widget=TIME
    )
    vacation_weeks_winter = forms.IntegerField(
        label=_("Winter vacation opening weeks"), required=False, min_value=0, max_value=6
    )
    vacation_weeks_summer = forms.IntegerField(
        label=_("Summer vacation opening weeks"), required=False, min_value=0, max_value=9
    )
    pay_floor_per_class_hour = forms.DecimalField(
        label=_("Teacher pay floor per class-hour (yuan)"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
    )
    leave_refund_min_days = forms.IntegerField(
        label=_("A leave is refunded from (service days)"),
        help_text=_("004: 按未服务的实际课时据实退还. Empty: a leave is not refunded."),
        required=False,
        min_value=1,
        max_value=100,
    )
    report_due_day = forms.IntegerField(
        label=_("Monthly report due on (day of the next month)"),
        help_text=_("003: 每月24日报送. Empty: no due day, no report is late."),
        required=False,
        min_value=1,
        max_value=28,
    )
    report_reminder_days = forms.IntegerField(
        label=_("Monthly report reminder (days before it is due)"),
        help_text=_("Empty: no reminder is sent."),
        required=False,
        min_value=1,
        max_value=20,
    )
    complaint_reply_days = forms.IntegerField(
        label=_("A complaint is replied to within (days)"),
        help_text=_("Empty: complaints have no time limit and are not escalated for lateness."),
        required=False,
        min_value=1,
        max_value=60,
    )
    fee_mode = forms.ChoiceField(label=_("Fee standard"), required=False, choices=FEE_MODES)
    fee_max_per_term = forms.DecimalField(
        label=_("Fee ceiling per child per term (yuan)"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
    )
    grade12_no_written_homework = forms.BooleanField(
        label=_("No written homework in grades 1-2"), required=False
    )
    junior_homework_at_school_min_percent = forms.IntegerField(
        label=_("Junior written homework done at school: at least (%)"),
        required=False,
        min_value=0,
        max_value=100,
    )
    note = forms.CharField(
        label=_("Reason for the change"),
        max_length=200,
        help_text=_("e.g. the notice the change follows"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        note = self.fields.pop("note")
        for name in MENU_RULE_FIELDS:  # what a menu may not hold: switched on or off
            self.fields[name] = forms.BooleanField(label=RULE_LABELS[name], required=False)
        self.fields["note"] = note

    def values(self) -> services.ProfileValues:
        data = dict(self.cleaned_data)
        data.pop("note")
        return services.ProfileValues(**data)


class AdoptForm(forms.Form):
    template = forms.ChoiceField(label=_("Template"))

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t.key, t.name) for t in templates]


class TableFilterForm(forms.Form):
    term = forms.ChoiceField(label=_("Term"), required=False)
    county = forms.ChoiceField(label=_("County / district"), required=False)
    rule = forms.ChoiceField(
        label=_("Rule"),
        required=False,
        choices=[("", _("All rules"))] + [(str(r), RULE_ID_LABELS[r]) for r in RuleId],
    )

    def __init__(self, *args, terms, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = [(t.code, str(t)) for t in terms]
        self.fields["county"].choices = [("", _("All counties"))] + [
            (c.code, c.name) for c in counties
        ]
