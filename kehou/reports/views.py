"""Monthly report pages (月报, R22): a school's months, one month (figures, remark and
submission, versions, correction), the region's table for bureau officers and 003's form
as .xlsx.

Thin: read through kehou.reports.selectors (404 outside the scope), write through one
kehou.reports.services call, whose refusals go back on the form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehou.core import errors
from kehou.core.spreadsheets import xlsx_response
from kehou.lib.months import next_month, parse_month, previous_month
from kehou.reports import display, selectors, services
from kehou.reports.forms import CorrectForm, SubmitForm


def _month_or_404(text: str):
    month = parse_month(text)
    if month is None:
        raise Http404
    return month


def _month_url(school_pk: int, month) -> str:
    return reverse("reports:month", args=[school_pk, f"{month:%Y-%m}"])


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The nav's entry: the region for an officer, the school for its admin."""
    user = request.user
    if selectors.may_see_region(user) and not user.school_id:
        return redirect("reports:region")
    if not user.school_id:
        raise Http404
    school = selectors.access_school_reports(user, user.school_id)
    return redirect("reports:school", school_pk=school.pk)


@login_required
@require_GET
def school(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_reports(request.user, school_pk)
    return render(
        request,
        "reports/school.html",
        {"school": school, "rows": selectors.school_months(request.user, school)},
    )


def _month_page(request, school, month, *, submit_form=None, correct_form=None, confirm=None):
    view = selectors.month_view(request.user, school, month)
    version = request.GET.get("version")
    shown_report = view.row.report
    if version and version.isdigit():
        shown_report = next((r for r in view.versions if r.version == int(version)), None)
        if shown_report is None:
            raise Http404
    figures = shown_report.figures if shown_report is not None else view.row.figures
    return render(
        request,
        "reports/month.html",
        {
            "school": school,
            "month": month,
            "view": view,
            "row": view.row,
            "shown_report": shown_report,
            "shown": display.shown(figures),
            "submit_form": submit_form or SubmitForm(),
            "correct_form": correct_form or CorrectForm(),
            "confirm": confirm,
            "previous": previous_month(month),
            "next": next_month(month),
        },
    )


@login_required
@require_GET
def month(request: HttpRequest, school_pk: int, month: str) -> HttpResponse:
    school = selectors.access_school_reports(request.user, school_pk)
    return _month_page(request, school, _month_or_404(month))


@login_required
@require_POST
def recompute(request: HttpRequest, school_pk: int, month: str) -> HttpResponse:
    school = selectors.access_school_reports(request.user, school_pk)
    day = _month_or_404(month)
    try:
        services.school_month_refresh(school=school, month=day, actor=request.user)
    except ValidationError as exc:
        for message in errors.messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The figures were computed again from the records."))
    return redirect(_month_url(school.pk, day))


@login_required
@require_http_methods(["POST"])
def submit(request: HttpRequest, school_pk: int, month: str) -> HttpResponse:
    school = selectors.access_school_reports(request.user, school_pk)
    day = _month_or_404(month)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return _month_page(request, school, day, submit_form=form)
    try:
        services.monthly_report_submit(
            school=school,
            month=day,
            remark=form.cleaned_data["remark"],
            confirmed=request.POST.get("confirmed") == "1",
            actor=request.user,
        )
    except ValidationError as exc:
        if errors.codes(exc) != {"confirmation_required"}:
            errors.add_to_form(form, exc)
            return _month_page(request, school, day, submit_form=form)
        confirm = {
            "title": _("Submit the report of %(month)s?") % {"month": f"{day:%Y-%m}"},
            "consequences": [
                _("The figures are computed once more and frozen as they are now."),
                _("The bureau sees the report; later changes need a correction with a reason."),
            ],
            "action": reverse("reports:submit", args=[school.pk, f"{day:%Y-%m}"]),
            "fields": [("remark", form.cleaned_data["remark"])],
            "button": _("Submit the report"),
            "cancel": _month_url(school.pk, day),
        }
        return _month_page(request, school, day, submit_form=form, confirm=confirm)
    messages.success(request, _("The report was submitted."))
    return redirect(_month_url(school.pk, day))


@login_required
@require_POST
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.access_report(request.user, pk)
    school, day = report.school, report.month
    form = CorrectForm(request.POST)
    if not form.is_valid():
        return _month_page(request, school, day, correct_form=form)
    try:
        services.monthly_report_correct(
            report=report,
            reason=form.cleaned_data["reason"],
            remark=form.cleaned_data["remark"],
            confirmed=request.POST.get("confirmed") == "1",
            actor=request.user,
        )
    except ValidationError as exc:
        if errors.codes(exc) != {"confirmation_required"}:
            errors.add_to_form(form, exc)
            return _month_page(request, school, day, correct_form=form)
        confirm = {
            "title": _("Submit a correction of %(month)s?") % {"month": f"{day:%Y-%m}"},
            "consequences": [
                _("A new version is submitted with the figures as they are now."),
                _("The version it corrects is kept, marked superseded."),
            ],
            "action": reverse("reports:correct", args=[report.pk]),
            "fields": [
                ("reason", form.cleaned_data["reason"]),
                ("remark", form.cleaned_data["remark"]),
            ],
            "button": _("Submit the correction"),
            "cancel": _month_url(school.pk, day),
        }
        return _month_page(request, school, day, correct_form=form, confirm=confirm)
    messages.success(request, _("The correction was submitted."))
    return redirect(_month_url(school.pk, day))


def _region_month(request) -> object:
    """The month asked for, else the last month (the one being reported)."""
    return parse_month(request.GET.get("month")) or previous_month(timezone.localdate())


@login_required
@require_GET
def region(request: HttpRequest) -> HttpResponse:
    day = _region_month(request)
    table = selectors.region_table(request.user, day)
    return render(
        request,
        "reports/region.html",
        {
            "table": table,
            "month": day,
            "months": selectors.recent_months(timezone.localdate()),
            "region": getattr(request.user, "region", None),
            "shown_total": display.shown(table.total),
        },
    )


@login_required
@require_GET
def region_xlsx(request: HttpRequest, month: str) -> HttpResponse:
    day = _month_or_404(month)
    data = selectors.region_xlsx(request.user, day)
    return xlsx_response(data, f"monthly-report-{day:%Y-%m}.xlsx")
