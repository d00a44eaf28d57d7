import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kehou.attendance.models import Attendance
from kehou.billing.models import Bill, SittingCancellation
from kehou.payments.models import Payment
from kehou.policy.models import PlanContentItem, PolicyProfile
from kehou.policy_rules.model import Citation, Rule
from kehou.policy_rules.profiles import PROFILES
from kehou.policy_rules.serialise import profile_to_dict
from kehou.testing import factories as f
from kehou.testing.clock import freeze_now

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 10, 15, 0, tzinfo=BEIJING)  # October is over, due on 24 November
OCTOBER = dt.date(2026, 10, 1)
NOVEMBER = dt.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _frozen(request):
    if request.node.get_closest_marker("browser"):
        yield
        return
    with freeze_now(NOW):
        yield


def anxi_profile(region, *, reminder_days=None, due_day=24, key="anxi"):
    """`region` follows 003 (每月24日报送), with a reminder `reminder_days` before."""
    rules = PROFILES["anxi_003"]
    cite = Citation("003_56a495717f389d57", "测试", "测试")
    rules = dataclasses.replace(
        rules,
        report_due_day=Rule(due_day, cite) if due_day else None,
        report_reminder_days=Rule(reminder_days, cite) if reminder_days else None,
    )
    return PolicyProfile.objects.create(
        key=key, name="安溪", region=region, rules=profile_to_dict(rules)
    )


@pytest.fixture
def anxi(city):
    return anxi_profile(city, reminder_days=3)


def mark(sitting, student, status="present"):
    values = {
        "school_id": sitting.school_id,
        "sitting": sitting,
        "student": student,
        "status": status,
        "marked_at": NOW,
        "day": sitting.date,
    }
    return Attendance.objects.create(**values)


def cancel(sitting):
    return SittingCancellation.objects.create(sitting=sitting, reason="暴雨")


def bill(school, student, *, charged, total, start=OCTOBER, term=None):
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return Bill.objects.create(
        school=school,
        student=student,
        term=term or f.TermFactory(),
        period="month",
        period_start=start,
        period_end=end,
        charged_fen=charged,
        total_fen=total,
        waived=total == 0 and charged > 0,
    )


def pay(school, student, amount, day, *, voided=False):
    return Payment.objects.create(
        school=school,
        student=student,
        amount_fen=amount,
        paid_on=day,
        channel="cash",
        voided_at=NOW if voided else None,
        void_reason="录错" if voided else "",
    )


@dataclasses.dataclass
class Month:
    """A hand-built October of one school (see `build_month`)."""

    plan: object
    regular: list
    offerings: dict
    students: dict


def build_month(personas, *, external=True) -> Month:
    """October 2026 at `personas.school`:
    - the plan states 作业辅导 (homework) and 体育 (sports) and 课业答疑 (tutoring);
    - basic-service sittings on 12, 13 and 14 October (14 cancelled), 16:00-17:30, the
      teacher responsible; one on 3 November (another month);
    - offering sittings: 剪纸 (arts) on 12 and 13 October by an external coach (60 min),
      科普 (science) on 13 October nobody responsible, 象棋 (club) on 14 October cancelled;
    - children: the persona child (grade 3) present; 小五 (grade 5, 低保, left-behind)
      late once; 小六 (grade 5) absent only; 小七 (no class, migrant) on roll, no mark;
      小八 (grade 3) has left (not on roll) but was present on 12 October;
    - bills of October: 90.00 charged and waived; 50.00 charged; payments in October 30.00
      and a voided 10.00, and 20.00 in November.
    """
    school = personas.school
    staff = personas.teacher.staff
    plan = f.SchoolPlanFactory(school=school, status="published")
    for name, category in (("作业辅导", "homework"), ("体育", "sports"), ("课业答疑", "tutoring")):
        PlanContentItem.objects.create(plan=plan, name=name, category=category)
    regular = [
        f.SittingFactory(
            plan=plan,
            date=dt.date(2026, 10, day),
            start=dt.time(16, 0),
            end=dt.time(17, 30),
            responsible=staff,
        )
        for day in (12, 13, 14)
    ]
    cancel(regular[2])
    f.SittingFactory(plan=plan, date=dt.date(2026, 11, 3), responsible=staff)
    menu = f.menu(school, term=plan.term, status="running")
    coach = (
        f.external_instructor(school, name="外聘教练")
        if external
        else f.StaffFactory(school=school)
    )
    offerings = {
        "剪纸": f.offering(menu, "剪纸", category="arts", instructor=coach),
        "科普": f.offering(menu, "科普", category="science"),
        "象棋": f.offering(menu, "象棋", category="club"),
    }

    def offering_sitting(offering, day, responsible):
        return f.SittingFactory(
            plan=plan,
            offering=offering,
            kind="offering",
            date=dt.date(2026, 10, day),
            start=dt.time(17, 30),
            end=dt.time(18, 30),
            responsible=responsible,
        )

    paper = [offering_sitting(offerings["剪纸"], d, coach) for d in (12, 13)]
    offering_sitting(offerings["科普"], 13, None)
    cancel(offering_sitting(offerings["象棋"], 14, staff))

    school_class = personas.school_class
    grade5 = f.SchoolClassFactory(school=school, grade=5, number=1)
    students = {"child": personas.child}
    students["小五"] = f.StudentFactory(
        school=school, name="小五", low_income_basis="dibao", is_left_behind=True
    )
    students["小六"] = f.StudentFactory(school=school, name="小六")
    students["小七"] = f.StudentFactory(school=school, name="小七", is_migrant_child=True)
    students["小八"] = f.StudentFactory(school=school, name="小八", is_active=False)
    from kehou.org.models import ClassMembership

    for name, cls in (("小五", grade5), ("小六", grade5), ("小八", school_class)):
        ClassMembership.objects.create(
            student=students[name], school_class=cls, school_year=cls.school_year
        )
    mark(regular[0], personas.child, "present")
    mark(regular[1], personas.child, "present")
    mark(paper[0], personas.child, "present")
    mark(regular[0], students["小五"], "late")
    mark(regular[0], students["小六"], "absent")
    mark(regular[1], students["小六"], "leave")
    mark(regular[0], students["小八"], "present")

    bill(school, students["小五"], charged=9000, total=0, term=plan.term)
    bill(school, personas.child, charged=5000, total=5000, term=plan.term)
    bill(school, students["小六"], charged=7000, total=7000, start=NOVEMBER, term=plan.term)
    pay(school, personas.child, 3000, dt.date(2026, 10, 20))
    pay(school, personas.child, 1000, dt.date(2026, 10, 21), voided=True)
    pay(school, personas.child, 2000, dt.date(2026, 11, 2))
    return Month(plan=plan, regular=regular, offerings=offerings, students=students)
