"""Bills, refunds and statements for the payments tests (written straight to the tables:
these tests are about payments, not about how bills are computed)."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl

from kehou.billing.models import Bill, BillLine, Refund
from kehou.testing import factories as f

HEADERS = ["交易时间", "金额", "交易单号", "付款人", "备注"]


def bill(student, *, total_fen, charged_fen=None, month=10, basis="", version=1):
    term = f.TermFactory()
    start = dt.date(2026, month, 1)
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    charged = total_fen if charged_fen is None else charged_fen
    made = Bill.objects.create(
        school=student.school,
        student=student,
        term=term,
        period="month",
        period_start=start,
        period_end=end,
        total_fen=total_fen,
        charged_fen=charged,
        waived=total_fen == 0 and charged > 0,
        waiver_basis=basis,
        version=version,
    )
    BillLine.objects.create(
        bill=made,
        key="basic",
        kind="basic",
        description="课后服务",
        unit="service_day",
        units=Decimal(charged // 500 or 1),
        unit_fen=500,
        amount_fen=charged,
        arithmetic=f"{charged // 500} 个服务日 × 5.00 = {charged / 100:.2f}",
    )
    return made


def refund(the_bill, *, due_fen, billed_units=20, undelivered=5):
    return Refund.objects.create(
        bill=the_bill,
        student=the_bill.student,
        line_key="basic",
        reason="withdrawal",
        unit="service_day",
        billed_fen=the_bill.charged_fen,
        billed_units=Decimal(billed_units),
        undelivered_units=Decimal(undelivered),
        amount_fen=due_fen,
        arithmetic=f"{the_bill.charged_fen / 100:.2f} × {undelivered}/{billed_units} = "
        f"{due_fen / 100:.2f}（四舍五入到分）",
    )


def xlsx(rows, *, headers=HEADERS, title=None) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    if title:
        ws.append([title])
        ws.append([])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, *, headers=HEADERS, encoding="gb18030", preamble=()) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for line in preamble:
        writer.writerow([line])
    writer.writerow(headers)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode(encoding)
