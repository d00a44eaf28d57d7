"""Writing the .xlsx files kehou hands out: class lists, results, sheets to sign.

One writer for every export, so each has a bold frozen header, sensible widths, dates and
money formatted, and text that a spreadsheet would run as a formula escaped (research S8).
Reading uploaded workbooks, with the upload checks, stays in `kehou.roster.workbook`.
"""

import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
# Excel's own limit on a sheet's name, and the characters it refuses in one.
_SHEET_NAME_MAX = 31
_SHEET_NAME_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def escape_cell(value: object) -> object:
    """A leading "'" keeps a spreadsheet from running text as a formula (research S8)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass
class Sheet:
    """One worksheet: an optional title block, a header row, data rows, optional totals.

    `title` lines go above the table (the school, the offering, the date printed);
    `footer` lines below it (a signature line). Numbers stay numbers, so the file sums.
    """

    name: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]
    title: Sequence[str] = ()
    totals: Sequence[object] | None = None
    footer: Sequence[str] = ()
    widths: Sequence[int] | None = None


def sheet_name(text: str) -> str:
    return (text.translate(_SHEET_NAME_FORBIDDEN) or "Sheet")[:_SHEET_NAME_MAX]


def build_xlsx(sheets: Sequence[Sheet]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for spec in sheets:
        _write_sheet(book.create_sheet(sheet_name(spec.name)), spec)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_sheet(ws, spec: Sheet) -> None:
    for index, line in enumerate(spec.title, start=1):
        ws.cell(row=index, column=1, value=escape_cell(line)).font = _TITLE if index == 1 else _BOLD
    header_row = len(spec.title) + 2 if spec.title else 1
    for column, header in enumerate(spec.headers, start=1):
        ws.cell(row=header_row, column=column, value=header)
    for column in range(1, len(spec.headers) + 1):
        ws.cell(row=header_row, column=column).font = _BOLD
    ws.freeze_panes = f"A{header_row + 1}"
    longest = [len(str(h)) for h in spec.headers]
    for row in spec.rows:
        _append(ws, row, longest)
    if spec.totals is not None:
        _append(ws, spec.totals, longest)
        for column in range(1, len(spec.totals) + 1):
            ws.cell(row=ws.max_row, column=column).font = _BOLD
    if spec.footer:
        ws.append([])
        for line in spec.footer:
            ws.append([escape_cell(line)])
    for index, width in enumerate(spec.widths or [min(max(n, 4) * 2 + 2, 60) for n in longest]):
        ws.column_dimensions[get_column_letter(index + 1)].width = width


def _append(ws, row: Sequence[object], longest: list[int]) -> None:
    """One row, its cells formatted before they are appended: `ws.max_row` scans every
    cell of the sheet, so reading it per cell made a 5,000-row export take minutes."""
    cells = [Cell(ws, value=escape_cell(v)) for v in row]
    for index, (cell, value) in enumerate(zip(cells, row, strict=True), start=1):
        if isinstance(value, datetime.datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, datetime.date):
            cell.number_format = "yyyy-mm-dd"
        elif isinstance(value, Decimal):
            cell.number_format = "0.00"
        if index <= len(longest):
            longest[index - 1] = max(longest[index - 1], len(str(value or "")))
        else:
            longest.append(len(str(value or "")))
    ws.append(cells)


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """The download; the server names the file (research S8), never the user."""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
