"""Public pages, no login (SPEC R7): the index of schools and one page per school."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from kehou.public import selectors
from kehou.terms.selectors import term_for_page


@require_safe
def index(request):
    term, counties = selectors.schools_by_county()
    return render(request, "public/index.html", {"term": term, "counties": counties})


@require_safe
def school(request, code: str):
    """One school's page; `?term=2026-2` shows another term's published plan."""
    page = selectors.public_school_page(code, term=term_for_page(request.GET.get("term")))
    return render(request, "public/school.html", {"page": page, "school": page.school})
