"""The dashboard's pages (R23): the region's overview, every school's figures, one
school's own. Thin: read through kehou.dashboard.selectors (404 outside the scope) and
hand the chart data to the page as JSON."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from kehou.dashboard import charts, selectors

PAGE_SIZE = 50


def _month_query(request: HttpRequest) -> str:
    month = request.GET.get("month")
    return f"?month={month}" if month else ""


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    selectors.schools_in_scope(user)  # 404 for anyone without a dashboard
    if not selectors.sees_region(user):
        # A school admin's dashboard is their school's.
        url = reverse("dashboard:school", args=[user.school_id])
        return redirect(url + _month_query(request))
    data = selectors.overview(user, month=selectors.month_asked(request.GET.get("month")))
    return render(
        request,
        "dashboard/overview.html",
        {
            "o": data,
            "region": user.region if user.region_id else None,
            "charts": charts.overview_charts(data),
            "rate_rows": [(charts.rate_name(r), r) for r in data.rates],
            "grade_rows": charts.grade_parts(data.figures.by_grade),
            "priority_rows": charts.priority_parts(data.figures.by_priority),
            "complaint_rows": charts.complaint_rows(data.complaints_by_state),
            "schools_height": charts.bars_height(len(data.lowest)),
        },
    )


@login_required
@require_GET
def schools(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = selectors.schools_in_scope(user)
    if not selectors.sees_region(user):
        return redirect("dashboard:school", user.school_id)
    months = selectors.months_with_figures(scope)
    month = selectors.month_asked(request.GET.get("month")) or (months[0] if months else None)
    page = None
    if month is not None:
        paginator = Paginator(selectors.schools_by_participation(scope, month), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = [selectors.school_line(s) for s in page.object_list]
    return render(
        request,
        "dashboard/schools.html",
        {"month": month, "months": months, "page": page, "region": user.region},
    )


@login_required
@require_GET
def school(request: HttpRequest, school_pk: int) -> HttpResponse:
    user = request.user
    school = selectors.access_school_dashboard(user, school_pk)
    data = selectors.school_dashboard(
        user, school, month=selectors.month_asked(request.GET.get("month"))
    )
    return render(
        request,
        "dashboard/school.html",
        {
            "d": data,
            "school": school,
            "charts": charts.school_charts(data),
            "sees_region": selectors.sees_region(user),
            "rate_rows": [(charts.rate_name(r), r) for r in data.rates],
            "grade_rows": charts.grade_parts(data.by_grade),
            "priority_rows": charts.priority_parts(data.by_priority),
            "complaint_rows": charts.complaint_rows(data.complaints_by_state),
        },
    )
