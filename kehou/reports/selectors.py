"""Reads of the monthly report (月报, R22), for a user; the read API other apps use.

- `school_months(user, school, months=…)`: a school's months with their figures and
  report state (the school admin's list);
- `month_view(user, school, month)`: one month: the computed figures, the report in
  force and every version;
- `region_table(user, month)`: every school in the officer's scope with its state
  (submitted on time, late, not yet submitted, not due), its figures (the submitted
  ones where there are, else the computed ones) and the region's sum;
- `region_xlsx(user, month)`: 003's form (城区义务教育阶段学校课后服务开展情况汇总表) as
  .xlsx bytes, urban schools only.

Each reads a fixed number of queries whatever the number of schools.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kehou.accounts.models import User
from kehou.lib.months import first_of, month_end, previous_month
from kehou.org import access
from kehou.org.models import School
from kehou.reports import deadlines
from kehou.reports.figures import (
    PRIORITY_GROUPS,
    SUMMED_FIELDS,
    empty_figures,
    figures_of,
)
from kehou.reports.models import MonthlyReport, SchoolMonth


class State:
    ON_TIME = "on_time"  # submitted by the due day (or no due day)
    SUBMITTED_LATE = "submitted_late"
    LATE = "late"  # not submitted, the due day has passed
    OPEN = "open"  # the month has ended, not submitted, not yet due (or no due day)
    NOT_DUE = "not_due"  # the month has not ended


STATES = (State.ON_TIME, State.SUBMITTED_LATE, State.LATE, State.OPEN, State.NOT_DUE)


def state_label(state: str) -> str:
    return {
        State.ON_TIME: _("Submitted"),
        State.SUBMITTED_LATE: _("Submitted late"),
        State.LATE: _("Late: not submitted"),
        State.OPEN: _("Not yet submitted"),
        State.NOT_DUE: _("Month not over"),
    }[state]


def state_of(
    month: dt.date, report: MonthlyReport | None, due: dt.date | None, today: dt.date
) -> str:
    if report is not None:
        return State.SUBMITTED_LATE if report.is_late else State.ON_TIME
    if month_end(month) >= today:
        return State.NOT_DUE
    if due is not None and today > due:
        return State.LATE
    return State.OPEN


# --------------------------------------------------------------------------- scope


def may_see_region(user: User) -> bool:
    return user.is_authenticated and (
        user.is_superuser or (user.role == User.Role.BUREAU and user.region_id is not None)
    )


def access_school_reports(user: User, school_pk: int) -> School:
    """The school whose reports `user` reads: its admin, a bureau officer above it."""
    school = access.access_school(user, school_pk)
    if access.may_manage_school(user, school) or access.may_oversee(user, school.region):
        return school
    raise Http404


def may_submit(user: User, school: School) -> bool:
    return access.may_manage_school(user, school)


def access_report(user: User, pk: int) -> MonthlyReport:
    report = MonthlyReport.objects.select_related("school__region").filter(pk=pk).first()
    if report is None:
        raise Http404
    access_school_reports(user, report.school_id)
    return report


# --------------------------------------------------------------------------- one school


@dataclass
class MonthRow:
    month: dt.date
    state: str
    due_on: dt.date | None
    computed: SchoolMonth | None
    report: MonthlyReport | None

    @property
    def state_label(self) -> str:
        return state_label(self.state)

    @property
    def figures(self) -> dict | None:
        if self.report is not None:
            return self.report.figures
        return figures_of(self.computed) if self.computed is not None else None


def recent_months(today: dt.date, count: int = 12) -> list[dt.date]:
    months = [first_of(today)]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    return months


def school_months(
    user: User, school: School, *, months: list[dt.date] | None = None
) -> list[MonthRow]:
    """The school's months (the last twelve by default, newest first)."""
    access_school_reports(user, school.pk)
    today = timezone.localdate()
    months = months or recent_months(today)
    school = School.objects.select_related("region").get(pk=school.pk)
    rules = deadlines.rules_by_school([school])[school.pk]
    computed = {
        row.month: row for row in SchoolMonth.objects.filter(school=school, month__in=months)
    }
    reports = {
        r.month: r
        for r in MonthlyReport.objects.filter(school=school, month__in=months).exclude(
            status=MonthlyReport.Status.SUPERSEDED
        )
    }
    rows = []
    for month in months:
        due = deadlines.due_on(rules, month)
        report = reports.get(month)
        rows.append(
            MonthRow(
                month=month,
                state=state_of(month, report, due, today),
                due_on=due,
                computed=computed.get(month),
                report=report,
            )
        )
    return rows


@dataclass
class MonthView:
    school: School
    row: MonthRow
    versions: list[MonthlyReport]
    may_submit: bool

    @property
    def ended(self) -> bool:
        return self.row.state != State.NOT_DUE


def month_view(user: User, school: School, month: dt.date) -> MonthView:
    month = first_of(month)
    row = school_months(user, school, months=[month])[0]
    versions = list(
        MonthlyReport.objects.filter(school=school, month=month)
        .select_related("submitted_by")
        .order_by("-version")
    )
    return MonthView(school=school, row=row, versions=versions, may_submit=may_submit(user, school))


# --------------------------------------------------------------------------- the region


@dataclass
class RegionRow:
    school: School
    state: str
    due_on: dt.date | None
    report: MonthlyReport | None
    figures: dict
    source: str  # "submitted" | "computed" | "" (nothing computed yet)

    @property
    def state_label(self) -> str:
        return state_label(self.state)

    @property
    def runs_service(self) -> bool:
        return bool(self.figures.get("service_days"))


@dataclass
class RegionTable:
    month: dt.date
    rows: list[RegionRow]
    total: dict = field(default_factory=dict)

    @property
    def late(self) -> list[RegionRow]:
        return [r for r in self.rows if r.state in {State.LATE, State.SUBMITTED_LATE}]

    @property
    def counts(self) -> dict[str, int]:
        found = dict.fromkeys(STATES, 0)
        for row in self.rows:
            found[row.state] += 1
        return found

    @property
    def schools_with_service(self) -> int:
        return sum(1 for r in self.rows if r.runs_service)

    @property
    def two_plus_n(self) -> int:
        return sum(1 for r in self.rows if r.figures.get("meets_two_plus_n"))


def region_total(figure_rows: list[dict]) -> dict:
    total = {name: 0 for name in SUMMED_FIELDS}
    total["by_priority"] = {g: {"in_school": 0, "taking_part": 0} for g in PRIORITY_GROUPS}
    total["by_grade"] = {}
    for figures in figure_rows:
        for name in SUMMED_FIELDS:
            total[name] += figures.get(name) or 0
        for group, counts in (figures.get("by_priority") or {}).items():
            into = total["by_priority"].setdefault(group, {"in_school": 0, "taking_part": 0})
            for key in ("in_school", "taking_part"):
                into[key] += counts.get(key, 0)
        for grade, counts in (figures.get("by_grade") or {}).items():
            into = total["by_grade"].setdefault(grade, {"in_school": 0, "taking_part": 0})
            for key in ("in_school", "taking_part"):
                into[key] += counts.get(key, 0)
    return total


def region_table(user: User, month: dt.date, *, urban_only: bool = False) -> RegionTable:
    """Every school the officer oversees, with its state and figures for `month`."""
    if not may_see_region(user):
        raise Http404
    month = first_of(month)
    today = timezone.localdate()
    schools = access.schools_for(user).select_related("region").order_by("region__path", "code")
    if urban_only:
        schools = schools.filter(is_urban=True)
    schools = list(schools)
    ids = [s.pk for s in schools]
    rules = deadlines.rules_by_school(schools)
    computed = {
        row.school_id: row for row in SchoolMonth.objects.filter(school_id__in=ids, month=month)
    }
    reports = {
        r.school_id: r
        for r in MonthlyReport.objects.filter(school_id__in=ids, month=month).exclude(
            status=MonthlyReport.Status.SUPERSEDED
        )
    }
    rows = []
    for school in schools:
        report = reports.get(school.pk)
        due = deadlines.due_on(rules[school.pk], month)
        if report is not None:
            figures, source = report.figures, "submitted"
        elif school.pk in computed:
            figures, source = figures_of(computed[school.pk]), "computed"
        else:
            figures, source = empty_figures(), ""
        rows.append(
            RegionRow(
                school=school,
                state=state_of(month, report, due, today),
                due_on=due,
                report=report,
                figures=figures,
                source=source,
            )
        )
    return RegionTable(month=month, rows=rows, total=region_total([r.figures for r in rows]))


# --------------------------------------------------------------------------- 003's form

FORM_TITLE = "城区义务教育阶段学校课后服务开展情况汇总表"
FORM_HEADERS = (
    "序号",
    "城区学校名称",
    "城区开展课后服务学校数（所）",
    "城区学校在校学生数（人）",
    "城区参与课后服务学生数（人）",
    "城区学校开展“2+N”课后服务对应模式栏请填“是”，并填写具体服务项目名称",
    "开展“N”项“拓展服务”，具体服务项目名称",
)
FORM_NOTES = (
    "说明：1.城区指县城关所在地，乡镇及以下学校暂不纳入统计。",
    "2.“2+N”课后服务模式，“2”指“基本服务”，包括作业辅导和体育活动；“N”指“拓展服务”，"
    "包括科普、文艺、劳动、阅读等服务项目数量。",
)


def source_label(row: RegionRow) -> str:
    if row.source == "submitted":
        return _("Submitted (version %(version)s)") % {"version": row.report.version}
    if row.source == "computed":
        return _("Computed, not submitted")
    return _("Not computed yet")


def region_xlsx(user: User, month: dt.date) -> bytes:
    """003's summary form for `month`: the urban schools of the officer's scope (乡镇及以下
    学校暂不纳入统计), one row each, the sum last; a last column says whether a row's
    figures are the submitted ones or computed by kehou."""
    from kehou.core.spreadsheets import Sheet, build_xlsx

    table = region_table(user, month, urban_only=True)
    rows = []
    for number, row in enumerate(table.rows, start=1):
        figures = row.figures
        rows.append(
            [
                number,
                row.school.name,
                1 if row.runs_service else 0,
                figures.get("students_in_school", 0),
                figures.get("students_taking_part", 0),
                "是" if figures.get("meets_two_plus_n") else "否",
                "、".join(figures.get("extended_items") or []),
                source_label(row),
            ]
        )
    total = table.total
    totals = [
        "",
        "合计",
        table.schools_with_service,
        total["students_in_school"],
        total["students_taking_part"],
        f"是：{table.two_plus_n}所",
        "",
        "",
    ]
    region = getattr(user, "region", None)
    title = [FORM_TITLE, f"{region.name if region else ''} {table.month:%Y年%m月}".strip()]
    sheet = Sheet(
        name=f"{table.month:%Y-%m}",
        headers=[*FORM_HEADERS, _("Figures from")],
        rows=rows,
        title=title,
        totals=totals,
        footer=FORM_NOTES,
    )
    return build_xlsx([sheet])
