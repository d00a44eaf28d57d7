"""Reads for the sittings pages and commands (R14), scoped through kehou.org.access
(`access_school_sittings` raises Http404 outside the scope)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from kehou.accounts.models import User
from kehou.core.labels import weekday_label
from kehou.org import access
from kehou.org.models import School
from kehou.policy.models import PlanSlot, SchoolPlan
from kehou.sittings.models import Sitting
from kehou.terms.models import Term

SITTING_ROLES = {User.Role.SCHOOL_ADMIN, User.Role.TEACHER}


def access_school_sittings(user: User, school_pk: int) -> School:
    """The school whose sittings `user` may see: its admin and teachers (superusers too).
    Everyone else gets 404."""
    school = access.access_school(user, school_pk)
    if not (user.is_superuser or user.role in SITTING_ROLES):
        raise Http404
    return school


def terms_for_school(school: School) -> list[Term]:
    """Terms the school has a plan or sittings for, newest first."""
    ids = set(SchoolPlan.objects.filter(school=school).values_list("term_id", flat=True))
    ids |= set(Sitting.objects.filter(school=school).values_list("term_id", flat=True).distinct())
    return list(Term.objects.filter(pk__in=ids).select_related("school_year"))


def published_plan(school: School, term: Term) -> SchoolPlan | None:
    return SchoolPlan.objects.filter(
        school=school, term=term, status=SchoolPlan.Status.PUBLISHED
    ).first()


def draft_plan(school: School, term: Term) -> SchoolPlan | None:
    return SchoolPlan.objects.filter(
        school=school, term=term, status=SchoolPlan.Status.DRAFT
    ).first()


def term_sittings(school: School, term: Term) -> QuerySet[Sitting]:
    return Sitting.objects.filter(school=school, term=term).order_by(
        "date", "start", "grade_from", "kind"
    )


@dataclass
class SittingDay:
    date: dt.date
    timetable_weekday: int
    is_makeup_day: bool
    in_vacation: bool
    sittings: list[Sitting]

    @property
    def weekday_name(self) -> str:
        return weekday_label(self.date.weekday())

    @property
    def timetable_name(self) -> str:
        return weekday_label(self.timetable_weekday)


@dataclass
class SittingMonth:
    month: dt.date  # first of the month
    days: list[SittingDay]
    sitting_count: int


def sittings_by_month(sittings: QuerySet[Sitting]) -> list[SittingMonth]:
    by_date: dict[dt.date, list[Sitting]] = defaultdict(list)
    kinds = dict(PlanSlot.Kind.choices)
    for sitting in sittings:
        sitting.kind_name = kinds.get(sitting.kind, sitting.kind)
        by_date[sitting.date].append(sitting)
    months: dict[dt.date, SittingMonth] = {}
    for day, items in sorted(by_date.items()):
        first = items[0]
        month = months.setdefault(day.replace(day=1), SittingMonth(day.replace(day=1), [], 0))
        month.days.append(
            SittingDay(
                day,
                first.timetable_weekday,
                any(s.is_makeup_day for s in items),
                any(s.in_vacation for s in items),
                items,
            )
        )
        month.sitting_count += len(items)
    return list(months.values())
