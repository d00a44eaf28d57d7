"""Supervision pages (R24): the bureau's table of its schools' reviews in a term, its
scoring sheets, recording a review item by item (a tablet page), a review with its
findings and rectifications; the school admin's reviews and rectification form; the
bureau's exemplary cases, and their public list and pages (no login).

Thin: read through kehou.supervision.selectors (404 outside the scope), write through one
kehou.supervision.services call, whose refusals go back on the page beside what they
concern."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from kehou.core import errors
from kehou.core.errors import WHOLE
from kehou.org import access
from kehou.supervision import forms, selectors, services
from kehou.supervision.models import ExemplaryCase, Finding, Grade, Kind
from kehou.terms.selectors import term_for_page, terms


def _by_field(error: ValidationError) -> tuple[dict[str, list[str]], list[str]]:
    """A refusal's messages keyed by field, and those about the whole request."""
    fields: dict[str, list[str]] = {}
    for item in errors.items(error):
        fields.setdefault(item.field, []).append(item.message)
    return fields, fields.pop(WHOLE, [])


def _refused(form, call):
    try:
        return call()
    except ValidationError as error:
        errors.add_to_form(form, error)
        return None


# --------------------------------------------------------------------------- entry, overview


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    user = request.user
    if selectors.is_officer(user):
        return redirect("supervision:overview")
    if user.role == user.Role.SCHOOL_ADMIN and user.school_id:
        return redirect("supervision:school", school_pk=user.school_id)
    raise Http404


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    term = term_for_page(request.GET.get("term"))
    rows = selectors.overview(request.user, term)
    done = {kind: sum(1 for r in rows if r.reviews.get(kind)) for kind in Kind.values}
    return render(
        request,
        "supervision/overview.html",
        {
            "term": term,
            "terms": list(terms()),
            "rows": rows,
            "kinds": Kind.choices,
            "done": [(label, done[kind]) for kind, label in Kind.choices],
            "open_findings": sum(r.open_findings for r in rows),
            "pending": list(selectors.pending_rectifications(request.user)[:50]),
            "region": getattr(request.user, "region", None),
        },
    )


# --------------------------------------------------------------------------- sheets


def _sheet_page(request, *, sheet, rows, name, kind, bands, errors_by_field, top):
    return render(
        request,
        "supervision/sheet.html" if sheet else "supervision/sheets.html",
        {
            "sheet": sheet,
            "sheets": list(selectors.current_sheets_for(request.user)) if sheet is None else [],
            "rows": rows,
            "name": name,
            "kind": kind,
            "kinds": Kind.choices,
            "bands": bands,
            "field_errors": errors_by_field,
            "errors": top,
            "may_edit": sheet is None or selectors.may_edit_sheet(request.user, sheet),
            "history": _history(sheet) if sheet else [],
        },
    )


def _history(sheet):
    versions, current = [], sheet
    while current is not None:
        versions.append(current)
        current = current.previous
    return versions


@login_required
@require_http_methods(["GET", "POST"])
def sheets(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.is_officer(user) or not user.region_id:
        raise Http404
    data = request.POST
    if request.method == "POST":
        items = forms.sheet_items_from(data)
        bands = forms.sheet_bands_from(data)
        try:
            sheet = services.sheet_create(
                region=user.region,
                name=data.get("name", ""),
                kind=data.get("kind", ""),
                items=items,
                bands=bands,
                actor=user,
            )
        except ValidationError as error:
            by_field, top = _by_field(error)
            return _sheet_page(
                request,
                sheet=None,
                rows=forms.sheet_rows(items, errors=by_field),
                name=data.get("name", ""),
                kind=data.get("kind", ""),
                bands=bands,
                errors_by_field=by_field,
                top=top,
            )
        messages.success(request, _("The scoring sheet is saved."))
        return redirect("supervision:sheet", pk=sheet.pk)
    return _sheet_page(
        request,
        sheet=None,
        rows=forms.sheet_rows([]),
        name="",
        kind=request.GET.get("kind", Kind.MIDTERM),
        bands={},
        errors_by_field={},
        top=[],
    )


@login_required
@require_http_methods(["GET", "POST"])
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = selectors.access_sheet(request.user, pk)
    if request.method == "POST":
        if not selectors.may_edit_sheet(request.user, sheet):
            raise Http404
        data = request.POST
        items = forms.sheet_items_from(data)
        bands = forms.sheet_bands_from(data)
        try:
            saved = services.sheet_edit(
                sheet=sheet, name=data.get("name", ""), items=items, bands=bands, actor=request.user
            )
        except ValidationError as error:
            by_field, top = _by_field(error)
            return _sheet_page(
                request,
                sheet=sheet,
                rows=forms.sheet_rows(items, errors=by_field),
                name=data.get("name", ""),
                kind=sheet.kind,
                bands=bands,
                errors_by_field=by_field,
                top=top,
            )
        if saved.pk != sheet.pk:
            messages.success(
                request,
                _("Reviews were scored on this sheet, so the change is version %(version)d.")
                % {"version": saved.version},
            )
        else:
            messages.success(request, _("The scoring sheet is saved."))
        return redirect("supervision:sheet", pk=saved.pk)
    items = [{"text": i.text, "max_points": i.max_points} for i in sheet.items.all()]
    return _sheet_page(
        request,
        sheet=sheet,
        rows=forms.sheet_rows(items),
        name=sheet.name,
        kind=sheet.kind,
        bands={
            "excellent_from": sheet.excellent_from,
            "good_from": sheet.good_from,
            "pass_from": sheet.pass_from,
        },
        errors_by_field={},
        top=[],
    )


# --------------------------------------------------------------------------- schools, reviews


@login_required
@require_GET
def school(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_supervision(request.user, school_pk)
    term = term_for_page(request.GET.get("term"))
    is_officer = selectors.may_oversee_school(request.user, school)
    return render(
        request,
        "supervision/school.html",
        {
            "school": school,
            "term": term,
            "terms": list(terms()) if is_officer else [],
            "reviews": selectors.school_reviews(request.user, school),
            "is_officer": is_officer,
            "kinds": Kind.choices,
        },
    )


def _record_context(request, school, term, kind, sheet, *, values, by_field=None, top=None):
    by_field = by_field or {}
    scores = values.get("scores", {})
    lines = (
        [
            {
                "item": item,
                "points": scores.get(item.pk, ("", ""))[0],
                "note": scores.get(item.pk, ("", ""))[1],
                "errors": by_field.get(f"item-{item.pk}", []),
            }
            for item in sheet.items.all()
        ]
        if sheet
        else []
    )
    return {
        "school": school,
        "term": term,
        "kind": kind,
        "kind_label": Kind(kind).label,
        "sheet": sheet,
        "sheets": selectors.sheets_for_school(request.user, school, kind),
        "lines": lines,
        "values": values,
        "findings": forms.finding_rows(values.get("findings", []), errors=by_field),
        "severities": Finding.Severity.choices,
        "field_errors": by_field,
        "errors": top or [],
        "today": timezone.localdate(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, school_pk: int, kind: str) -> HttpResponse:
    """Record (or change, while a draft) the school's review of `kind` in the term."""
    school = selectors.access_school_for_review(request.user, school_pk)
    if forms.kind_or_none(kind) is None:
        raise Http404
    params = request.POST if request.method == "POST" else request.GET
    term = term_for_page(params.get("term"))
    if term is None:
        raise Http404
    existing = selectors.review_of(request.user, school, term, kind)
    if existing is not None and existing.is_final:
        return redirect("supervision:review", pk=existing.pk)
    usable = selectors.sheets_for_school(request.user, school, kind)
    wanted = params.get("sheet")
    sheet = None
    if existing is not None and not wanted:
        sheet = existing.sheet
    elif wanted:
        sheet = next((s for s in usable if str(s.pk) == wanted), None)
        if sheet is None and existing is not None and str(existing.sheet_id) == wanted:
            sheet = existing.sheet
    elif usable:
        sheet = usable[0]
    if request.method == "POST" and sheet is not None:
        items = list(sheet.items.all())
        values = forms.review_arguments(request.POST, items)
        try:
            review = services.review_record(
                school=school, term=term, kind=kind, sheet=sheet, actor=request.user, **values
            )
        except ValidationError as error:
            by_field, top = _by_field(error)
            for name in ("sheet", "kind", "term"):
                top += by_field.pop(name, [])
            context = _record_context(
                request, school, term, kind, sheet, values=values, by_field=by_field, top=top
            )
            return render(request, "supervision/record.html", context, status=200)
        messages.success(request, _("The review is saved as a draft."))
        return redirect("supervision:review", pk=review.pk)
    if existing is not None and sheet is not None and sheet.pk == existing.sheet_id:
        values = {
            "reviewed_on": existing.reviewed_on,
            "reviewers": existing.reviewers,
            "scores": {s.item_id: (s.points, s.note) for s in existing.scores.all()},
            "summary": existing.summary,
            "findings": [(f.text, f.severity) for f in existing.findings.all()],
            "requires_rectification": existing.requires_rectification,
            "rectification_due": existing.rectification_due,
        }
    else:
        values = {"reviewed_on": timezone.localdate(), "reviewers": request.user.name}
    context = _record_context(request, school, term, kind, sheet, values=values)
    return render(request, "supervision/record.html", context)


def _review_context(request, review, **extra):
    user = request.user
    is_officer = selectors.may_oversee_school(user, review.school)
    findings = list(review.findings.all())
    return {
        "review": review,
        "school": review.school,
        "scores": list(review.scores.all()),
        "findings": findings,
        "max_total": sum(s.item.max_points for s in review.scores.all()),
        "is_officer": is_officer,
        "is_school_admin": access.may_manage_school(user, review.school) and not is_officer,
        "grade_label": Grade(review.grade).label if review.grade else "",
        "Status": Finding.Status,
        "decision_form": forms.DecisionForm(),
        **extra,
    }


@login_required
@require_GET
def review(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.access_review(request.user, pk)
    return render(request, "supervision/review.html", _review_context(request, review))


@login_required
@require_POST
def finalise(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.access_review(request.user, pk)
    try:
        services.review_finalise(
            review=review, confirmed=request.POST.get("confirmed") == "1", actor=request.user
        )
    except ValidationError as error:
        if "confirmation_required" in errors.codes(error):
            confirm = {
                "title": _("Finalise this review?"),
                "consequences": [
                    _("The scores and findings cannot be changed afterwards."),
                    _("The school's admin is told and sees the review."),
                ],
                "action": reverse("supervision:finalise", args=[review.pk]),
                "fields": [],
                "button": _("Finalise"),
                "cancel": reverse("supervision:review", args=[review.pk]),
            }
            return render(
                request,
                "supervision/review.html",
                _review_context(request, review, confirm=confirm),
            )
        messages.error(request, " ".join(errors.messages(error)))
    else:
        messages.success(request, _("The review is final; the school has been told."))
    return redirect("supervision:review", pk=review.pk)


@login_required
@require_http_methods(["GET", "POST"])
def rectify(request: HttpRequest, pk: int) -> HttpResponse:
    finding = selectors.access_finding(request.user, pk)
    if not access.may_manage_school(request.user, finding.school):
        raise Http404
    form = forms.RectificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _refused(
            form,
            lambda: services.rectification_submit(
                finding=finding, action=form.cleaned_data["action"], actor=request.user
            ),
        )
        if done is not None:
            messages.success(request, _("The rectification is submitted to the bureau."))
            return redirect("supervision:review", pk=finding.review_id)
    return render(
        request,
        "supervision/rectify.html",
        {
            "finding": finding,
            "review": finding.review,
            "school": finding.school,
            "form": form,
            "history": list(finding.rectifications.select_related("decided_by")),
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    rectification = selectors.access_rectification(request.user, pk)
    note = request.POST.get("decision_note", "")
    call = (
        services.rectification_accept
        if request.POST.get("decision") == "accept"
        else services.rectification_return
    )
    try:
        call(rectification=rectification, note=note, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(errors.messages(error)))
    else:
        messages.success(request, _("The decision is recorded; the school has been told."))
    return redirect("supervision:review", pk=rectification.finding.review_id)


# --------------------------------------------------------------------------- cases (bureau)


@login_required
@require_http_methods(["GET", "POST"])
def cases_manage(request: HttpRequest) -> HttpResponse:
    """The bureau's cases of its schools, and a new draft; a school admin's own school's,
    and a new proposal to the bureau."""
    user = request.user
    is_officer = selectors.is_officer(user)
    if not is_officer and not selectors.proposes_cases(user):
        raise Http404
    schools = access.schools_for(user).order_by("region__path", "code") if is_officer else None
    form = forms.CaseForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = _refused(
            form,
            lambda: services.case_create(
                school=data["school"] if is_officer else user.school,
                title=data["title"],
                summary=data["summary"],
                body=data["body"],
                actor=user,
            ),
        )
        if case is not None:
            if is_officer:
                messages.success(request, _("The case is saved as a draft."))
            else:
                messages.success(request, _("The case is sent to the bureau, which publishes it."))
            return redirect("supervision:case_manage", pk=case.pk)
    return render(
        request,
        "supervision/cases_manage.html",
        {
            "form": form,
            "cases": list(selectors.cases_for(user).order_by("-created_at", "-pk")),
            "is_officer": is_officer,
        },
    )


@login_required
@require_GET
def case_manage(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.access_case(request.user, pk)
    return render(
        request,
        "supervision/case_manage.html",
        {
            "case": case,
            "Status": ExemplaryCase.Status,
            "is_officer": selectors.may_oversee_school(request.user, case.school),
        },
    )


@login_required
@require_POST
def case_publish(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.access_case(request.user, pk)
    return _case_action(request, case, services.case_publish, _("The case is published."))


@login_required
@require_POST
def case_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.access_case(request.user, pk)
    return _case_action(request, case, services.case_withdraw, _("The case is withdrawn."))


def _case_action(request, case, call, done: str) -> HttpResponse:
    try:
        call(case=case, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(errors.messages(error)))
    else:
        messages.success(request, done)
    return redirect("supervision:case_manage", pk=case.pk)


# --------------------------------------------------------------------------- public


@require_safe
def cases(request: HttpRequest) -> HttpResponse:
    return render(
        request, "supervision/public_cases.html", {"cases": list(selectors.published_cases())}
    )


@require_safe
def case(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "supervision/public_case.html", {"case": selectors.published_case(pk)})
