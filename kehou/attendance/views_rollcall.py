"""Roll call pages (R14, R15) and guardians' leave pages. Thin: read with
kehou.attendance.selectors (404 outside the scope), write with kehou.attendance.services.

The roll call page is a plain form (one radio group per child) that works without
JavaScript; static/attendance/rollcall.js turns each tap into a mark kept on the phone
and sent to `sync` (JSON) when there is signal.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehou.attendance import selectors, services
from kehou.attendance.forms import LeaveForm
from kehou.attendance.models import Attendance
from kehou.core.errors import add_to_form, items
from kehou.core.errors import messages as error_messages

MAX_BODY = 200_000  # bytes: 500 marks with notes fit well within it


# --- today and the roll -----------------------------------------------------------------


@login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    page = selectors.today_for(request.user)
    return render(request, "attendance/today.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def rollcall(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        return _rollcall_post(request, pk)
    page = selectors.roll_page(request.user, pk)
    return render(
        request,
        "attendance/rollcall.html",
        {
            "page": page,
            "batch": uuid.uuid4(),
            "sync_url": reverse("attendance:sync", args=[pk]),
        },
    )


def _rollcall_post(request: HttpRequest, pk: int) -> HttpResponse:
    """The form without JavaScript: each child whose chosen mark differs from the one the
    page showed (`was_<id>`), tapped now; or "all present" for every child not marked."""
    sitting = selectors.access_roll(request.user, pk)
    now = timezone.now()
    note = request.POST.get("note", "").strip()
    marks = []
    if request.POST.get("action") == "all_present":
        page = selectors.roll_page(request.user, pk)
        marks = [
            (row.student.pk, Attendance.Status.PRESENT, now, note)
            for row in page.rows
            if row.status == "" and not row.elsewhere
        ]
    else:
        for key, value in request.POST.items():
            if not key.startswith("m_"):
                continue
            try:
                student_id = int(key[2:])
            except ValueError:
                continue
            if value != request.POST.get(f"was_{student_id}", ""):
                marks.append((student_id, value, now, note))
    try:
        result = services.roll_mark(
            sitting=sitting, marks=marks, actor=request.user, batch_id=request.POST.get("batch")
        )
    except ValidationError as refused:
        messages.error(request, " ".join(error_messages(refused)))
    else:
        if result.repeat:
            messages.info(request, _("These marks had been saved already."))
        else:
            messages.success(
                request,
                _("Roll call saved: %(n)d marks changed.") % {"n": result.applied},
            )
    return redirect("attendance:rollcall", pk=pk)


@login_required
@require_POST
def roll_close(request: HttpRequest, pk: int) -> HttpResponse:
    sitting = selectors.access_roll(request.user, pk)
    try:
        result = services.roll_close(sitting=sitting, actor=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(error_messages(refused)))
    else:
        messages.success(
            request,
            _("Roll call closed: %(absent)d absent, %(leave)d on leave marked by the close.")
            % {"absent": result.absent, "leave": result.leave},
        )
    return redirect("attendance:rollcall", pk=pk)


# --- the phone's queue (JSON) ---------------------------------------------------------------


def _errors(status: int, *errors: tuple[str | None, str, str]) -> JsonResponse:
    return JsonResponse(
        {"errors": [{"field": f, "code": c, "message": str(m)} for f, c, m in errors]},
        status=status,
    )


@require_POST
def sync(request: HttpRequest, pk: int) -> JsonResponse:
    """POST /attendance/sittings/<pk>/sync/ with {"batch": uuid, "marks": [{"student",
    "status", "at", "note"}], "close": false} → {"batch", "applied", "repeat", "closed"}.
    A batch sent twice is applied once; every bad request is a 400 with its errors, a
    sitting outside the user's scope a 404."""
    if not request.user.is_authenticated:
        return _errors(403, (None, "not_signed_in", _("Sign in again to send the roll call.")))
    if len(request.body) > MAX_BODY:
        return _errors(400, (None, "too_large", _("The roll call sent is too large.")))
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        payload = None
    if not isinstance(payload, dict):
        return _errors(400, (None, "bad_json", _("The roll call sent is not readable.")))
    raw_marks = payload.get("marks", [])
    if not isinstance(raw_marks, list):
        return _errors(400, ("marks", "bad_marks", _("The marks are not a list.")))
    if len(raw_marks) > services.MAX_MARKS:
        return _errors(
            400,
            (
                "marks",
                "too_many_marks",
                _("A roll call sends at most %(most)d marks at once.")
                % {"most": services.MAX_MARKS},
            ),
        )
    batch = payload.get("batch")
    try:
        batch = uuid.UUID(batch) if isinstance(batch, str) else None
    except ValueError:
        batch = None
    if batch is None:
        return _errors(
            400, ("batch", "bad_batch", _("The roll call's batch id is not a valid id."))
        )
    close = payload.get("close", False)
    if not isinstance(close, bool):
        return _errors(400, ("close", "bad_close", _("“close” is true or false.")))
    marks = []
    for row, raw in enumerate(raw_marks, start=1):
        if not isinstance(raw, dict):
            return _errors(
                400, ("marks", "bad_mark", _("Mark %(row)d is not a mark.") % {"row": row})
            )
        at = raw.get("at")
        parsed = _parse_time(at) if isinstance(at, str) else None
        marks.append((raw.get("student"), raw.get("status"), parsed, raw.get("note") or ""))
    try:
        sitting = selectors.access_roll(request.user, pk)
        result = services.roll_mark(
            sitting=sitting, marks=marks, actor=request.user, batch_id=batch, close=close
        )
    except Http404:
        return _errors(404, (None, "not_found", _("No such sitting.")))
    except ValidationError as refused:
        return JsonResponse({"errors": [item.as_dict() for item in items(refused)]}, status=400)
    return JsonResponse(
        {
            "batch": str(result.batch),
            "applied": result.applied,
            "repeat": result.repeat,
            "closed": result.closed,
        }
    )


def _parse_time(text: str) -> dt.datetime | None:
    try:
        value = parse_datetime(text[:40])
    except ValueError:
        return None
    return value


# --- leave (guardians) ---------------------------------------------------------------------


@login_required
@require_GET
def leave_list(request: HttpRequest) -> HttpResponse:
    children = selectors.family_leave(request.user)
    return render(
        request,
        "attendance/leave_list.html",
        {"children": children, "today": timezone.localdate()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def leave_new(request: HttpRequest) -> HttpResponse:
    children = selectors.guardian_children(request.user)
    if not children:
        raise Http404
    by_pk = {c.pk: c for c in children}
    if request.method == "POST":
        form = LeaveForm(request.POST, children=children)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.leave_file(
                    student=by_pk[data["student"]],
                    first_day=data["first_day"],
                    last_day=data["last_day"],
                    reason=data["reason"],
                    actor=request.user,
                )
            except ValidationError as refused:
                add_to_form(form, refused)
            else:
                messages.success(request, _("Leave filed. The teachers see it on the roll call."))
                return redirect("attendance:leave_list")
    else:
        initial = {"first_day": timezone.localdate()}
        wanted = request.GET.get("student", "")
        if wanted.isdigit() and int(wanted) in by_pk:
            initial["student"] = int(wanted)
        form = LeaveForm(initial=initial, children=children)
    return render(request, "attendance/leave_form.html", {"form": form})


@login_required
@require_POST
def leave_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    leave = selectors.access_leave(request.user, pk)
    try:
        services.leave_withdraw(leave=leave, actor=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(error_messages(refused)))
    else:
        messages.success(request, _("Leave withdrawn."))
    return redirect("attendance:leave_list")
