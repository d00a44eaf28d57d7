"""Thin views: the run page with its progress, the metrics page, the family's result page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehou.allocation import seed_commitment
from kehou.catalog.models import Menu
from kehou.core import errors
from kehou.enrollment import services as enrollment_services
from kehou.placement import selectors, services
from kehou.placement.models import AllocationRun


@login_required
def run_page(request, menu_pk: int):
    menu = selectors.access_menu_to_run(request.user, menu_pk)
    if request.method == "POST":
        dry_run = request.POST.get("action") != "run"
        try:
            run = services.allocation_start(menu=menu, actor=request.user, dry_run=dry_run)
        except ValidationError as exc:
            for message in errors.messages(exc):
                messages.error(request, message)
            return redirect("placement:run", menu_pk=menu.pk)
        return redirect("placement:progress", run_pk=run.pk)
    return render(
        request,
        "placement/run.html",
        {
            "menu": menu,
            "runs": selectors.runs_of(menu)[:20],
            "may_run": menu.status == Menu.Status.CLOSED and menu.mode == Menu.Mode.LOTTERY,
            "may_dry_run": bool(menu.lottery_seed),
        },
    )


@login_required
def progress(request, run_pk: int):
    run = selectors.access_run(request.user, run_pk)
    return render(request, "placement/progress.html", {"run": run})


@login_required
def status(request, run_pk: int):
    run = selectors.access_run(request.user, run_pk)
    return render(request, "placement/includes/status.html", {"run": run})


@login_required
def metrics(request, run_pk: int):
    run = selectors.access_run(request.user, run_pk)
    done = run.status == AllocationRun.Status.DONE
    return render(
        request,
        "placement/metrics.html",
        {
            "run": run,
            "menu": run.menu,
            "done": done,
            "overall": (run.metrics or {}).get("overall", {}),
            "charts": selectors.charts(run) if done else {},
            "offerings": selectors.offering_table(run) if done else [],
            "groups": (run.metrics or {}).get("groups", {}).get("priority_group", {}),
            "group_labels": selectors.GROUP_LABELS,
            "verified": seed_commitment(run.seed) == run.menu.lottery_seed_hash,
        },
    )


@login_required
def family(request):
    return render(
        request, "placement/family.html", {"results": selectors.family_results(request.user)}
    )


@require_POST
@login_required
def accept(request, entry_pk: int):
    entry = selectors.access_offer(request.user, entry_pk)
    try:
        enrollment_services.waitlist_accept(entry=entry, actor=request.user)
        messages.success(request, _("The seat is yours."))
    except ValidationError as exc:
        for message in errors.messages(exc):
            messages.error(request, message)
    return redirect("placement:family")


@require_POST
@login_required
def decline(request, entry_pk: int):
    entry = selectors.access_offer(request.user, entry_pk)
    try:
        enrollment_services.waitlist_decline(entry=entry, actor=request.user)
        messages.success(request, _("You declined the seat; it goes to the next child."))
    except ValidationError as exc:
        for message in errors.messages(exc):
            messages.error(request, message)
    return redirect("placement:family")
