"""The per-role home page (SPEC R26): a dispatcher, each role gets the one page it starts
its day from. All reads go through kehou.org.selectors, which start from kehou.org.access."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from kehou.accounts.models import User
from kehou.org import access, selectors


@login_required
def home(request):
    user = request.user
    if user.role == User.Role.BUREAU or (user.is_superuser and not user.school_id):
        return render(
            request,
            "home/bureau.html",
            {"summary": selectors.region_summary_for(user), "region": user.region},
        )
    if user.role == User.Role.SCHOOL_ADMIN:
        school = access.access_school(user, user.school_id)
        return render(
            request,
            "home/school_admin.html",
            {"school": school, "summary": selectors.school_summary_for(user, school)},
        )
    if user.role == User.Role.TEACHER:
        school = access.access_school(user, user.school_id)
        return render(
            request,
            "home/teacher.html",
            {"school": school, "classes": selectors.teacher_classes_for(user)},
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
        for child in children:
            child.school_class = selectors.current_class(child)
        return render(request, "home/guardian.html", {"children": children})
    return render(request, "home/empty.html")
