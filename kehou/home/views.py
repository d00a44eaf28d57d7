"""The per-role home page (SPEC R26): a dispatcher, each role gets the one page it starts
its day from, with what needs their attention first. All reads go through selectors
(kehou.home.selectors and the apps' own), which start from kehou.org.access."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kehou.accounts.models import User
from kehou.attendance import family
from kehou.attendance.selectors import my_sittings_today
from kehou.catalog.selectors import schedule_label
from kehou.home import selectors as firsts
from kehou.org import access, selectors
from kehou.terms.selectors import term_for_page, terms


@login_required
@require_GET
def home(request):
    user = request.user
    if user.role == User.Role.BUREAU or (user.is_superuser and not user.school_id):
        return render(
            request,
            "home/bureau.html",
            {
                "summary": selectors.region_summary_for(user),
                "region": user.region,
                "attention": firsts.bureau_attention(user),
            },
        )
    if user.role == User.Role.SCHOOL_ADMIN:
        school = access.access_school(user, user.school_id)
        return render(
            request,
            "home/school_admin.html",
            {
                "school": school,
                "summary": selectors.school_summary_for(user, school),
                "attention": firsts.school_attention(user, school),
            },
        )
    if user.role == User.Role.TEACHER:
        school = access.access_school(user, user.school_id)
        week = firsts.teacher_week(user)
        for offering in week.offerings:
            offering.schedule = schedule_label(offering.meetings.all())
        return render(
            request,
            "home/teacher.html",
            {"school": school, "week": week, "rolls_today": my_sittings_today(user)},
        )
    if user.role == User.Role.GATE:
        q = request.GET.get("q", "").strip()[:50]
        return render(
            request,
            "home/gate.html",
            {
                "q": q,
                "results": selectors.gate_search_for(user, q, today=timezone.localdate()),
            },
        )
    if user.role == User.Role.GUARDIAN:
        children = selectors.children_for_guardian(user)
        today = {day.student.pk: day for day in family.family_today(user)}
        for child in children:
            child.school_class = selectors.current_class(child)
            child.today = today.get(child.pk)
        return render(request, "home/guardian.html", {"children": children})
    return render(request, "home/empty.html")


@login_required
@require_GET
def allocations(request):
    """The allocations of the bureau's schools for a term: where each stands."""
    term = term_for_page(request.GET.get("term"))
    rows = firsts.allocation_overview(request.user, term=term)
    return render(
        request,
        "home/allocations.html",
        {
            "term": term,
            "terms": list(terms()),
            "rows": rows,
            "pending": sum(1 for row in rows if row.needs_attention),
        },
    )
