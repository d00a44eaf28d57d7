"""Thin views: the run page with its progress, the metrics page, the family's result page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from kehou.allocation import seed_commitment
from kehou.catalog.models import Menu
from kehou.core import errors
from kehou.core.labels import class_label
from kehou.core.spreadsheets import Sheet, build_xlsx, xlsx_response
from kehou.enrollment import services as enrollment_services
from kehou.enrollment.models import WaitlistEntry
from kehou.placement import selectors, services
from kehou.placement.models import AllocationRun


@login_required
def run_page(request, menu_pk: int):
    menu = selectors.access_menu_to_run(request.user, menu_pk)
    confirm = None
    if request.method == "POST":
        dry_run = request.POST.get("action") != "run"
        try:
            run = services.allocation_start(
                menu=menu,
                actor=request.user,
                dry_run=dry_run,
                confirmed=request.POST.get("confirmed") == "1",
            )
        except ValidationError as exc:
            if errors.codes(exc) != {"confirmation_required"}:
                for message in errors.messages(exc):
                    messages.error(request, message)
                return redirect("placement:run", menu_pk=menu.pk)
            confirm = _confirm_run(request, menu)
        else:
            return redirect("placement:progress", run_pk=run.pk)
    return render(
        request,
        "placement/run.html",
        {
            "menu": menu,
            "runs": selectors.runs_of(menu)[:20],
            "may_run": menu.status == Menu.Status.CLOSED and menu.mode == Menu.Mode.LOTTERY,
            "may_dry_run": bool(menu.lottery_seed),
            "confirm": confirm,
            "mechanism_plain": selectors.MECHANISM_PLAIN.get(menu.mechanism, ""),
            "mechanism_short": selectors.MECHANISM_SHORT,
        },
    )


def _confirm_run(request, menu: Menu) -> dict:
    """The confirmation step before the real run (kehou/templates/includes/confirm.html)."""
    preview = selectors.run_preview(menu)
    here = reverse("placement:run", args=[menu.pk])
    return {
        "title": _("Run the allocation for real?"),
        "consequences": [
            ngettext(
                "%(children)d child with an approved application will be allocated.",
                "%(children)d children with an approved application will be allocated.",
                preview.children,
            )
            % {"children": preview.children},
            ngettext(
                "They share %(seats)d free seat in %(offerings)d offerings.",
                "They share %(seats)d free seats in %(offerings)d offerings.",
                preview.seats,
            )
            % {"seats": preview.seats, "offerings": preview.offerings},
            _(
                "Seats, waiting lists and each child's result are written at once and "
                "published to the families on their result page."
            ),
            _(
                "It cannot be undone: the menu is allocated once, with the seed whose hash "
                "was published (%(hash)s…)."
            )
            % {"hash": menu.lottery_seed_hash[:12]},
        ],
        "action": here,
        "fields": [("action", "run")],
        "button": _("Yes, run the allocation"),
        "cancel": here,
    }


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
            "mechanism_plain": selectors.MECHANISM_PLAIN.get(run.mechanism, ""),
        },
    )


def _choice_result(choice) -> str:
    if choice.allocated:
        return _("Seat given")
    if choice.waiting_status == "waiting":
        return _("On the waiting list")
    if choice.waiting_status:
        return str(WaitlistEntry.Status(choice.waiting_status).label)
    return _("No seat")


@login_required
@require_GET
def results_xlsx(request, run_pk: int):
    """What a real run gave each child, for the school admin: one row per child, then one
    row per ranked choice with its result and the child's waiting-list place now."""
    run = selectors.access_run_results(request.user, run_pk)
    results = selectors.run_child_results(run)
    menu = run.menu
    title = [
        f"{menu.school.name} · {menu.term}",
        _("Allocation of %(day)s, %(mechanism)s, result digest %(digest)s")
        % {
            "day": f"{run.finished_at or run.started_at:%Y-%m-%d}",
            "mechanism": selectors.MECHANISM_SHORT.get(run.mechanism, run.mechanism),
            "digest": run.result_digest[:16],
        },
    ]

    def klass(r):
        return class_label(r.school_class.grade, r.school_class.number) if r.school_class else ""

    def waiting_text(r):
        return _("; ").join(
            _("%(offering)s: number %(place)d in line")
            % {"offering": c.name, "place": c.waiting_place}
            for c in r.choices
            if c.waiting_place
        )

    children = Sheet(
        name=_("Results"),
        title=title,
        headers=[
            _("Student number"),
            _("Name"),
            _("Class"),
            _("Priority tier (0 first)"),
            _("Lottery number"),
            _("Seats given"),
            _("Best choice obtained"),
            _("Waiting-list places"),
            _("Why this result"),
        ],
        rows=[
            [
                r.student_number,
                r.name,
                klass(r),
                r.tier,
                r.lottery_number,
                "、".join(name for _pk, name, _source in r.seats),
                r.best_rank,
                waiting_text(r),
                r.explanation,
            ]
            for r in results
        ],
        widths=[14, 12, 14, 10, 10, 30, 10, 30, 60],
    )
    choices = Sheet(
        name=_("Choices"),
        title=title,
        headers=[
            _("Student number"),
            _("Name"),
            _("Class"),
            _("Choice"),
            _("Offering"),
            _("Result"),
            _("Waiting-list place"),
        ],
        rows=[
            [
                r.student_number,
                r.name,
                klass(r),
                c.rank,
                c.name,
                _choice_result(c),
                c.waiting_place,
            ]
            for r in results
            for c in r.choices
        ],
        widths=[14, 12, 14, 8, 30, 14, 12],
    )
    return xlsx_response(
        build_xlsx([children, choices]), f"allocation-{menu.school.code}-{run.pk}.xlsx"
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
