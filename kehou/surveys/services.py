"""Writes of the surveys (R20): building a survey and its questions, sending it through the
inbox, closing it, and a family's answer. Keyword-only `<entity>_<verb>(*, ..., actor)`.

Who may do what:
- a school's survey: its own school admin builds, sends and closes it;
- a bureau's survey (no school, a region): an officer of that region or one above it
  builds, sends (to every school under the region) and closes it;
- a guardian answers a sent survey for their children in a school it was sent to, once
  per family: a second answer from the same login, or from another guardian of a child
  already answered for, is refused.

Questions change only while the survey is a draft: once families answer, the questions
they answered stay as they were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehou.core.errors import Problems, refusal
from kehou.notifications.models import Notification
from kehou.notifications.recipients import guardian_users
from kehou.notifications.services import notify
from kehou.org import access
from kehou.org.models import Region, School, Student
from kehou.surveys.models import (
    SCALE_MAX,
    SCALE_MIN,
    Answer,
    Question,
    Response,
    ResponseChild,
    Survey,
    SurveySchool,
)
from kehou.surveys.selectors import already_answered, family_children, may_manage_survey

TITLE_MAX = 120
LETTER_MAX = 4000
QUESTION_MAX = 300
CHOICE_MAX = 100
MAX_CHOICES = 20
MAX_QUESTIONS = 60
ANSWER_TEXT_MAX = 2000


# --------------------------------------------------------------------------- scope


def _require_owner(actor, survey: Survey) -> None:
    if not may_manage_survey(actor, survey):
        raise access.OutOfScope


def _require_draft(survey: Survey) -> None:
    if survey.status != Survey.Status.DRAFT:
        raise refusal(
            "survey_not_draft",
            _("The survey has been sent: its questions can no longer change."),
        )


def _locked(survey: Survey) -> Survey:
    return (
        Survey.objects.select_for_update(of=("self",))
        .select_related("school", "region")
        .get(pk=survey.pk)
    )


# --------------------------------------------------------------------------- the survey


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _survey_values(*, title, kind, audience, letter, closes_at, now: dt.datetime) -> dict:
    problems = Problems()
    title = _text(title)
    if not title:
        problems.add("title_missing", _("Give the survey a title."), field="title")
    elif len(title) > TITLE_MAX:
        problems.add(
            "text_too_long", _("Keep it under %(max)d characters."), field="title", max=TITLE_MAX
        )
    if kind not in Survey.Kind.values:
        problems.add("kind_unknown", _("Choose the kind of survey."), field="kind")
    if audience not in Survey.Audience.values:
        problems.add("audience_unknown", _("Choose who answers the survey."), field="audience")
    letter = _text(letter)
    if len(letter) > LETTER_MAX:
        problems.add(
            "text_too_long", _("Keep it under %(max)d characters."), field="letter", max=LETTER_MAX
        )
    if closes_at is not None:
        if not isinstance(closes_at, dt.datetime) or timezone.is_naive(closes_at):
            problems.add("time_missing", _("Give the date and time."), field="closes_at")
        elif closes_at <= now:
            problems.add(
                "closes_in_the_past",
                _("The closing time has passed already: choose a later one."),
                field="closes_at",
            )
    problems.raise_if_any()
    return {
        "title": title,
        "kind": kind,
        "audience": audience,
        "letter": letter,
        "closes_at": closes_at,
    }


def survey_create(
    *,
    school: School | None = None,
    region: Region | None = None,
    title: str,
    kind: str,
    audience: str = Survey.Audience.PARENTS,
    letter: str = "",
    closes_at: dt.datetime | None = None,
    actor,
) -> Survey:
    """A draft survey of `school` (by its admin) or, without a school, of `region` (by an
    officer of that region or above; sent later to every school under it)."""
    if school is not None:
        access.require_school_admin(actor, school)
        region = school.region
    elif region is None or not access.may_oversee(actor, region):
        raise access.OutOfScope
    values = _survey_values(
        title=title,
        kind=kind,
        audience=audience,
        letter=letter,
        closes_at=closes_at,
        now=timezone.now(),
    )
    with transaction.atomic():
        return Survey.objects.create(
            school=school, region=region, created_by=access.user_of(actor), **values
        )


def survey_update(
    *,
    survey: Survey,
    title: str,
    kind: str,
    audience: str,
    letter: str = "",
    closes_at: dt.datetime | None = None,
    actor,
) -> Survey:
    _require_owner(actor, survey)
    values = _survey_values(
        title=title,
        kind=kind,
        audience=audience,
        letter=letter,
        closes_at=closes_at,
        now=timezone.now(),
    )
    with transaction.atomic():
        survey = _locked(survey)
        _require_draft(survey)
        for name, value in values.items():
            setattr(survey, name, value)
        survey.save()
    return survey


# --------------------------------------------------------------------------- questions


def _question_values(
    survey: Survey,
    *,
    text,
    kind,
    required,
    choices,
    is_overall_satisfaction,
    offering,
    question: Question | None = None,
) -> dict:
    problems = Problems()
    text = _text(text)
    if not text:
        problems.add("question_missing", _("Write the question."), field="text")
    elif len(text) > QUESTION_MAX:
        problems.add(
            "text_too_long", _("Keep it under %(max)d characters."), field="text", max=QUESTION_MAX
        )
    if kind not in Question.Kind.values:
        problems.add("kind_unknown", _("Choose the kind of question."), field="kind")
    clean_choices: list[str] = []
    if kind in Question.CHOICE_KINDS:
        for choice in choices or ():
            choice = _text(choice)
            if not choice:
                continue
            if len(choice) > CHOICE_MAX:
                problems.add(
                    "text_too_long",
                    _("Keep it under %(max)d characters."),
                    field="choices",
                    max=CHOICE_MAX,
                )
            elif choice in clean_choices:
                problems.add(
                    "choice_twice",
                    _("“%(choice)s” is listed twice."),
                    field="choices",
                    choice=choice,
                )
            else:
                clean_choices.append(choice)
        if len(clean_choices) < 2:
            problems.add(
                "choices_missing",
                _("A choice question needs at least two choices, one a line."),
                field="choices",
            )
        elif len(clean_choices) > MAX_CHOICES:
            problems.add(
                "too_many_choices",
                _("At most %(max)d choices."),
                field="choices",
                max=MAX_CHOICES,
            )
    is_overall = bool(is_overall_satisfaction)
    if is_overall and kind != Question.Kind.SCALE:
        problems.add(
            "overall_not_scale",
            _("Overall satisfaction is asked on the 1–5 scale."),
            field="is_overall_satisfaction",
        )
    elif is_overall:
        taken = survey.questions.filter(is_overall_satisfaction=True)
        if question is not None:
            taken = taken.exclude(pk=question.pk)
        if taken.exists():
            problems.add(
                "overall_taken",
                _("Another question of this survey already asks for overall satisfaction."),
                field="is_overall_satisfaction",
            )
    if offering is not None:
        if kind != Question.Kind.SCALE:
            problems.add(
                "rating_not_scale",
                _("An activity is rated on the 1–5 scale."),
                field="offering",
            )
        elif survey.school_id is None or offering.menu.school_id != survey.school_id:
            problems.add(
                "offering_of_another_school",
                _("Only an activity of the survey's own school can be rated."),
                field="offering",
            )
    problems.raise_if_any()
    return {
        "text": text,
        "kind": kind,
        "required": bool(required),
        "choices": clean_choices,
        "is_overall_satisfaction": is_overall,
        "offering": offering,
    }


def question_add(
    *,
    survey: Survey,
    text: str,
    kind: str,
    required: bool = True,
    choices: Iterable[str] = (),
    is_overall_satisfaction: bool = False,
    offering=None,
    actor,
) -> Question:
    """A question at the end of a draft survey."""
    _require_owner(actor, survey)
    with transaction.atomic():
        survey = _locked(survey)
        _require_draft(survey)
        if survey.questions.count() >= MAX_QUESTIONS:
            raise refusal(
                "too_many_questions",
                _("A survey has at most %(max)d questions."),
                max=MAX_QUESTIONS,
            )
        values = _question_values(
            survey,
            text=text,
            kind=kind,
            required=required,
            choices=choices,
            is_overall_satisfaction=is_overall_satisfaction,
            offering=offering,
        )
        last = survey.questions.aggregate(last=Max("order"))["last"] or 0
        return Question.objects.create(
            survey=survey, school=survey.school, order=last + 1, **values
        )


def question_update(
    *,
    question: Question,
    text: str,
    kind: str,
    required: bool = True,
    choices: Iterable[str] = (),
    is_overall_satisfaction: bool = False,
    offering=None,
    actor,
) -> Question:
    _require_owner(actor, question.survey)
    with transaction.atomic():
        survey = _locked(question.survey)
        _require_draft(survey)
        values = _question_values(
            survey,
            text=text,
            kind=kind,
            required=required,
            choices=choices,
            is_overall_satisfaction=is_overall_satisfaction,
            offering=offering,
            question=question,
        )
        for name, value in values.items():
            setattr(question, name, value)
        question.save()
    return question


def question_delete(*, question: Question, actor) -> None:
    _require_owner(actor, question.survey)
    with transaction.atomic():
        _require_draft(_locked(question.survey))
        question.delete()


def question_move(*, question: Question, up: bool, actor) -> None:
    """Swap the question with the one before it (`up`) or after it; at the top or the
    bottom nothing moves."""
    _require_owner(actor, question.survey)
    with transaction.atomic():
        survey = _locked(question.survey)
        _require_draft(survey)
        ordered = list(survey.questions.order_by("order", "pk"))
        index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(ordered):
            return
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for order, item in enumerate(ordered, start=1):
            item.order = order
        Question.objects.bulk_update(ordered, ["order"])


# --------------------------------------------------------------------------- send, close


def _target_schools(survey: Survey) -> list[School]:
    if survey.school_id is not None:
        return [survey.school]
    return list(School.objects.filter(region__path__startswith=survey.region.path).order_by("pk"))


def survey_send(*, survey: Survey, confirmed: bool = False, actor) -> Survey:
    """Send a draft survey: it opens now, and every guardian login of the children on
    roll in the school (or each school of the bureau's region) finds it in their inbox,
    with a link to answer it. Sending cannot be undone (the questions are fixed)."""
    _require_owner(actor, survey)
    now = timezone.now()
    with transaction.atomic():
        survey = _locked(survey)
        if survey.status != Survey.Status.DRAFT:
            raise refusal("survey_already_sent", _("The survey has been sent already."))
        problems = Problems()
        if not survey.questions.exists():
            problems.add(
                "no_questions", _("Add at least one question before sending."), field="questions"
            )
        if survey.closes_at is not None and survey.closes_at <= now:
            problems.add(
                "closes_in_the_past",
                _("The closing time has passed already: choose a later one."),
                field="closes_at",
            )
        schools = _target_schools(survey)
        if not schools:
            problems.add("no_schools", _("There is no school in this region to send it to."))
        problems.raise_if_any()
        if not confirmed:
            raise refusal(
                "confirmation_required",
                _("Once sent, the questions cannot change: confirm it first."),
            )
        survey.status = Survey.Status.SENT
        survey.opens_at = now
        survey.save(update_fields=["status", "opens_at"])
        SurveySchool.objects.bulk_create(
            SurveySchool(survey=survey, school=school, sent_at=now) for school in schools
        )
        _notify_families(survey, schools)
    return survey


def _notify_families(survey: Survey, schools: list[School]) -> None:
    link = reverse("surveys:answer", args=[survey.pk])
    if survey.audience == Survey.Audience.STUDENTS:
        body = _(
            "A survey for your child: please let them answer it on your phone (for a young "
            "child, read it out and answer together)."
        )
    else:
        body = _("Please answer the survey; one answer for your family.")
    if survey.closes_at is not None:
        body += " " + _("Open until %(when)s.") % {
            "when": timezone.localtime(survey.closes_at).strftime("%Y-%m-%d %H:%M")
        }
    for school in schools:
        students = Student.objects.filter(school=school, is_active=True).values_list(
            "pk", flat=True
        )
        users = {u.pk: u for group in guardian_users(students).values() for u in group}
        notify(
            recipients=users.values(),
            kind=Notification.Kind.GENERAL,
            title=_("Survey: %(title)s") % {"title": survey.title},
            body=body,
            link=link,
            key=f"survey:{survey.pk}",
            school=school,
        )


def survey_close(*, survey: Survey, actor) -> Survey:
    """Stop taking answers (the results stay)."""
    _require_owner(actor, survey)
    with transaction.atomic():
        survey = _locked(survey)
        if survey.status == Survey.Status.DRAFT:
            raise refusal("survey_not_sent", _("The survey has not been sent."))
        if survey.status == Survey.Status.CLOSED:
            raise refusal("survey_already_closed", _("The survey is closed already."))
        survey.status = Survey.Status.CLOSED
        if survey.closes_at is None or survey.closes_at > timezone.now():
            survey.closes_at = timezone.now()
        survey.save(update_fields=["status", "closes_at"])
    return survey


# --------------------------------------------------------------------------- answers


def _answer_values(questions: list[Question], answers: Mapping) -> list[dict]:
    """The answers checked against their questions: a list of Answer fields, or a refusal
    naming each question's field (`question_<pk>`)."""
    problems = Problems()
    clean: list[dict] = []
    known = {q.pk for q in questions}
    for key in answers:
        if _int(key) not in known:
            problems.add("question_unknown", _("This question is not in the survey."))
            break
    given = {_int(k): v for k, v in answers.items()}
    for question in questions:
        field = f"question_{question.pk}"
        value = given.get(question.pk)
        row = {"question": question, "choices": [], "scale": None, "text": ""}
        if question.kind == Question.Kind.SINGLE:
            if isinstance(value, list | tuple) and len(value) == 1:
                value = value[0]
            if value is not None and not isinstance(value, str):
                problems.add("choice_unknown", _("Choose one of the answers given."), field=field)
                continue
            value = _text(value)
            if value and value not in question.choices:
                problems.add("choice_unknown", _("Choose one of the answers given."), field=field)
                continue
            row["choices"] = [value] if value else []
        elif question.kind == Question.Kind.MULTIPLE:
            values = [value] if isinstance(value, str) else list(value or ())
            values = [_text(v) for v in values if _text(v)]
            if any(v not in question.choices for v in values):
                problems.add("choice_unknown", _("Choose among the answers given."), field=field)
                continue
            row["choices"] = [c for c in question.choices if c in values]
        elif question.kind == Question.Kind.SCALE:
            if value not in ("", None):
                score = _int(value)
                if score is None or not SCALE_MIN <= score <= SCALE_MAX:
                    problems.add(
                        "scale_out_of_range",
                        _("Choose a score from %(min)d to %(max)d."),
                        field=field,
                        min=SCALE_MIN,
                        max=SCALE_MAX,
                    )
                    continue
                row["scale"] = score
        else:
            text = _text(value)
            if len(text) > ANSWER_TEXT_MAX:
                problems.add(
                    "text_too_long",
                    _("Keep it under %(max)d characters."),
                    field=field,
                    max=ANSWER_TEXT_MAX,
                )
                continue
            row["text"] = text
        empty = not row["choices"] and row["scale"] is None and not row["text"]
        if empty and question.required:
            problems.add("answer_required", _("This question needs an answer."), field=field)
        elif not empty:
            clean.append(row)
    problems.raise_if_any()
    return clean


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def response_submit(
    *, survey: Survey, answers: Mapping, actor, school: School | None = None
) -> Response:
    """A family's answer: the guardian login's children in one school the survey was
    sent to (`school`, needed only when the login has children in several). `answers`
    maps a question (or its pk) to a choice text, a list of them, a score 1–5 or a text."""
    families = family_children(actor, survey)
    if not families:  # a draft's too: it was sent to no school yet
        raise access.OutOfScope
    if school is not None:
        if school.pk not in families:
            raise access.OutOfScope
        school_id = school.pk
    elif len(families) == 1:
        school_id = next(iter(families))
    else:
        raise refusal(
            "school_required",
            _("Your children are in several schools: choose which school you answer for."),
            field="school",
        )
    children = families[school_id]
    answers = {getattr(k, "pk", k): v for k, v in (answers or {}).items()}
    now = timezone.now()
    with transaction.atomic():
        survey = _locked(survey)
        if not survey.is_open_at(now):
            raise refusal("survey_closed", _("The survey is closed: answers are no longer taken."))
        blocked = already_answered(survey, school_id, actor, children)
        if blocked is not None:
            raise blocked
        rows = _answer_values(list(survey.questions.order_by("order", "pk")), answers)
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    survey=survey, school_id=school_id, by=actor, submitted_at=now
                )
                ResponseChild.objects.bulk_create(
                    ResponseChild(
                        response=response, survey=survey, school_id=school_id, student=child
                    )
                    for child in children
                )
                Answer.objects.bulk_create(
                    Answer(response=response, school_id=school_id, **row) for row in rows
                )
        except IntegrityError:
            raise refusal(
                "already_answered",
                _("You have answered this survey already: one answer for each family."),
            ) from None
    return response
