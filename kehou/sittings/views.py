"""Sittings pages (R14): thin views over kehou.sittings.services/selectors.

A school's sittings: its admin and teachers may read them, only its admin may
(re)generate them; everyone else gets 404 (kehou.org.access).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kehou.org.access import may_manage_school
from kehou.sittings import selectors, services
from kehou.terms.models import Term
from kehou.terms.selectors import current_term


@login_required
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
    may_generate = may_manage_school(request.user, school)
    plan = selectors.published_plan(school, term) if term else None

    if request.method == "POST":
        if not may_generate:
            raise PermissionDenied
        if term is None:
            raise Http404
        url = reverse("sittings:school", args=[school.pk]) + f"?term={term.code}"
        if plan is None:
            messages.error(request, _("This term has no published plan yet."))
            return redirect(url)
        try:
            report = services.sittings_generate(plan=plan, actor=request.user)
        except services.GenerationRefused as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            (messages.warning if report.pending_years else messages.success)(
                request, report.summary()
            )
        return redirect(url)

    sittings = selectors.term_sittings(school, term) if term else None
    return render(
        request,
        "sittings/school_sittings.html",
        {
            "school": school,
            "terms": terms,
            "term": term,
            "plan": plan,
            "draft": selectors.draft_plan(school, term) if term else None,
            "problems": services.plan_calendar_problems(plan) if plan else [],
            "months": selectors.sittings_by_month(sittings) if sittings is not None else [],
            "sitting_count": sittings.count() if sittings is not None else 0,
            "may_generate": may_generate,
            "today": timezone.localdate(),
        },
    )


def _chosen_term(request: HttpRequest, terms: list[Term]) -> Term | None:
    code = request.GET.get("term") or request.POST.get("term")
    if code:
        for term in terms:
            if term.code == code:
                return term
        raise Http404
    return current_term(among=terms)
