"""Sittings pages (R14): the term's sittings (and generating them), a day of a school with
each roster's size, and one sitting with its roster. Thin: read with
kehou.sittings.selectors (404 outside the scope), write with kehou.sittings.services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from kehou.core.errors import messages as error_messages
from kehou.enrollment.selectors import may_read_roster
from kehou.org.access import may_manage_school
from kehou.sittings import selectors, services
from kehou.terms.models import Term
from kehou.terms.selectors import current_term


@login_required
@require_GET
def my_sittings(request: HttpRequest) -> HttpResponse:
    """Shortcut for the nav: the signed-in admin's or teacher's own school."""
    if not request.user.school_id:
        raise Http404
    return redirect("sittings:school", school_pk=request.user.school_id)


@login_required
@require_http_methods(["GET", "POST"])
def school_sittings(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_sittings(request.user, school_pk)
    terms = selectors.terms_for_school(school)
    term = _chosen_term(request, terms)

    if request.method == "POST":
        if term is None:
            raise Http404
        try:
            report = services.sittings_generate(school=school, term=term, actor=request.user)
        except ValidationError as refused:
            messages.error(request, " ".join(error_messages(refused)))
        else:
            (messages.warning if report.pending_years else messages.success)(
                request, report.summary()
            )
        return redirect(reverse("sittings:school", args=[school.pk]) + f"?term={term.code}")

    today = timezone.localdate()
    context = {
        "school": school,
        "terms": terms,
        "term": term,
        "today": today,
        "may_generate": may_manage_school(request.user, school),
    }
    if term is not None:
        plan = selectors.published_plan(school, term)
        months = selectors.term_months(school, term)
        month = selectors.chosen_month(months, request.GET.get("month"), today)
        context |= {
            "plan": plan,
            "draft": selectors.draft_plan(school, term),
            "problems": selectors.calendar_problems(plan) if plan else [],
            "outdated": selectors.outdated(school, term) if plan else None,
            "months": months,
            "month": month,
            "days": selectors.month_days(school, term, month) if month else [],
            "sitting_count": sum(m.sittings for m in months),
        }
    return render(request, "sittings/school_sittings.html", context)


def _chosen_term(request: HttpRequest, terms: list[Term]) -> Term | None:
    code = request.GET.get("term") or request.POST.get("term")
    if code:
        for term in terms:
            if term.code == code:
                return term
        raise Http404
    return current_term(among=terms)


@login_required
@require_GET
def school_day(request: HttpRequest, school_pk: int, day: str) -> HttpResponse:
    school = selectors.access_school_sittings(request.user, school_pk)
    try:
        date = dt.date.fromisoformat(day)
    except ValueError as error:
        raise Http404 from error
    before, after = selectors.neighbour_days(school, date)
    return render(
        request,
        "sittings/school_day.html",
        {
            "school": school,
            "date": date,
            "rosters": selectors.day_rosters(school, date),
            "before": before,
            "after": after,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def school_today(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_sittings(request.user, school_pk)
    return redirect("sittings:day", school_pk=school.pk, day=timezone.localdate().isoformat())


@login_required
@require_GET
def sitting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sitting = selectors.access_sitting(request.user, pk)
    return render(
        request,
        "sittings/sitting.html",
        {
            "sitting": sitting,
            "roster": selectors.sitting_roster(sitting),
            "class_list": bool(sitting.offering_id)
            and may_read_roster(request.user, sitting.offering_id),
            "today": timezone.localdate(),
        },
    )
