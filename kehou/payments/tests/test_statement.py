"""Importing a payment statement: matched rows recorded once, re-imports record nothing
new, unmatched rows listed with their reason, hostile files refused writing nothing."""

import io
import os
import zipfile

import openpyxl
from django.test import override_settings

from kehou.core.errors import items
from kehou.org.models import ClassMembership
from kehou.payments import services
from kehou.payments.matching import bill_code
from kehou.payments.models import Payment, Statement, StatementRow
from kehou.testing import factories as f
from kehou.testing import snapshots

from .helpers import bill, csv_bytes, xlsx


def _import(north, data, *, name="流水.xlsx", dry_run=False, channel="platform"):
    return services.statement_import(
        school=north.school,
        data=data,
        file_name=name,
        channel=channel,
        actor=north.admin,
        dry_run=dry_run,
    )


def _family(north):
    """王小北 (the persona) with a bill of 300.00, 张三 with one of 150.00, two children
    called 李明 (one bill each of 200.00)."""
    zhang = f.StudentFactory(school=north.school, name="张三", student_number="G320506201501010011")
    li_a = f.StudentFactory(school=north.school, name="李明", student_number="G320506201501010021")
    li_b = f.StudentFactory(school=north.school, name="李明", student_number="G320506201501010022")
    for child in (zhang, li_a, li_b):
        ClassMembership.objects.create(
            student=child,
            school_class=north.school_class,
            school_year=north.school_class.school_year,
        )
    bills = {
        "wang": bill(north.child, total_fen=30000),
        "zhang": bill(zhang, total_fen=15000),
        "li_a": bill(li_a, total_fen=20000),
        "li_b": bill(li_b, total_fen=20000),
    }
    return zhang, li_a, li_b, bills


def _rows(north, bills, zhang):
    return [
        # by bill number
        ["2026-10-08 09:12:00", 300, "T0001", "王大北", f"缴费 {bill_code(bills['wang'].pk)}"],
        # by student number (full-width letters typed by an input method), bill of that amount
        ["2026/10/09", "150.00", "T0002", "张父", "学号Ｇ320506201501010011"],
        # by name and amount
        ["2026年10月10日", "¥150.00", "T0003", "张三家长", "十月课后服务费"],
        # a name two children share
        ["2026-10-10", 200, "T0004", "李明妈妈", ""],
        # nothing recognisable
        ["2026-10-11", 88.5, "T0005", "某人", "转账"],
        # money going out
        ["2026-10-12", -20, "T0006", "手续费", ""],
    ]


def test_a_statement_xlsx_is_matched_and_recorded_once(north):
    # given
    zhang, _li_a, _li_b, bills = _family(north)
    data = xlsx(_rows(north, bills, zhang), title="某某支付平台 交易明细 2026-10")
    # when
    report = _import(north, data)
    # then: three rows matched and recorded, each once, each with its row
    assert report.ok, report.problems
    statuses = {r.reference: (r.status, r.reason_code) for r in report.rows}
    assert statuses == {
        "T0001": ("matched", ""),
        "T0002": ("matched", ""),
        "T0003": ("matched", ""),
        "T0004": ("unmatched", "two_names"),
        "T0005": ("unmatched", "nothing_recognised"),
        "T0006": ("outgoing", "outgoing"),
    }
    payments = {p.reference: p for p in Payment.objects.all()}
    assert set(payments) == {"T0001", "T0002", "T0003"}
    assert payments["T0001"].student == north.child and payments["T0001"].bill == bills["wang"]
    assert payments["T0002"].student == zhang and payments["T0002"].bill == bills["zhang"]
    assert payments["T0003"].student == zhang and payments["T0003"].amount_fen == 15000
    assert all(p.statement_row is not None and p.channel == "platform" for p in payments.values())
    statement = Statement.objects.get()
    assert statement.rows.count() == 6
    unmatched = statement.rows.filter(status="unmatched")
    assert [r.reason for r in unmatched.order_by("row_number")] == [
        "名字对应不止一个孩子（李明、李明）：请手工匹配",
        "付款人和备注中没有账单号、学号或孩子的姓名",
    ]


def test_reimporting_the_same_file_records_nothing_new(north):
    zhang, _li_a, _li_b, bills = _family(north)
    data = xlsx(_rows(north, bills, zhang))
    _import(north, data)
    before = snapshots.everything()
    # when
    report = _import(north, data)
    # then
    assert report.already_imported == Statement.objects.get()
    assert snapshots.everything() == before


def test_another_file_with_the_same_transactions_records_nothing_twice(north):
    zhang, _li_a, _li_b, bills = _family(north)
    _import(north, xlsx(_rows(north, bills, zhang)))
    # when: the same rows as a GB18030 .csv (another file, same transaction numbers)
    report = _import(north, csv_bytes(_rows(north, bills, zhang)), name="流水.csv")
    # then
    assert report.ok and report.statement is not None
    assert report.matched == 0
    assert {r.reference for r in report.rows if r.status == "duplicate"} == {
        "T0001",
        "T0002",
        "T0003",
    }
    assert Payment.objects.count() == 3


def test_a_gb18030_csv_with_a_preamble_is_imported(north):
    # given: the platform's export puts lines above the table
    zhang, _li_a, _li_b, bills = _family(north)
    data = csv_bytes(
        _rows(north, bills, zhang), preamble=["微信支付账单明细", "起始时间：[2026-10-01]"]
    )
    data.decode("gb18030")  # it is GB18030, not UTF-8
    # when
    report = _import(north, data, name="账单.csv", channel="wechat")
    # then
    assert report.ok, report.problems
    assert report.matched == 3
    assert set(Payment.objects.values_list("channel", flat=True)) == {"wechat"}


def test_a_dry_run_shows_the_matching_and_writes_nothing(north):
    zhang, _li_a, _li_b, bills = _family(north)
    before = snapshots.everything()
    report = _import(north, xlsx(_rows(north, bills, zhang)), dry_run=True)
    assert report.ok and report.matched == 3 and report.statement is None
    assert snapshots.everything() == before


def test_an_unmatched_row_is_matched_by_hand(north):
    # given
    zhang, li_a, _li_b, bills = _family(north)
    _import(north, xlsx(_rows(north, bills, zhang)))
    row = StatementRow.objects.get(reference="T0004")
    # when
    payment = services.statement_row_match(
        row=row, student=li_a, bill=bills["li_a"], actor=north.admin
    )
    # then
    row.refresh_from_db()
    assert row.status == "matched" and row.student == li_a
    assert payment.amount_fen == 20000 and payment.statement_row == row
    # and not twice
    error = snapshots.refused(
        lambda: services.statement_row_match(row=row, student=li_a, actor=north.admin)
    )
    assert "row_not_open" in {item.code for item in items(error)}


def test_a_row_cannot_be_matched_to_a_child_of_another_school(north, south):
    zhang, _li_a, _li_b, bills = _family(north)
    _import(north, xlsx(_rows(north, bills, zhang)))
    row = StatementRow.objects.get(reference="T0005")
    snapshots.refused(
        lambda: services.statement_row_match(row=row, student=south.child, actor=north.admin)
    )


# --------------------------------------------------------------------------- refused files


def _refused(north, data, name="流水.xlsx") -> str:
    before = snapshots.everything()
    report = _import(north, data, name=name)
    assert not report.ok
    assert snapshots.everything() == before
    return " ".join(str(p) for p in report.problems)


def test_a_file_that_is_not_a_zip_is_refused(north):
    assert ".xlsx" in _refused(north, os.urandom(2048))


def test_a_zip_that_is_not_a_workbook_is_refused(north):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert ".xlsx" in _refused(north, out.getvalue())


@override_settings(ROSTER_MAX_UPLOAD_BYTES=2_000)
def test_a_file_too_big_is_refused(north):
    assert "最多只能上传" in _refused(north, xlsx([["2026-10-08", 300, "T1", "王", "x"]] * 50))
    big_csv = csv_bytes([["2026-10-08", 300, f"T{i}", "王", "x"] for i in range(200)])
    assert "最多只能上传" in _refused(north, big_csv, name="流水.csv")


def test_formula_text_in_a_csv_is_refused(north):
    data = csv_bytes([["2026-10-08", 300, "T1", '=HYPERLINK("http://x","点我")', "王小北"]])
    assert "公式" in _refused(north, data, name="流水.csv")


def test_a_formula_in_an_xlsx_is_refused(north):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["交易时间", "金额", "交易单号", "备注"])
    ws.append(["2026-10-08", "=100+200", "T1", "王小北"])
    out = io.BytesIO()
    book.save(out)
    message = _refused(north, out.getvalue())
    assert "第3行" in message or "第2行" in message
    assert "公式" in message


def test_bad_cells_are_named_by_row_and_column(north):
    data = xlsx(
        [
            ["2026-13-01", 300, "T1", "王", ""],
            ["2026-10-08", "三百", "T2", "王", ""],
            ["2026-10-08", 300.123, "T3", "王", ""],
            ["2026-12-01", 300, "T4", "王", ""],
        ]
    )
    message = _refused(north, data)
    for expected in ("第2行 交易时间", "第3行 金额", "第4行 金额", "第5行 交易时间"):
        assert expected in message, message


def test_a_statement_without_the_needed_columns_is_refused(north):
    data = xlsx([["2026-10-08", 300]], headers=["日期", "金额"])
    message = _refused(north, data)
    assert "交易单号" in message
