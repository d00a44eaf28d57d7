"""What the public may read about a school's after-school service (SPEC R7, 公开透明).

No login, so nothing here goes through kehou.org.access: instead every value is picked
on purpose and only these reach a template — the school's own facts, its published plan
for the term, its leading group (names and posts) and, once its menu is out, the
offerings with the instructor's name. Never a child, a guardian or anybody's phone.

One source of times: the page shows the plan's slots, and the service guide lists each
offering's meetings under the slot that holds them (weekday, time and every grade of the
offering inside the slot). A meeting no slot holds is listed apart, as outside the plan's
times, never under a slot, so the plan and the guide cannot contradict each other.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehou.catalog.models import OfferingMeeting
from kehou.catalog.selectors import OfferingRow, published_offerings
from kehou.core.labels import category_label, grades_label, weekday_label, weekdays_label
from kehou.lib.vocabulary import PLAN_CATEGORIES
from kehou.org.models import LeadershipMember, Region, School
from kehou.policy.models import PlanContentItem, PlanSlot, PolicyProfile, SchoolPlan
from kehou.policy.selectors import profile_for_school, profile_rules
from kehou.policy_rules import ProfileRules
from kehou.terms.models import Term
from kehou.terms.selectors import current_term, terms

BASIC = ("homework", "sports")
# The plan's choices, worded for families.
SLOT_KIND_LABELS = {
    "regular": gettext_lazy("After-school service"),
    "extended_care": gettext_lazy("Extended care, on request"),
    "evening_study": gettext_lazy("Evening study"),
    "boarding": gettext_lazy("Boarders' evening service"),
}
SERVICE_MODE_LABELS = {
    "flexible_leaving": gettext_lazy(
        "Flexible leaving: children go home at the time their family chose"
    ),
    "extended_dismissal": gettext_lazy(
        "Extended dismissal: all children leave together at the end"
    ),
}
SEASON_LABELS = {
    "winter": gettext_lazy("Winter vacation"),
    "summer": gettext_lazy("Summer vacation"),
}


@dataclass
class GuideEntry:
    """An offering of the service guide with the meetings shown where it stands."""

    offering: OfferingRow
    meetings: list[str]  # ["周二 15:40–17:10", "周四 15:40–17:10"]


@dataclass
class SlotRow:
    grades: str
    kind: str
    days: str
    start: datetime.time
    end: datetime.time
    label: str
    guide: list[GuideEntry] = field(default_factory=list)  # the offerings inside it


@dataclass
class ContentGroup:
    category: str
    label: str
    items: list[str]
    is_basic: bool


@dataclass
class PublicPlan:
    plan: SchoolPlan
    service_days: str
    slots: list[SlotRow]
    content: list[ContentGroup]
    vacation_weeks: list[str]
    fee: str
    service_mode: str = ""
    extended_count: int = 0


@dataclass
class PublicSchoolPage:
    school: School
    term: Term | None
    plan: PublicPlan | None
    leadership: list[LeadershipMember]
    offerings: list[OfferingRow] = field(default_factory=list)
    # Meetings of published offerings that no slot of the plan holds.
    outside: list[GuideEntry] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)  # for the term switcher


def profile_rules_of(profile: PolicyProfile) -> ProfileRules | None:
    """The profile's rules, or None when they cannot be read (the page still shows)."""
    try:
        return profile_rules(profile)
    except (ValueError, KeyError, TypeError):
        return None


def _fee_text(plan: SchoolPlan, profile: PolicyProfile | None) -> str:
    if plan.fee_per_term is not None and plan.fee_per_term > 0:
        amount = f"{plan.fee_per_term.normalize():f}"
        return _("%(amount)s yuan per child per term") % {"amount": amount}
    rules = profile_rules_of(profile) if profile is not None else None
    standard = rules.fee_standard if rules is not None else None
    if standard is not None and standard.value.max_yuan_per_term is None:
        return _("No fee standard has been issued yet: no fee is charged")
    if plan.fee_per_term == Decimal(0):
        return _("Free")
    return _("Not stated")


KIND_ORDER = ["regular", "extended_care", "boarding", "evening_study"]


def _slot_order(slot: PlanSlot) -> tuple:
    """Weekday service by grade first, then extended care, boarders, evening study; slots
    held only at the weekend last."""
    weekend_only = slot.weekdays is not None and all(d >= 5 for d in slot.weekdays)
    kind = KIND_ORDER.index(slot.kind) if slot.kind in KIND_ORDER else len(KIND_ORDER)
    return (weekend_only, kind, slot.grade_from, slot.grade_to, slot.start)


def _slot_days(slot: PlanSlot, plan: SchoolPlan) -> list[int]:
    return slot.weekdays if slot.weekdays is not None else plan.service_weekdays


def _public_plan(plan: SchoolPlan, profile: PolicyProfile | None) -> PublicPlan:
    slots = [
        SlotRow(
            grades=grades_label(slot.grade_from, slot.grade_to),
            kind=str(SLOT_KIND_LABELS.get(slot.kind, slot.get_kind_display())),
            days=weekdays_label(_slot_days(slot, plan)),
            start=slot.start,
            end=slot.end,
            label=slot.label,
        )
        for slot in sorted(plan.slots.all(), key=_slot_order)
    ]
    groups: dict[str, ContentGroup] = {}
    for item in plan.content.all():
        group = groups.get(item.category)
        if group is None:
            group = groups[item.category] = ContentGroup(
                category=item.category,
                label=str(category_label(item.category)),
                items=[],
                is_basic=item.category in BASIC,
            )
        if item.name not in group.items:
            group.items.append(item.name)
    order = list(PLAN_CATEGORIES)
    content = sorted(
        groups.values(), key=lambda g: order.index(g.category) if g.category in order else 99
    )
    extended = sum(
        len(g.items) for g in content if not g.is_basic and g.category not in ("tutoring", "other")
    )
    weeks = [
        _("%(season)s: %(start)s to %(end)s")
        % {
            "season": SEASON_LABELS.get(week.season, week.get_season_display()),
            "start": f"{week.start:%Y-%m-%d}",
            "end": f"{week.end:%Y-%m-%d}",
        }
        for week in plan.vacation_weeks.all()
    ]
    return PublicPlan(
        plan=plan,
        service_days=weekdays_label(plan.service_weekdays),
        slots=slots,
        content=content,
        vacation_weeks=weeks,
        fee=_fee_text(plan, profile),
        service_mode=str(SERVICE_MODE_LABELS.get(plan.service_mode, plan.service_mode)),
        extended_count=extended,
    )


def published_plan(*, school: School, term: Term) -> SchoolPlan | None:
    return (
        SchoolPlan.objects.filter(school=school, term=term, status=SchoolPlan.Status.PUBLISHED)
        .prefetch_related(
            Prefetch("slots", queryset=PlanSlot.objects.order_by("grade_from", "start")),
            Prefetch("content", queryset=PlanContentItem.objects.order_by("id")),
            "vacation_weeks",
        )
        .first()
    )


def _holds(slot: PlanSlot, plan: SchoolPlan, meeting, grade_from: int, grade_to: int) -> bool:
    """Whether the slot holds the meeting: its weekday, its whole time, and the grades."""
    return (
        meeting.weekday in _slot_days(slot, plan)
        and slot.start <= meeting.start
        and meeting.end <= slot.end
        and slot.grade_from <= grade_to
        and grade_from <= slot.grade_to
    )


def _meetings_text(meetings) -> list[str]:
    return [f"{weekday_label(m.weekday)} {m.start:%H:%M}–{m.end:%H:%M}" for m in meetings]


def place_in_slots(
    plan: SchoolPlan, slots: list[SlotRow], offerings: list[OfferingRow]
) -> list[GuideEntry]:
    """Put each offering's meetings under the slots of `slots` (in `_slot_order`) that
    hold them; return the offerings with meetings no slot holds. A meeting is held only
    when, for every grade of the offering, a slot for that grade holds its weekday and
    its whole time; it is then listed under each such slot."""
    ordered = sorted(plan.slots.all(), key=_slot_order)
    meetings: dict[int, list] = {}
    grades: dict[int, tuple[int, int]] = {}
    rows = OfferingMeeting.objects.filter(offering_id__in=[o.pk for o in offerings]).values_list(
        "offering_id", "offering__grade_from", "offering__grade_to", "weekday", "start", "end"
    )
    for pk, grade_from, grade_to, weekday, start, end in rows.order_by("weekday", "start"):
        meetings.setdefault(pk, []).append(_Meeting(weekday, start, end))
        grades[pk] = (grade_from, grade_to)
    outside: list[GuideEntry] = []
    for offering in offerings:
        inside: dict[int, list] = {}
        apart = []
        grade_from, grade_to = grades.get(offering.pk, (0, 0))
        for meeting in meetings.get(offering.pk, []):
            holding = [
                i
                for i, slot in enumerate(ordered)
                if _holds(slot, plan, meeting, grade_from, grade_to)
            ]
            covered = all(
                any(ordered[i].grade_from <= g <= ordered[i].grade_to for i in holding)
                for g in range(grade_from, grade_to + 1)
            )
            if holding and covered:
                for i in holding:
                    inside.setdefault(i, []).append(meeting)
            else:
                apart.append(meeting)
        for i, held in inside.items():
            slots[i].guide.append(GuideEntry(offering, _meetings_text(held)))
        if apart or offering.pk not in meetings:
            outside.append(GuideEntry(offering, _meetings_text(apart)))
    return outside


@dataclass(frozen=True)
class _Meeting:
    weekday: int
    start: datetime.time
    end: datetime.time


def public_school_page(
    code: str, *, term: Term | None = None, today: datetime.date | None = None
) -> PublicSchoolPage:
    """The public page of the school with this 10-digit code for `term` (the current term
    without one); 404 for an unknown code."""
    school = get_object_or_404(
        School.objects.select_related("region", "region__parent", "central_school"), code=code
    )
    term = term or current_term(today)
    plan = published_plan(school=school, term=term) if term else None
    public_plan = _public_plan(plan, profile_for_school(school)) if plan else None
    offerings = published_offerings(school=school, term=term) if plan else []
    outside = place_in_slots(plan, public_plan.slots, offerings) if offerings else []
    published_terms = set(
        SchoolPlan.objects.filter(school=school, status=SchoolPlan.Status.PUBLISHED).values_list(
            "term_id", flat=True
        )
    )
    return PublicSchoolPage(
        school=school,
        term=term,
        plan=public_plan,
        leadership=list(school.leadership.all()),
        offerings=offerings,
        outside=outside,
        terms=[t for t in terms() if t.pk in published_terms or t == term],
    )


@dataclass
class CountySchools:
    county: Region
    schools: list[School]
    published: int = 0


def schools_by_county(*, today: datetime.date | None = None) -> tuple[Term | None, list]:
    """Every school, by county, each marked whether its plan for the current term is out."""
    term = current_term(today)
    published = set()
    if term is not None:
        published = set(
            SchoolPlan.objects.filter(term=term, status=SchoolPlan.Status.PUBLISHED).values_list(
                "school_id", flat=True
            )
        )
    counties: dict[int, CountySchools] = {}
    schools = School.objects.select_related("region", "region__parent").order_by(
        "region__code", "code"
    )
    for school in schools.only(
        "code", "name", "school_type", "region__code", "region__name", "region__parent__name"
    ):
        entry = counties.get(school.region_id)
        if entry is None:
            entry = counties[school.region_id] = CountySchools(county=school.region, schools=[])
        school.has_published_plan = school.pk in published
        entry.published += school.has_published_plan
        entry.schools.append(school)
    return term, list(counties.values())
