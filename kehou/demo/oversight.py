"""What the bureau oversees in the demo city (issue 11, R20-R24), told through the services
with the clock at each moment (`_at`), after the past months' roll calls:

- every school's figures for the term's months so far (SchoolMonth);
- the monthly reports: for the month before last every school submitted on time but the
  last, which never did (the bureau's late list); for last month every school submitted
  but the main school, whose admin submits it in the demo;
- the bureau's satisfaction survey of last month, answered by some families in every
  school; the main school's needs survey with its letter to parents (告家长一封信) for next
  term, sent yesterday, which the demo guardian has not answered yet;
- complaints: the demo guardian's about a crowded homework group, replied; a public
  report about new lessons and paid tutoring at the main school, escalated as it concerns
  fees; a complaint that waited past its time limit; a refused child at another school,
  escalated at once;
- supervision: the city's mid-term scoring sheet, the main school's mid-term check with a
  finding it has rectified, and an exemplary case published on the public page.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from kehou.accounts.models import User
from kehou.complaints import services as complaints
from kehou.complaints.models import Complaint
from kehou.demo.sittings import _at, _moment
from kehou.lib.months import month_end, next_month
from kehou.org.access import SYSTEM
from kehou.org.models import Region, School, StudentGuardian
from kehou.reports import services as reports
from kehou.reports.deadlines import due_on, rules_by_school
from kehou.reports.figures import refresh_months
from kehou.supervision import services as supervision
from kehou.supervision.models import Kind as ReviewKind
from kehou.surveys import services as surveys
from kehou.surveys.models import Question, Survey
from kehou.terms.models import Term

ANSWERING_FAMILIES = 24  # per school, of the bureau's satisfaction survey
NEEDS_LETTER = (
    "尊敬的家长：\n为进一步做好课后服务工作，满足学生多样化需求，学校将于下学期继续开展"
    "课后服务。课后服务坚持学生自愿参加、家长申请、学校组织的原则，请您根据孩子的实际情况"
    "填写以下问卷，以便学校统筹安排服务时间和活动内容。感谢您的支持！"
)
MIDTERM_ITEMS = [
    ("服务方案制定与公示（一校一案）", 10),
    ("每周5天、每天不少于2小时，结束时间与下班时间衔接", 20),
    ("作业辅导与“2+N”内容开设", 20),
    ("学生自愿参加，家长申请、学校审核", 15),
    ("安全管理：考勤、交接、应急预案", 20),
    ("收费与经费使用规范，无违规补课", 15),
]


@dataclass
class OversightStory:
    school_months: int = 0
    reports: int = 0
    late_school: str = ""
    survey_answers: int = 0
    complaints: int = 0
    reviews: int = 0
    seconds: float = 0.0


def _admin(school: School) -> User | None:
    return User.objects.filter(role=User.Role.SCHOOL_ADMIN, school=school).order_by("pk").first()


def _officer(city: Region) -> User:
    return User.objects.filter(role=User.Role.BUREAU, region=city).order_by("pk").first()


def seed_oversight(
    *, city: Region, schools: list[School], months: list[dt.date], term: Term, seed: int | str
) -> OversightStory:
    started = time.perf_counter()
    story = OversightStory()
    rng = random.Random(f"oversight-{seed}")
    main = schools[0]
    officer = _officer(city)
    school_ids = [s.pk for s in schools]
    if months:
        _surveys(city, schools, months[-1], officer, rng, story)
    _complaints(main, schools, officer, story)
    _supervision(city, main, term, officer, story)
    if months:
        _reports(schools, months, story)
    for month in months:  # as the worker's hourly refresh left them
        story.school_months += refresh_months(school_ids, month)
    story.seconds = time.perf_counter() - started
    return story


def _reports(schools: list[School], months: list[dt.date], story: OversightStory) -> None:
    rules = rules_by_school(schools)
    late = schools[-1] if len(schools) > 1 else None
    before_last = months[-2] if len(months) > 1 else None
    story.late_school = late.name if late and before_last else ""
    today = timezone.localdate()
    for month in months:
        for school in schools:
            if month == months[-1] and school == schools[0]:
                continue  # the demo admin submits it
            if month == before_last and school == late:
                continue  # never submitted: late
            admin = _admin(school)
            due = due_on(rules.get(school.pk), month)
            day = due - dt.timedelta(days=2) if due else next_month(month) + dt.timedelta(days=5)
            day = min(day, today - dt.timedelta(days=1))
            if admin is None or day <= month_end(month):
                continue
            with _at(_moment(day, 16, 30)):
                reports.monthly_report_submit(
                    school=school,
                    month=month,
                    remark="本月课后服务按方案正常开展，无安全事故。",
                    confirmed=True,
                    actor=admin,
                )
            story.reports += 1


def _families(school: School, count: int, rng: random.Random, *, skip: set[int]) -> list:
    """Guardian logins of `count` families of the school: no two answer for one child."""
    children: dict[int, set[int]] = {}
    for user_id, student_id in StudentGuardian.objects.filter(
        student__school=school, student__is_active=True, guardian__user__isnull=False
    ).values_list("guardian__user_id", "student_id"):
        children.setdefault(user_id, set()).add(student_id)
    candidates = sorted(set(children) - skip)
    rng.shuffle(candidates)
    chosen, covered = [], set()
    for user_id in candidates:
        if len(chosen) == count:
            break
        if children[user_id] & covered:
            continue
        chosen.append(user_id)
        covered |= children[user_id]
    return list(User.objects.filter(pk__in=chosen).order_by("pk"))


def _surveys(city, schools, month, officer, rng, story: OversightStory) -> None:
    """The bureau's satisfaction survey of `month`, and the main school's needs survey."""
    demo_family = set(User.objects.filter(phone="13800000006").values_list("pk", flat=True))
    sent = _moment(month_end(month) - dt.timedelta(days=6), 9)
    with _at(sent):
        survey = surveys.survey_create(
            region=city,
            title=f"{month.month}月课后服务家长满意度调查",
            kind=Survey.Kind.SATISFACTION,
            letter="请您对本月孩子参加课后服务的情况作出评价，问卷匿名统计，约需两分钟。",
            closes_at=_moment(next_month(month) + dt.timedelta(days=3), 18),
            actor=officer,
        )
        overall = surveys.question_add(
            survey=survey,
            text="您对学校本月课后服务的总体满意度",
            kind=Question.Kind.SCALE,
            is_overall_satisfaction=True,
            actor=officer,
        )
        liked = surveys.question_add(
            survey=survey,
            text="孩子最喜欢的内容（可多选）",
            kind=Question.Kind.MULTIPLE,
            choices=["作业辅导", "体育锻炼", "文艺活动", "科普活动", "阅读"],
            actor=officer,
        )
        said = surveys.question_add(
            survey=survey,
            text="您的意见和建议",
            kind=Question.Kind.TEXT,
            required=False,
            actor=officer,
        )
        surveys.survey_send(survey=survey, confirmed=True, actor=officer)
    for school in schools:
        for n, user in enumerate(_families(school, ANSWERING_FAMILIES, rng, skip=demo_family)):
            score = rng.choices([5, 4, 3, 2], weights=[50, 32, 13, 5])[0]
            answers = {
                overall.pk: score,
                liked.pk: rng.sample(liked.choices, rng.randint(1, 2)),
                said.pk: "希望增加体育类活动。" if n % 5 == 0 else "",
            }
            with _at(sent + dt.timedelta(days=1 + n % 5, minutes=n * 7)):
                surveys.response_submit(survey=survey, answers=answers, actor=user, school=school)
            story.survey_answers += 1

    main, admin = schools[0], _admin(schools[0])
    with _at(_moment(timezone.localdate() - dt.timedelta(days=1), 15)):
        needs = surveys.survey_create(
            school=main,
            title="下学期课后服务需求调查（告家长一封信）",
            kind=Survey.Kind.NEEDS,
            letter=NEEDS_LETTER,
            closes_at=_moment(timezone.localdate() + dt.timedelta(days=10), 18),
            actor=admin,
        )
        for text, kind, choices in (
            ("下学期孩子是否参加学校课后服务", Question.Kind.SINGLE, ["参加", "不参加"]),
            (
                "希望孩子参加的服务内容（可多选）",
                Question.Kind.MULTIPLE,
                ["作业辅导", "体育锻炼", "艺术", "科技", "阅读", "劳动实践"],
            ),
            (
                "是否需要延时托管（至18:30）",
                Question.Kind.SINGLE,
                ["需要，每天", "需要，部分日子", "不需要"],
            ),
            ("您方便接孩子的时间", Question.Kind.SINGLE, ["17:30前", "17:30-18:00", "18:00后"]),
            ("其他需求或建议", Question.Kind.TEXT, []),
        ):
            surveys.question_add(
                survey=needs,
                text=text,
                kind=kind,
                choices=choices,
                required=kind != Question.Kind.TEXT,
                actor=admin,
            )
        surveys.survey_send(survey=needs, confirmed=True, actor=admin)


def _family_child(phone: str):
    link = StudentGuardian.objects.filter(guardian__user__phone=phone).order_by("student__pk")
    return link.select_related("student", "guardian__user").first()


def _complaints(main: School, schools: list[School], officer: User, story: OversightStory):
    today = timezone.localdate()
    admin = _admin(main)
    family = _family_child("13800000006")
    if family is not None:
        with _at(_moment(today - dt.timedelta(days=9), 20)):
            crowded = complaints.complaint_submit(
                student=family.student,
                kind=Complaint.Kind.COMPLAINT,
                topic=Complaint.Topic.OTHER,
                text="孩子所在的作业辅导班人数较多，老师照顾不过来，希望学校增加一名老师。",
                actor=family.guardian.user,
            )
        with _at(_moment(today - dt.timedelta(days=8), 10)):
            complaints.complaint_assign(complaint=crowded, assignee=admin, actor=admin)
            complaints.complaint_record_handling(
                complaint=crowded, handling="已核实该班31人，安排一名教师协助辅导。", actor=admin
            )
        with _at(_moment(today - dt.timedelta(days=7), 16)):
            complaints.complaint_reply(
                complaint=crowded,
                reply="感谢您的建议。经核实，学校已从本周起为该班增加一名教师协助作业辅导。",
                actor=admin,
            )
        story.complaints += 1
    with _at(_moment(today - dt.timedelta(days=3), 21)):
        complaints.complaint_submit_public(
            school=main,
            kind=Complaint.Kind.REPORT,
            topic=Complaint.Topic.FEES,
            text="有老师在课后服务时间讲新课，并建议家长报名校外收费辅导班。",
            actor=AnonymousUser(),
        )
    with _at(_moment(today - dt.timedelta(days=20), 12)):
        complaints.complaint_submit_public(
            school=main,
            kind=Complaint.Kind.COMPLAINT,
            topic=Complaint.Topic.SAFETY,
            text="放学时校门口车辆拥堵，接孩子不安全，希望错峰放学。",
            name="张先生",
            phone="13912345678",
            actor=AnonymousUser(),
        )
    story.complaints += 2
    if len(schools) > 1:
        with _at(_moment(today - dt.timedelta(days=2), 19)):
            complaints.complaint_submit_public(
                school=schools[1],
                kind=Complaint.Kind.COMPLAINT,
                topic=Complaint.Topic.REFUSED,
                text="孩子报名课后服务，学校说名额已满不让参加，但同班其他同学后来报名却能参加。",
                actor=AnonymousUser(),
            )
        story.complaints += 1
    with _at(_moment(today, 0, 5)):
        complaints.complaints_escalate_late(actor=SYSTEM)


def _supervision(city: Region, main: School, term: Term, officer: User, story) -> None:
    today = timezone.localdate()
    midterm_day = today - dt.timedelta(days=12)
    if midterm_day < term.start:
        return
    admin = _admin(main)
    with _at(_moment(midterm_day - dt.timedelta(days=7), 9)):
        sheet = supervision.sheet_create(
            region=city,
            name="课后服务中期检查评分表",
            kind=ReviewKind.MIDTERM,
            items=[{"text": t, "max_points": p} for t, p in MIDTERM_ITEMS],
            bands={"excellent_from": 90, "good_from": 80, "pass_from": 60},
            actor=officer,
        )
    items = list(sheet.items.order_by("order"))
    points = [9, 18, 17, 15, 16, 14]
    with _at(_moment(midterm_day, 15)):
        review = supervision.review_record(
            school=main,
            term=term,
            kind=ReviewKind.MIDTERM,
            sheet=sheet,
            reviewed_on=midterm_day,
            reviewers="市教育局基础教育科 周燕秀、区教育局 胡明伟",
            scores={item.pk: p for item, p in zip(items, points, strict=True)},
            summary="课后服务按方案开展，内容丰富；放学交接环节需加强。",
            findings=[("放学时部分班级未按名单逐一交接，存在安全隐患。", "major")],
            requires_rectification=True,
            rectification_due=midterm_day + dt.timedelta(days=14),
            actor=officer,
        )
        supervision.review_finalise(review=review, confirmed=True, actor=officer)
    finding = review.findings.get()
    with _at(_moment(midterm_day + dt.timedelta(days=5), 17)):
        supervision.rectification_submit(
            finding=finding,
            action="已修订放学交接制度，值班教师按名单逐一交接并在系统中登记，家长刷码接送。",
            actor=admin,
        )
    with _at(_moment(midterm_day + dt.timedelta(days=3), 10)):
        case = supervision.case_create(
            school=main,
            title="“作业辅导+社团”让课后服务有温度",
            summary="学校以作业辅导为基础，开设剪纸、足球、科技等社团，学生自愿参加率超过九成。",
            body=(
                "学校坚持“一校一案”，每天下午放学后先安排一节作业辅导课，由班主任和学科教师"
                "答疑解惑；第二节开设二十余个社团，学生按兴趣自主选择。学校还引入经审核的"
                "校外体育、艺术机构，丰富服务内容，家长满意度持续提升。"
            ),
            actor=officer,
        )
        supervision.case_publish(case=case, actor=officer)
    with _at(_moment(midterm_day + dt.timedelta(days=6), 15)):
        # the school's own proposal, waiting for the bureau to publish it
        supervision.case_create(
            school=main,
            title="家长志愿者走进课后服务",
            summary="家委会组织家长志愿者协助放学交接和社团活动，每周轮值。",
            body=(
                "学校家委会按年级组建家长志愿者队伍，经学校培训后，每周轮值协助值班教师"
                "在放学时清点交接，并在剪纸、棋类社团中担任助教。志愿服务不收取任何费用，"
                "家长更了解课后服务，也更放心。"
            ),
            actor=admin,
        )
    story.reviews += 1
