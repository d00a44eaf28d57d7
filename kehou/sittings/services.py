"""Generating a school's sittings of a term (R14). Writes only; keyword-only arguments.

The sittings the term should have are computed in kehou.sittings.planning (the published
plan's slots and the menu's offering meetings on the service days of the calendar). Every
refusal happens before anything is written, and the writes run in one transaction:
regeneration keeps every sitting whose roll was taken, leaves unchanged sittings in place
(their ids stay stable), brings changed facts up to date, removes the rest and creates the
missing ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from kehou.org import access
from kehou.org.models import School
from kehou.policy.models import SchoolPlan
from kehou.sittings import planning
from kehou.sittings.models import Sitting
from kehou.sittings.planning import (  # noqa: F401  (the refusals, for callers)
    CalendarNotReady,
    GenerationRefused,
    PlanNotPublished,
    SittingConflict,
)
from kehou.terms.models import Term

BATCH = 1000


@dataclass
class GenerationReport:
    plan: SchoolPlan
    service_days: int = 0
    created: int = 0
    updated: int = 0  # kept in place, their facts brought up to date
    unchanged: int = 0
    kept: int = 0  # the roll was taken: never touched by regeneration
    kept_not_wanted: list[Sitting] = field(default_factory=list)  # of `kept`
    removed: int = 0
    pending_years: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Sittings of the term after generation."""
        return self.created + self.updated + self.unchanged + self.kept

    def summary(self) -> str:
        text = _(
            "%(days)d service days: %(created)d sittings created, %(updated)d updated, "
            "%(unchanged)d unchanged, %(kept)d kept because the roll was taken (%(orphans)d "
            "of them no longer in the plan or the menu), %(removed)d removed."
        ) % {
            "days": self.service_days,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "kept": self.kept,
            "orphans": len(self.kept_not_wanted),
            "removed": self.removed,
        }
        pending = [str(planning.YEAR_UNKNOWN % {"year": y}) for y in self.pending_years]
        return " ".join([text, *pending])


def sittings_generate(*, school: School, term: Term, actor) -> GenerationReport:
    """Generate (or regenerate) the school's sittings of the term: the school's admin, or
    kehou itself (SYSTEM).

    Days in a year whose holidays nobody knows yet are left out, not guessed: the report's
    `pending_years` names those years, and generating again once the bureau entered the
    notice fills them in. Refuses, writing nothing, a term without a published plan
    (PlanNotPublished), a calendar that is not ready (CalendarNotReady) and sittings another
    term of the school already holds (SittingConflict); see kehou.sittings.planning.
    """
    access.require_school_admin(actor, school)
    with transaction.atomic():
        changes = planning.changes_for(school, term, lock=True)
        for start in range(0, len(changes.remove), BATCH):
            Sitting.objects.filter(pk__in=changes.remove[start : start + BATCH]).delete()
        if changes.update:
            fields = [f.removesuffix("_id") for f in planning.UPDATABLE]
            Sitting.objects.bulk_update(changes.update, fields, batch_size=BATCH)
        Sitting.objects.bulk_create(changes.create, batch_size=BATCH)
    return GenerationReport(
        plan=changes.plan,
        service_days=changes.service_days,
        created=len(changes.create),
        updated=len(changes.update),
        unchanged=changes.unchanged,
        kept=len(changes.kept),
        kept_not_wanted=changes.kept_not_wanted,
        removed=len(changes.remove),
        pending_years=changes.pending_years,
    )
