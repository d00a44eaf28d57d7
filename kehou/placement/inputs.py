"""Build the pure inputs of kehou.allocation from the database (read only).

One query per table, whatever the number of children, so a 3,000-child school loads in a
fraction of a second. The k limit of a menu counts EXTENDED offerings only (SPEC R11), so the
inputs come in two parts over the same lottery:

- the main run: ranked extended offerings, at most k per child, plus the guaranteed fallback
  (the menu's `is_fallback` homework tutoring) for every child left with nothing;
- the basic run: ranked basic offerings (homework tutoring, sports, evening study, extended
  care), not limited by k, over the seats left after the main run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kehou.allocation import Child, Offering
from kehou.catalog.models import Menu, priority_tier, student_priority_groups
from kehou.catalog.models import Offering as OfferingRow
from kehou.catalog.services import buckets_of
from kehou.enrollment.models import Application, Choice, Enrollment
from kehou.org.selectors import classes_in_year

OTHERS = "others"


@dataclass
class Inputs:
    menu: Menu
    applications: dict[int, Application]  # by student id (= the core's child id)
    children: list[Child]  # main run: ranked extended offerings
    basic_children: list[Child]  # basic run: ranked basic offerings
    offerings: list[Offering]  # extended + fallback offerings, free seats
    basic_offerings: list[Offering]  # basic offerings (fallback included), free seats
    fallback: list[int]
    rows: dict[int, OfferingRow]
    family_rank: dict[int, dict[int, int]]  # student -> offering -> the family's rank
    groups: dict[str, dict[int, object]] = field(default_factory=dict)
    grades: dict[int, int] = field(default_factory=dict)


def load_inputs(menu: Menu) -> Inputs:
    term = menu.term
    applications = {
        a.student_id: a
        for a in Application.objects.filter(
            term=term, student__school=menu.school_id, status=Application.Status.APPROVED
        ).select_related("student")
    }
    rows = {
        o.pk: o
        for o in OfferingRow.objects.filter(menu=menu)
        .select_related("activity")
        .prefetch_related("meetings")
        .order_by("pk")
    }
    # Seats already held (placed by the school, FCFS) are not offered again.
    held = {}
    for offering_id in Enrollment.objects.filter(
        offering__menu=menu, status=Enrollment.Status.ACTIVE
    ).values_list("offering_id", flat=True):
        held[offering_id] = held.get(offering_id, 0) + 1

    def pure(o: OfferingRow) -> Offering:
        return Offering(
            id=o.pk,
            capacity=max(o.capacity - max(o.taken, held.get(o.pk, 0)), 0),
            grades=(o.grade_from, o.grade_to),
            meetings=buckets_of((m.weekday, m.start, m.end) for m in o.meetings.all()),
        )

    extended = {pk for pk, o in rows.items() if o.activity.is_extended and not o.is_fallback}
    fallback = [pk for pk, o in rows.items() if o.is_fallback]
    basic = {pk for pk in rows if pk not in extended}

    memberships = classes_in_year(list(applications), term.school_year_id)

    ranked: dict[int, list[tuple[int, int]]] = {sid: [] for sid in applications}
    app_student = {a.pk: sid for sid, a in applications.items()}
    for app_id, offering_id, rank in Choice.objects.filter(
        application__in=[a.pk for a in applications.values()]
    ).values_list("application_id", "offering_id", "rank"):
        if offering_id in rows:
            ranked[app_student[app_id]].append((rank, offering_id))

    tiers = menu.priority_tiers
    children, basic_children = [], []
    family_rank = {}
    groups: dict[str, dict[int, object]] = {"priority_group": {}, "grade": {}, "class": {}}
    grades = {}
    for sid in sorted(applications):
        student = applications[sid].student
        school_class = memberships.get(sid)
        grade = school_class.grade if school_class else 0
        own_groups = student_priority_groups(student)
        tier = priority_tier(own_groups, tiers)
        order = [o for _, o in sorted(ranked[sid])]
        family_rank[sid] = {o: r for r, o in sorted(ranked[sid])}
        children.append(
            Child(id=sid, grade=grade, tier=tier, choices=[o for o in order if o in extended])
        )
        basic_children.append(
            Child(id=sid, grade=grade, tier=tier, choices=[o for o in order if o in basic])
        )
        grades[sid] = grade
        groups["priority_group"][sid] = own_groups or [OTHERS]
        groups["grade"][sid] = str(grade) if grade else "?"
        groups["class"][sid] = (
            f"{school_class.grade}-{school_class.number}" if school_class else "?"
        )
    return Inputs(
        menu=menu,
        applications=applications,
        children=children,
        basic_children=basic_children,
        offerings=[pure(rows[pk]) for pk in sorted(extended | set(fallback))],
        basic_offerings=[pure(rows[pk]) for pk in sorted(basic)],
        fallback=fallback,
        rows=rows,
        family_rank=family_rank,
        groups=groups,
        grades=grades,
    )
