"""Reads of the supervision records (R24), scoped through kehou.org.access.

A bureau officer reads the sheets of their region (and uses those of the regions above
it), and the reviews, rectifications and cases of the schools under it; a school's admin
reads the final reviews of their school (a draft is the bureau's own until finalised).
Published exemplary cases are public. Anything else is a 404.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from kehou.accounts.models import User
from kehou.org import access
from kehou.org.models import School
from kehou.supervision.models import (
    ExemplaryCase,
    Finding,
    Kind,
    Rectification,
    Review,
    ScoringSheet,
)
from kehou.terms.models import Term

PENDING = (Finding.Status.OPEN, Finding.Status.SUBMITTED)


def is_officer(user) -> bool:
    return access.is_acting(user) and (
        user.is_superuser or (user.role == User.Role.BUREAU and bool(user.region_id))
    )


def may_oversee_school(user, school: School) -> bool:
    return access.may_oversee(user, school.region)


def _ancestor_paths(path: str) -> list[str]:
    codes = [c for c in path.split("/") if c]
    return ["/" + "/".join(codes[: n + 1]) + "/" for n in range(len(codes))]


# --------------------------------------------------------------------------- sheets


def sheets_for(user) -> QuerySet[ScoringSheet]:
    """The sheets an officer keeps (their region and below) or may use (regions above)."""
    if not is_officer(user):
        return ScoringSheet.objects.none()
    if user.is_superuser:
        return ScoringSheet.objects.all()
    above = _ancestor_paths(user.region.path)
    return ScoringSheet.objects.filter(
        Q(region__in=access.regions_for(user)) | Q(region__path__in=above)
    ).select_related("region")


def current_sheets_for(user) -> QuerySet[ScoringSheet]:
    return sheets_for(user).filter(is_current=True).prefetch_related("items")


def access_sheet(user, pk: int) -> ScoringSheet:
    return get_object_or_404(sheets_for(user).prefetch_related("items"), pk=pk)


def may_edit_sheet(user, sheet: ScoringSheet) -> bool:
    return sheet.is_current and access.may_oversee(user, sheet.region)


def sheets_for_school(user, school: School, kind: str) -> list[ScoringSheet]:
    """The current sheets of `kind` an officer may score this school on."""
    return [
        sheet
        for sheet in current_sheets_for(user).filter(kind=kind)
        if school.region.path.startswith(sheet.region.path)
    ]


# --------------------------------------------------------------------------- schools, reviews


def access_school_supervision(user, pk: int) -> School:
    """A school whose supervision records `user` reads: the bureau over it, or its admin."""
    school = access.access_school(user, pk)
    if not (may_oversee_school(user, school) or access.may_manage_school(user, school)):
        raise Http404
    return school


def access_school_for_review(user, pk: int) -> School:
    school = access.access_school(user, pk)
    if not may_oversee_school(user, school):
        raise Http404
    return school


def _visible_reviews(user) -> QuerySet[Review]:
    reviews = Review.objects.filter(school__in=access.schools_for(user))
    if is_officer(user):
        return reviews
    if access.is_acting(user) and user.role == User.Role.SCHOOL_ADMIN:
        return reviews.filter(status=Review.Status.FINAL)
    return Review.objects.none()


def school_reviews(user, school: School) -> list[Review]:
    return list(
        _visible_reviews(user)
        .filter(school=school)
        .select_related("term__school_year", "sheet")
        .order_by("-term__school_year__start_year", "-term__semester", "kind")
    )


def access_review(user, pk: int) -> Review:
    return get_object_or_404(
        _visible_reviews(user)
        .select_related("school__region", "term__school_year", "sheet", "recorded_by")
        .prefetch_related(
            "scores__item",
            Prefetch(
                "findings",
                queryset=Finding.objects.prefetch_related(
                    Prefetch(
                        "rectifications",
                        queryset=Rectification.objects.select_related("submitted_by", "decided_by"),
                    )
                ),
            ),
        ),
        pk=pk,
    )


def review_of(user, school: School, term: Term, kind: str) -> Review | None:
    return _visible_reviews(user).filter(school=school, term=term, kind=kind).first()


def access_finding(user, pk: int) -> Finding:
    """A finding of a final review of a school the user reads."""
    finding = get_object_or_404(
        Finding.objects.select_related("review__term__school_year", "school"), pk=pk
    )
    if not _visible_reviews(user).filter(pk=finding.review_id).exists():
        raise Http404
    return finding


def access_rectification(user, pk: int) -> Rectification:
    rectification = get_object_or_404(
        Rectification.objects.select_related("finding__review", "school__region"), pk=pk
    )
    if not may_oversee_school(user, rectification.school):
        raise Http404
    return rectification


@dataclass
class SchoolRow:
    school: School
    reviews: dict = field(default_factory=dict)  # kind -> Review
    open_findings: int = 0
    submitted: int = 0

    @property
    def cells(self) -> list:
        return [(kind, self.reviews.get(kind)) for kind in Kind.values]


def overview(user, term: Term | None) -> list[SchoolRow]:
    """Per school in the officer's scope: its reviews of `term` and its findings still to
    rectify, in three queries whatever the number of schools."""
    if not is_officer(user):
        raise Http404
    schools = list(
        access.schools_for(user).select_related("region").order_by("region__path", "code")
    )
    rows = {s.pk: SchoolRow(school=s) for s in schools}
    if term is not None:
        for review in Review.objects.filter(school__in=rows, term=term).select_related("sheet"):
            rows[review.school_id].reviews[review.kind] = review
    counts = Counter(
        Finding.objects.filter(school__in=rows, status__in=PENDING).values_list(
            "school_id", "status"
        )
    )
    for (school_id, status), n in counts.items():
        if status == Finding.Status.OPEN:
            rows[school_id].open_findings += n
        else:
            rows[school_id].submitted += n
    return list(rows.values())


def pending_rectifications(user) -> QuerySet[Rectification]:
    """Rectifications awaiting the officer's decision."""
    if not is_officer(user):
        return Rectification.objects.none()
    return Rectification.objects.filter(
        school__in=access.schools_for(user), status=Rectification.Status.SUBMITTED
    ).select_related("finding__review", "school")


# --------------------------------------------------------------------------- cases


def cases_for(user) -> QuerySet[ExemplaryCase]:
    """An officer: the cases of every school of the region; a school admin: their own
    school's, whoever wrote them."""
    if is_officer(user):
        schools = access.schools_for(user)
    elif proposes_cases(user):
        schools = School.objects.filter(pk=user.school_id)
    else:
        return ExemplaryCase.objects.none()
    return ExemplaryCase.objects.filter(school__in=schools).select_related("school")


def proposes_cases(user) -> bool:
    """A school admin proposes their school's exemplary cases to the bureau."""
    return (
        access.is_acting(user)
        and user.role == User.Role.SCHOOL_ADMIN
        and user.school_id is not None
    )


def access_case(user, pk: int) -> ExemplaryCase:
    return get_object_or_404(cases_for(user), pk=pk)


def published_cases() -> QuerySet[ExemplaryCase]:
    """Public: the published cases, newest first."""
    return ExemplaryCase.objects.filter(status=ExemplaryCase.Status.PUBLISHED).select_related(
        "school__region"
    )


def published_case(pk: int) -> ExemplaryCase:
    return get_object_or_404(published_cases(), pk=pk)
