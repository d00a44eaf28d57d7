"""factory_boy factories shared by every test module."""

import datetime

import factory
from django.contrib.auth.hashers import make_password

from kehou.accounts.models import User
from kehou.org import models as m

TEST_PASSWORD = "kehou-test-pass-2026"
_HASHED = None


def hashed_test_password() -> str:
    """Argon2 is slow on purpose; hash the shared test password once."""
    global _HASHED
    if _HASHED is None:
        _HASHED = make_password(TEST_PASSWORD)
    return _HASHED


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Region
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{320500 + n:06d}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    level = m.Region.Level.COUNTY


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.School

    code = factory.Sequence(lambda n: f"{3205000000 + n:010d}")
    name = factory.Sequence(lambda n: f"测试第{n}小学")
    region = factory.SubFactory(RegionFactory)
    school_type = m.School.Type.PRIMARY
    is_urban = True


class SchoolYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.SchoolYear
        django_get_or_create = ["start_year"]

    start_year = 2026


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.SchoolClass

    school = factory.SubFactory(SchoolFactory)
    school_year = factory.SubFactory(SchoolYearFactory)
    grade = 3
    number = factory.Sequence(lambda n: n % 20 + 1)


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Student

    school = factory.SubFactory(SchoolFactory)
    student_number = factory.Sequence(lambda n: f"G{320500201901010000 + n}")
    name = factory.Sequence(lambda n: f"学生{n}")
    gender = m.Student.Gender.FEMALE


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Guardian

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"家长{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Staff

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"教师{n}")
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    kind = m.Staff.Kind.SCHOOL_TEACHER
    subjects = "数学"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    phone = factory.Sequence(lambda n: f"135{n:08d}")
    name = factory.Sequence(lambda n: f"用户{n}")
    role = User.Role.SCHOOL_ADMIN
    password = factory.LazyFunction(hashed_test_password)


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "terms.Term"
        django_get_or_create = ["school_year", "semester"]

    school_year = factory.SubFactory(SchoolYearFactory)
    semester = 1
    start = factory.LazyFunction(lambda: datetime.date(2026, 9, 1))
    end = factory.LazyFunction(lambda: datetime.date(2027, 1, 22))


class SchoolPlanFactory(factory.django.DjangoModelFactory):
    """A draft plan for the autumn 2026 term, Monday-Friday, with no slots yet."""

    class Meta:
        model = "policy.SchoolPlan"

    school = factory.SubFactory(SchoolFactory)
    term = factory.SubFactory(TermFactory)
    term_start = factory.LazyFunction(lambda: datetime.date(2026, 9, 1))
    term_end = factory.LazyFunction(lambda: datetime.date(2027, 1, 22))
    service_weekdays = factory.LazyFunction(lambda: [0, 1, 2, 3, 4])


class PlanSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "policy.PlanSlot"

    plan = factory.SubFactory(SchoolPlanFactory)
    grade_from = 1
    grade_to = 6
    start = factory.LazyFunction(lambda: datetime.time(16, 0))
    end = factory.LazyFunction(lambda: datetime.time(18, 0))


# --- menus, offerings, applications, enrolments, sittings --------------------------------
#
# Written straight to the tables where a test is not about the writing service itself, but
# seats always through kehou.enrollment.seats, so counters and the seat history agree.

LOTTERY_SEED = "0123456789abcdef0123456789abcdef"
MON_1600 = (0, datetime.time(16, 0), datetime.time(17, 0))
WED_1600 = (2, datetime.time(16, 0), datetime.time(17, 0))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ExternalOrganisation

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"青少年体育俱乐部{n}")
    credit_code = factory.Sequence(lambda n: f"91320500MA{n:08d}")
    status = m.ExternalOrganisation.Status.APPROVED
    status_on = datetime.date(2026, 1, 1)
    offers = factory.LazyFunction(lambda: ["sports", "arts", "science"])
    licence_valid_until = datetime.date(2030, 12, 31)


def external_instructor(school, *, organisation=None, **kwargs) -> m.Staff:
    """An external coach vetted for the whole school year 2026/27."""
    values = {
        "school": school,
        "kind": m.Staff.Kind.EXTERNAL,
        "external_kind": m.Staff.ExternalKind.COACH,
        "organisation": organisation,
        "background_check_date": datetime.date(2026, 3, 1),
        "background_check_result": m.Staff.CheckResult.PASSED,
        "agreement_start": datetime.date(2026, 8, 1),
        "agreement_end": datetime.date(2027, 7, 31),
        "subjects": "",
    }
    values.update(kwargs)
    return StaffFactory(**values)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.Activity"

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"剪纸{n}")
    category = "arts"


def menu(
    school,
    *,
    term=None,
    status: str = "window_open",
    mode: str = "lottery",
    mechanism: str = "da",
    k: int = 1,
    closes_in: datetime.timedelta = datetime.timedelta(days=3),
    **fields,
):
    """A menu in `status` (the choice window open by default, closing in `closes_in`), with
    a committed lottery seed."""
    from django.utils import timezone

    from kehou.allocation import seed_commitment
    from kehou.catalog.models import Menu

    now = timezone.now()
    return Menu.objects.create(
        school=school,
        term=term or TermFactory(),
        status=status,
        mode=mode,
        mechanism=mechanism,
        max_extended_per_child=k,
        window_opens_at=now - datetime.timedelta(hours=1),
        window_closes_at=now + closes_in,
        lottery_seed=LOTTERY_SEED,
        lottery_seed_hash=seed_commitment(LOTTERY_SEED),
        **fields,
    )


def offering(
    menu,
    name: str = "剪纸",
    *,
    capacity: int = 10,
    category: str = "arts",
    weekday: int = 0,
    start: datetime.time = datetime.time(16, 0),
    end: datetime.time = datetime.time(17, 0),
    meetings=None,
    grades: tuple[int, int] = (1, 6),
    fallback: bool = False,
    activity=None,
    instructor=None,
    **fields,
):
    """An offering of `menu` meeting once a week (`weekday`, `start`–`end`) or at each of
    `meetings` ((weekday, start, end) triples), written straight to the tables (no menu
    checks: use kehou.catalog.services.offering_save to test those)."""
    from kehou.catalog.models import Activity, Offering, OfferingMeeting

    activity = activity or Activity.objects.create(school=menu.school, name=name, category=category)
    created = Offering.objects.create(
        menu=menu,
        activity=activity,
        name=name,
        grade_from=grades[0],
        grade_to=grades[1],
        capacity=capacity,
        is_fallback=fallback,
        instructor=instructor,
        **fields,
    )
    for day, begins, ends in meetings if meetings is not None else [(weekday, start, end)]:
        OfferingMeeting.objects.create(offering=created, weekday=day, start=begins, end=ends)
    return created


def homework(menu, *, capacity: int = 2, name: str = "作业辅导"):
    """The guaranteed homework-tutoring fallback of a menu, on Fridays."""
    return offering(
        menu,
        name,
        capacity=capacity,
        category="homework",
        weekday=4,
        fallback=True,
    )


def ready_to_open(menu, *, grades: tuple[int, int] = (1, 6)):
    """What a menu needs before its choice window opens: the term's plan published (one
    grades 1-9 16:00-18:00 slot, Monday-Friday) and a fallback offering with an instructor
    (homework tutoring, Monday 16:00-17:00). Returns the menu."""
    from kehou.policy.models import SchoolPlan

    if not SchoolPlan.objects.filter(school=menu.school, term=menu.term, status="published"):
        published_plan(menu.school, term=menu.term, slots=[{"grade_from": 1, "grade_to": 9}])
    if not menu.offerings.filter(is_fallback=True).exists():
        offering(
            menu,
            "作业辅导",
            capacity=50,
            category="homework",
            weekday=0,
            grades=grades,
            fallback=True,
            instructor=StaffFactory(school=menu.school, name="托管老师"),
        )
    return menu


def child(school, school_class, *, guardian=None, **facts) -> m.Student:
    """A student in `school_class` (for its school year) with a guardian (the mother)."""
    student = StudentFactory(school=school, **facts)
    m.ClassMembership.objects.create(
        student=student, school_class=school_class, school_year=school_class.school_year
    )
    m.StudentGuardian.objects.create(
        student=student,
        guardian=guardian or GuardianFactory(school=school),
        relation=m.StudentGuardian.Relation.MOTHER,
    )
    return student


def agreement(school, *, version: int = 1):
    from kehou.enrollment.models import SafetyAgreement

    return SafetyAgreement.objects.create(
        school=school,
        version=version,
        title="课后服务安全协议",
        text="学校与家长约定双方责任与权利。",
    )


def application(
    student,
    term,
    *,
    status: str = "approved",
    guardian=None,
    weekdays=(0, 1, 2, 3, 4),
    starts_on: datetime.date | None = None,
    choices=(),
    signed_by=None,
    **fields,
):
    """An application (approved by default), its ranked choices and, with `signed_by`, a
    signature of the school's newest safety agreement."""
    from kehou.enrollment.models import AgreementSignature, Application, Choice, SafetyAgreement

    app = Application.objects.create(
        student=student,
        term=term,
        guardian=guardian or student.guardian_links.first().guardian,
        status=status,
        service_weekdays=list(weekdays),
        starts_on=starts_on or (term.start if status == "approved" else None),
        **fields,
    )
    for rank, ranked in enumerate(choices, start=1):
        Choice.objects.create(application=app, offering=ranked, rank=rank)
    newest = SafetyAgreement.objects.filter(school=student.school).order_by("-version").first()
    if newest is not None and signed_by is not None:
        AgreementSignature.objects.create(application=app, agreement=newest, signed_by=signed_by)
    return app


def enrol(app, offering, *, starts_on: datetime.date | None = None, source: str = "school"):
    """Seat the application's child in `offering` through the seat path."""
    from django.db import transaction

    from kehou.enrollment import seats
    from kehou.org.access import SYSTEM

    with transaction.atomic():
        locked = seats.lock_application(app.pk)
        enrolment = seats.take(
            application=locked,
            offering=offering,
            source=source,
            starts_on=starts_on or locked.starts_on or locked.term.start,
            actor=SYSTEM,
        )
    if enrolment is None:
        raise AssertionError(f"{offering} is full")
    return enrolment


def published_plan(school, *, start=None, end=None, weekdays=(0, 1, 2, 3, 4), slots=None, **kw):
    """A published plan for autumn 2026 with one grades 1-6 16:00-18:00 slot unless `slots`
    says otherwise (a list of PlanSlotFactory keyword dicts)."""
    plan = SchoolPlanFactory(
        school=school,
        term_start=start or datetime.date(2026, 9, 1),
        term_end=end or datetime.date(2026, 12, 31),
        service_weekdays=list(weekdays),
        status=kw.pop("status", "published"),
        **kw,
    )
    for slot in slots if slots is not None else [{}]:
        PlanSlotFactory(plan=plan, **slot)
    return plan


def enter_2027(actor):
    """The 2027 holiday notice as the bureau would enter it (a plausible one: the real
    notice is published in late 2026)."""
    from kehou.terms.services import calendar_year_enter

    d = datetime.date
    days = [(d(2027, 1, 1), "holiday", "元旦", None)]
    days += [(d(2027, 2, n), "holiday", "春节", None) for n in range(6, 13)]
    days += [(d(2027, 2, 14), "makeup_workday", "春节", 4)]
    days += [(d(2027, 1, 2), "makeup_workday", "元旦", None)]
    return calendar_year_enter(year=2027, days=days, source="国办发明电〔2026〕1号", actor=actor)


class SittingFactory(factory.django.DjangoModelFactory):
    """A plan slot's sitting (the basic service for grades 1-6) on 1 September 2026."""

    class Meta:
        model = "sittings.Sitting"

    plan = factory.SubFactory(SchoolPlanFactory, status="published")
    school = factory.SelfAttribute("plan.school")
    term = factory.SelfAttribute("plan.term")
    date = datetime.date(2026, 9, 1)
    timetable_weekday = factory.LazyAttribute(lambda o: o.date.weekday())
    start = datetime.time(16, 0)
    end = datetime.time(18, 0)
    grade_from = 1
    grade_to = 6
    kind = "regular"


# --- attendance ---------------------------------------------------------------------------


def roll_sitting(
    school,
    *,
    day: datetime.date = datetime.date(2026, 10, 13),
    responsible=None,
    start: datetime.time = datetime.time(16, 0),
    end: datetime.time = datetime.time(17, 30),
    plan=None,
    **fields,
):
    """A sitting of the basic service (grades 1-6) of `school` on `day` (a Tuesday of the
    autumn 2026 term); its roster is the children with an approved application."""
    plan = plan or SchoolPlanFactory(school=school, status="published")
    return SittingFactory(
        plan=plan, date=day, responsible=responsible, start=start, end=end, **fields
    )


# --- safety -----------------------------------------------------------------------------


def incident(school, *, actor, students=(), **fields):
    """An incident at `school` recorded by `actor` through the service: a minor injury two
    hours before now unless `fields` say otherwise."""
    from django.utils import timezone

    from kehou.safety.services import incident_record

    values = {
        "occurred_at": timezone.now() - datetime.timedelta(hours=2),
        "place": "操场",
        "kind": "injury",
        "description": "跑步时摔倒，膝盖擦伤。",
        "severity": "minor",
    } | fields
    return incident_record(school=school, actor=actor, students=list(students), **values)


def inspection_with_defect(school, *, actor, responsible, inspected_on=None, deadline=None):
    """An inspection of `school` that finds one defect (the fire exits) and one item OK;
    returns the defect."""
    from django.utils import timezone

    from kehou.safety.services import Check, inspection_record

    day = inspected_on or timezone.localdate()
    inspection = inspection_record(
        school=school,
        inspected_on=day,
        inspectors=[responsible],
        checks=[
            Check(key="d:fire.extinguishers", ok=True),
            Check(
                key="d:fire.exits",
                ok=False,
                description="二楼东侧安全出口堆放杂物",
                responsible=responsible,
                deadline=deadline or day + datetime.timedelta(days=7),
            ),
        ],
        actor=actor,
    )
    return inspection.results.get(ok=False).defect


# --- billing ----------------------------------------------------------------------------


def fee_standard(region, **fields):
    """A service-fee standard of `region` for the basic service, 5.00 yuan per service day,
    valid from 1 September 2026 (fields override)."""
    from kehou.billing.models import FeeStandard

    values = {
        "covers": "basic",
        "funding_mode": "service_fee",
        "unit": "service_day",
        "amount_fen": 500,
        "document_title": "关于进一步做好中小学课后服务工作的通知",
        "document_number": "苏教财〔2020〕2号",
        "document_date": datetime.date(2020, 3, 1),
        "valid_from": datetime.date(2026, 9, 1),
    } | fields
    return FeeStandard.objects.create(region=region, **values)


def service_days(school, first: datetime.date, last: datetime.date, *, plan=None, **fields):
    """A basic-service sitting (grades 1-6, 16:00-17:30) of `school` on every Monday to
    Friday from `first` to `last`; returns them in date order."""
    plan = plan or SchoolPlanFactory(school=school, status="published")
    day, made = first, []
    while day <= last:
        if day.weekday() < 5:
            made.append(
                SittingFactory(
                    plan=plan,
                    date=day,
                    start=datetime.time(16, 0),
                    end=datetime.time(17, 30),
                    **fields,
                )
            )
        day += datetime.timedelta(days=1)
    return made


# --- payroll ----------------------------------------------------------------------------


def pay_rates(school, *, effective_from: datetime.date = datetime.date(2026, 9, 1), **fen):
    """The school's pay rates written straight to the table (no floor check: use
    kehou.payroll.services.pay_rates_set to test that): 60 yuan a class-hour and a tutoring
    hour, 80 a club session, 50 a duty day, 40-minute class-hours unless `fen` says
    otherwise."""
    from kehou.payroll.models import PayRates

    values = {
        "per_class_hour_fen": 6000,
        "per_tutoring_hour_fen": 6000,
        "per_club_session_fen": 8000,
        "per_duty_day_fen": 5000,
        "class_hour_minutes": 40,
    } | fen
    return PayRates.objects.create(school=school, effective_from=effective_from, **values)


# --- surveys ----------------------------------------------------------------------------


def survey(
    school=None,
    *,
    region=None,
    kind: str = "satisfaction",
    status: str = "sent",
    title: str = "课后服务满意度调查",
    **fields,
):
    """A survey of `school` (or, with `region` and no school, a bureau's), written straight
    to the tables; unless a draft, sent to the school (or every school of the region) an
    hour ago. Use kehou.surveys.services to test the checks."""
    from django.utils import timezone

    from kehou.surveys.models import Survey, SurveySchool

    now = timezone.now()
    created = Survey.objects.create(
        school=school,
        region=region or school.region,
        title=title,
        kind=kind,
        status=status,
        opens_at=None if status == "draft" else now - datetime.timedelta(hours=1),
        **fields,
    )
    if status != "draft":
        schools = (
            [school]
            if school is not None
            else m.School.objects.filter(region__path__startswith=created.region.path)
        )
        SurveySchool.objects.bulk_create(
            SurveySchool(survey=created, school=s, sent_at=created.opens_at) for s in schools
        )
    return created


def survey_question(
    survey, text: str = "您对课后服务总体满意吗？", *, kind: str = "scale", **fields
):
    """A question at the end of `survey` (a 1–5 scale question unless `kind` says
    otherwise)."""
    from kehou.surveys.models import Question

    order = fields.pop("order", survey.questions.count() + 1)
    return Question.objects.create(
        survey=survey, school=survey.school, order=order, text=text, kind=kind, **fields
    )


def survey_response(survey, user, students, answers: dict, *, submitted_at=None):
    """A family's response written straight to the tables: `answers` maps a question to an
    int (scale), a list of choice texts, or a text."""
    from django.utils import timezone

    from kehou.surveys.models import Answer, Response, ResponseChild

    students = list(students)
    school = students[0].school
    response = Response.objects.create(
        survey=survey, school=school, by=user, submitted_at=submitted_at or timezone.now()
    )
    for student in students:
        ResponseChild.objects.create(
            response=response, survey=survey, school=school, student=student
        )
    for question, value in answers.items():
        Answer.objects.create(
            response=response,
            question=question,
            school=school,
            scale=value if isinstance(value, int) else None,
            choices=list(value) if isinstance(value, list | tuple) else [],
            text=value if isinstance(value, str) else "",
        )
    return response


# --- complaints (R20) ---


def complaint(school, *, received_on=None, state: str = "received", **fields):
    """A complaint written straight to the table (no events, no escalation): `received_on`
    defaults to today, the topic to teaching; a replied or closed one gets a reply."""
    from django.utils import timezone

    from kehou.complaints.codes import new_code
    from kehou.complaints.models import Complaint

    now = timezone.now()
    received_on = received_on or timezone.localdate()
    if state in {"replied", "closed"}:
        fields.setdefault("reply", "已核实处理。")
        fields.setdefault("replied_at", now)
    fields.setdefault("kind", Complaint.Kind.COMPLAINT)
    fields.setdefault("topic", Complaint.Topic.TEACHING)
    fields.setdefault("text", "课后服务时间安排不合理。")
    return Complaint.objects.create(
        school=school,
        state=state,
        received_on=received_on,
        received_at=fields.pop("received_at", now),
        code=fields.pop("code", new_code()),
        **fields,
    )


# --- dashboard --------------------------------------------------------------------------


def school_month(school, month: datetime.date = datetime.date(2026, 10, 1), **figures):
    """A SchoolMonth row written straight with the figures given (the dashboard reads them;
    kehou.reports computes them). `by_grade` and `by_priority` take {key: (in_school,
    taking_part)} as well as the stored dicts."""
    from kehou.reports.models import SchoolMonth

    for name in ("by_grade", "by_priority"):
        if name in figures:
            figures[name] = {
                str(key): (
                    {"in_school": value[0], "taking_part": value[1]}
                    if isinstance(value, tuple)
                    else value
                )
                for key, value in figures[name].items()
            }
    return SchoolMonth.objects.create(school=school, month=month, **figures)


# --- resources and staff records ----------------------------------------------------------


def resource(owner, **fields):
    """A free online resource written straight to the table: a school's own (`owner` a
    School, e.g. a recorded lesson) or a bureau's for every school of a region (`owner` a
    Region); the national platform unless `fields` say otherwise."""
    from kehou.resources.models import Resource

    values = {
        "title": "国家中小学智慧教育平台",
        "kind": "platform",
        "url": "https://basic.smartedu.cn",
        "grade_from": 1,
        "grade_to": 9,
    }
    if isinstance(owner, m.School):
        values |= {"school": owner, "region": owner.region}
    else:
        values["region"] = owner
    return Resource.objects.create(**(values | fields))


def taken_sitting(
    school,
    responsible,
    *,
    day: datetime.date = datetime.date(2026, 10, 13),
    start: datetime.time = datetime.time(16, 0),
    end: datetime.time = datetime.time(17, 30),
    plan=None,
    offering=None,
    cancelled: bool = False,
    **fields,
):
    """A sitting of `school` on `day` that `responsible` (a Staff) took: the basic service,
    or an activity group's meeting when `offering` is given; `cancelled` records that the
    school cancelled it (kehou.billing SittingCancellation)."""
    from kehou.billing.models import SittingCancellation

    plan = plan or SchoolPlanFactory(school=school, status="published")
    if offering is not None:
        fields |= {"kind": "offering", "offering": offering, "label": str(offering)}
    sitting = SittingFactory(
        plan=plan, date=day, responsible=responsible, start=start, end=end, **fields
    )
    if cancelled:
        SittingCancellation.objects.create(sitting=sitting, reason="暴雨停课")
    return sitting


# --- supervision ------------------------------------------------------------------------

SHEET_ITEMS = (("课后服务覆盖保障", 10), ("服务质量与内容", 10), ("学生及家长满意度", 10))


def scoring_sheet(
    region, *, kind: str = "midterm", items=SHEET_ITEMS, name="课后服务中期检查评分表", **bands
):
    """A scoring sheet of `region` written straight to the tables (use
    kehou.supervision.services.sheet_create to test the checks)."""
    from kehou.supervision.models import ScoringSheet, SheetItem

    sheet = ScoringSheet.objects.create(region=region, name=name, kind=kind, **bands)
    for order, (text, max_points) in enumerate(items, start=1):
        SheetItem.objects.create(sheet=sheet, order=order, text=text, max_points=max_points)
    return sheet


def final_review(school, term, sheet, *, findings=("课后服务签到记录不全",), due=None, actor=None):
    """A final review of `school` on `sheet`, full marks on every item, its findings open
    for rectification (due in two weeks unless `due` says otherwise)."""
    from django.utils import timezone

    from kehou.supervision.models import Finding, ItemScore, Review

    items = list(sheet.items.all())
    today = timezone.localdate()
    review = Review.objects.create(
        school=school,
        term=term,
        kind=sheet.kind,
        sheet=sheet,
        reviewed_on=today,
        reviewers="督学组",
        status=Review.Status.FINAL,
        total=sum(i.max_points for i in items),
        requires_rectification=bool(findings),
        rectification_due=(due or today + datetime.timedelta(days=14)) if findings else None,
        recorded_by=actor,
        finalised_by=actor,
        finalised_at=timezone.now(),
    )
    for item in items:
        ItemScore.objects.create(review=review, school=school, item=item, points=item.max_points)
    for order, text in enumerate(findings, start=1):
        Finding.objects.create(
            review=review,
            school=school,
            order=order,
            text=text,
            severity=Finding.Severity.MINOR,
            status=Finding.Status.OPEN,
        )
    return review


def exemplary_case(school, *, status: str = "draft", title="“5+2”课后服务全覆盖的做法", **fields):
    """An exemplary case of `school` written straight to the table."""
    from django.utils import timezone

    from kehou.supervision.models import ExemplaryCase

    return ExemplaryCase.objects.create(
        school=school,
        title=title,
        summary=fields.pop("summary", "学校统筹校内外资源，课后服务实现全覆盖。"),
        body=fields.pop("body", "一、基本做法\n二、主要成效"),
        status=status,
        published_at=timezone.now() if status == "published" else None,
        **fields,
    )
