"""The dashboard's figures (SPEC R23), read from the figures kehou computed already.

Months come from `kehou.reports.models.SchoolMonth` (one row per school and month), the
5+2 / 5+2+1 / content-model results and the urban 2+3 target from the policy compliance
table, complaints by state from `kehou.complaints.selectors.counts_by_state`, satisfaction
over the term from `kehou.surveys.selectors.satisfaction`. Nothing is recomputed here.

Every read is a fixed number of queries whatever the number of schools: the month's
figures are summed in the database (with the grade and priority breakdowns), grouped by
urban and rural; the schools listed are the lowest `LOWEST` by participation.

Who sees what: a bureau officer their region's schools, a school admin their own school
(their own version of the dashboard), a superuser everything; everyone else a 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    FloatField,
    Q,
    QuerySet,
)
from django.db.models.functions import Cast, NullIf
from django.http import Http404
from django.utils import timezone

from kehou.accounts.models import User
from kehou.catalog.models import PRIORITY_GROUPS
from kehou.complaints.selectors import counts_by_state
from kehou.dashboard.aggregates import json_sum, total
from kehou.lib.months import add_months, month_end, parse_month
from kehou.org import access
from kehou.org.models import School
from kehou.policy.selectors import ComplianceTable, SchoolRow, compliance_table, profile_rules
from kehou.policy_rules import RuleId
from kehou.reports.figures import NO_GRADE
from kehou.reports.models import SchoolMonth
from kehou.surveys.selectors import satisfaction
from kehou.terms.models import Term
from kehou.terms.selectors import current_term

# SchoolMonth.by_grade's keys: "1" … "12", and NO_GRADE for children in no class.
GRADE_KEYS = (*(str(grade) for grade in range(1, 13)), NO_GRADE)
PARTS = ("in_school", "taking_part")
LOWEST = 20  # schools shown in the participation-by-school chart
MONTHS_SHOWN = 24  # in the month selector
TREND_MONTHS = 12

SUMMED = (
    "service_days",
    "sittings",
    "students_in_school",
    "students_taking_part",
    "marks",
    "marks_present",
    "staff_count",
    "staff_minutes",
    "external_instructors",
    "incidents",
    "complaints",
    "satisfaction_answers",
    "satisfaction_satisfied",
    "billed_fen",
    "collected_fen",
    "waived_fen",
)

# The compliance rules that make up each model, as the compliance check names them.
FIVE_TWO = frozenset({RuleId.SERVICE_DAYS, RuleId.MIN_MINUTES})
WEEKEND = frozenset({RuleId.WEEKEND_DAYS})
CONTENT = frozenset({RuleId.CONTENT_MODEL})


# --------------------------------------------------------------------------- scope


def may_see_dashboard(user) -> bool:
    if not access.is_acting(user) or not isinstance(user, User):
        return False
    if user.is_superuser:
        return True
    if user.role == User.Role.BUREAU:
        return user.region_id is not None
    return user.role == User.Role.SCHOOL_ADMIN and user.school_id is not None


def sees_region(user: User) -> bool:
    """Whether the user's dashboard is a region's (else it is their school's)."""
    return may_see_dashboard(user) and (user.is_superuser or user.role == User.Role.BUREAU)


def schools_in_scope(user: User) -> QuerySet[School]:
    if not may_see_dashboard(user):
        raise Http404
    return access.schools_for(user)


def access_school_dashboard(user: User, school_pk: int) -> School:
    if not may_see_dashboard(user):
        raise Http404
    return access.access_school(user, school_pk)


# --------------------------------------------------------------------------- months


def month_asked(raw: str | None) -> dt.date | None:
    """The month a page's `?month=2026-10` names; None without one; 404 for anything else."""
    month = parse_month(raw)
    if raw and month is None:
        raise Http404
    return month


def months_with_figures(schools: QuerySet[School]) -> list[dt.date]:
    """The months (newest first) for which any of `schools` has figures."""
    return list(
        SchoolMonth.objects.filter(school__in=schools.values("pk"))
        .values_list("month", flat=True)
        .distinct()
        .order_by("-month")[:MONTHS_SHOWN]
    )


def term_of_month(month: dt.date | None, today: dt.date) -> Term | None:
    """The term of the month shown: the one running at its end (or today, in the month
    that is still going)."""
    if month is None:
        return current_term(today)
    return current_term(min(month_end(month), today))


# --------------------------------------------------------------------------- figures


@dataclass
class Part:
    """Children in school and taking part (marked present or late at least once)."""

    in_school: int = 0
    taking_part: int = 0

    def __add__(self, other: Part) -> Part:
        return Part(self.in_school + other.in_school, self.taking_part + other.taking_part)

    @property
    def percent(self) -> float | None:
        if not self.in_school:
            return None
        return round(100 * self.taking_part / self.in_school, 1)


@dataclass
class Figures:
    """The summed SchoolMonth figures of some schools for a month."""

    rows: int = 0  # schools with figures
    running: int = 0  # of which ran the service (service days > 0)
    meets_two_plus_n: int = 0  # running schools whose month met "2+N"
    sums: dict[str, int] = field(default_factory=dict)
    by_grade: dict[str, Part] = field(default_factory=dict)  # in grade order
    by_priority: dict[str, Part] = field(default_factory=dict)

    def __getattr__(self, name: str) -> int:
        if name in SUMMED:
            return self.__dict__.get("sums", {}).get(name, 0)
        raise AttributeError(name)

    @property
    def students(self) -> Part:
        return Part(self.students_in_school, self.students_taking_part)

    @property
    def satisfaction_percent(self) -> float | None:
        return _percent(self.satisfaction_satisfied, self.satisfaction_answers)

    def add(self, other: Figures) -> Figures:
        return Figures(
            rows=self.rows + other.rows,
            running=self.running + other.running,
            meets_two_plus_n=self.meets_two_plus_n + other.meets_two_plus_n,
            sums={k: self.sums.get(k, 0) + other.sums.get(k, 0) for k in SUMMED},
            by_grade=in_grade_order(_merge(self.by_grade, other.by_grade)),
            by_priority=in_group_order(_merge(self.by_priority, other.by_priority)),
        )


def _merge(a: dict[str, Part], b: dict[str, Part]) -> dict[str, Part]:
    return {key: a.get(key, Part()) + b.get(key, Part()) for key in {*a, *b}}


def in_grade_order(parts: dict[str, Part]) -> dict[str, Part]:
    """Grades "1" … "12", then the children in no class (`NO_GRADE`)."""
    return {key: parts[key] for key in GRADE_KEYS if key in parts}


def in_group_order(parts: dict[str, Part]) -> dict[str, Part]:
    return {key: parts[key] for key in PRIORITY_GROUPS if key in parts}


def _percent(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return round(100 * part / whole, 1)


def _counts() -> dict:
    return {
        "rows": Count("pk"),
        "running": Count("pk", filter=Q(service_days__gt=0)),
        "two_plus_n": Count("pk", filter=Q(service_days__gt=0, meets_two_plus_n=True)),
        **{name: total(name) for name in SUMMED},
    }


def _breakdowns() -> dict:
    exprs = {}
    for grade in GRADE_KEYS:
        for part in PARTS:
            exprs[f"g{grade}_{part}"] = json_sum("by_grade", grade, part)
    for group in PRIORITY_GROUPS:
        for part in PARTS:
            exprs[f"p_{group}_{part}"] = json_sum("by_priority", group, part)
    return exprs


def _figures(values: dict) -> Figures:
    by_grade = {}
    for grade in GRADE_KEYS:
        part = Part(values.get(f"g{grade}_in_school", 0), values.get(f"g{grade}_taking_part", 0))
        if part.in_school or part.taking_part:
            by_grade[grade] = part
    by_priority = {}
    for group in PRIORITY_GROUPS:
        part = Part(values.get(f"p_{group}_in_school", 0), values.get(f"p_{group}_taking_part", 0))
        if part.in_school or part.taking_part:
            by_priority[group] = part
    return Figures(
        rows=values.get("rows", 0),
        running=values.get("running", 0),
        meets_two_plus_n=values.get("two_plus_n", 0),
        sums={name: values.get(name) or 0 for name in SUMMED},
        by_grade=by_grade,
        by_priority=by_priority,
    )


def month_figures_by_urban(schools: QuerySet[School], month: dt.date) -> dict[bool, Figures]:
    """The month's figures of urban (True) and rural (False) schools, in one query."""
    rows = (
        SchoolMonth.objects.filter(school__in=schools.values("pk"), month=month)
        .values("school__is_urban")
        .annotate(**_counts(), **_breakdowns())
        .order_by()
    )
    found = {row["school__is_urban"]: _figures(row) for row in rows}
    return {True: found.get(True, Figures()), False: found.get(False, Figures())}


@dataclass
class MonthPoint:
    month: dt.date
    figures: Figures


def trend(schools: QuerySet[School], month: dt.date) -> list[MonthPoint]:
    """The summed figures of the `TREND_MONTHS` months up to `month`, one query; a month
    without figures is an empty point so the line keeps its calendar."""
    first = add_months(month, -(TREND_MONTHS - 1))
    rows = (
        SchoolMonth.objects.filter(
            school__in=schools.values("pk"), month__gte=first, month__lte=month
        )
        .values("month")
        .annotate(**_counts())
        .order_by("month")
    )
    found = {row["month"]: _figures(row) for row in rows}
    months = [add_months(first, n) for n in range(TREND_MONTHS)]
    return [MonthPoint(m, found.get(m, Figures())) for m in months]


@dataclass
class SchoolLine:
    pk: int
    name: str
    county: str
    is_urban: bool
    service_days: int | None  # None: no figures for the month
    students: Part

    @property
    def running(self) -> bool:
        return bool(self.service_days)


def schools_by_participation(schools: QuerySet[School], month: dt.date) -> QuerySet[School]:
    """Every school of `schools` with its month's figures (none when it has no row), the
    lowest participation first (schools without figures before them)."""
    return (
        School.objects.filter(pk__in=schools.values("pk"))
        .annotate(this_month=FilteredRelation("months", condition=Q(months__month=month)))
        .annotate(
            m_days=F("this_month__service_days"),
            m_in=F("this_month__students_in_school"),
            m_taking=F("this_month__students_taking_part"),
        )
        .annotate(m_rate=Cast("m_taking", FloatField()) / NullIf(Cast("m_in", FloatField()), 0.0))
        .select_related("region")
        .order_by(F("m_rate").asc(nulls_first=True), "code")
    )


def school_line(school: School) -> SchoolLine:
    """A row of `schools_by_participation` as a line."""
    return SchoolLine(
        pk=school.pk,
        name=school.name,
        county=school.region.name,
        is_urban=school.is_urban,
        service_days=school.m_days,
        students=Part(school.m_in or 0, school.m_taking or 0),
    )


# --------------------------------------------------------------------------- models


@dataclass
class ModelRate:
    """How many of the schools whose profile asks for a model meet it."""

    code: str  # "5+2", "5+2+1", "content", "content_month"
    name: str  # the model's own name: "5+2", "2+N", "30+X"
    applicable: int = 0
    meeting: int = 0

    @property
    def percent(self) -> float | None:
        return _percent(self.meeting, self.applicable)


@dataclass
class Target:
    """A region's urban target (003: 2+3 in at least 80 % of the county seat's schools)."""

    locality: str
    model: str
    urban_schools: int
    qualifying: int
    percent: float
    required_percent: int
    meets: bool
    short_schools: tuple[str, ...]


def model_rates(rows: list[SchoolRow]) -> list[ModelRate]:
    """5+2, 5+2+1 (where a profile has a weekend day) and the content model (2+N, 30+X)
    from the compliance table's rows: a school meets a model when it has a plan and the
    check finds no shortfall on that model's rules. A school whose profile does not state
    the model is not counted; one without a plan counts as not meeting it."""
    five_two = ModelRate("5+2", "5+2")
    five_two_one = ModelRate("5+2+1", "5+2+1")
    content_names: list[str] = []
    content = ModelRate("content", "")
    cache: dict[int, object] = {}
    for row in rows:
        if row.profile is None:
            continue
        if row.profile.pk not in cache:
            cache[row.profile.pk] = profile_rules(row.profile)
        rules = cache[row.profile.pk]
        failed = row.rule_ids
        if rules.service_days_per_week is not None or rules.min_minutes_per_day is not None:
            five_two.applicable += 1
            meets = row.plan is not None and not (failed & FIVE_TWO)
            five_two.meeting += meets
            if rules.weekend_days_per_week is not None and rules.weekend_days_per_week.value:
                five_two_one.applicable += 1
                five_two_one.meeting += meets and not (failed & WEEKEND)
        if rules.content_models is not None:
            for model in rules.content_models.value:
                if model.name not in content_names:
                    content_names.append(model.name)
            content.applicable += 1
            content.meeting += row.plan is not None and not (failed & CONTENT)
    content.name = " / ".join(content_names)
    return [rate for rate in (five_two, five_two_one, content) if rate.applicable]


def month_rate(figures: Figures) -> ModelRate:
    """ "2+N" as the month's sittings ran it (SchoolMonth.meets_two_plus_n), of the
    schools that ran the service."""
    return ModelRate("content_month", "2+N", figures.running, figures.meets_two_plus_n)


def targets(table: ComplianceTable) -> list[Target]:
    found = []
    for profile, result in table.targets:
        rules = profile_rules(profile)
        found.append(
            Target(
                locality=rules.locality or str(profile.region),
                model=rules.urban_target.value.model.name if rules.urban_target else "",
                urban_schools=result.urban_schools,
                qualifying=result.qualifying,
                percent=float(result.share_percent),
                required_percent=result.required_percent,
                meets=result.meets,
                short_schools=result.short_schools,
            )
        )
    return found


# --------------------------------------------------------------------------- other apps


def complaints_now(school_ids: list[int]) -> dict[str, int]:
    """The schools' complaints by state now (closed included), and "overdue" of them;
    empty when there is none at all."""
    found = counts_by_state(school_ids)
    return found if any(found.values()) else {}


def satisfaction_over(school_ids: list[int], since: dt.date, until: dt.date) -> Part:
    """(answers, satisfied) summed over the schools, as a Part: in_school = answers."""
    answers = satisfied = 0
    for got, happy in satisfaction(school_ids, since, until).values():
        answers += got
        satisfied += happy
    return Part(answers, satisfied)


# --------------------------------------------------------------------------- pages


@dataclass
class Overview:
    month: dt.date | None
    months: list[dt.date]
    term: Term | None
    schools: int
    urban_schools: int
    urban: Figures
    rural: Figures
    lowest: list[SchoolLine]
    rates: list[ModelRate]
    targets: list[Target]
    satisfaction: Part  # in_school = answers, taking_part = satisfied, over the term
    satisfaction_since: dt.date | None
    satisfaction_until: dt.date | None
    complaints_by_state: dict[str, int]
    trend: list[MonthPoint]

    @property
    def figures(self) -> Figures:
        return self.urban.add(self.rural)

    @property
    def rural_schools(self) -> int:
        return self.schools - self.urban_schools

    @property
    def coverage_percent(self) -> float | None:
        return _percent(self.figures.running, self.schools)


def _satisfaction_range(term: Term | None, month: dt.date | None, today: dt.date):
    if term is not None:
        until = min(term.end, today, month_end(month) if month else today)
        return term.start, until
    if month is not None:
        return month, min(month_end(month), today)
    return None, None


def overview(user: User, *, month: dt.date | None = None, today: dt.date | None = None) -> Overview:
    """The dashboard of `user`'s scope for `month` (default: the last month with
    figures)."""
    scope = schools_in_scope(user)
    today = today or timezone.localdate()
    months = months_with_figures(scope)
    month = month or (months[0] if months else None)
    term = term_of_month(month, today)
    table = compliance_table(scope, term=term)
    ids = [row.school.pk for row in table.rows]
    by_urban = {True: Figures(), False: Figures()}
    lowest: list[SchoolLine] = []
    points: list[MonthPoint] = []
    if month is not None:
        by_urban = month_figures_by_urban(scope, month)
        lowest = [school_line(s) for s in schools_by_participation(scope, month)[:LOWEST]]
        points = trend(scope, month)
    since, until = _satisfaction_range(term, month, today)
    happy = satisfaction_over(ids, since, until) if since and until >= since else Part()
    rates = model_rates(table.rows)
    if month is not None:
        rates.append(month_rate(by_urban[True].add(by_urban[False])))
    return Overview(
        month=month,
        months=months,
        term=term,
        schools=len(table.rows),
        urban_schools=sum(1 for row in table.rows if row.school.is_urban),
        urban=by_urban[True],
        rural=by_urban[False],
        lowest=lowest,
        rates=rates,
        targets=targets(table),
        satisfaction=happy,
        satisfaction_since=since,
        satisfaction_until=until,
        complaints_by_state=complaints_now(ids),
        trend=points,
    )


@dataclass
class SchoolDashboard:
    school: School
    month: dt.date | None
    months: list[dt.date]
    term: Term | None
    row: SchoolMonth | None  # the month's figures
    history: list[SchoolMonth]  # up to `TREND_MONTHS` months up to the month, oldest first
    compliance: SchoolRow | None
    rates: list[ModelRate]
    targets: list[Target]  # the target of the school's region, for context
    satisfaction: Part
    satisfaction_since: dt.date | None
    satisfaction_until: dt.date | None
    complaints_by_state: dict[str, int]

    @property
    def by_grade(self) -> dict[str, Part]:
        return in_grade_order(parts_of(self.row.by_grade if self.row else {}))

    @property
    def by_priority(self) -> dict[str, Part]:
        return in_group_order(parts_of(self.row.by_priority if self.row else {}))

    @property
    def students(self) -> Part:
        row = self.row
        return Part(row.students_in_school, row.students_taking_part) if row else Part()

    @property
    def offerings(self) -> list[tuple[str, int]]:
        """(category code, offerings running) of the month, most first."""
        found = self.row.offerings_by_category if self.row else {}
        return sorted(found.items(), key=lambda item: (-item[1], item[0]))

    @property
    def points(self) -> list[MonthPoint]:
        """The school's months as trend points."""
        return [
            MonthPoint(
                row.month,
                Figures(
                    rows=1,
                    running=int(row.service_days > 0),
                    meets_two_plus_n=int(row.meets_two_plus_n),
                    sums={name: getattr(row, name) for name in SUMMED},
                ),
            )
            for row in self.history
        ]


def parts_of(breakdown: dict) -> dict[str, Part]:
    """A SchoolMonth breakdown ({key: {"in_school": n, "taking_part": n}}) as Parts."""
    return {
        str(key): Part(int(value.get("in_school", 0)), int(value.get("taking_part", 0)))
        for key, value in breakdown.items()
        if isinstance(value, dict)
    }


def school_dashboard(
    user: User, school: School, *, month: dt.date | None = None, today: dt.date | None = None
) -> SchoolDashboard:
    """One school's own dashboard (the caller obtained `school` through
    `access_school_dashboard`)."""
    today = today or timezone.localdate()
    rows = list(
        SchoolMonth.objects.filter(school=school).order_by("-month")[: max(MONTHS_SHOWN, 12)]
    )
    months = [row.month for row in rows]
    month = month or (months[0] if months else None)
    row = next((r for r in rows if r.month == month), None)
    history = []
    if month is not None:
        first = add_months(month, -(TREND_MONTHS - 1))
        history = sorted((r for r in rows if first <= r.month <= month), key=lambda r: r.month)
    term = term_of_month(month, today)
    table = compliance_table(School.objects.filter(pk=school.pk), term=term)
    since, until = _satisfaction_range(term, month, today)
    happy = satisfaction_over([school.pk], since, until) if since and until >= since else Part()
    rates = model_rates(table.rows)
    if row is not None:
        ran = int(row.service_days > 0)
        rates.append(ModelRate("content_month", "2+N", ran, int(ran and row.meets_two_plus_n)))
    return SchoolDashboard(
        school=school,
        month=month,
        months=months,
        term=term,
        row=row,
        history=history,
        compliance=table.rows[0] if table.rows else None,
        rates=rates,
        targets=targets(table),
        satisfaction=happy,
        satisfaction_since=since,
        satisfaction_until=until,
        complaints_by_state=complaints_now([school.pk]),
    )
