"""The staff record's .xlsx: a school's table (one row per teacher, then a sheet per
teacher by month) and one teacher's record by month, for titles and awards."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kehou.core.spreadsheets import Sheet, build_xlsx
from kehou.money import pay
from kehou.staffrecords.selectors import Record, YearTable


def work_names() -> dict:
    return {
        pay.Work.CLASS: _("Activity classes"),
        pay.Work.TUTORING: _("Homework tutoring"),
        pay.Work.CLUB: _("Club sessions"),
    }


def summary_headers() -> list[str]:
    names = work_names()
    headers = [_("Name"), _("Kind of staff"), _("Sittings"), _("Hours"), _("Class-hours")]
    for work in names.values():
        headers += [
            _("%(work)s: sittings") % {"work": work},
            _("%(work)s: hours") % {"work": work},
        ]
    return headers + [_("Duty days"), _("Ratings"), _("Mean rating")]


def summary_row(record: Record) -> list:
    row = [
        record.staff.name,
        record.staff.get_kind_display(),
        record.total.sittings,
        record.total.hours,
        record.total.shown_class_hours,
    ]
    for work in work_names():
        row += [record.by_work[work].sittings, record.by_work[work].hours]
    return row + [record.duty_days, record.ratings, record.mean_rating]


def month_headers() -> list[str]:
    return [_("Month"), _("Sittings"), _("Hours"), _("Class-hours"), _("Duty days")]


def month_rows(table: YearTable, record: Record) -> list[list]:
    rows = []
    for month in table.months:
        tally = record.by_month.get(month)
        duty = record.duty_by_month.get(month, 0)
        if tally is None and not duty:
            continue
        rows.append(
            [
                f"{month:%Y-%m}",
                tally.sittings if tally else 0,
                tally.hours if tally else 0,
                tally.shown_class_hours if tally else 0,
                duty,
            ]
        )
    return rows


def _title(table: YearTable, extra: str = "") -> list[str]:
    year = f"{table.start_year}-{table.start_year + 1}"
    head = _("After-school service record, school year %(year)s") % {"year": year}
    return [f"{table.school.name} · {head}" + (f" · {extra}" if extra else "")]


def _person_sheet(table: YearTable, record: Record) -> Sheet:
    totals = [
        _("Total"),
        record.total.sittings,
        record.total.hours,
        record.total.shown_class_hours,
        record.duty_days,
    ]
    return Sheet(
        name=record.staff.name,
        title=_title(table, record.staff.name),
        headers=month_headers(),
        rows=month_rows(table, record),
        totals=totals,
    )


def school_workbook(table: YearTable) -> bytes:
    sheets = [
        Sheet(
            name=_("Staff"),
            title=_title(table),
            headers=summary_headers(),
            rows=[summary_row(r) for r in table.records],
        )
    ]
    sheets += [_person_sheet(table, r) for r in table.records]
    return build_xlsx(sheets)


def person_workbook(table: YearTable, record: Record) -> bytes:
    return build_xlsx([_person_sheet(table, record)])
