"""A month's figures per school (月报, R22), computed for many schools at once.

`compute(school_ids, month)` reads the month from the schools' own records in a fixed
number of grouped queries, whatever the number of schools; `refresh_months` writes them
to `SchoolMonth` (one upsert). Definitions:

- a sitting *ran* when its end has passed and it was not cancelled
  (billing's SittingCancellation), as for pay;
- service days: the distinct dates of sittings that ran;
- taking part: the children marked present or late at least once in the month;
- students in school: the children on roll (`Student.is_active`), and those who took
  part in the month and have left since (they were in school that month), so the share
  never passes 100 %; by grade through the class of the month's school year (a child in
  no class that year counts under "none");
- offerings by category: the offerings that had a sitting that ran;
- 2+N: what ran in the month as the compliance core's content items — each offering's
  activity, and the basic services (homework tutoring, sports) the school plan states
  for its plan sittings that ran — read with the one definition of the N
  (`kehou.policy_rules.check.extended_items`) and of the model (`content_problems`
  against 003's "2+N");
- staff: the responsible adults of the sittings that ran, and the sum of their minutes;
  external instructors are those among them who are external or tied to an organisation
  (as `kehou.org.access.is_external_instructor`);
- money: billed and waived from the bills whose period starts in the month
  (`Bill.charged_fen`, charged − total, as the ledger); collected: the live payments
  paid in the month.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, F, FilteredRelation, Q, Sum
from django.utils import timezone

from kehou.lib.months import first_of, month_end
from kehou.lib.school_calendar import school_year_start
from kehou.lib.vocabulary import BASIC_CATEGORIES, Category
from kehou.payroll.selectors import minutes_of
from kehou.policy_rules.check import content_problems, extended_items
from kehou.policy_rules.model import GRADES, ContentItem, PlanFacts
from kehou.policy_rules.profiles.anxi_003 import TWO_PLUS_N
from kehou.reports.models import SchoolMonth

PRIORITY_GROUPS = {
    "low_income": ~Q(low_income_basis=""),
    "left_behind": Q(is_left_behind=True),
    "migrant": Q(is_migrant_child=True),
    "disability": Q(has_disability=True),
}
NO_GRADE = "none"
PRESENT = ("present", "late")

# The figures of a month, as stored on SchoolMonth and frozen in a submitted report.
FIGURE_FIELDS = (
    "service_days",
    "sittings",
    "students_in_school",
    "students_taking_part",
    "marks",
    "marks_present",
    "by_grade",
    "by_priority",
    "offerings_by_category",
    "has_homework_guidance",
    "extended_items",
    "meets_two_plus_n",
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
# Figures that add up over schools (the region's sum).
SUMMED_FIELDS = tuple(
    name
    for name in FIGURE_FIELDS
    if name not in {"by_grade", "by_priority", "offerings_by_category", "extended_items"}
    and name not in {"has_homework_guidance", "meets_two_plus_n"}
)


def _ran(now: dt.datetime) -> Q:
    local = timezone.localtime(now)
    return Q(date__lt=local.date()) | Q(date=local.date(), end__lte=local.time())


def empty_figures() -> dict:
    figures = {name: SchoolMonth._meta.get_field(name).get_default() for name in FIGURE_FIELDS}
    figures["by_priority"] = {
        group: {"in_school": 0, "taking_part": 0} for group in PRIORITY_GROUPS
    }
    return figures


def figures_of(row: SchoolMonth) -> dict:
    """The row's figures as a JSON-ready dict (what a submitted report freezes)."""
    return {name: getattr(row, name) for name in FIGURE_FIELDS}


def _add_grade(figures: dict, grade, *, in_school: int = 0, taking_part: int = 0) -> None:
    cell = figures["by_grade"].setdefault(
        NO_GRADE if grade is None else str(grade), {"in_school": 0, "taking_part": 0}
    )
    cell["in_school"] += in_school
    cell["taking_part"] += taking_part
    figures["students_in_school"] += in_school
    figures["students_taking_part"] += taking_part


def _add_groups(figures: dict, row: dict, column: str) -> None:
    for group in PRIORITY_GROUPS:
        cell = figures["by_priority"].setdefault(group, {"in_school": 0, "taking_part": 0})
        cell[column] += row[group]


def compute(
    school_ids: Iterable[int], month: dt.date, *, now: dt.datetime | None = None
) -> dict[int, dict]:
    """{school id: figures} for `month` (any day of it). A fixed number of queries."""
    from kehou.attendance.models import Attendance
    from kehou.billing.models import Bill
    from kehou.complaints.selectors import complaint_counts
    from kehou.org.models import SchoolYear, Staff, Student
    from kehou.payments.models import Payment
    from kehou.policy.models import PlanContentItem
    from kehou.safety.models import Incident
    from kehou.sittings.models import Sitting
    from kehou.surveys.selectors import satisfaction

    ids = sorted(set(school_ids))
    month = first_of(month)
    last = month_end(month)
    now = now or timezone.now()
    out = {pk: empty_figures() for pk in ids}
    if not ids:
        return out

    ran = Sitting.objects.filter(
        school_id__in=ids, date__gte=month, date__lte=last, cancellation__isnull=True
    ).filter(_ran(now))
    external = Q(responsible__kind=Staff.Kind.EXTERNAL) | Q(responsible__organisation__isnull=False)
    for row in (
        ran.values("school_id")
        .annotate(
            days=Count("date", distinct=True),
            n=Count("pk"),
            staff=Count("responsible", distinct=True),
            external=Count("responsible", distinct=True, filter=external),
        )
        .order_by()
    ):
        figures = out[row["school_id"]]
        figures["service_days"] = row["days"]
        figures["sittings"] = row["n"]
        figures["staff_count"] = row["staff"]
        figures["external_instructors"] = row["external"]
    for row in (
        ran.filter(responsible__isnull=False)
        .values("school_id", "start", "end")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        out[row["school_id"]]["staff_minutes"] += row["n"] * minutes_of(row["start"], row["end"])

    # What ran, as content items: the offerings' activities, and the basic services the
    # plan states for its plan sittings that ran.
    content: dict[int, list[ContentItem]] = defaultdict(list)
    for row in (
        ran.filter(offering__isnull=False)
        .values("school_id", "offering__activity__category", "offering__activity__name")
        .annotate(n=Count("offering", distinct=True))
        .order_by("school_id", "offering__activity__category", "offering__activity__name")
    ):
        category = row["offering__activity__category"]
        by_category = out[row["school_id"]]["offerings_by_category"]
        by_category[category] = by_category.get(category, 0) + row["n"]
        if category in Category._value2member_map_:
            content[row["school_id"]].append(
                ContentItem(row["offering__activity__name"], Category(category))
            )
    plan_ids = ran.filter(offering__isnull=True).values("plan_id")
    for row in (
        PlanContentItem.objects.filter(plan_id__in=plan_ids, category__in=BASIC_CATEGORIES)
        .values("plan__school_id", "name", "category")
        .distinct()
        .order_by("plan__school_id", "category", "name")
    ):
        content[row["plan__school_id"]].append(ContentItem(row["name"], Category(row["category"])))
    for pk, items in content.items():
        # Only the content matters to the content rules; the grades are a placeholder.
        plan = PlanFacts(
            school="", grades=frozenset(GRADES), service_weekdays=frozenset(), content=tuple(items)
        )
        figures = out[pk]
        figures["extended_items"] = extended_items(plan)
        figures["has_homework_guidance"] = any(i.category == Category.HOMEWORK for i in items)
        figures["meets_two_plus_n"] = not content_problems(plan, TWO_PLUS_N)

    # Children: on roll, and taking part (a present or late mark in the month). The mark's
    # own day (the sitting's, copied): no join, and on PostgreSQL only the month's
    # partition is read. Taking part is asked in WHERE, never inside COUNT … FILTER: there
    # PostgreSQL runs the subquery as a semi-join; in a FILTER it re-reads the marks for
    # each child once they no longer fit in work_mem (bench/reports).
    marks = Attendance.objects.filter(school_id__in=ids, day__gte=month, day__lte=last)
    took = Q(pk__in=marks.filter(status__in=PRESENT).values("student_id"))
    year_id = (
        SchoolYear.objects.filter(start_year=school_year_start(month))
        .values_list("pk", flat=True)
        .first()
    )
    students = Student.objects.filter(school_id__in=ids).annotate(
        year_class=FilteredRelation("memberships", condition=Q(memberships__school_year_id=year_id))
    )
    on_roll, taking_part = students.filter(is_active=True), students.filter(took)
    grade = F("year_class__school_class__grade")
    for row in on_roll.values("school_id", grade=grade).annotate(n=Count("pk")).order_by():
        _add_grade(out[row["school_id"]], row["grade"], in_school=row["n"])
    for row in (
        taking_part.values("school_id", "is_active", grade=grade).annotate(n=Count("pk")).order_by()
    ):
        # a child who took part and has left since counts in the month too
        left = 0 if row["is_active"] else row["n"]
        _add_grade(out[row["school_id"]], row["grade"], in_school=left, taking_part=row["n"])
    by_group = {
        group: Count("pk", filter=condition) for group, condition in PRIORITY_GROUPS.items()
    }
    for row in on_roll.values("school_id").annotate(**by_group).order_by():
        _add_groups(out[row["school_id"]], row, "in_school")
    for row in taking_part.values("school_id", "is_active").annotate(**by_group).order_by():
        _add_groups(out[row["school_id"]], row, "taking_part")
        if not row["is_active"]:
            _add_groups(out[row["school_id"]], row, "in_school")
    for row in (
        marks.values("school_id")
        .annotate(n=Count("pk"), present=Count("pk", filter=Q(status__in=PRESENT)))
        .order_by()
    ):
        out[row["school_id"]]["marks"] = row["n"]
        out[row["school_id"]]["marks_present"] = row["present"]

    for row in (
        Incident.objects.filter(
            school_id__in=ids, occurred_at__date__gte=month, occurred_at__date__lte=last
        )
        .values("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        out[row["school_id"]]["incidents"] = row["n"]
    for pk, n in complaint_counts(ids, month, last).items():
        if pk in out:
            out[pk]["complaints"] = n
    for pk, (answers, satisfied) in satisfaction(ids, month, last).items():
        if pk in out:
            out[pk]["satisfaction_answers"] = answers
            out[pk]["satisfaction_satisfied"] = satisfied

    for row in (
        Bill.objects.filter(school_id__in=ids, period_start__gte=month, period_start__lte=last)
        .values("school_id")
        .annotate(charged=Sum("charged_fen"), due=Sum("total_fen"))
        .order_by()
    ):
        out[row["school_id"]]["billed_fen"] = row["charged"] or 0
        out[row["school_id"]]["waived_fen"] = (row["charged"] or 0) - (row["due"] or 0)
    for row in (
        Payment.objects.filter(
            school_id__in=ids, paid_on__gte=month, paid_on__lte=last, voided_at__isnull=True
        )
        .values("school_id")
        .annotate(paid=Sum("amount_fen"))
        .order_by()
    ):
        out[row["school_id"]]["collected_fen"] = row["paid"] or 0
    return out


def refresh_months(
    school_ids: Iterable[int], month: dt.date, *, now: dt.datetime | None = None
) -> int:
    """Compute `month` for the schools and upsert their SchoolMonth rows; returns how many
    rows were written. A fixed number of queries."""
    month = first_of(month)
    now = now or timezone.now()
    computed = compute(school_ids, month, now=now)
    rows = [
        SchoolMonth(school_id=pk, month=month, computed_at=now, **figures)
        for pk, figures in computed.items()
    ]
    if not rows:
        return 0
    SchoolMonth.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["school", "month"],
        update_fields=["computed_at", *FIGURE_FIELDS],
    )
    return len(rows)
