"""Complaint pages (R20): the public form and the follow-up by code (no login), a
guardian's own complaints, the school admin's list and a complaint's page with its steps,
the bureau's list of escalated and late ones.

Thin: read through kehou.complaints.selectors (404 outside the scope), write through one
kehou.complaints.services call, whose refusals go back on the form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehou.accounts.lockout import client_address
from kehou.accounts.models import User
from kehou.complaints import exports, selectors, services
from kehou.complaints.codes import shown
from kehou.complaints.forms import (
    AssignForm,
    CloseForm,
    FamilyComplaintForm,
    FollowForm,
    HandleForm,
    PublicComplaintForm,
    ReplyForm,
)
from kehou.complaints.models import Complaint
from kehou.core import errors
from kehou.core.spreadsheets import xlsx_response

NEW_CODE = "complaints:new_code"  # the session key of a code shown once after filing
FILTERS = (
    ("", gettext_lazy("All")),
    ("open", gettext_lazy("Not closed")),
    ("overdue", gettext_lazy("Past due")),
    *Complaint.State.choices,
)


def _refused(form, call):
    """Run the service; a refusal goes on the form and gives None."""
    try:
        return call()
    except ValidationError as error:
        errors.add_to_form(form, error)
        return None


def _rows(complaints) -> list[tuple[Complaint, bool]]:
    today = timezone.localdate()
    return [(c, selectors.is_overdue(c, today)) for c in complaints]


def _filter(request) -> str:
    state = request.GET.get("state", "")
    return state if state in dict(FILTERS) else ""


def _ledger(rows, state: str, *, title: str, filename: str, show_school: bool) -> HttpResponse:
    """The list as the page shows it, with its filter, as the ledger's .xlsx."""
    data = exports.ledger_workbook(
        rows, title=title, filter_label=str(dict(FILTERS)[state]), show_school=show_school
    )
    return xlsx_response(data, filename)


# --------------------------------------------------------------------------- no login


@require_http_methods(["GET", "POST"])
def public_new(request: HttpRequest, school: str) -> HttpResponse:
    """The form linked from a school's public page; anyone may file, signed in or not."""
    school = selectors.public_school(school)
    form = PublicComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        complaint = _refused(
            form,
            lambda: services.complaint_submit_public(
                school=school,
                kind=data["kind"],
                topic=data["topic"],
                text=data["text"],
                name=data["name"],
                phone=data["phone"],
                address=client_address(request),
                actor=request.user,
            ),
        )
        if complaint is not None:
            request.session[NEW_CODE] = complaint.code
            return redirect("complaints:done")
    return render(
        request,
        "complaints/public_new.html",
        {
            "school": school,
            "form": form,
            "may_file": selectors.may_file_publicly(request.user, school),
        },
    )


@require_GET
def done(request: HttpRequest) -> HttpResponse:
    """The code, shown once (a reload finds it gone and goes to the follow-up page)."""
    code = request.session.pop(NEW_CODE, None)
    if not code:
        return redirect("complaints:follow")
    complaint = selectors.follow(code)
    return render(request, "complaints/done.html", {"code": shown(code), "complaint": complaint})


@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest) -> HttpResponse:
    """Enter the code, read the state, the dates and the reply. Asked by POST, so the code
    stays out of addresses and logs; a wrong code and a right one cost one query alike."""
    form = FollowForm(request.POST or None)
    complaint = None
    not_found = False
    if request.method == "POST" and form.is_valid():
        complaint = selectors.follow(form.cleaned_data["code"])
        not_found = complaint is None
    return render(
        request,
        "complaints/follow.html",
        {
            "form": form,
            "complaint": complaint,
            "not_found": not_found,
            "overdue": complaint is not None and selectors.is_overdue(complaint),
            "code": shown(complaint.code) if complaint else "",
        },
    )


# --------------------------------------------------------------------------- guardians


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """Shortcut for the nav: the guardian's own list, the admin's school, the region."""
    user = request.user
    if user.role == User.Role.GUARDIAN:
        return redirect("complaints:family")
    if selectors.may_see_region(user) and not user.school_id:
        return redirect("complaints:region")
    if user.role == User.Role.SCHOOL_ADMIN and user.school_id:
        return redirect("complaints:school", school_pk=user.school_id)
    if user.school_id:
        # A teacher or the gate: the complaints assigned to them.
        return render(
            request,
            "complaints/assigned.html",
            {"rows": _rows(selectors.handled_by(user).select_related("school"))},
        )
    raise Http404


@login_required
@require_GET
def family(request: HttpRequest) -> HttpResponse:
    if request.user.role != User.Role.GUARDIAN:
        raise Http404
    complaints = selectors.family_complaints(request.user)
    return render(
        request,
        "complaints/family.html",
        {"rows": [(c, shown(c.code), overdue) for c, overdue in _rows(complaints)]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_new(request: HttpRequest) -> HttpResponse:
    children = selectors.family_children(request.user)
    if not children:
        raise Http404
    form = FamilyComplaintForm(request.POST or None, children=children)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        child = next(c for c in children if c.pk == data["student"])
        complaint = _refused(
            form,
            lambda: services.complaint_submit(
                student=child,
                kind=data["kind"],
                topic=data["topic"],
                text=data["text"],
                actor=request.user,
            ),
        )
        if complaint is not None:
            request.session[NEW_CODE] = complaint.code
            return redirect("complaints:done")
    return render(request, "complaints/family_new.html", {"form": form})


# --------------------------------------------------------------------------- the school


@login_required
@require_GET
def school(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_complaints(request.user, school_pk)
    state = _filter(request)
    rows = _rows(selectors.school_list(request.user, school, state=state))
    if request.GET.get("format") == "xlsx":
        return _ledger(
            rows,
            state,
            title=f"{school.name} · {_('Complaints and reports')}",
            filename=f"complaints-{school.code}.xlsx",
            show_school=False,
        )
    return render(
        request,
        "complaints/school.html",
        {
            "school": school,
            "rows": rows,
            "filters": FILTERS,
            "state": state,
            "counts": selectors.counts_by_state([school.pk]),
        },
    )


@login_required
@require_GET
def region(request: HttpRequest) -> HttpResponse:
    state = _filter(request)
    rows = _rows(selectors.region_list(request.user, state=state))
    if request.GET.get("format") == "xlsx":
        region = request.user.region
        title = _("Escalated and late complaints")
        return _ledger(
            rows,
            state,
            title=f"{region.name} · {title}" if region else title,
            filename=f"complaints-{region.code if region else 'all'}.xlsx",
            show_school=True,
        )
    return render(
        request,
        "complaints/region.html",
        {
            "rows": rows,
            "filters": FILTERS,
            "state": state,
        },
    )


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = selectors.access_complaint(request.user, pk)
    return _detail(request, complaint)


def _detail(request, complaint: Complaint, **forms) -> HttpResponse:
    user = request.user
    directs = selectors.may_direct(user, complaint)
    state = complaint.state
    S = Complaint.State
    context = {
        "complaint": complaint,
        "events": selectors.events_of(complaint),
        "overdue": selectors.is_overdue(complaint),
        "assign_form": None,
        "handle_form": None,
        "reply_form": None,
        "close_form": None,
    }
    if directs and state in (S.RECEIVED, S.ASSIGNED):
        context["assign_form"] = AssignForm(
            initial={"assignee": complaint.assigned_to_id},
            people=selectors.assignees(complaint, user),
        )
    if state in (S.ASSIGNED, S.HANDLED):
        context["handle_form"] = HandleForm(initial={"handling": complaint.handling})
    if directs and state == S.HANDLED:
        context["reply_form"] = ReplyForm()
    if directs and state == S.REPLIED:
        context["close_form"] = CloseForm()
    # A form sent back with its refusal stays on the page, whatever the state is now.
    context.update(forms)
    return render(request, "complaints/detail.html", context)


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = selectors.access_complaint(request.user, pk)
    people = selectors.assignees(complaint, request.user)
    form = AssignForm(request.POST, people=people)
    if form.is_valid():
        assignee = next(p for p in people if p.pk == form.cleaned_data["assignee"])
        done_ = _refused(
            form,
            lambda: services.complaint_assign(
                complaint=complaint,
                assignee=assignee,
                note=form.cleaned_data["note"],
                actor=request.user,
            ),
        )
        if done_ is not None:
            messages.success(request, _("Assigned to %(name)s.") % {"name": assignee.name})
            return redirect("complaints:detail", pk=pk)
    return _detail(request, complaint, assign_form=form)


@login_required
@require_POST
def handle(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = selectors.access_complaint(request.user, pk)
    form = HandleForm(request.POST)
    if form.is_valid() and _refused(
        form,
        lambda: services.complaint_record_handling(
            complaint=complaint, handling=form.cleaned_data["handling"], actor=request.user
        ),
    ):
        messages.success(request, _("The handling is recorded."))
        return redirect("complaints:detail", pk=pk)
    return _detail(request, complaint, handle_form=form)


@login_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = selectors.access_complaint(request.user, pk)
    form = ReplyForm(request.POST)
    if form.is_valid() and _refused(
        form,
        lambda: services.complaint_reply(
            complaint=complaint, reply=form.cleaned_data["reply"], actor=request.user
        ),
    ):
        messages.success(request, _("The reply is sent."))
        return redirect("complaints:detail", pk=pk)
    return _detail(request, complaint, reply_form=form)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = selectors.access_complaint(request.user, pk)
    form = CloseForm(request.POST)
    if form.is_valid() and _refused(
        form,
        lambda: services.complaint_close(
            complaint=complaint, note=form.cleaned_data["note"], actor=request.user
        ),
    ):
        messages.success(request, _("The complaint is closed."))
        return redirect("complaints:detail", pk=pk)
    return _detail(request, complaint, close_form=form)
