"""Reads of profiles and school plans (SPEC R4, R5, R6).

Functions that take the acting user start from kehou.org.access, so no page can show a
plan or profile outside the user's scope: `access_*` raise Http404 outside it. The
contract reads (`profile_for_school`, `profile_rules`, `plan_facts`, `plan_check`,
`current_plan`) take no user: they are for services, commands and other apps, which
scope before calling them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from kehou.accounts.models import User
from kehou.org import access
from kehou.org.models import Region, School
from kehou.policy.models import (
    PlanContentItem,
    PlanSlot,
    PlanVacationWeek,
    PolicyProfile,
    SchoolPlan,
)
from kehou.policy_rules import (
    Category,
    ContentItem,
    PlanFacts,
    ProfileRules,
    RuleId,
    Shortfall,
    Slot,
    SlotKind,
    TargetResult,
    check_plan,
    urban_target_share,
)
from kehou.policy_rules.serialise import profile_from_dict
from kehou.terms.models import Term

COMPULSORY = range(1, 10)
LIVE_STATUSES = (SchoolPlan.Status.DRAFT, SchoolPlan.Status.PUBLISHED)


# --- contract reads (no user) ------------------------------------------------------------


def _region_codes(region: Region) -> list[str]:
    """The codes from `region` up to the root, nearest first."""
    return [code for code in region.path.split("/") if code][::-1]


def profile_for_region(region: Region) -> PolicyProfile | None:
    """The profile of `region` or of the nearest region above it that has one."""
    codes = _region_codes(region)
    found = {
        p.region.code: p
        for p in PolicyProfile.objects.filter(region__code__in=codes).select_related("region")
    }
    for code in codes:
        if code in found:
            return found[code]
    return None


def profile_for_school(school: School) -> PolicyProfile | None:
    """The profile the school follows: its county's, else its city's, and so on up."""
    return profile_for_region(school.region)


def profile_rules(profile: PolicyProfile) -> ProfileRules:
    return profile_from_dict(profile.rules)


def compulsory_grades(school: School) -> frozenset[int]:
    return frozenset(g for g in school.grades if g in COMPULSORY)


def vacation_weeks(days: int) -> int:
    """A vacation opening period of `days` calendar days counts as this many weeks
    (a Monday–Friday week is one week)."""
    return math.ceil(days / 7)


@dataclass
class PlanParts:
    slots: list[PlanSlot] = field(default_factory=list)
    content: list[PlanContentItem] = field(default_factory=list)
    vacation_weeks: list[PlanVacationWeek] = field(default_factory=list)


def plan_parts(plan_ids: list[int]) -> dict[int, PlanParts]:
    """The slots, content and vacation weeks of many plans, each read in one query."""
    parts: dict[int, PlanParts] = {pk: PlanParts() for pk in plan_ids}
    for model, name in (
        (PlanSlot, "slots"),
        (PlanContentItem, "content"),
        (PlanVacationWeek, "vacation_weeks"),
    ):
        for row in model.objects.filter(plan_id__in=plan_ids).order_by("id"):
            getattr(parts[row.plan_id], name).append(row)
    return parts


def plan_facts(plan: SchoolPlan, parts: PlanParts | None = None) -> PlanFacts:
    """The plan as the compliance core sees it, from its slots, content and vacation
    weeks: `parts` when the caller read them for many plans at once, else the plan's."""
    school = plan.school
    grades = compulsory_grades(school) or frozenset(COMPULSORY)
    if parts is None:
        parts = PlanParts(
            list(plan.slots.all()), list(plan.content.all()), list(plan.vacation_weeks.all())
        )
    slots = []
    for slot in parts.slots:
        lo, hi = slot.grade_from, min(slot.grade_to, 9)
        if lo > hi:
            continue  # senior grades: outside the after-school policy of 双减
        slots.append(
            Slot(
                (lo, hi),
                slot.start,
                slot.end,
                SlotKind(slot.kind),
                frozenset(slot.weekdays) if slot.weekdays else None,
                slot.label,
            )
        )
    content = tuple(
        ContentItem(item.name, Category(item.category))
        for item in parts.content
        if item.category in Category._value2member_map_
    )
    weeks = {"winter": 0, "summer": 0}
    for week in parts.vacation_weeks:
        weeks[week.season] += vacation_weeks((week.end - week.start).days + 1)
    return PlanFacts(
        school=school.name,
        grades=grades,
        service_weekdays=frozenset(w for w in plan.service_weekdays if 0 <= w <= 6),
        slots=tuple(slots),
        content=content,
        homework_minutes_per_day=plan.homework_minutes_per_day,
        club_days_per_week=plan.club_days_per_week,
        vacation_weeks_winter=weeks["winter"],
        vacation_weeks_summer=weeks["summer"],
        pay_per_class_hour_yuan=plan.pay_per_class_hour,
        fee_yuan_per_term=plan.fee_per_term,
        grade12_written_homework=plan.grade12_written_homework,
        junior_homework_at_school_percent=plan.junior_homework_at_school_percent,
        is_urban=school.is_urban,
        service_mode=plan.get_service_mode_display() if plan.service_mode else None,
    )


def plan_check(*, plan: SchoolPlan, profile: PolicyProfile | None = None) -> list[Shortfall]:
    """Every shortfall of `plan` against the profile its school follows ([] = compliant).
    Raises PolicyProfile.DoesNotExist when no region above the school has a profile."""
    profile = profile or profile_for_school(plan.school)
    if profile is None:
        raise PolicyProfile.DoesNotExist(f"{plan.school.region}及其上级地区未设定课后服务政策")
    return check_plan(plan_facts(plan), profile_rules(profile))


def current_plan(*, school: School, term: Term) -> SchoolPlan | None:
    """The published version of the school's plan for the term, else its draft."""
    plans = SchoolPlan.objects.filter(school=school, term=term, status__in=LIVE_STATUSES)
    by_status = {p.status: p for p in plans}
    return by_status.get(SchoolPlan.Status.PUBLISHED) or by_status.get(SchoolPlan.Status.DRAFT)


# --- who may do what -------------------------------------------------------------------

PLAN_READERS = {User.Role.BUREAU, User.Role.SCHOOL_ADMIN, User.Role.TEACHER}


def may_read_plans(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in PLAN_READERS)


def may_edit_profile(user, profile: PolicyProfile) -> bool:
    """A bureau officer edits the profile of their own region (the county's officer the
    county's, the city's officer the city's); templates only a superuser (or kehou
    itself)."""
    if not access.is_acting(user):
        return False
    if user.is_superuser:
        return True
    return (
        user.role == User.Role.BUREAU
        and profile.region_id is not None
        and profile.region_id == user.region_id
    )


def may_adopt_profile(user) -> bool:
    """Whether the user may adopt a template for some region (their own)."""
    return access.is_acting(user) and (
        user.is_superuser or (user.role == User.Role.BUREAU and user.region_id is not None)
    )


def may_adopt_profile_for(user, region: Region) -> bool:
    """A bureau officer adopts for their own region; a superuser (or kehou) for any."""
    if not access.is_acting(user):
        return False
    return user.is_superuser or (
        user.role == User.Role.BUREAU and user.region_id is not None and user.region_id == region.pk
    )


def access_school_for_plans(user: User, school_pk: int) -> School:
    if not may_read_plans(user):
        raise Http404
    return access.access_school(user, school_pk)


def access_plan(user: User, plan_pk: int) -> SchoolPlan:
    """A plan the user may read: its school's admin and teachers, bureau officers above it."""
    if not may_read_plans(user):
        raise Http404
    plan = (
        SchoolPlan.objects.filter(school__in=access.schools_for(user), pk=plan_pk)
        .select_related("school__region", "term__school_year", "created_by", "published_by")
        .first()
    )
    if plan is None:
        raise Http404
    return plan


def access_plan_for_edit(user: User, plan_pk: int) -> SchoolPlan:
    """A plan the user may change: only the school's own admin (or a superuser)."""
    plan = access_plan(user, plan_pk)
    if not access.may_manage_school(user, plan.school):
        raise Http404
    return plan


def access_school_for_plan_edit(user: User, school_pk: int) -> School:
    school = access_school_for_plans(user, school_pk)
    if not access.may_manage_school(user, school):
        raise Http404
    return school


def plan_versions(school: School, term: Term) -> QuerySet[SchoolPlan]:
    return (
        SchoolPlan.objects.filter(school=school, term=term)
        .select_related("created_by", "published_by")
        .order_by("-version")
    )


def plan_with_parts(plan: SchoolPlan) -> SchoolPlan:
    return (
        SchoolPlan.objects.filter(pk=plan.pk)
        .select_related("school__region", "term__school_year", "created_by", "published_by")
        .prefetch_related(
            Prefetch("slots", queryset=PlanSlot.objects.order_by("start", "grade_from", "id")),
            "content",
            "vacation_weeks",
            "makeup_days",
        )
        .get()
    )


def profiles_for(user: User) -> QuerySet[PolicyProfile]:
    """Profiles the user may read: templates; for a bureau officer those of their region,
    the regions above it (which may apply) and below it; for school staff the chain above
    their school."""
    base = PolicyProfile.objects.select_related("region")
    if not user.is_authenticated:
        return base.none()
    if user.is_superuser:
        return base.all()
    templates = Q(region__isnull=True)
    if user.role == User.Role.BUREAU and user.region_id:
        region = user.region
        return base.filter(
            templates
            | Q(region__path__startswith=region.path)
            | Q(region__code__in=_region_codes(region))
        )
    if user.role in PLAN_READERS and user.school_id:
        return base.filter(templates | Q(region__code__in=_region_codes(user.school.region)))
    return base.none()


def access_profile(user: User, profile_pk: int) -> PolicyProfile:
    profile = profiles_for(user).filter(pk=profile_pk).first()
    if profile is None:
        raise Http404
    return profile


def access_profile_for_edit(user: User, profile_pk: int) -> PolicyProfile:
    profile = access_profile(user, profile_pk)
    if not may_edit_profile(user, profile):
        raise Http404
    return profile


def profile_history(profile: PolicyProfile):
    return profile.versions.select_related("changed_by").order_by("-version")


def templates_list() -> QuerySet[PolicyProfile]:
    return PolicyProfile.objects.filter(region__isnull=True).order_by("key")


def access_region_for_adopt(user: User, region_pk: int | None = None) -> Region:
    """The region an officer adopts a template for: their own (a superuser names one)."""
    if not may_adopt_profile(user):
        raise Http404
    if user.is_superuser and region_pk:
        try:
            return Region.objects.get(pk=region_pk)
        except Region.DoesNotExist as error:
            raise Http404 from error
    if user.region_id is None:
        raise Http404
    return user.region


# --- the bureau's compliance table -----------------------------------------------------


@dataclass
class SchoolRow:
    school: School
    plan: SchoolPlan | None
    profile: PolicyProfile | None
    shortfalls: list[Shortfall] = field(default_factory=list)

    @property
    def compliant(self) -> bool:
        return self.plan is not None and self.profile is not None and not self.shortfalls

    @property
    def rule_ids(self) -> set[str]:
        return {str(s.rule) for s in self.shortfalls}


@dataclass
class ComplianceTable:
    term: Term | None
    rows: list[SchoolRow]
    schools_total: int
    with_plan: int
    compliant: int
    without_profile: int
    targets: list[tuple[PolicyProfile, TargetResult]]
    rule_counts: dict[str, int]


def _nearest_profile(region: Region, by_code: dict[str, PolicyProfile]) -> PolicyProfile | None:
    for code in _region_codes(region):
        if code in by_code:
            return by_code[code]
    return None


def compliance_table_for(
    user: User, *, term: Term | None, county: str = "", rule: str = ""
) -> ComplianceTable:
    """Every school in the officer's region with its current plan and shortfalls.

    A fixed number of queries whatever the number of schools: schools, plans, slots,
    content, vacation weeks and profiles are each read once.
    """
    if not may_read_plans(user):
        raise Http404
    return compliance_table(access.schools_for(user), term=term, county=county, rule=rule)


def compliance_table(
    schools: QuerySet[School], *, term: Term | None, county: str = "", rule: str = ""
) -> ComplianceTable:
    """The table for `schools` (already scoped by the caller: a selector or a command)."""
    scoped = schools
    schools = list(schools.select_related("region").order_by("region__code", "code"))
    plans_by_school: dict[int, SchoolPlan] = {}
    if term is not None:
        plans = SchoolPlan.objects.filter(
            term=term, status__in=LIVE_STATUSES, school__in=scoped.values("pk")
        )
        for plan in plans:
            held = plans_by_school.get(plan.school_id)
            if held is None or plan.status == SchoolPlan.Status.PUBLISHED:
                plans_by_school[plan.school_id] = plan
    parts = plan_parts([plan.pk for plan in plans_by_school.values()])
    codes = {code for s in schools for code in _region_codes(s.region)}
    profiles = {
        p.region.code: p
        for p in PolicyProfile.objects.filter(region__code__in=codes).select_related("region")
    }
    rules_cache: dict[int, ProfileRules] = {}

    def rules_of(profile: PolicyProfile) -> ProfileRules:
        if profile.pk not in rules_cache:
            rules_cache[profile.pk] = profile_rules(profile)
        return rules_cache[profile.pk]

    all_rows: list[SchoolRow] = []
    facts_by_profile: dict[int, list[PlanFacts]] = defaultdict(list)
    for school in schools:
        plan = plans_by_school.get(school.pk)
        profile = _nearest_profile(school.region, profiles)
        row = SchoolRow(school=school, plan=plan, profile=profile)
        if plan is not None:
            plan.school = school  # already loaded: no query per plan
            facts = plan_facts(plan, parts[plan.pk])
            if profile is not None:
                row.shortfalls = check_plan(facts, rules_of(profile))
        else:
            # A school without a plan runs no 2+3: it counts against the urban target.
            facts = PlanFacts(
                school=school.name,
                grades=compulsory_grades(school) or frozenset(COMPULSORY),
                service_weekdays=frozenset(),
                is_urban=school.is_urban,
            )
        if profile is not None:
            facts_by_profile[profile.pk].append(facts)
        all_rows.append(row)

    targets = []
    seen = {}
    for row in all_rows:
        if row.profile is not None and row.profile.pk not in seen:
            seen[row.profile.pk] = row.profile
    for pk, profile in seen.items():
        result = urban_target_share(facts_by_profile[pk], rules_of(profile))
        if result is not None:
            targets.append((profile, result))

    rule_counts: dict[str, int] = defaultdict(int)
    for row in all_rows:
        for rule_id in row.rule_ids:
            rule_counts[rule_id] += 1

    rows = all_rows
    if county:
        rows = [r for r in rows if r.school.region.code == county]
    if rule:
        rows = [r for r in rows if rule in r.rule_ids]
    return ComplianceTable(
        term=term,
        rows=rows,
        schools_total=len(all_rows),
        with_plan=sum(1 for r in all_rows if r.plan is not None),
        compliant=sum(1 for r in all_rows if r.compliant),
        without_profile=sum(1 for r in all_rows if r.profile is None),
        targets=targets,
        rule_counts={str(r): rule_counts[str(r)] for r in RuleId if rule_counts.get(str(r))},
    )


def counties_for(user: User) -> QuerySet[Region]:
    return access.regions_for(user).filter(level=Region.Level.COUNTY).order_by("code")
