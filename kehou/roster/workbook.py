"""Reading and writing roster workbooks, with the upload checks research S8 asks for.

An uploaded .xlsx is a zip of XML files. Before openpyxl sees it we check, with zipfile
alone, that it is a zip at all, that it looks like a workbook, and that it cannot expand
into something that exhausts memory (a zip bomb). defusedxml is imported so that
openpyxl parses every XML part through it, which refuses entity declarations
(billion laughs, external entities).
"""

import datetime
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal

import defusedxml  # noqa: F401  -- openpyxl switches to defusedxml when it is importable
import openpyxl
from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kehou.core.spreadsheets import escape_cell
from kehou.roster.schema import (
    GENERAL_HELP,
    HELP_SHEET,
    SHEETS,
    SHEETS_BY_NAME,
    SheetSpec,
    normalise_header,
)

MAX_ZIP_ENTRIES = 500
# A worksheet's XML compresses roughly 5-20 times; a bomb compresses a thousand times.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_ABOVE_BYTES = 1024 * 1024
MAX_DATA_ROWS = 50_000
MAX_HEADER_COLUMNS = 60
DROPDOWN_ROWS = 5000


class RosterFileError(Exception):
    """The upload is not a workbook we are willing to open; the message says why."""


@dataclass
class RawSheet:
    spec: SheetSpec
    # (Excel row number, {column key: raw cell value})
    rows: list[tuple[int, dict[str, object]]]


@dataclass
class RawWorkbook:
    sheets: dict[str, RawSheet]
    # (sheet, row, column, reason) for problems with the headers themselves
    errors: list[tuple[str, int, str, str]]
    warnings: list[str]


def check_upload(data: bytes) -> None:
    """Refuse anything that is not a plausible, modestly sized .xlsx; parses no XML."""
    limit = settings.ROSTER_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise RosterFileError(
            _("The file is %(size)s MB; at most %(limit)s MB may be uploaded.")
            % {"size": _mb(len(data)), "limit": _mb(limit)}
        )
    if not data:
        raise RosterFileError(_("The file is empty."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise RosterFileError(_not_xlsx()) from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise RosterFileError(_("The file has too many parts to be a roster workbook."))
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise RosterFileError(_not_xlsx())
    total = 0
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise RosterFileError(_("The file is password-protected; save it without a password."))
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_CHECK_ABOVE_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise RosterFileError(
                _("The file expands to far more than its size (a possible zip bomb); refused.")
            )
    if total > settings.ROSTER_MAX_UNCOMPRESSED_BYTES:
        raise RosterFileError(
            _("The file expands to %(size)s MB, more than the %(limit)s MB allowed.")
            % {"size": _mb(total), "limit": _mb(settings.ROSTER_MAX_UNCOMPRESSED_BYTES)}
        )


def _not_xlsx() -> str:
    return _(
        "This is not an Excel .xlsx file (an old .xls file or an encrypted file cannot be "
        "read): open it in Excel or WPS and save it as .xlsx."
    )


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


def read_workbook(data: bytes) -> RawWorkbook:
    """The raw cells of every known sheet. Call check_upload first."""
    try:
        book = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise RosterFileError(_unreadable(exc)) from None
    try:
        return _read_sheets(book)
    except RosterFileError:
        raise
    except Exception as exc:
        raise RosterFileError(_unreadable(exc)) from None
    finally:
        book.close()


def _unreadable(exc: BaseException | None) -> str:
    # openpyxl wraps defusedxml's refusal in a ValueError; look down the chain.
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return _("The file contains XML declarations that are not allowed; refused.")
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return _("The file could not be read as an Excel workbook; save it again as .xlsx in Excel.")


def _read_sheets(book) -> RawWorkbook:
    errors: list[tuple[str, int, str, str]] = []
    warnings: list[str] = []
    sheets: dict[str, RawSheet] = {}
    titles = {normalise_header(t): t for t in book.sheetnames}
    for spec in SHEETS:
        title = titles.get(spec.name)
        if title is None:
            continue
        ws = book[title]
        # The stored dimension may be wrong (other tools write it carelessly); read to the end.
        ws.reset_dimensions()
        header_row = next(
            ws.iter_rows(min_row=1, max_row=1, max_col=MAX_HEADER_COLUMNS, values_only=True),
            (),
        )
        positions: dict[str, int] = {}
        for index, value in enumerate(header_row):
            header = normalise_header(value)
            if not header:
                continue
            if header in positions:
                errors.append((spec.name, 1, header, _("this column appears twice")))
            elif header in spec.headers:
                positions[header] = index
            else:
                warnings.append(
                    _("Sheet %(sheet)s: column %(column)s is not part of the roster; ignored.")
                    % {"sheet": spec.name, "column": header}
                )
        missing = [h for h in spec.headers if h not in positions]
        for header in missing:
            errors.append((spec.name, 1, header, _("this column is missing from the first row")))
        if missing:
            continue
        width = max(positions.values()) + 1
        keyed = [(c.key, positions[c.header]) for c in spec.columns]
        rows = []
        for number, values in enumerate(
            ws.iter_rows(min_row=2, max_col=width, values_only=True), start=2
        ):
            if number - 1 > MAX_DATA_ROWS:
                raise RosterFileError(
                    _("Sheet %(sheet)s has more than %(n)d rows.")
                    % {"sheet": spec.name, "n": MAX_DATA_ROWS}
                )
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            values = tuple(values) + (None,) * (width - len(values))
            rows.append((number, {key: values[index] for key, index in keyed}))
        sheets[spec.name] = RawSheet(spec=spec, rows=rows)
    if not sheets and not errors:
        errors.append(
            (
                "",
                0,
                "",
                _("No roster sheet found; the workbook needs at least one of: %(names)s.")
                % {"names": "、".join(s.name for s in SHEETS)},
            )
        )
    return RawWorkbook(sheets=sheets, errors=errors, warnings=warnings)


_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")


def build_workbook(rows_by_sheet: dict[str, list[list[object]]]) -> bytes:
    """The template when `rows_by_sheet` is empty; an export otherwise. One shape for both."""
    book = openpyxl.Workbook()
    help_ws = book.active
    help_ws.title = HELP_SHEET
    _write_help(help_ws)
    for spec in SHEETS:
        ws = book.create_sheet(spec.name)
        ws.append(spec.headers)
        for index, column in enumerate(spec.columns, start=1):
            letter = get_column_letter(index)
            cell = ws.cell(row=1, column=index)
            cell.font = _HEADER_FONT
            if column.required:
                cell.fill = _REQUIRED_FILL
            ws.column_dimensions[letter].width = column.width
            if column.dropdown:
                validation = DataValidation(
                    type="list",
                    formula1='"' + ",".join(column.dropdown) + '"',
                    allow_blank=not column.required,
                )
                validation.add(f"{letter}2:{letter}{DROPDOWN_ROWS}")
                ws.add_data_validation(validation)
        ws.freeze_panes = "A2"
        for row in rows_by_sheet.get(spec.name, []):
            ws.append([escape_cell(v) for v in row])
            for index, value in enumerate(row, start=1):
                if isinstance(value, datetime.date):
                    ws.cell(row=ws.max_row, column=index).number_format = "yyyy-mm-dd"
                elif isinstance(value, Decimal):
                    ws.cell(row=ws.max_row, column=index).number_format = "0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_help(ws) -> None:
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 24
    ws.column_dimensions["C"].width = 8
    ws.column_dimensions["D"].width = 60
    ws.column_dimensions["E"].width = 24
    ws.append(["课后服务花名册 导入说明"])
    ws["A1"].font = Font(bold=True, size=14)
    for line in GENERAL_HELP:
        ws.append([line])
    ws.append([])
    ws.append(["工作表", "列名", "必填", "说明", "示例"])
    for cell in ws[ws.max_row]:
        cell.font = _HEADER_FONT
    for spec in SHEETS:
        ws.append([spec.name, "", "", spec.help, ""])
        ws.cell(row=ws.max_row, column=1).font = _HEADER_FONT
        for column in spec.columns:
            explanation = column.help
            if column.dropdown and not explanation:
                explanation = "、".join(column.dropdown)
            ws.append(
                [
                    spec.name,
                    column.header,
                    "是" if column.required else "",
                    explanation,
                    column.example,
                ]
            )


def sheet_spec(name: str) -> SheetSpec:
    return SHEETS_BY_NAME[name]
