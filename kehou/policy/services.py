"""Writes of profiles and school plans (SPEC R4, R5).

A published plan is never edited in place: `plan_start_draft` copies it into a new
version, `plan_update` changes only drafts, and `plan_publish` supersedes the previous
published version. Every profile change appends a `PolicyProfileVersion`. Each write first
checks its actor (kehou.org.access: OutOfScope for anyone else), then validates
everything, then writes in one transaction; a refusal is a kehou.core.errors refusal with
a stable code, the field it concerns and, for a row, its number in params["row"].

The contract reads (`profile_for_school`, `profile_rules`, `plan_facts`, `plan_check`,
`current_plan`) live in kehou.policy.selectors and are re-exported here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehou.core.errors import Problems, refusal
from kehou.core.labels import weekdays_label
from kehou.org import access
from kehou.org.models import LeadershipMember, Region, School
from kehou.policy.models import (
    PlanContentItem,
    PlanMakeupDay,
    PlanSlot,
    PlanVacationWeek,
    PolicyProfile,
    PolicyProfileVersion,
    SchoolPlan,
)
from kehou.policy.profile_templates import install_templates
from kehou.policy.selectors import (  # noqa: F401  (re-exported: the step 2 contract)
    compulsory_grades,
    current_plan,
    may_adopt_profile_for,
    may_edit_profile,
    plan_check,
    plan_facts,
    profile_for_school,
    profile_rules,
)
from kehou.policy_rules import Category, Citation, FeeStandard, ProfileRules, Rule
from kehou.policy_rules.serialise import MENU_RULE_FIELDS, profile_to_dict
from kehou.terms.models import Term

SEASON_MONTHS = {"winter": {1, 2}, "summer": {7, 8}}
OUTSIDE_SEASON = {
    "winter": _(
        "Vacation opening row %(row)d: %(start)s to %(end)s is not in the winter vacation "
        "(January-February)."
    ),
    "summer": _(
        "Vacation opening row %(row)d: %(start)s to %(end)s is not in the summer vacation "
        "(July-August)."
    ),
}
# The fields of the plan's rows, as refusals name them.
SLOTS, CONTENT, WEEKS, MAKEUP, MEMBERS = (
    "slots",
    "content",
    "vacation_weeks",
    "makeup_days",
    "members",
)


# --- the plan's data, as entered --------------------------------------------------------


@dataclass(frozen=True)
class SlotInput:
    grade_from: int
    grade_to: int
    start: dt.time
    end: dt.time
    kind: str = PlanSlot.Kind.REGULAR
    weekdays: tuple[int, ...] | None = None  # None = every service day
    label: str = ""


@dataclass(frozen=True)
class ContentInput:
    name: str
    category: str


@dataclass(frozen=True)
class VacationWeekInput:
    season: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class MakeupDayInput:
    date: dt.date
    follows_weekday: int


@dataclass(frozen=True)
class PlanInput:
    """Everything a school admin enters on the plan page."""

    term_start: dt.date
    term_end: dt.date
    service_weekdays: tuple[int, ...]
    service_mode: str = ""
    homework_minutes_per_day: int | None = None
    club_days_per_week: int | None = None
    pay_per_class_hour: Decimal | None = None
    fee_per_term: Decimal | None = None
    grade12_written_homework: bool | None = None
    junior_homework_at_school_percent: int | None = None
    service_method: str = ""
    safety_measures: str = ""
    complaint_channel: str = ""
    slots: Sequence[SlotInput] = ()
    content: Sequence[ContentInput] = ()
    vacation_weeks: Sequence[VacationWeekInput] = ()
    makeup_days: Sequence[MakeupDayInput] = ()


PLAN_FIELDS = (
    "term_start",
    "term_end",
    "service_weekdays",
    "service_mode",
    "homework_minutes_per_day",
    "club_days_per_week",
    "pay_per_class_hour",
    "fee_per_term",
    "grade12_written_homework",
    "junior_homework_at_school_percent",
    "service_method",
    "safety_measures",
    "complaint_channel",
)


def plan_input_of(plan: SchoolPlan) -> PlanInput:
    """The plan's current data in the shape `plan_update` takes."""
    return PlanInput(
        **{name: getattr(plan, name) for name in PLAN_FIELDS if name != "service_weekdays"},
        service_weekdays=tuple(plan.service_weekdays),
        slots=[
            SlotInput(
                s.grade_from,
                s.grade_to,
                s.start,
                s.end,
                s.kind,
                tuple(s.weekdays) if s.weekdays else None,
                s.label,
            )
            for s in plan.slots.all()
        ],
        content=[ContentInput(c.name, c.category) for c in plan.content.all()],
        vacation_weeks=[
            VacationWeekInput(w.season, w.start, w.end) for w in plan.vacation_weeks.all()
        ],
        makeup_days=[MakeupDayInput(m.date, m.follows_weekday) for m in plan.makeup_days.all()],
    )


PLAN_RANGES = (
    ("homework_minutes_per_day", _("Homework tutoring minutes a day"), 0, 600),
    ("club_days_per_week", _("Club days a week"), 0, 7),
    ("junior_homework_at_school_percent", _("Junior written homework done at school (%)"), 0, 100),
)
PLAN_AMOUNTS = (
    ("pay_per_class_hour", _("Teacher pay per class-hour (yuan)")),
    ("fee_per_term", _("Fee per child per term (yuan)")),
)


def _check_ranges(problems: Problems, values, ranges) -> None:
    for name, label, low, high in ranges:
        value = getattr(values, name)
        if value is not None and not low <= value <= high:
            problems.add(
                "value_out_of_range",
                _("%(label)s must lie between %(low)s and %(high)s."),
                field=name,
                label=label,
                low=low,
                high=high,
            )


def _check_amounts(problems: Problems, values, amounts) -> None:
    for name, label in amounts:
        value = getattr(values, name)
        if value is not None and value < 0:
            problems.add(
                "amount_negative", _("%(label)s cannot be negative."), field=name, label=label
            )


def plan_problems(*, school: School, data: PlanInput) -> Problems:
    """Every problem of `data` for `school`, each naming its field and, in the plan's
    tables, its row."""
    problems = Problems()
    if data.term_end <= data.term_start:
        problems.add(
            "term_dates_reversed",
            _("The last day of service, %(end)s, must come after the first, %(start)s."),
            field="term_end",
            start=data.term_start.isoformat(),
            end=data.term_end.isoformat(),
        )
    weekdays = set(data.service_weekdays)
    if not weekdays:
        problems.add(
            "no_service_days",
            _("Service days: choose at least one day."),
            field="service_weekdays",
        )
    if not weekdays <= set(range(7)):
        problems.add(
            "service_weekday_invalid",
            _("Service days: a weekday is Monday to Sunday."),
            field="service_weekdays",
        )
    if data.service_mode and data.service_mode not in SchoolPlan.ServiceMode.values:
        problems.add(
            "service_mode_invalid", _("Service mode: not a valid choice."), field="service_mode"
        )
    _check_ranges(problems, data, PLAN_RANGES)
    _check_amounts(problems, data, PLAN_AMOUNTS)
    _slot_problems(problems, school, data.slots, weekdays)
    for row, item in enumerate(data.content, start=1):
        if not item.name.strip():
            problems.add(
                "content_name_missing",
                _("Content row %(row)d: enter a name."),
                field=CONTENT,
                row=row,
            )
        if item.category not in Category._value2member_map_:
            problems.add(
                "content_category_invalid",
                _("Content row %(row)d: the category is not valid."),
                field=CONTENT,
                row=row,
            )
    _vacation_problems(problems, data)
    _makeup_problems(problems, data)
    return problems


def _slot_problems(problems: Problems, school: School, slots, weekdays: set[int]) -> None:
    school_grades = compulsory_grades(school)
    seen = set()
    for row, slot in enumerate(slots, start=1):

        def add(code, message, *, row=row, **params):
            problems.add(code, message, field=SLOTS, row=row, **params)

        if slot.kind not in PlanSlot.Kind.values:
            add("slot_kind_invalid", _("Time slot row %(row)d: the kind is not valid."))
        if slot.grade_from > slot.grade_to:
            add(
                "slot_grades_reversed",
                _(
                    "Time slot row %(row)d: the first grade %(first)d comes after the last "
                    "grade %(last)d."
                ),
                first=slot.grade_from,
                last=slot.grade_to,
            )
        elif not set(range(slot.grade_from, slot.grade_to + 1)) <= school_grades:
            if school_grades:
                add(
                    "slot_grades_not_taught",
                    _(
                        "Time slot row %(row)d: grades %(first)d-%(last)d go beyond the "
                        "school's grades (%(low)d-%(high)d)."
                    ),
                    first=slot.grade_from,
                    last=slot.grade_to,
                    low=min(school_grades),
                    high=max(school_grades),
                )
            else:
                add(
                    "slot_grades_not_taught",
                    _("Time slot row %(row)d: the school teaches none of grades 1-9."),
                )
        if slot.end <= slot.start:
            add(
                "slot_ends_before_start",
                _("Time slot row %(row)d: the end %(end)s must come after the start %(start)s."),
                start=f"{slot.start:%H:%M}",
                end=f"{slot.end:%H:%M}",
            )
        if slot.weekdays is not None:
            extra = set(slot.weekdays) - weekdays
            if extra:
                add(
                    "slot_weekday_not_served",
                    _("Time slot row %(row)d: %(days)s is not a service day of this plan."),
                    days=weekdays_label(extra) or ", ".join(str(d) for d in sorted(extra)),
                )
        if slot.kind == PlanSlot.Kind.EVENING_STUDY and slot.grade_from < 7:
            add(
                "evening_study_not_junior",
                _("Time slot row %(row)d: evening study is for junior grades (7-9) only."),
            )
        key = (slot.grade_from, slot.grade_to, slot.start, slot.end, slot.kind)
        if key in seen:
            add("slot_repeated", _("Time slot row %(row)d: the same as an earlier slot."))
        seen.add(key)


def _vacation_problems(problems: Problems, data: PlanInput) -> None:
    weeks = sorted(enumerate(data.vacation_weeks, start=1), key=lambda rw: rw[1].start)
    for row, week in weeks:
        dates = {"start": week.start.isoformat(), "end": week.end.isoformat()}

        def add(code, message, *, row=row, **params):
            problems.add(code, message, field=WEEKS, row=row, **params)

        if week.season not in SEASON_MONTHS:
            add(
                "vacation_season_invalid",
                _("Vacation opening row %(row)d: choose winter or summer vacation."),
            )
            continue
        if week.end < week.start:
            add(
                "vacation_dates_reversed",
                _(
                    "Vacation opening row %(row)d: the end %(end)s comes before the start "
                    "%(start)s."
                ),
                **dates,
            )
            continue
        months = SEASON_MONTHS[week.season]
        if not (week.start.month in months and week.end.month in months):
            add("vacation_outside_season", OUTSIDE_SEASON[week.season], **dates)
        if week.start <= data.term_end and week.end >= data.term_start:
            add(
                "vacation_overlaps_term",
                _(
                    "Vacation opening row %(row)d: %(start)s to %(end)s overlaps the term's "
                    "service dates %(term_start)s to %(term_end)s."
                ),
                term_start=data.term_start.isoformat(),
                term_end=data.term_end.isoformat(),
                **dates,
            )
    for (row_a, a), (row_b, b) in zip(weeks, weeks[1:], strict=False):
        if b.start <= a.end:
            problems.add(
                "vacation_rows_overlap",
                _("Vacation opening row %(row)d: the dates overlap row %(other)d."),
                field=WEEKS,
                row=row_b,
                other=row_a,
            )


def _makeup_problems(problems: Problems, data: PlanInput) -> None:
    dates = set()
    for row, day in enumerate(data.makeup_days, start=1):

        def add(code, message, *, row=row, **params):
            problems.add(code, message, field=MAKEUP, row=row, **params)

        if not data.term_start <= day.date <= data.term_end:
            add(
                "makeup_day_outside_term",
                _("Make-up workday row %(row)d: %(date)s is not within the term's service dates."),
                date=day.date.isoformat(),
            )
        if not 0 <= day.follows_weekday <= 4:
            add(
                "makeup_timetable_invalid",
                _(
                    "Make-up workday row %(row)d: it follows the timetable of a day from Monday "
                    "to Friday."
                ),
            )
        if day.date in dates:
            add(
                "makeup_day_repeated",
                _("Make-up workday row %(row)d: %(date)s is entered twice."),
                date=day.date.isoformat(),
            )
        dates.add(day.date)


def _write_parts(plan: SchoolPlan, data: PlanInput) -> None:
    PlanSlot.objects.bulk_create(
        PlanSlot(
            plan=plan,
            grade_from=s.grade_from,
            grade_to=s.grade_to,
            start=s.start,
            end=s.end,
            kind=s.kind,
            weekdays=sorted(s.weekdays) if s.weekdays else None,
            label=s.label,
        )
        for s in data.slots
    )
    PlanContentItem.objects.bulk_create(
        PlanContentItem(plan=plan, name=c.name.strip(), category=c.category) for c in data.content
    )
    PlanVacationWeek.objects.bulk_create(
        PlanVacationWeek(plan=plan, season=w.season, start=w.start, end=w.end)
        for w in data.vacation_weeks
    )
    PlanMakeupDay.objects.bulk_create(
        PlanMakeupDay(plan=plan, date=m.date, follows_weekday=m.follows_weekday)
        for m in data.makeup_days
    )


def _set_fields(plan: SchoolPlan, data: PlanInput) -> None:
    for name in PLAN_FIELDS:
        value = getattr(data, name)
        if name == "service_weekdays":
            value = sorted(set(value))
        setattr(plan, name, value)


def _lock_plan(plan: SchoolPlan) -> SchoolPlan:
    return (
        SchoolPlan.objects.select_for_update(of=("self",))
        .select_related("school__region", "term")
        .get(pk=plan.pk)
    )


@transaction.atomic
def plan_update(*, plan: SchoolPlan, actor, data: PlanInput) -> SchoolPlan:
    """Replace a draft's data with `data` (fields, slots, content, vacation weeks and
    make-up choices together). The school's admin only; refuses a published or superseded
    plan."""
    access.require_school_admin(actor, plan.school)
    plan = _lock_plan(plan)
    if not plan.is_editable:
        raise refusal(
            "plan_not_editable",
            _("A published plan is not changed in place: start a new version first."),
        )
    plan_problems(school=plan.school, data=data).raise_if_any()
    _set_fields(plan, data)
    plan.save()
    for related in (plan.slots, plan.content, plan.vacation_weeks, plan.makeup_days):
        related.all().delete()
    _write_parts(plan, data)
    return plan


@transaction.atomic
def plan_start_draft(*, school: School, term: Term, actor) -> SchoolPlan:
    """The draft of the school's plan for `term`: the existing draft, else a new version
    copying the published (or latest) one with all its parts, else an empty draft with the
    term's usual dates, Monday to Friday. The school's admin only."""
    access.require_school_admin(actor, school)
    # Lock the school row so two admins pressing at once get one draft, not an error.
    School.objects.select_for_update().filter(pk=school.pk).first()
    existing = SchoolPlan.objects.filter(
        school=school, term=term, status=SchoolPlan.Status.DRAFT
    ).first()
    if existing is not None:
        return existing
    versions = SchoolPlan.objects.filter(school=school, term=term)
    latest_version = versions.aggregate(v=Max("version"))["v"] or 0
    source = (
        versions.filter(status=SchoolPlan.Status.PUBLISHED).first()
        or versions.order_by("-version").first()
    )
    if source is None:
        return SchoolPlan.objects.create(
            school=school,
            term=term,
            version=1,
            term_start=term.start,
            term_end=term.end,
            service_weekdays=[0, 1, 2, 3, 4],
            created_by=access.user_of(actor),
        )
    source = SchoolPlan.objects.prefetch_related(
        "slots", "content", "vacation_weeks", "makeup_days"
    ).get(pk=source.pk)
    data = plan_input_of(source)
    draft = SchoolPlan(
        school=school,
        term=term,
        version=latest_version + 1,
        status=SchoolPlan.Status.DRAFT,
        created_by=access.user_of(actor),
    )
    _set_fields(draft, data)
    draft.save()
    _write_parts(draft, data)
    return draft


@transaction.atomic
def plan_publish(*, plan: SchoolPlan, actor, confirmed: bool = False) -> SchoolPlan:
    """Publish a draft; the previously published version becomes superseded. The school's
    admin only.

    A plan that falls short of its profile (the compliance check) is published only when
    the admin has seen the shortfalls and confirms (`confirmed=True`; otherwise the
    refusal `confirmation_required` carries their number); the shortfalls it went out
    with are kept on the plan (`published_shortfalls`) for the plan page and the bureau.
    """
    access.require_school_admin(actor, plan.school)
    plan = _lock_plan(plan)
    if plan.status == SchoolPlan.Status.PUBLISHED:
        return plan
    if not plan.is_editable:
        raise refusal("plan_superseded", _("A superseded version cannot be published."))
    problems = Problems()
    if not plan.service_weekdays:
        problems.add(
            "plan_without_service_days",
            _("The plan cannot be published yet: choose at least one service day."),
            field="service_weekdays",
        )
    if not plan.slots.exists():
        problems.add(
            "plan_without_slots",
            _("The plan cannot be published yet: enter at least one time slot."),
            field=SLOTS,
        )
    problems.raise_if_any()
    profile = profile_for_school(plan.school)
    shortfalls = plan_check(plan=plan, profile=profile) if profile is not None else []
    if shortfalls and not confirmed:
        raise refusal(
            "confirmation_required",
            _(
                "The plan falls short of its policy profile in %(n)d points: publish it "
                "only after reading them and confirming."
            ),
            n=len(shortfalls),
        )
    SchoolPlan.objects.filter(
        school=plan.school, term=plan.term, status=SchoolPlan.Status.PUBLISHED
    ).update(status=SchoolPlan.Status.SUPERSEDED, updated_at=timezone.now())
    plan.status = SchoolPlan.Status.PUBLISHED
    plan.published_by = access.user_of(actor)
    plan.published_at = timezone.now()
    plan.published_shortfalls = [s.as_dict() for s in shortfalls]
    plan.save(
        update_fields=[
            "status",
            "published_by",
            "published_at",
            "published_shortfalls",
            "updated_at",
        ]
    )
    return plan


# --- the leading group ---------------------------------------------------------------


@dataclass(frozen=True)
class LeaderInput:
    name: str
    post: str
    group_role: str


@transaction.atomic
def leadership_replace(
    *, school: School, actor, members: Sequence[LeaderInput]
) -> list[LeadershipMember]:
    """Replace the school's leading group (领导小组): exactly one head when not empty.
    The school's admin only."""
    access.require_school_admin(actor, school)
    problems = Problems()
    for row, member in enumerate(members, start=1):
        if not member.name.strip():
            problems.add(
                "leader_name_missing",
                _("Leading group row %(row)d: enter the name."),
                field=MEMBERS,
                row=row,
            )
        if not member.post.strip():
            problems.add(
                "leader_post_missing",
                _("Leading group row %(row)d: enter the post."),
                field=MEMBERS,
                row=row,
            )
        if member.group_role not in LeadershipMember.GroupRole.values:
            problems.add(
                "leader_role_invalid",
                _("Leading group row %(row)d: the role in the group is not valid."),
                field=MEMBERS,
                row=row,
            )
    heads = sum(1 for m in members if m.group_role == LeadershipMember.GroupRole.HEAD)
    if members and heads != 1:
        problems.add(
            "leadership_needs_one_head",
            _("The leading group has exactly one head (now %(heads)d)."),
            field=MEMBERS,
            heads=heads,
        )
    problems.raise_if_any()
    LeadershipMember.objects.filter(school=school).delete()
    return LeadershipMember.objects.bulk_create(
        LeadershipMember(
            school=school,
            name=m.name.strip(),
            post=m.post.strip(),
            group_role=m.group_role,
            order=i,
        )
        for i, m in enumerate(members)
    )


# --- profiles ----------------------------------------------------------------------------


def _require_superuser(actor) -> None:
    """kehou itself or a superuser: the shipped templates belong to no region."""
    if not (actor is not None and actor.is_authenticated and actor.is_active):
        raise access.OutOfScope
    if not actor.is_superuser:
        raise access.OutOfScope


@transaction.atomic
def profile_templates_install(*, actor) -> int:
    """Create the 4 template profiles (one per seed locality) if absent; idempotent.
    Returns how many were created. kehou itself (SYSTEM) or a superuser only."""
    _require_superuser(actor)
    return install_templates(PolicyProfile, PolicyProfileVersion)


def _append_version(profile: PolicyProfile, actor, note: str) -> None:
    PolicyProfileVersion.objects.create(
        profile=profile,
        version=profile.version,
        rules=profile.rules,
        changed_by=access.user_of(actor),
        note=note[:200],
    )


@transaction.atomic
def profile_adopt(*, template_key: str, region: Region, actor) -> PolicyProfile:
    """Give `region` the rules of a template. A region that already has a profile gets a
    new version of it (the old rules stay in its history). A bureau officer adopts for
    their own region (a superuser or kehou itself for any)."""
    if not may_adopt_profile_for(actor, region):
        raise access.OutOfScope
    try:
        template = PolicyProfile.objects.get(key=template_key, region__isnull=True)
    except PolicyProfile.DoesNotExist as error:
        raise refusal(
            "template_unknown",
            _("There is no template “%(key)s”."),
            field="template",
            key=template_key,
        ) from error
    note = f"采用模板“{template.name}”"
    profile = PolicyProfile.objects.select_for_update().filter(region=region).first()
    if profile is None:
        profile = PolicyProfile.objects.create(
            key=f"{region.code}-{template.key}"[:50],
            name=f"{region.name}课后服务政策",
            region=region,
            rules=template.rules,
            version=1,
        )
    else:
        profile.rules = template.rules
        profile.version += 1
        profile.save(update_fields=["rules", "version", "updated_at"])
    _append_version(profile, actor, note)
    return profile


@dataclass(frozen=True)
class ProfileValues:
    """The values a bureau officer edits. None = no such rule in this locality (except
    off_work_time: None keeps the rule "not before the off-work time" with the time still
    to be entered, when the profile has that rule). A yes/no rule is stated when True and
    absent when False."""

    service_days_per_week: int | None = None
    weekend_days_per_week: int | None = None
    min_minutes_per_day: int | None = None
    off_work_time: dt.time | None = None
    extended_care_required: bool = False
    evening_study_max_minutes: int | None = None
    evening_study_latest_end: dt.time | None = None
    vacation_weeks_winter: int | None = None
    vacation_weeks_summer: int | None = None
    pay_floor_per_class_hour: Decimal | None = None
    leave_refund_min_days: int | None = None
    report_due_day: int | None = None
    report_reminder_days: int | None = None
    complaint_reply_days: int | None = None
    # "" = no fee rule; "none" = no standard yet (no fee may be billed); "max" = a ceiling
    fee_mode: str = ""
    fee_max_per_term: Decimal | None = None
    grade12_no_written_homework: bool = False
    junior_homework_at_school_min_percent: int | None = None
    # What a menu may not hold (kehou.policy_rules.serialise.MENU_RULE_FIELDS)
    evening_study_weekdays_only: bool = False
    no_subject_training_by_organisations: bool = False
    no_new_lessons: bool = False
    no_commercial_promotion: bool = False
    no_high_risk_activities: bool = False
    agency_fee_for_organisations_only: bool = False
    instructors_vetted: bool = False


YES_NO_RULES = ("extended_care_required", "grade12_no_written_homework", *MENU_RULE_FIELDS)
VALUE_RULES = (
    "service_days_per_week",
    "weekend_days_per_week",
    "min_minutes_per_day",
    "off_work_time",
    "evening_study_max_minutes",
    "evening_study_latest_end",
    "vacation_weeks_winter",
    "vacation_weeks_summer",
    "pay_floor_per_class_hour",
    "leave_refund_min_days",
    "report_due_day",
    "report_reminder_days",
    "complaint_reply_days",
    "junior_homework_at_school_min_percent",
)
# The rules a bureau edits on the profile page (content models and the urban target come
# from the templates).
EDITABLE_RULES = (*VALUE_RULES, "fee_standard", *YES_NO_RULES)

PROFILE_RANGES = (
    ("service_days_per_week", _("Service days a week (Monday-Friday)"), 1, 5),
    ("weekend_days_per_week", _("Weekend service days a week (5+2+1)"), 0, 2),
    ("min_minutes_per_day", _("Minimum minutes a service day"), 1, 600),
    ("evening_study_max_minutes", _("Junior evening study: at most (minutes)"), 1, 300),
    ("vacation_weeks_winter", _("Winter vacation opening weeks"), 0, 6),
    ("vacation_weeks_summer", _("Summer vacation opening weeks"), 0, 9),
    ("leave_refund_min_days", _("A leave is refunded from (service days)"), 1, 100),
    ("report_due_day", _("Monthly report due on (day of the next month)"), 1, 28),
    ("report_reminder_days", _("Monthly report reminder (days before it is due)"), 1, 20),
    ("complaint_reply_days", _("A complaint is replied to within (days)"), 1, 60),
    (
        "junior_homework_at_school_min_percent",
        _("Junior written homework done at school: at least (%)"),
        0,
        100,
    ),
)
PROFILE_AMOUNTS = (("pay_floor_per_class_hour", _("Teacher pay floor per class-hour (yuan)")),)


def profile_values_of(rules: ProfileRules) -> ProfileValues:
    def value(name):
        rule = getattr(rules, name)
        return None if rule is None else rule.value

    fee = rules.fee_standard
    return ProfileValues(
        **{name: value(name) for name in VALUE_RULES},
        **{name: bool(value(name)) for name in YES_NO_RULES},
        fee_mode="" if fee is None else ("none" if fee.value.max_yuan_per_term is None else "max"),
        fee_max_per_term=None if fee is None else fee.value.max_yuan_per_term,
    )


def profile_problems(values: ProfileValues) -> Problems:
    problems = Problems()
    _check_ranges(problems, values, PROFILE_RANGES)
    _check_amounts(problems, values, PROFILE_AMOUNTS)
    if values.fee_mode not in {"", "none", "max"}:
        problems.add("fee_mode_invalid", _("Fee standard: not a valid choice."), field="fee_mode")
    if values.fee_mode == "max" and (
        values.fee_max_per_term is None or values.fee_max_per_term < 0
    ):
        problems.add(
            "fee_ceiling_missing",
            _("Fee standard: enter the ceiling per child per term (yuan)."),
            field="fee_max_per_term",
        )
    return problems


def _bureau_citation(region: Region | None, version: int, note: str) -> Citation:
    name = region.name if region else "模板"
    return Citation(
        seed="bureau",
        where=f"{name}教育局录入(第{version}版)",
        quote=note or "教育局在系统中录入",
    )


def _wanted_rules(values: ProfileValues) -> dict:
    """The rule values `values` asks for, None for a rule the locality does not state."""
    wanted = {name: getattr(values, name) for name in VALUE_RULES}
    wanted.update({name: True if getattr(values, name) else None for name in YES_NO_RULES})
    if values.fee_mode == "":
        wanted["fee_standard"] = None
    else:
        ceiling = values.fee_max_per_term if values.fee_mode == "max" else None
        wanted["fee_standard"] = FeeStandard(ceiling)
    return wanted


@transaction.atomic
def profile_update(
    *, profile: PolicyProfile, actor, values: ProfileValues, note: str
) -> PolicyProfile:
    """Change the editable values of a profile, keep each unchanged rule's citation, and
    append a version. A changed value keeps the seed's citation with a note saying who
    changed it; a new rule cites the bureau's entry. The officer of the profile's own
    region only (a template: a superuser or kehou itself)."""
    if not may_edit_profile(actor, profile):
        raise access.OutOfScope
    problems = profile_problems(values)
    if not note.strip():
        problems.add(
            "note_missing",
            _("Reason for the change: say why, or which notice the change follows."),
            field="note",
        )
    problems.raise_if_any()
    profile = (
        PolicyProfile.objects.select_for_update(of=("self",))
        .select_related("region")
        .get(pk=profile.pk)
    )
    rules = profile_rules(profile)
    version = profile.version + 1
    bureau = _bureau_citation(profile.region, version, note.strip())

    changes = {}
    for name, value in _wanted_rules(values).items():
        old = getattr(rules, name)
        if name == "off_work_time" and value is None and old is not None:
            # The seed states the rule without the time: keep it, time still to be entered.
            if old.value is not None:
                changes[name] = Rule(None, old.cite)
            continue
        if value is None:
            if old is not None:
                changes[name] = None
        elif old is None:
            changes[name] = Rule(value, bureau)
        elif old.value != value:
            who = profile.region.name if profile.region else "管理员"
            changes[name] = Rule(
                value,
                dataclasses.replace(
                    old.cite,
                    note=f"{who}教育局于第{version}版修改:{note.strip()}"[:300],
                ),
            )
    if not changes:
        raise refusal("profile_unchanged", _("Nothing was changed."))
    new_rules = dataclasses.replace(rules, **changes)
    profile.rules = profile_to_dict(new_rules)
    profile.version = version
    profile.save(update_fields=["rules", "version", "updated_at"])
    _append_version(profile, actor, note.strip())
    return profile
