"""A month's figures as the pages show them: labelled rows in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from kehou.core.labels import category_label, grade_label
from kehou.reports.figures import NO_GRADE


@dataclass
class ShareRow:
    label: str
    in_school: int
    taking_part: int

    @property
    def percent(self) -> int | None:
        if not self.in_school:
            return None
        return round(100 * self.taking_part / self.in_school)


def priority_label(group: str) -> str:
    return {
        "low_income": _("Low-income families (建档立卡, 低保)"),
        "left_behind": _("Left-behind children (留守)"),
        "migrant": _("Migrant workers' children (随迁)"),
        "disability": _("Children with disabilities"),
    }.get(group, group)


def _grade_key(code: str) -> tuple[int, int]:
    return (1, 0) if code == NO_GRADE else (0, int(code))


def by_grade(figures: dict) -> list[ShareRow]:
    rows = []
    for code in sorted(figures.get("by_grade") or {}, key=_grade_key):
        counts = figures["by_grade"][code]
        label = _("Not in a class this school year") if code == NO_GRADE else grade_label(int(code))
        rows.append(ShareRow(label, counts.get("in_school", 0), counts.get("taking_part", 0)))
    return rows


def by_priority(figures: dict) -> list[ShareRow]:
    return [
        ShareRow(priority_label(group), c.get("in_school", 0), c.get("taking_part", 0))
        for group, c in (figures.get("by_priority") or {}).items()
    ]


def by_category(figures: dict) -> list[tuple[str, int]]:
    return [
        (category_label(code), n)
        for code, n in (figures.get("offerings_by_category") or {}).items()
    ]


def total(figures: dict) -> ShareRow:
    return ShareRow(
        _("All children"),
        figures.get("students_in_school", 0),
        figures.get("students_taking_part", 0),
    )


def shown(figures: dict | None) -> dict | None:
    """The figures and their labelled tables, for the month page and the region."""
    if figures is None:
        return None
    return {
        "f": figures,
        "total": total(figures),
        "by_grade": by_grade(figures),
        "by_priority": by_priority(figures),
        "by_category": by_category(figures),
        "staff_hours": round((figures.get("staff_minutes") or 0) / 60, 1),
    }
