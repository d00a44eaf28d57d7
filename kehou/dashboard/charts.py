"""The dashboard's chart data, as JSON for `json_script`, drawn by dashboard/charts.js.

Each chart is a dict: `id` (of its element), `kind` ("bar", "hbar", "line"),
`categories`, `series` ([{name, data}]), and where it applies `unit` ("%" caps the axis
at 100), `target` ({value, name}: a line across the chart), `urls` (one per category: a
click opens it), `months` (the categories are months: some labels may be skipped).
Labels are translated here, so the script holds no words.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from kehou.catalog.models import PRIORITY_GROUP_LABELS
from kehou.core.labels import category_label, grade_label
from kehou.dashboard.labels import OVERDUE, complaint_state_label
from kehou.dashboard.selectors import (
    Figures,
    ModelRate,
    MonthPoint,
    Overview,
    Part,
    SchoolDashboard,
    SchoolLine,
    Target,
    _percent,
)
from kehou.reports.figures import NO_GRADE


def month_label(month) -> str:
    return f"{month:%Y-%m}"


def yuan(fen: int) -> float:
    """For a chart's axis only; pages show amounts with `yuan`."""
    return round(fen / 100, 2)


def rate_name(rate: ModelRate) -> str:
    if rate.code == "content_month":
        return _("%(model)s this month (as run)") % {"model": rate.name}
    return rate.name


def _chart(id_, kind, categories, series, **extra) -> dict:
    return {"id": id_, "kind": kind, "categories": categories, "series": series, **extra}


def _parts_chart(id_, kind, parts: list[tuple[str, Part]], **extra) -> dict:
    return _chart(
        id_,
        kind,
        [label for label, _part in parts],
        [{"name": _("Taking part %"), "data": [p.percent for _label, p in parts]}],
        unit="%",
        **extra,
    )


def grade_name(code: str) -> str:
    if code == NO_GRADE:
        return _("Not in a class this school year")
    return grade_label(int(code))


def grade_parts(by_grade: dict[str, Part]) -> list[tuple[str, Part]]:
    """(label, part) in the order given (`selectors.in_grade_order`)."""
    return [(grade_name(code), part) for code, part in by_grade.items()]


def priority_parts(by_priority: dict, everyone: Part | None = None) -> list[tuple[str, Part]]:
    parts = [(str(PRIORITY_GROUP_LABELS[g]), p) for g, p in by_priority.items()]
    if everyone is not None:
        parts.append((_("All children"), everyone))
    return parts


def coverage(o: Overview) -> dict:
    return _chart(
        "chart-coverage",
        "hbar",
        [_("Schools running the service"), _("Children taking part")],
        [{"name": _("Share %"), "data": [o.coverage_percent, o.figures.students.percent]}],
        unit="%",
        target={"value": 100, "name": _("Full coverage (全覆盖)")},
    )


def urban_rural(o: Overview) -> dict:
    return _chart(
        "chart-urban",
        "bar",
        [_("Urban"), _("Rural")],
        [
            {
                "name": _("Schools running %"),
                "data": [
                    _percent(o.urban.running, o.urban_schools),
                    _percent(o.rural.running, o.rural_schools),
                ],
            },
            {
                "name": _("Taking part %"),
                "data": [o.urban.students.percent, o.rural.students.percent],
            },
        ],
        unit="%",
    )


def by_school(lines: list[SchoolLine]) -> dict:
    return _chart(
        "chart-schools",
        "hbar",
        [line.name for line in lines],
        [{"name": _("Taking part %"), "data": [line.students.percent or 0 for line in lines]}],
        unit="%",
        urls=[reverse("dashboard:school", args=[line.pk]) for line in lines],
    )


def models_chart(rates: list[ModelRate], targets: list[Target]) -> dict:
    categories = [rate_name(r) for r in rates] + [
        _("%(model)s, urban schools") % {"model": t.model} for t in targets
    ]
    data = [r.percent for r in rates] + [t.percent for t in targets]
    extra = {}
    if targets:
        extra["target"] = {
            "value": targets[0].required_percent,
            "name": _("Urban target %(percent)d %%") % {"percent": targets[0].required_percent},
        }
    return _chart(
        "chart-models",
        "bar",
        categories,
        [{"name": _("Schools meeting it %"), "data": data}],
        unit="%",
        **extra,
    )


def _each(points: list[MonthPoint], value) -> list:
    """`value(figures)` for each month, None (a gap in the line) for a month without
    figures."""
    return [value(p.figures) if p.figures.rows else None for p in points]


def trend_chart(id_, points: list[MonthPoint], schools: int | None = None) -> dict:
    series = [{"name": _("Taking part %"), "data": _each(points, lambda f: f.students.percent)}]
    if schools:
        series.insert(
            0,
            {
                "name": _("Schools running %"),
                "data": _each(points, lambda f: _percent(f.running, schools)),
            },
        )
    series.append(
        {"name": _("Satisfied %"), "data": _each(points, lambda f: f.satisfaction_percent)}
    )
    return _chart(
        id_, "line", [month_label(p.month) for p in points], series, unit="%", months=True
    )


def money_chart(id_, points: list[MonthPoint]) -> dict:
    return _chart(
        id_,
        "bar",
        [month_label(p.month) for p in points],
        [
            {"name": _("Billed (yuan)"), "data": _each(points, lambda f: yuan(f.billed_fen))},
            {
                "name": _("Collected (yuan)"),
                "data": _each(points, lambda f: yuan(f.collected_fen)),
            },
            {"name": _("Waived (yuan)"), "data": _each(points, lambda f: yuan(f.waived_fen))},
        ],
        months=True,
    )


def complaint_rows(by_state: dict[str, int]) -> list[tuple[str, int]]:
    return [(complaint_state_label(state), n) for state, n in by_state.items()]


def bars_height(bars: int) -> int:
    """Pixels for a horizontal bar chart of `bars` bars, readable on a phone."""
    return max(160, 60 + 26 * bars)


def complaints_chart(id_, by_state: dict[str, int]) -> dict:
    return _chart(
        id_,
        "bar",
        [complaint_state_label(state) for state in by_state if state != OVERDUE],
        [
            {
                "name": _("Complaints"),
                "data": [n for state, n in by_state.items() if state != OVERDUE],
            }
        ],
    )


def overview_charts(o: Overview) -> list[dict]:
    if o.month is None:
        return []
    figures: Figures = o.figures
    return [
        coverage(o),
        _parts_chart("chart-grades", "bar", grade_parts(figures.by_grade)),
        urban_rural(o),
        _parts_chart(
            "chart-priority", "hbar", priority_parts(figures.by_priority, figures.students)
        ),
        by_school(o.lowest),
        models_chart(o.rates, o.targets),
        complaints_chart("chart-complaints", o.complaints_by_state),
        money_chart("chart-money", o.trend),
        trend_chart("chart-trend", o.trend, o.schools),
    ]


def school_charts(d: SchoolDashboard) -> list[dict]:
    if d.row is None:
        return []
    points = d.points
    offerings = d.offerings
    return [
        trend_chart("chart-school-trend", points),
        _parts_chart("chart-school-grades", "bar", grade_parts(d.by_grade)),
        _parts_chart("chart-school-priority", "hbar", priority_parts(d.by_priority, d.students)),
        _chart(
            "chart-school-offerings",
            "hbar",
            [category_label(code) for code, _n in offerings],
            [{"name": _("Offerings"), "data": [n for _code, n in offerings]}],
        ),
        complaints_chart("chart-school-complaints", d.complaints_by_state),
        money_chart("chart-school-money", points),
    ]
