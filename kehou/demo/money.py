"""The main school's money this autumn (issue 10, R18-R19), through the real services.

Like kehou.demo.sittings and kehou.demo.day, each step runs as the person who would have
done it, with kehou's clock at its moment (`_at`):

- before term, the city officer enters the city's fee standard: a service fee (服务性收费)
  per service day. The amount and the document are demo data: the document is named
  the way a provincial notice such as 苏教财〔2020〕2号 is, and says it is made up;
- the school admin sets the school's pay rates from the first day of term (at or above
  the profile's floor of 60 yuan a class-hour);
- on 15 October a child (not the demo family's) leaves the after-school service
  (`seed_withdrawal`, run before the month's days are replayed so no later roll call
  names them): October bills them only the service days before the 15th;
- in early November the school records a waiver for a child whose family met hardship
  (children of 建档立卡/低保 families are waived without one), runs October's bills,
  computes October's pay sheet, takes a few payments in cash and imports its payment
  platform's statement for October (.xlsx), two of whose rows match no bill;
- a draft plan for the spring term, copied from the autumn one, so the budget of the
  next term (经费测算) has something to price. Its days need the next calendar year's
  holidays: where the library lacks them, the city officer (the calendar authority)
  enters the holidays of the spring term's year as demo data (`seed_next_year_calendar`,
  after the autumn term's sittings were generated: its days in that year stay for the
  school to generate from the sittings page, as when the State Council's notice comes
  out in term).

The story needs October to be over: seeded earlier in the school year, it is left out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from kehou.accounts.models import User
from kehou.billing import services as billing
from kehou.billing.models import Bill, Covers, FeeStandard, Period
from kehou.core.spreadsheets import Sheet, build_xlsx
from kehou.demo.sittings import _at, _moment
from kehou.enrollment import services as enrollment
from kehou.enrollment.models import Application
from kehou.lib import school_calendar
from kehou.org.models import ClassMembership, School, Student, StudentGuardian
from kehou.payments import services as payments
from kehou.payments.matching import bill_code
from kehou.payments.models import Channel
from kehou.payroll import services as payroll
from kehou.policy import services as policy
from kehou.policy.models import SchoolPlan
from kehou.terms import services as terms
from kehou.terms.models import CalendarYear, Term

FEE_YUAN = "5.00"
FEE_DOCUMENT = "滨州市义务教育学校课后服务收费标准（演示数据，仿照苏教财〔2020〕2号的形式）"
FEE_DOCUMENT_NUMBER = "演示数据，非真实文件"
RATES = {
    "per_class_hour": "70.00",
    "per_tutoring_hour": "60.00",
    "per_club_session": "80.00",
    "per_duty_day": "50.00",
    "class_hour_minutes": 45,
}
RATES_NOTE = "依据市教育局通知，每课时不低于60元（演示）"
LEAVING_REASON = "家长申请退出课后服务（祖父母下午接回）"
WAIVER_REASON = "家庭突发重大变故，经学校研究同意减免（演示）"
CASH_PAYMENTS = 3
PLATFORM_PAYMENTS = 8
STATEMENT_FILE = "课后服务缴费平台-10月收款明细.xlsx"
# Two rows the school must match by hand: a name that is no child of the school, and a
# bill number that does not exist.
UNMATCHED_ROWS = [
    ("王建国", "10月课后服务费", "75.00"),
    ("", "KH999999 课后服务费", "60.00"),
]


CALENDAR_SOURCE = "演示数据：按往年惯例拟定的放假安排，以国务院办公厅正式通知为准"


def _holidays(year: int) -> list[tuple[dt.date, str, str, None]]:
    """The holidays a school year's calendar needs of `year` (demo data: 元旦 and the
    spring term's festivals as they usually fall; no make-up workdays)."""
    days = [(dt.date(year, 1, d), "元旦") for d in (1, 2, 3)]
    days += [(dt.date(year, 4, d), "清明节") for d in (3, 4, 5)]
    days += [(dt.date(year, 5, d), "劳动节") for d in (1, 2, 3, 4, 5)]
    days += [(dt.date(year, 6, 9), "端午节")]
    return [(day, "holiday", name, None) for day, name in days]


def seed_next_year_calendar(term: Term) -> int | None:
    """The spring term's calendar year, entered by the city officer where neither the
    library nor the bureau has it yet; returns the year entered, or None."""
    year = term.school_year.start_year + 1
    if school_calendar.is_covered(year) or CalendarYear.objects.filter(year=year).exists():
        return None
    officer = User.objects.filter(phone="13800000001").first()
    if officer is None:
        return None
    with _at(_moment(dt.date(year - 1, 8, 20), 9)):
        terms.calendar_year_enter(
            year=year, days=_holidays(year), source=CALENDAR_SOURCE, actor=officer
        )
    return year


@dataclass
class MoneyStory:
    standard: FeeStandard | None = None
    withdrawn: Student | None = None
    waived: Student | None = None
    low_income: int = 0  # children of the school waived for a 建档立卡/低保 basis
    bills: int = 0
    billed_fen: int = 0
    refund_fen: int = 0
    cash: int = 0
    matched: int = 0
    unmatched: int = 0
    pay_lines: int = 0
    pay_fen: int = 0
    spring_plan: SchoolPlan | None = None
    skipped: str = ""
    seconds: float = 0.0
    statement_rows: list[str] = field(default_factory=list)


def october(term: Term) -> dt.date:
    return dt.date(term.school_year.start_year, 10, 1)


def money_can_run(term: Term) -> bool:
    """October's money needs October to be over (and the bills and pay of early November
    to be in the past)."""
    return timezone.localdate() >= dt.date(term.school_year.start_year, 11, 6)


def seed_withdrawal(*, school: School, term: Term, family_student_ids=()) -> Student | None:
    """A child with a seat from the first day of term leaves the service on 15 October,
    recorded by the school admin that morning. Not the demo family, not a waived child."""
    if not money_can_run(term):
        return None
    admin = User.objects.get(phone="13800000003")
    leaving_day = dt.date(term.school_year.start_year, 10, 15)
    in_class = ClassMembership.objects.filter(school_year=term.school_year).values("student_id")
    app = (
        Application.objects.filter(
            term=term,
            student__school=school,
            status=Application.Status.APPROVED,
            starts_on__lte=october(term),
            student__low_income_basis="",
            student_id__in=in_class,
        )
        .exclude(student_id__in=list(family_student_ids))
        .select_related("student")
        .order_by("pk")
        .first()
    )
    if app is None:
        return None
    with _at(_moment(leaving_day, 8)):
        enrollment.application_withdraw(
            application=app, actor=admin, on=leaving_day, reason=LEAVING_REASON
        )
    return app.student


def seed_money_story(*, school: School, term: Term, withdrawn: Student | None = None) -> MoneyStory:
    started = time.perf_counter()
    story = MoneyStory(withdrawn=withdrawn)
    if not money_can_run(term):
        story.skipped = "10月尚未结束"
        return story
    year = term.school_year.start_year
    officer = User.objects.get(phone="13800000001")
    admin = User.objects.get(phone="13800000003")
    parent = User.objects.get(phone="13800000006")
    month = october(term)

    with _at(_moment(dt.date(year, 8, 20), 10)):
        story.standard = billing.fee_standard_enter(
            region=officer.region,
            covers=Covers.BASIC,
            funding_mode=FeeStandard.FundingMode.SERVICE_FEE,
            unit=FeeStandard.Unit.SERVICE_DAY,
            amount_yuan=FEE_YUAN,
            document_title=FEE_DOCUMENT,
            document_number=FEE_DOCUMENT_NUMBER,
            document_date=dt.date(year, 8, 15),
            valid_from=term.start,
            actor=officer,
        )
    with _at(_moment(dt.date(year, 8, 28), 15)):
        payroll.pay_rates_set(
            school=school, effective_from=term.start, note=RATES_NOTE, actor=admin, **RATES
        )

    with _at(_moment(dt.date(year, 11, 2), 9)):
        story.waived = _hardship_child(school, term, parent, withdrawn)
        if story.waived is not None:
            billing.waiver_record(
                student=story.waived, term=term, reason=WAIVER_REASON, actor=admin
            )
        run = billing.bill_run(
            school=school,
            term=term,
            period=Period.MONTH,
            month=month,
            confirmed=True,
            actor=admin,
        )
        story.bills = run.summary.get("bills", 0)
        story.billed_fen = run.summary.get("total_fen", 0)
        story.refund_fen = run.summary.get("refund_fen", 0)
    story.low_income = Bill.objects.filter(
        school=school, period_start=month, waived=True, student__low_income_basis__gt=""
    ).count()

    with _at(_moment(dt.date(year, 11, 3), 10)):
        sheet, _changed = payroll.pay_sheet_compute(school=school, month=month, actor=admin)
        story.pay_lines = sheet.lines.count()
        story.pay_fen = sum(line.total_fen for line in sheet.lines.all())

    due = list(
        Bill.objects.filter(school=school, period_start=month, total_fen__gt=0)
        .select_related("student")
        .order_by("student__student_number")
    )
    family = set(
        StudentGuardian.objects.filter(guardian__user=parent).values_list("student_id", flat=True)
    )
    elder = [b for b in due if b.student_id in family][:1]
    cash = elder + [b for b in due if b.student_id not in family][: CASH_PAYMENTS - len(elder)]
    for n, bill in enumerate(cash):
        with _at(_moment(dt.date(year, 11, 4), 16, n)):
            payments.payment_record(
                student=bill.student,
                amount_fen=bill.total_fen,
                paid_on=dt.date(year, 11, 4),
                channel=Channel.CASH,
                payer=f"{bill.student.name}家长",
                bill=bill,
                actor=admin,
            )
            story.cash += 1
    paid = {b.pk for b in cash}
    online = [b for b in due if b.pk not in paid][:PLATFORM_PAYMENTS]
    data = _statement(online, year)
    with _at(_moment(dt.date(year, 11, 6), 9)):
        report = payments.statement_import(
            school=school,
            data=data,
            file_name=STATEMENT_FILE,
            channel=Channel.PLATFORM,
            actor=admin,
        )
    story.matched, story.unmatched = report.matched, len(report.unmatched_rows)

    spring = Term.objects.filter(
        school_year=term.school_year, semester=Term.Semester.SECOND
    ).first()
    if spring is not None:
        with _at(_moment(dt.date(year, 12, 1), 10)):
            story.spring_plan = _spring_draft(school, term, spring, admin)
    story.seconds = time.perf_counter() - started
    return story


def _hardship_child(school, term, parent, withdrawn) -> Student | None:
    """A child billed in October, not low-income, not the demo family's nor the leaver."""
    family = StudentGuardian.objects.filter(guardian__user=parent).values("student_id")
    app = (
        Application.objects.filter(
            term=term,
            student__school=school,
            status=Application.Status.APPROVED,
            starts_on__lte=october(term),
            student__low_income_basis="",
        )
        .exclude(student_id__in=family)
        .exclude(student_id=getattr(withdrawn, "pk", None))
        .select_related("student")
        .order_by("-pk")
        .first()
    )
    return app.student if app else None


def _statement(bills: list[Bill], year: int) -> bytes:
    """The platform's export: a title block, then one row per transaction. Most families
    wrote the bill number (KH…) in the note, one only the child's student number."""
    rows = []
    for n, bill in enumerate(bills):
        note = (
            f"{bill.student.student_number} 课后服务费"
            if n == 1
            else f"{bill_code(bill.pk)} {bill.student.name}课后服务费"
        )
        rows.append(
            [
                dt.datetime(year, 11, 3 + n % 3, 19, 10 + n),
                Decimal(bill.total_fen) / 100,
                f"4200002026110{n:03d}{bill.pk:06d}",
                f"{bill.student.name[0]}**",
                note,
            ]
        )
    for n, (payer, note, amount) in enumerate(UNMATCHED_ROWS):
        rows.append(
            [
                dt.datetime(year, 11, 5, 20, n),
                Decimal(amount),
                f"4200002026119{n:03d}000000",
                payer,
                note,
            ]
        )
    return build_xlsx(
        [
            Sheet(
                name="收款明细",
                title=["课后服务缴费平台收款明细（演示数据）", f"{year}-11-01 至 {year}-11-05"],
                headers=["交易时间", "金额", "交易单号", "付款人", "备注"],
                rows=rows,
            )
        ]
    )


def _spring_draft(school, autumn, spring, admin) -> SchoolPlan | None:
    """The spring plan drafted from the autumn one (its slots and content), with the
    spring term's dates and no vacation weeks or make-up days of its own yet."""
    source = (
        SchoolPlan.objects.filter(school=school, term=autumn, status=SchoolPlan.Status.PUBLISHED)
        .prefetch_related("slots", "content", "vacation_weeks", "makeup_days")
        .first()
    )
    if source is None:
        return None
    draft = policy.plan_start_draft(school=school, term=spring, actor=admin)
    data = dataclasses.replace(
        policy.plan_input_of(source),
        term_start=spring.start,
        term_end=spring.end,
        vacation_weeks=(),
        makeup_days=(),
    )
    return policy.plan_update(plan=draft, actor=admin, data=data)
