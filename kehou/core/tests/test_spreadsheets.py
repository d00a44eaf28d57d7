import datetime
import io
from decimal import Decimal

import openpyxl

from kehou.core.spreadsheets import Sheet, build_xlsx, sheet_name


def _open(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_a_sheet_has_its_title_header_rows_totals_and_footer_in_order():
    data = build_xlsx(
        [
            Sheet(
                name="足球[1]",
                title=["滨城区第一实验小学", "足球 · 花名册"],
                headers=["序号", "姓名", "日期", "金额"],
                rows=[[1, "张三", datetime.date(2026, 9, 1), Decimal("12.50")]],
                totals=["合计", "", "", Decimal("12.50")],
                footer=["签字："],
            )
        ]
    )
    ws = _open(data)["足球_1_"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "滨城区第一实验小学"
    assert values[3] == ["序号", "姓名", "日期", "金额"]
    assert values[4][1] == "张三"
    assert ws.cell(row=5, column=3).number_format == "yyyy-mm-dd"
    assert values[5][0] == "合计"
    assert values[-1][0] == "签字："
    assert ws.freeze_panes == "A5"


def test_text_a_spreadsheet_would_run_is_escaped():
    data = build_xlsx([Sheet(name="x", headers=["姓名"], rows=[["=HYPERLINK(1)"]])])
    assert _open(data)["x"]["A2"].value == "'=HYPERLINK(1)"


def test_sheet_names_fit_excel():
    assert sheet_name("a/b" * 20) == ("a_b" * 20)[:31]
    assert sheet_name("") == "Sheet"
