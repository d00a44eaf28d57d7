"""Reading the statement a school's payment platform or bank gives it (.xlsx or .csv).

The reading is as careful as the roster's (`kehou.roster.workbook`): an .xlsx passes
`check_upload` (a zip at all, a workbook, no zip bomb, no password, a size cap) before
openpyxl sees it, and defusedxml refuses entity declarations. A .csv is decoded as UTF-8
(with or without a BOM) or, failing that, GB18030 (what Excel and WPS on a Chinese
Windows write), under the same size cap.

Columns are found by their header, in the first `HEADER_SEARCH_ROWS` rows (platform
exports put a title block above the table). The header names recognised are in `COLUMNS`
and are shown on the import page; the header is compared after removing spaces and
turning full-width brackets into ASCII ones.

A file with a problem is refused whole, every problem named by row and column: a cell
that is a formula or formula text (research S8), a date or amount that cannot be read,
a date still to come. Rows that are money going out (a negative amount, or 支出 in the
收/支 column) are kept as "outgoing" and never recorded; blank rows are skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import defusedxml  # noqa: F401  -- openpyxl switches to defusedxml when it is importable
import openpyxl
from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.datetime import from_excel

from kehou.money import MoneyError, fen_of
from kehou.roster.workbook import RosterFileError, check_upload

MAX_ROWS = 20_000
MAX_COLUMNS = 60
HEADER_SEARCH_ROWS = 30
TEXT_MAX = 200  # a reference, a payer or a note longer than this is cut (and said so)


class StatementFileError(Exception):
    """The file is not a statement we are willing to read; the message says why."""


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    label: object  # what the page calls it
    headers: tuple[str, ...]  # the header names recognised, the first being the template's
    required: bool


COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "paid_on",
        gettext_lazy("Date"),
        ("交易时间", "交易日期", "日期", "支付时间", "付款时间", "记账日期", "入账时间"),
        True,
    ),
    ColumnSpec(
        "amount",
        gettext_lazy("Amount (yuan)"),
        ("金额", "金额(元)", "交易金额", "交易金额(元)", "收入金额", "付款金额", "收款金额"),
        True,
    ),
    ColumnSpec(
        "reference",
        gettext_lazy("Transaction number"),
        ("交易单号", "流水号", "交易流水号", "订单号", "商户订单号", "交易号"),
        True,
    ),
    ColumnSpec(
        "payer",
        gettext_lazy("Payer"),
        ("付款人", "付款方", "对方户名", "付款人姓名", "缴费人", "交易对方"),
        False,
    ),
    ColumnSpec(
        "note",
        gettext_lazy("Note"),
        ("备注", "附言", "摘要", "用途", "商品"),
        False,
    ),
    ColumnSpec(
        "direction",
        gettext_lazy("In or out"),
        ("收/支", "收支", "收支类型", "收支方向"),
        False,
    ),
)
COLUMNS_BY_HEADER = {h: c for c in COLUMNS for h in c.headers}
TEMPLATE_HEADERS = [c.headers[0] for c in COLUMNS if c.key != "direction"]
OUTGOING_WORDS = ("支出", "支", "出")


@dataclass
class StatementLine:
    row: int  # as the spreadsheet numbers it
    paid_on: dt.date
    amount_fen: int  # positive: money in
    reference: str
    payer: str
    note: str
    outgoing: bool = False


@dataclass
class CellProblem:
    row: int
    column: str  # the header as the file has it
    reason: str

    def __str__(self) -> str:
        if not self.row:
            return self.reason
        return _("Row %(row)d %(column)s: %(reason)s") % {
            "row": self.row,
            "column": self.column,
            "reason": self.reason,
        }


@dataclass
class ParsedStatement:
    lines: list[StatementLine] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def kind_of(data: bytes, file_name: str = "") -> str:
    """ "xlsx" for a zip, "csv" for a file named .csv or that does not look binary."""
    if data[:2] == b"PK":
        return "xlsx"
    if file_name.lower().endswith(".xlsx"):
        return "xlsx"  # check_upload will say it is not a workbook
    return "csv"


def read_statement(data: bytes, *, file_name: str = "", today: dt.date) -> ParsedStatement:
    """Every row of the statement, or the problems that refuse it. Raises
    StatementFileError when the file cannot be read at all."""
    if kind_of(data, file_name) == "xlsx":
        rows = _xlsx_rows(data)
    else:
        rows = _csv_rows(data)
    return _parse(rows, today=today)


# --------------------------------------------------------------------------- the raw rows


def _xlsx_rows(data: bytes) -> list[tuple[int, tuple]]:
    try:
        check_upload(data)
    except RosterFileError as error:
        raise StatementFileError(str(error)) from None
    try:
        # data_only=False: a formula comes back as its text ("=..."), and is refused.
        book = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise StatementFileError(_unreadable(exc)) from None
    try:
        ws = book.worksheets[0] if book.worksheets else None
        if ws is None:
            raise StatementFileError(_("The workbook has no sheet."))
        ws.reset_dimensions()
        rows = []
        for number, values in enumerate(
            ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1
        ):
            if number > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise StatementFileError(_too_many_rows())
            rows.append((number, tuple(values)))
        return rows
    except StatementFileError:
        raise
    except Exception as exc:
        raise StatementFileError(_unreadable(exc)) from None
    finally:
        book.close()


def _csv_rows(data: bytes) -> list[tuple[int, tuple]]:
    limit = settings.ROSTER_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise StatementFileError(
            _("The file is %(size)s MB; at most %(limit)s MB may be uploaded.")
            % {"size": _mb(len(data)), "limit": _mb(limit)}
        )
    if not data.strip():
        raise StatementFileError(_("The file is empty."))
    if b"\0" in data[:4096]:
        raise StatementFileError(_not_a_statement())
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise StatementFileError(
                _("The file is neither UTF-8 nor GB18030 text: save it as CSV (UTF-8).")
            ) from None
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    rows = []
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        for number, values in enumerate(reader, start=1):
            if number > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise StatementFileError(_too_many_rows())
            rows.append((number, tuple(values[:MAX_COLUMNS])))
    except csv.Error:
        raise StatementFileError(_not_a_statement()) from None
    return rows


def _unreadable(exc: BaseException | None) -> str:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return _("The file contains XML declarations that are not allowed; refused.")
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return _("The file could not be read as an Excel workbook; save it again as .xlsx in Excel.")


def _not_a_statement() -> str:
    return _("This is not a statement in .xlsx or .csv: export it again from the platform.")


def _too_many_rows() -> str:
    return _("The statement has more than %(n)d rows; import it a month at a time.") % {
        "n": MAX_ROWS
    }


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


# --------------------------------------------------------------------------- parsing


def normalise_header(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"\s+", "", text).replace("`", "")


def _clean_text(value: object) -> str:
    """A cell as text: NFKC (full-width letters and digits as ASCII), the tab and backtick
    platforms prefix long numbers with removed, spaces at the ends removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return text.strip().strip("`'").strip()


def is_formula(value: object) -> bool:
    """A formula, or text a spreadsheet would run as one: "=...", "@...", or "+"/"-"
    followed by something that is not a number."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    if text.startswith(("=", "@")):
        return True
    if text.startswith(("+", "-")):
        rest = text[1:].strip().replace(",", "").lstrip("¥￥")
        return not re.fullmatch(r"[0-9]+(\.[0-9]+)?(元)?", rest)
    return False


def _find_header(rows) -> tuple[int, dict[str, tuple[int, str]], list[str]] | None:
    """The index in `rows` of the header row, {key: (column index, header)}, and the
    headers seen twice: the first row that names a date and an amount column."""
    for index, (_number, values) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        positions: dict[str, tuple[int, str]] = {}
        twice: list[str] = []
        for column, value in enumerate(values):
            header = normalise_header(value)
            spec = COLUMNS_BY_HEADER.get(header)
            if spec is None:
                continue
            if spec.key in positions:
                twice.append(header)
            else:
                positions[spec.key] = (column, header)
        if "paid_on" in positions and "amount" in positions:
            return index, positions, twice
    return None


def _parse(rows: list[tuple[int, tuple]], *, today: dt.date) -> ParsedStatement:
    result = ParsedStatement()
    found = _find_header(rows)
    if found is None:
        result.problems.append(
            CellProblem(
                0,
                "",
                _(
                    "No header row found: the statement needs a date column and an amount "
                    "column (for example %(date)s and %(amount)s) in one of its first "
                    "%(n)d rows."
                )
                % {"date": "交易时间", "amount": "金额", "n": HEADER_SEARCH_ROWS},
            )
        )
        return result
    header_index, positions, twice = found
    header_number = rows[header_index][0]
    for header in twice:
        result.problems.append(CellProblem(header_number, header, _("this column appears twice")))
    for spec in COLUMNS:
        if spec.required and spec.key not in positions:
            result.problems.append(
                CellProblem(
                    header_number,
                    spec.headers[0],
                    _("this column is missing (any of: %(names)s)")
                    % {"names": "、".join(spec.headers)},
                )
            )
    if "payer" not in positions and "note" not in positions:
        result.problems.append(
            CellProblem(
                header_number,
                "备注",
                _("the statement needs a payer or a note column to match rows to children"),
            )
        )
    if result.problems:
        return result
    seen = set()
    for number, values in rows[header_index + 1 :]:
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        for column, value in enumerate(values):
            if is_formula(value):
                header = _header_at(positions, column) or _("column %(n)d") % {"n": column + 1}
                result.problems.append(
                    CellProblem(
                        number,
                        header,
                        _("a formula or formula text (%(text)s) is not accepted")
                        % {"text": str(value).strip()[:30]},
                    )
                )
        cells = {
            key: (values[column] if column < len(values) else None, header)
            for key, (column, header) in positions.items()
        }
        line = _line(number, cells, today=today, problems=result.problems)
        if line is None:
            continue
        if line.reference and line.reference in seen:
            result.problems.append(
                CellProblem(
                    number,
                    cells["reference"][1],
                    _("the transaction number %(ref)s appears twice in the file")
                    % {"ref": line.reference},
                )
            )
        seen.add(line.reference)
        result.lines.append(line)
    if not result.lines and not result.problems:
        result.problems.append(CellProblem(0, "", _("The statement has no rows under its header.")))
    return result


def _header_at(positions, column: int) -> str | None:
    for index, header in positions.values():
        if index == column:
            return header
    return None


def _line(number: int, cells, *, today: dt.date, problems: list[CellProblem]):
    before = len(problems)
    raw_date, date_header = cells["paid_on"]
    paid_on = parse_day(raw_date)
    if paid_on is None:
        problems.append(
            CellProblem(number, date_header, _("not a date: %(text)s") % {"text": _clip(raw_date)})
        )
    elif paid_on > today:
        problems.append(
            CellProblem(
                number,
                date_header,
                _("%(day)s is still to come") % {"day": paid_on.isoformat()},
            )
        )
    raw_amount, amount_header = cells["amount"]
    amount = parse_amount(raw_amount)
    if amount is None:
        problems.append(
            CellProblem(
                number,
                amount_header,
                _("not an amount in yuan with at most two decimals: %(text)s")
                % {"text": _clip(raw_amount)},
            )
        )
    texts = {}
    for key in ("reference", "payer", "note", "direction"):
        raw, _header = cells.get(key, (None, ""))
        texts[key] = _clean_text(raw)[:TEXT_MAX]
    if len(problems) > before:
        return None
    outgoing = amount < 0 or texts["direction"] in OUTGOING_WORDS
    return StatementLine(
        row=number,
        paid_on=paid_on,
        amount_fen=abs(amount),
        reference=texts["reference"],
        payer=texts["payer"],
        note=texts["note"],
        outgoing=outgoing,
    )


def _clip(value: object) -> str:
    text = _clean_text(value)
    return text[:30] if text else _("(empty)")


_DATE_PATTERNS = (
    re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]?\d{1,2}:\d{2}(?::\d{2})?)?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})(?:\s*\d{2}:?\d{2}:?\d{2})?"),
)


def parse_day(value: object) -> dt.date | None:
    """A cell as a date: a date or datetime, an Excel serial number, or text such as
    2026-10-12, 2026/10/12 14:03:22, 2026年10月12日, 20261012."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 30000 <= value <= 80000:  # 1982 to 2119 as an Excel serial
            try:
                return from_excel(value).date()
            except (ValueError, OverflowError, TypeError):
                return None
        return None
    text = _clean_text(value)
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
    return None


def parse_amount(value: object) -> int | None:
    """A cell as fen: a number, or text such as 300, 1,200.50, ¥300.00, 300元, +300, -20
    (negative: money going out). More than two decimals is not an amount."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        text = repr(value)  # the shortest text that reads back as this float: 12.34
    elif isinstance(value, Decimal):
        text = str(value)
    else:
        text = _clean_text(value).replace(",", "").replace(" ", "")
        text = text.removesuffix("元").replace("¥", "").replace("￥", "")
        if text.startswith("+"):
            text = text[1:]
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
        return None
    try:
        return fen_of(text)
    except (MoneyError, InvalidOperation):
        return None
