"""Reads of the surveys (R20), scoped through kehou.org.access; a GET never writes.

Who sees what:
- a school admin: their school's surveys, and the bureau's surveys sent to their school
  (the results of their own school's families only);
- a bureau officer: the surveys of the schools in their region, the bureau's own of their
  region and below, and a higher bureau's survey sent to their schools (their schools'
  results);
- a guardian: the sent surveys their children's schools received, to answer or answered.

The contracts other apps read (the monthly report, the dashboard, the staff record),
`satisfaction` and `ratings_by_staff`, are each one query for any number of schools or
staff; `since` and `until` are school days (dates, both included), and a response counts
on the local day it was submitted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kehou.accounts.models import User
from kehou.core.errors import refusal
from kehou.core.spreadsheets import Sheet
from kehou.org import access
from kehou.org.models import School, Student
from kehou.surveys.models import (
    SATISFIED_FROM,
    SCALE_MAX,
    SCALE_MIN,
    Answer,
    Question,
    Response,
    ResponseChild,
    Survey,
    SurveySchool,
)


def _day_bounds(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def satisfaction(
    school_ids: Iterable[int], since: dt.date, until: dt.date
) -> dict[int, tuple[int, int]]:
    """{school id: (answers, satisfied)} to the overall-satisfaction question of any
    survey, from responses submitted in [since, until]; satisfied = 4 or 5. A school
    without such answers is left out."""
    ids = sorted({pk for pk in school_ids if pk})
    if not ids or until < since:
        return {}
    start, end = _day_bounds(since, until)
    rows = (
        Answer.objects.filter(
            school_id__in=ids,
            question__is_overall_satisfaction=True,
            scale__isnull=False,
            response__submitted_at__gte=start,
            response__submitted_at__lt=end,
        )
        .values("school_id")
        .annotate(total=Count("pk"), satisfied=Count("pk", filter=Q(scale__gte=SATISFIED_FROM)))
        .order_by()
    )
    return {row["school_id"]: (row["total"], row["satisfied"]) for row in rows}


def ratings_by_staff(
    staff_ids: Iterable[int], since: dt.date, until: dt.date
) -> dict[int, tuple[int, float]]:
    """{staff id: (ratings, mean 1–5)} from the 1–5 questions that rate an offering, whose
    instructor is the rated staff, from responses submitted in [since, until]. Staff
    without ratings are left out."""
    ids = sorted({pk for pk in staff_ids if pk})
    if not ids or until < since:
        return {}
    start, end = _day_bounds(since, until)
    rows = (
        Answer.objects.filter(
            question__offering__instructor_id__in=ids,
            scale__isnull=False,
            response__submitted_at__gte=start,
            response__submitted_at__lt=end,
        )
        .values("question__offering__instructor_id")
        .annotate(total=Count("pk"), mean=Avg("scale"))
        .order_by()
    )
    return {
        row["question__offering__instructor_id"]: (row["total"], round(float(row["mean"]), 2))
        for row in rows
    }


# --------------------------------------------------------------------------- scope


def may_manage_survey(user, survey: Survey) -> bool:
    """A school's survey is its admin's; a bureau's is its region's officers'."""
    if survey.school_id is not None:
        return access.may_manage_school(user, survey.school)
    return access.may_oversee(user, survey.region)


def may_build_surveys(user) -> bool:
    """School admins and bureau officers build surveys (kehou.surveys.services checks
    each one)."""
    return user.is_authenticated and (
        user.is_superuser
        or (user.role == User.Role.SCHOOL_ADMIN and user.school_id is not None)
        or (user.role == User.Role.BUREAU and user.region_id is not None)
    )


def surveys_for(user) -> QuerySet[Survey]:
    """The surveys a school admin or an officer reads (their results, for their schools)."""
    if not access.is_acting(user):
        return Survey.objects.none()
    if user.is_superuser:
        return Survey.objects.all()
    if user.role == User.Role.SCHOOL_ADMIN and user.school_id:
        received = SurveySchool.objects.filter(survey=OuterRef("pk"), school_id=user.school_id)
        return Survey.objects.filter(
            Q(school_id=user.school_id) | (Q(school__isnull=True) & Exists(received))
        )
    if user.role == User.Role.BUREAU and user.region_id:
        path = user.region.path
        received = SurveySchool.objects.filter(
            survey=OuterRef("pk"), school__region__path__startswith=path
        )
        return Survey.objects.filter(Q(region__path__startswith=path) | Exists(received))
    return Survey.objects.none()


def access_survey(user, pk: int) -> Survey:
    survey = (
        surveys_for(user).select_related("school", "region", "created_by").filter(pk=pk).first()
    )
    if survey is None:
        raise Http404
    return survey


def result_schools(user, survey: Survey) -> QuerySet[School]:
    """The schools whose families' answers `user` reads in this survey."""
    return access.schools_for(user).filter(
        pk__in=SurveySchool.objects.filter(survey=survey).values("school_id")
    )


@dataclass
class SurveyRow:
    survey: Survey
    questions: int
    responses: int
    may_manage: bool


def survey_list(user) -> list[SurveyRow]:
    """The list page of an admin or an officer, newest first, in one query."""
    seen = access.schools_for(user).values("pk")
    surveys = (
        surveys_for(user)
        .select_related("school", "region")
        .annotate(
            n_questions=Count("questions", distinct=True),
            n_responses=Count("responses", filter=Q(responses__school_id__in=seen), distinct=True),
        )
        .order_by("-created_at", "-pk")
    )
    return [SurveyRow(s, s.n_questions, s.n_responses, may_manage_survey(user, s)) for s in surveys]


# --------------------------------------------------------------------------- guardians


def family_children(user, survey: Survey) -> dict[int, list[Student]]:
    """{school id: [the user's children on roll there]} over the schools the survey was
    sent to: the families this login answers for."""
    if not access.is_acting(user) or getattr(user, "role", None) != User.Role.GUARDIAN:
        return {}
    sent_to = SurveySchool.objects.filter(survey=survey).values("school_id")
    children = (
        Student.objects.filter(
            guardian_links__guardian__user=user, school_id__in=sent_to, is_active=True
        )
        .select_related("school")
        .distinct()
        .order_by("school_id", "pk")
    )
    families: dict[int, list[Student]] = {}
    for child in children:
        families.setdefault(child.school_id, []).append(child)
    return families


def already_answered(survey: Survey, school_id: int, user, children: list[Student]):
    """None when this family may answer; else the refusal that says why not."""
    if Response.objects.filter(survey=survey, school_id=school_id, by=user).exists():
        return refusal(
            "already_answered",
            _("You have answered this survey already: one answer for each family."),
        )
    taken = (
        ResponseChild.objects.filter(survey=survey, student__in=children)
        .select_related("student")
        .first()
    )
    if taken is not None:
        return refusal(
            "answered_by_other_guardian",
            _(
                "Another guardian of %(name)s has answered this survey already: one answer "
                "for each family."
            ),
            name=taken.student.name,
        )
    return None


@dataclass
class FamilySurvey:
    survey: Survey
    answered: bool
    open: bool


def guardian_surveys(user) -> list[FamilySurvey]:
    """The sent surveys of a guardian's children's schools: those still to answer first."""
    if not access.is_acting(user) or user.role != User.Role.GUARDIAN:
        return []
    children = Student.objects.filter(guardian_links__guardian__user=user, is_active=True)
    surveys = (
        Survey.objects.filter(
            status__in=[Survey.Status.SENT, Survey.Status.CLOSED],
            sent_to__school__in=children.values("school_id"),
        )
        .annotate(
            mine=Exists(Response.objects.filter(survey=OuterRef("pk"), by=user)),
            theirs=Exists(
                ResponseChild.objects.filter(
                    survey=OuterRef("pk"), student__in=children.values("pk")
                )
            ),
        )
        .distinct()
        .order_by("-opens_at", "-pk")
    )
    now = timezone.now()
    rows = [FamilySurvey(s, s.mine or s.theirs, s.is_open_at(now)) for s in surveys]
    return sorted(rows, key=lambda r: r.answered or not r.open)


def access_survey_to_answer(user, pk: int) -> Survey:
    """A sent survey of one of the guardian's children's schools; 404 otherwise."""
    survey = Survey.objects.exclude(status=Survey.Status.DRAFT).filter(pk=pk).first()
    if survey is None or not family_children(user, survey):
        raise Http404
    return survey


@dataclass
class Family:
    school: School
    children: list[Student]
    response: Response | None
    refusal: object | None  # why this family may not answer (answered, by whom)


def families_answering(user, survey: Survey) -> list[Family]:
    """The guardian's families (children per school) for this survey, and whether each has
    answered."""
    out = []
    for school_id, children in family_children(user, survey).items():
        response = (
            Response.objects.filter(survey=survey, school_id=school_id, by=user)
            .prefetch_related("answers")
            .first()
        )
        out.append(
            Family(
                school=children[0].school,
                children=children,
                response=response,
                refusal=already_answered(survey, school_id, user, children),
            )
        )
    return out


def questions_of(survey: Survey) -> list[Question]:
    return list(survey.questions.select_related("offering").order_by("order", "pk"))


# --------------------------------------------------------------------------- results


@dataclass
class ChoiceCount:
    choice: str
    count: int
    percent: float


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    choices: list[ChoiceCount] = field(default_factory=list)
    distribution: list[int] = field(default_factory=list)  # counts of 1..5
    mean: float | None = None
    satisfied: int = 0
    texts: list[str] = field(default_factory=list)

    @property
    def scale_rows(self) -> list[tuple[int, int]]:
        return list(zip(range(SCALE_MIN, SCALE_MAX + 1), self.distribution, strict=True))


@dataclass
class SurveyResults:
    survey: Survey
    schools: list[School]
    responses: int
    questions: list[QuestionResult]


def results(user, survey: Survey, *, school_id: int | None = None) -> SurveyResults:
    """Counts per choice, the 1–5 distribution and mean, and the texts, of the answers of
    the families in the schools `user` sees (one of them with `school_id`): four queries
    however many questions and answers."""
    schools = list(result_schools(user, survey).order_by("name"))
    ids = [s.pk for s in schools if school_id is None or s.pk == school_id]
    questions = questions_of(survey)
    responses = Response.objects.filter(survey=survey, school_id__in=ids).count()
    answers = Answer.objects.filter(response__survey=survey, school_id__in=ids).values_list(
        "question_id", "choices", "scale", "text"
    )
    by_question: dict[int, list[tuple]] = {}
    for question_id, choices, scale, text in answers.order_by("pk"):
        by_question.setdefault(question_id, []).append((choices, scale, text))
    out = []
    for question in questions:
        rows = by_question.get(question.pk, [])
        result = QuestionResult(question, answered=len(rows))
        if question.kind in Question.CHOICE_KINDS:
            counts = Counter(c for choices, _s, _t in rows for c in choices or ())
            result.choices = [
                ChoiceCount(c, counts[c], round(100 * counts[c] / len(rows), 1) if rows else 0.0)
                for c in question.choices
            ]
        elif question.kind == Question.Kind.SCALE:
            scores = [s for _c, s, _t in rows if s is not None]
            result.distribution = [scores.count(n) for n in range(SCALE_MIN, SCALE_MAX + 1)]
            result.mean = round(sum(scores) / len(scores), 2) if scores else None
            result.satisfied = sum(1 for s in scores if s >= SATISFIED_FROM)
        else:
            result.texts = [t for _c, _s, t in rows if t]
        out.append(result)
    return SurveyResults(survey, schools, responses, out)


def _answer_text(question: Question, answer: Answer | None):
    if answer is None:
        return ""
    if question.kind == Question.Kind.SCALE:
        return answer.scale
    if question.kind in Question.CHOICE_KINDS:
        return "；".join(answer.choices)
    return answer.text


def export_sheets(user, survey: Survey) -> list[Sheet]:
    """The workbook of the results: one row per response, and the counts."""
    schools = result_schools(user, survey)
    questions = questions_of(survey)
    responses = (
        Response.objects.filter(survey=survey, school__in=schools)
        .select_related("school")
        .prefetch_related("answers", "children__student")
        .order_by("school__name", "submitted_at", "pk")
    )
    rows = []
    for response in responses:
        answers = {a.question_id: a for a in response.answers.all()}
        rows.append(
            [
                timezone.localtime(response.submitted_at).replace(tzinfo=None),
                response.school.name,
                "、".join(c.student.name for c in response.children.all()),
                *(_answer_text(q, answers.get(q.pk)) for q in questions),
            ]
        )
    headers = [_("Submitted at"), _("School"), _("Children")] + [
        f"{n}. {q.text}" for n, q in enumerate(questions, start=1)
    ]
    summary = results(user, survey)
    counts = []
    for n, item in enumerate(summary.questions, start=1):
        label = f"{n}. {item.question.text}"
        if item.question.kind in Question.CHOICE_KINDS:
            counts += [[label, c.choice, c.count, c.percent] for c in item.choices]
        elif item.question.kind == Question.Kind.SCALE:
            counts += [[label, str(score), count, None] for score, count in item.scale_rows]
            counts.append([label, _("Mean"), item.mean, None])
        else:
            counts.append([label, _("Text answers"), len(item.texts), None])
    title = [survey.title, _("%(count)d responses") % {"count": summary.responses}]
    return [
        Sheet(name=_("Responses"), headers=headers, rows=rows, title=title),
        Sheet(
            name=_("Counts"),
            headers=[_("Question"), _("Answer"), _("Count"), _("Percent")],
            rows=counts,
            title=title,
        ),
    ]


def offerings_to_rate(survey: Survey) -> list:
    """The activities of the survey's school a 1–5 question may rate: those with an
    instructor, in a term that has not ended or ended this half year."""
    from kehou.catalog.models import Offering

    if survey.school_id is None:
        return []
    recent = timezone.localdate() - dt.timedelta(days=183)
    return list(
        Offering.objects.filter(
            menu__school_id=survey.school_id,
            instructor__isnull=False,
            menu__term__end__gte=recent,
        )
        .select_related("menu__term", "activity", "instructor")
        .order_by("-menu__term__start", "activity__name", "name")
    )
