"""The term's budget (经费测算, 002) from the database: a read, never a write.

The sittings: the term's generated sittings (less those the school cancelled) once it
has any; before that, the sittings the plan and the menu would make
(kehou.sittings.planning: the plan's service days × the holiday calendar, each plan slot
and each meeting of each offering of the term's menu, even a draft menu). The plan: the
published one, else the newest draft. Each sitting is grouped by what it is (a plan
slot's kind, an activity's category), its length and who pays it (an external
instructor's agreement), and priced by kehou.money.budget at the school's rates in effect
on the first day of term.

The assumptions, shown and editable on the page (the query string, never stored):
expected children (default: the term's applications not refused or withdrawn), of whom
waived (default: those with a 建档立卡/低保 basis), duty staff per service day (default 1)
and any other subsidy. Income: the fee standard in force on the first day of term
(kehou.billing.selectors.fee_standard_for), its amount and subsidy per unit, and units
per child: a term 1; a month the months the term's service days fall in; a service day
the service days; a class-hour the basic service's class-hours of one grade group
(the plan's regular sittings over its grade groups).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kehou import money
from kehou.billing.models import Covers, FeeStandard
from kehou.billing.selectors import fee_standard_for
from kehou.catalog.models import Menu, Offering
from kehou.core.errors import messages
from kehou.enrollment.models import Application
from kehou.money import budget as pure
from kehou.money import pay
from kehou.org.models import School
from kehou.payroll import selectors
from kehou.policy.models import SchoolPlan
from kehou.sittings import planning
from kehou.sittings.models import Sitting
from kehou.terms.models import Term
from kehou.terms.services import calendar_overrides

MAX_CHILDREN = 100_000
MAX_DUTY_STAFF = 50
MAX_SUBSIDY_FEN = 100_000_000_00


@dataclass
class TermBudget:
    school: School
    term: Term
    source: str = ""  # "generated" or "planned"
    plan: SchoolPlan | None = None
    problems: list[str] = field(default_factory=list)
    rates: object = None  # PayRates in effect
    floor: selectors.Floor | None = None
    standard: FeeStandard | None = None
    units_per_child: Decimal = Decimal(0)
    service_days: int = 0
    result: pure.Budget | None = None
    assumptions: pure.Assumptions | None = None
    defaults: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)


def _plan(school: School, term: Term) -> SchoolPlan | None:
    plans = SchoolPlan.objects.filter(school=school, term=term)
    return (
        plans.filter(status=SchoolPlan.Status.PUBLISHED).first()
        or plans.filter(status=SchoolPlan.Status.DRAFT).order_by("-version").first()
    )


def _planned_sittings(plan: SchoolPlan, school: School, term: Term) -> list[Sitting]:
    plan = SchoolPlan.objects.prefetch_related("slots", "vacation_weeks", "makeup_days").get(
        pk=plan.pk
    )
    schedule = planning.schedule_of(plan, calendar_overrides())
    menu = Menu.objects.filter(school=school, term=term).order_by("-pk").first()
    offerings = (
        Offering.objects.filter(menu=menu).prefetch_related("meetings").order_by("pk")
        if menu
        else []
    )
    return list(planning.wanted_sittings(plan, schedule, offerings).values())


def _category(sitting: Sitting, offerings: dict[int, Offering]) -> str | None:
    if sitting.offering_id is None:
        return None
    return offerings[sitting.offering_id].activity.category


def _groups(sittings: list[Sitting], offerings: dict[int, Offering]) -> list[pure.Group]:
    counter: Counter = Counter()
    for sitting in sittings:
        category = _category(sitting, offerings)
        key = category or sitting.kind
        agreed = None
        if sitting.offering_id is not None:
            instructor = offerings[sitting.offering_id].instructor
            if instructor is not None:
                agreement = selectors.agreement_of(instructor)
                agreed = agreement.per_class_hour if agreement else None
        work = pay.work_of(sitting.kind, category)
        counter[(key, work, selectors.minutes_of(sitting.start, sitting.end), agreed)] += 1
    return [
        pure.Group(key=key, work=work, sittings=n, minutes_each=m, agreed_per_class_hour=a)
        for (key, work, m, a), n in sorted(counter.items(), key=lambda kv: str(kv[0]))
    ]


def _units_per_child(standard: FeeStandard, sittings: list[Sitting], chm: int) -> Decimal:
    days = sorted({s.date for s in sittings})
    if standard.unit == FeeStandard.Unit.TERM:
        return Decimal(1)
    if standard.unit == FeeStandard.Unit.MONTH:
        return Decimal(len({(d.year, d.month) for d in days}))
    if standard.unit == FeeStandard.Unit.SERVICE_DAY:
        return Decimal(len(days))
    regular = [s for s in sittings if s.offering_id is None and s.kind == Sitting.Kind.REGULAR]
    groups = {(s.grade_from, s.grade_to) for s in regular}
    if not groups:
        return Decimal(0)
    minutes = sum(selectors.minutes_of(s.start, s.end) for s in regular)
    return (Decimal(minutes) / chm / len(groups)).quantize(Decimal("0.01"))


def _defaults(school: School, term: Term) -> dict:
    applications = Application.objects.filter(student__school=school, term=term).exclude(
        status__in=[Application.Status.REFUSED, Application.Status.WITHDRAWN]
    )
    return {
        "children": applications.count(),
        "waived": applications.exclude(student__low_income_basis="").count(),
        "duty_staff": 1,
        "other_subsidy": "0",
    }


def parse_assumptions(query, defaults: dict) -> tuple[dict, list[str]]:
    """The assumptions typed on the page (a GET), each bounded; a bad one keeps its default
    and is named."""
    values = dict(defaults)
    problems: list[str] = []

    def whole(name: str, most: int, label: str) -> None:
        text = (query.get(name) or "").strip()
        if not text:
            return
        if not text.isdigit() or int(text) > most:
            problems.append(
                _("%(what)s: give a whole number from 0 to %(most)d.")
                % {"what": label, "most": most}
            )
            return
        values[name] = int(text)

    whole("children", MAX_CHILDREN, _("Expected children"))
    whole("waived", MAX_CHILDREN, _("Of them waived"))
    whole("duty_staff", MAX_DUTY_STAFF, _("Duty staff per service day"))
    text = (query.get("other_subsidy") or "").strip()
    if text:
        try:
            fen = money.fen_of(text)
            if not 0 <= fen <= MAX_SUBSIDY_FEN:
                raise money.MoneyError(text)
            values["other_subsidy"] = text
        except money.MoneyError:
            problems.append(_("Other subsidy: give an amount in yuan, such as 20000."))
    if values["waived"] > values["children"]:
        problems.append(_("More children waived than expected: the waived count is lowered."))
        values["waived"] = values["children"]
    return values, problems


def term_budget(school: School, term: Term, query=None) -> TermBudget:
    """The term's budget with the assumptions of `query` (a QueryDict or a dict)."""
    out = TermBudget(school=school, term=term)
    out.defaults = _defaults(school, term)
    values, out.problems = parse_assumptions(query or {}, out.defaults)
    out.plan = _plan(school, term)
    generated = list(
        Sitting.objects.filter(school=school, term=term, cancellation__isnull=True).order_by(
            "date", "start"
        )
    )
    if generated:
        sittings, out.source = generated, "generated"
    elif out.plan is None:
        out.problems.append(_("The term has no plan yet: the budget starts from the plan."))
        return out
    else:
        try:
            sittings, out.source = _planned_sittings(out.plan, school, term), "planned"
        except ValidationError as error:
            out.problems.extend(messages(error))
            return out
    out.service_days = len({s.date for s in sittings})
    first_day = min((s.date for s in sittings), default=term.start)
    out.rates = selectors.rates_on(school, first_day) or selectors.rates_on(school, term.end)
    if out.rates is None:
        out.problems.append(_("The school has no pay rates yet: set them to price the sittings."))
        return out
    out.floor = selectors.floor_of(school)
    rates = selectors.as_rates(out.rates)
    offering_ids = {s.offering_id for s in sittings if s.offering_id}
    offerings = {
        o.pk: o
        for o in Offering.objects.filter(pk__in=offering_ids).select_related(
            "activity", "instructor"
        )
    }
    out.standard = fee_standard_for(school, first_day, covers=Covers.BASIC)
    fee = None
    if out.standard is not None:
        out.units_per_child = _units_per_child(
            out.standard, sittings, out.standard.class_hour_minutes
        )
        fee = pure.Fee(
            per_unit=out.standard.amount_fen,
            subsidy_per_unit=out.standard.subsidy_fen,
            units_per_child=out.units_per_child,
        )
    out.assumptions = pure.Assumptions(
        children=values["children"],
        waived_children=values["waived"],
        duty_staff_per_day=values["duty_staff"],
        other_subsidy=money.fen_of(values["other_subsidy"]),
    )
    out.result = pure.estimate(
        _groups(sittings, offerings),
        rates=rates,
        floor=out.floor.fen,
        duty_days=out.service_days,
        assumptions=out.assumptions,
        fee=fee,
    )
    return out
