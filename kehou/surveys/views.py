"""Survey pages (R20): the list, the builder (the survey, its letter and its questions),
sending with a confirmation, the results with charts and their .xlsx; the guardian's page
(a phone) with the letter, the questions, a thank-you and the "already answered" state.

Thin: read through kehou.surveys.selectors (404 outside the scope), write through one
kehou.surveys.services call, whose refusals go back on the form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehou.accounts.models import User
from kehou.core import errors
from kehou.core.spreadsheets import build_xlsx, xlsx_response
from kehou.surveys import selectors, services
from kehou.surveys.forms import AnswerForm, QuestionForm, SurveyForm
from kehou.surveys.models import Question, Survey


def _refused(form, call):
    """Run the service; a refusal goes on the form and gives None."""
    try:
        return call()
    except ValidationError as error:
        errors.add_to_form(form, error)
        return None


def _refusal_messages(request, error: ValidationError) -> None:
    for item in errors.items(error):
        messages.error(request, item.message)


# --------------------------------------------------------------------------- lists


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role == User.Role.GUARDIAN:
        return render(
            request, "surveys/family_list.html", {"rows": selectors.guardian_surveys(user)}
        )
    if not selectors.may_build_surveys(user):
        raise Http404
    return render(
        request,
        "surveys/list.html",
        {"rows": selectors.survey_list(user), "now": timezone.now()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.may_build_surveys(user):
        raise Http404
    form = SurveyForm(request.POST or None, initial={"kind": Survey.Kind.NEEDS})
    if request.method == "POST" and form.is_valid():
        where = (
            {"school": user.school}
            if user.role == User.Role.SCHOOL_ADMIN
            else {"region": user.region}
        )
        survey = _refused(
            form, lambda: services.survey_create(**where, **form.cleaned_data, actor=user)
        )
        if survey is not None:
            messages.success(request, _("The survey is saved as a draft: add its questions."))
            return redirect("surveys:survey", pk=survey.pk)
    return render(request, "surveys/survey_form.html", {"form": form})


# --------------------------------------------------------------------------- the builder


def _builder(request, survey: Survey, *, form=None, question_form=None, status=200):
    offerings = selectors.offerings_to_rate(survey)
    may_manage = selectors.may_manage_survey(request.user, survey)
    return render(
        request,
        "surveys/survey.html",
        {
            "survey": survey,
            "questions": selectors.questions_of(survey),
            "may_manage": may_manage,
            "editable": may_manage and survey.status == Survey.Status.DRAFT,
            "form": form or SurveyForm.of(survey),
            "question_form": question_form or QuestionForm(offerings=offerings),
            "responses": selectors.results(request.user, survey).responses,
        },
        status=status,
    )


@login_required
@require_GET
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    return _builder(request, selectors.access_survey(request.user, pk))


@login_required
@require_POST
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.access_survey(request.user, pk)
    form = SurveyForm(request.POST)
    if form.is_valid() and _refused(
        form,
        lambda: services.survey_update(survey=survey, **form.cleaned_data, actor=request.user),
    ):
        messages.success(request, _("Saved."))
        return redirect("surveys:survey", pk=survey.pk)
    return _builder(request, survey, form=form, status=400)


@login_required
@require_POST
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.access_survey(request.user, pk)
    form = QuestionForm(request.POST, offerings=selectors.offerings_to_rate(survey))
    if form.is_valid() and _refused(
        form,
        lambda: services.question_add(survey=survey, **form.values(), actor=request.user),
    ):
        return redirect(reverse("surveys:survey", args=[survey.pk]) + "#questions")
    return _builder(request, survey, question_form=form, status=400)


def _question(request, survey_pk: int, pk: int) -> Question:
    survey = selectors.access_survey(request.user, survey_pk)
    return get_object_or_404(survey.questions.select_related("survey"), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = _question(request, pk, question_pk)
    offerings = selectors.offerings_to_rate(question.survey)
    if request.method == "POST":
        form = QuestionForm(request.POST, offerings=offerings)
        if form.is_valid() and _refused(
            form,
            lambda: services.question_update(
                question=question, **form.values(), actor=request.user
            ),
        ):
            return redirect(reverse("surveys:survey", args=[pk]) + "#questions")
    else:
        form = QuestionForm.of(question, offerings=offerings)
    return render(
        request,
        "surveys/question_form.html",
        {"survey": question.survey, "question": question, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = _question(request, pk, question_pk)
    try:
        services.question_delete(question=question, actor=request.user)
    except ValidationError as error:
        _refusal_messages(request, error)
    return redirect(reverse("surveys:survey", args=[pk]) + "#questions")


@login_required
@require_POST
def question_move(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = _question(request, pk, question_pk)
    try:
        services.question_move(
            question=question, up=request.POST.get("direction") == "up", actor=request.user
        )
    except ValidationError as error:
        _refusal_messages(request, error)
    return redirect(reverse("surveys:survey", args=[pk]) + f"#q{question.pk}")


# --------------------------------------------------------------------------- send, close


@login_required
@require_http_methods(["GET", "POST"])
def send(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.access_survey(request.user, pk)
    if not selectors.may_manage_survey(request.user, survey):
        raise Http404
    problems: list[str] = []
    if request.method == "POST":
        try:
            services.survey_send(
                survey=survey,
                confirmed=request.POST.get("confirmed") == "1",
                actor=request.user,
            )
        except ValidationError as error:
            problems = [i.message for i in errors.items(error) if i.code != "confirmation_required"]
        else:
            messages.success(request, _("The survey is sent: families find it in their inbox."))
            return redirect("surveys:survey", pk=survey.pk)
    where = (
        survey.school.name
        if survey.school_id
        else _("every school of %(region)s") % {"region": survey.region.name}
    )
    confirm = {
        "title": _("Send “%(title)s”?") % {"title": survey.title},
        "consequences": [
            _("It goes to the guardians of every child on roll at %(where)s.") % {"where": where},
            _("Once sent, the questions cannot change."),
        ],
        "action": reverse("surveys:send", args=[survey.pk]),
        "fields": [],
        "button": _("Send the survey"),
        "cancel": reverse("surveys:survey", args=[survey.pk]),
    }
    return render(
        request,
        "surveys/send.html",
        {"survey": survey, "confirm": confirm, "problems": problems},
        status=400 if problems else 200,
    )


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.access_survey(request.user, pk)
    try:
        services.survey_close(survey=survey, actor=request.user)
    except ValidationError as error:
        _refusal_messages(request, error)
    else:
        messages.success(request, _("The survey is closed."))
    return redirect("surveys:survey", pk=survey.pk)


# --------------------------------------------------------------------------- results


def _school_filter(request, survey) -> int | None:
    raw = request.GET.get("school") or ""
    return int(raw) if raw.isdigit() else None


@login_required
@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.access_survey(request.user, pk)
    school_id = _school_filter(request, survey)
    summary = selectors.results(request.user, survey, school_id=school_id)
    charts = []
    for item in summary.questions:
        if item.question.kind in Question.CHOICE_KINDS:
            charts.append(
                {
                    "id": f"chart-{item.question.pk}",
                    "kind": "choices",
                    "labels": [c.choice for c in item.choices],
                    "counts": [c.count for c in item.choices],
                }
            )
        elif item.question.kind == Question.Kind.SCALE:
            charts.append(
                {
                    "id": f"chart-{item.question.pk}",
                    "kind": "scale",
                    "labels": [str(s) for s, _c in item.scale_rows],
                    "counts": item.distribution,
                }
            )
    return render(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            "summary": summary,
            "school_id": school_id,
            "charts": charts,
        },
    )


@login_required
@require_GET
def export(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.access_survey(request.user, pk)
    data = build_xlsx(selectors.export_sheets(request.user, survey))
    return xlsx_response(data, f"survey-{survey.pk}-results.xlsx")


# --------------------------------------------------------------------------- the family


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.access_survey_to_answer(request.user, pk)
    families = selectors.families_answering(request.user, survey)
    raw_school = request.POST.get("school") or request.GET.get("school") or ""
    family = next((f for f in families if str(f.school.pk) == raw_school), None)
    if family is None:
        family = next((f for f in families if f.refusal is None), families[0])
    questions = selectors.questions_of(survey)
    form = AnswerForm(request.POST or None, questions=questions)
    if request.method == "POST":
        form.is_valid()
        response = _refused(
            form,
            lambda: services.response_submit(
                survey=survey, answers=form.answers(), school=family.school, actor=request.user
            ),
        )
        if response is not None:
            messages.success(request, _("Thank you: your answer is in."))
            return redirect(
                reverse("surveys:answer", args=[survey.pk]) + f"?school={family.school.pk}"
            )
    return render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "families": families,
            "family": family,
            "form": form,
            "open": survey.is_open_at(timezone.now()),
        },
        status=400 if form.errors else 200,
    )
