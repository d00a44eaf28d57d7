"""Custody pages (R16): the gate (scan or type the pickup code, record the collection),
the gate's list of children still on site, a child's dismissal, the live board, alerts,
the hand-over on a phone, the week's duty, the end-of-day rules and the visitor register.
Thin: read with kehou.custody.selectors (404 outside the scope), write with
kehou.custody.services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehou.core.errors import items
from kehou.core.errors import messages as error_messages
from kehou.custody import selectors, services
from kehou.custody.models import Dismissal, Duty, GateVisit
from kehou.org import access
from kehou.org.models import AuthorisedCollector, Guardian, Staff


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _day(value: str | None) -> dt.date:
    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise Http404 from error


# --- the gate ---------------------------------------------------------------------------


@login_required
@require_GET
def gate(request: HttpRequest) -> HttpResponse:
    school = selectors.access_gate_school(request.user)
    code = request.GET.get("code", "").strip()[:200]
    found = selectors.gate_lookup(school=school, code=code, actor=request.user) if code else []
    return render(
        request,
        "custody/gate.html",
        {"school": school, "code": code, "found": found, "searched": bool(code)},
    )


@login_required
@require_GET
def gate_on_site(request: HttpRequest) -> HttpResponse:
    school = selectors.access_gate_school(request.user)
    q = request.GET.get("q", "").strip()[:50]
    children = selectors.on_site(school, q=q)
    return render(
        request,
        "custody/on_site.html",
        {"school": school, "q": q, "children": children},
    )


@login_required
@require_GET
def gate_child(request: HttpRequest, student_pk: int) -> HttpResponse:
    school = selectors.access_gate_school(request.user)
    student = access.access_student(request.user, student_pk)
    child = selectors.gate_child(school=school, student_id=student.pk, actor=request.user)
    return render(
        request,
        "custody/gate_child.html",
        {
            "school": school,
            "student": student,
            "child": child,
            "hows": Dismissal.How.choices,
            "code": request.GET.get("code", "").strip()[:200],
        },
    )


@login_required
@require_POST
def gate_dismiss(request: HttpRequest) -> HttpResponse:
    """Record a child's dismissal. Form fields: student, how (default collected), code,
    guardian / collector / collected_by, verified, route, escort, note. JSON answer
    `{"dismissal": id, "repeat": bool}` when the client accepts JSON (400 with the errors
    on a refusal, 409 when the child already left)."""
    as_json = _wants_json(request)
    data = request.POST
    pk = _int(data.get("student"))
    if pk is None:
        if as_json:
            return _json_errors("student", "student_required", "Choose a child.", 400)
        raise Http404
    student = access.access_student(request.user, pk)
    guardian_pk, collector_pk = _int(data.get("guardian")), _int(data.get("collector"))
    person = data.get("person", "")  # "g<guardian pk>" or "c<collector pk>" from a list
    if person[:1] == "g" and _int(person[1:]):
        guardian_pk = _int(person[1:])
    elif person[:1] == "c" and _int(person[1:]):
        collector_pk = _int(person[1:])
    guardian = Guardian(pk=guardian_pk) if guardian_pk else None
    collector = AuthorisedCollector(pk=collector_pk) if collector_pk else None
    try:
        dismissal = services.dismissal_record(
            student=student,
            how=data.get("how") or Dismissal.How.COLLECTED,
            actor=request.user,
            guardian=guardian,
            collector=collector,
            collected_by=data.get("collected_by", "")[:100],
            verified=data.get("verified", "")[:10],
            route=data.get("route", "")[:200],
            escort=data.get("escort", "")[:100],
            note=data.get("note", "")[:400],
            code=data.get("code", "")[:200],
        )
    except ValidationError as refused:
        found = items(refused)
        if as_json:
            status = 409 if any(i.code == "already_dismissed" for i in found) else 400
            return JsonResponse({"errors": [i.as_dict() for i in found]}, status=status)
        messages.error(request, " ".join(error_messages(refused)))
        back = reverse("custody:gate_child", args=[student.pk])
        code = data.get("code", "").strip()
        return redirect(f"{back}?code={code}" if code and code.isdigit() else back)
    if as_json:
        return JsonResponse({"dismissal": dismissal.pk, "repeat": dismissal.repeat})
    messages.success(request, f"{student.name}: {services.dismissal_sentence(dismissal)}")
    after = reverse("custody:board") if data.get("next") == "board" else reverse("custody:gate")
    return redirect(after)


def _json_errors(field: str, code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"errors": [{"field": field, "code": code, "message": message}]}, status=status
    )


# --- the live board and alerts ----------------------------------------------------------


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    school = selectors.access_board_school(request.user)
    return render(
        request,
        "custody/board.html",
        {
            "school": school,
            "board": selectors.board(school),
            "may_dismiss": access.may_dismiss(request.user, school.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.access_alert(request.user, pk)
    error = ""
    if request.method == "POST":
        try:
            services.alert_resolve(
                alert=alert,
                resolution=request.POST.get("resolution", "")[:400],
                actor=request.user,
            )
        except ValidationError as refused:
            error = " ".join(error_messages(refused))
        else:
            return redirect("custody:board")
    child = None
    if alert.student_id:
        child = (
            selectors.gate_child(
                school=alert.school, student_id=alert.student_id, actor=request.user
            )
            if access.may_dismiss(request.user, alert.school_id)
            else None
        )
    return render(
        request,
        "custody/alert.html",
        {
            "alert": alert,
            "child": child,
            "error": error,
            "may_resolve": services.may_resolve_alert(request.user, alert),
            "resolution": request.POST.get("resolution", ""),
        },
    )


# --- hand-over ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def handover(request: HttpRequest) -> HttpResponse:
    """Teachers (an external instructor too, handing their group to the duty teacher)
    hand over as themselves; the school's admin may record a hand-over between any two
    of its staff."""
    user = request.user
    if not user.school_id:
        raise Http404
    school = access.access_school(user, user.school_id)
    me = access.instructor_record(user)
    admin = access.may_manage_school(user, school)
    if (me is None or me.school_id != school.pk) and not admin:
        raise Http404
    staff_by_pk = {s.pk: s for s in selectors.active_staff(school)}
    data = request.POST if request.method == "POST" else request.GET
    giver = me
    if admin and _int(data.get("from")) in staff_by_pk:
        giver = staff_by_pk[_int(data.get("from"))]
    receiver = staff_by_pk.get(_int(data.get("to")))
    sittings = selectors.today_sittings(school)
    sitting = next((s for s in sittings if s.pk == _int(data.get("sitting"))), None)
    if request.method == "POST":
        if receiver is None:
            messages.error(request, _choose_receiver())
        else:
            ticked = [pk for pk in (_int(v) for v in request.POST.getlist("students")) if pk]
            try:
                result = services.handover_record(
                    from_staff=giver,
                    to_staff=receiver,
                    students=ticked,
                    sitting=sitting,
                    actor=user,
                    note=request.POST.get("note", "")[:300],
                )
            except ValidationError as refused:
                messages.error(request, " ".join(error_messages(refused)))
            else:
                messages.success(request, _handed_over(len(result.moved), receiver.name))
                return redirect("custody:handover")
    return render(
        request,
        "custody/handover.html",
        {
            "school": school,
            "giver": giver,
            "receiver": receiver,
            "staff": [s for s in staff_by_pk.values() if s != giver],
            "givers": list(staff_by_pk.values()) if admin else [],
            "sittings": sittings,
            "sitting": sitting,
            "choices": selectors.handover_choices(giver=giver, sitting=sitting),
        },
    )


def _choose_receiver() -> str:
    from django.utils.translation import gettext as _

    return _("Choose who receives the children.")


def _handed_over(n: int, name: str) -> str:
    from django.utils.translation import ngettext

    return ngettext(
        "%(n)s child handed over to %(name)s.", "%(n)s children handed over to %(name)s.", n
    ) % {"n": n, "name": name}


# --- duty and day rules -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def duty(request: HttpRequest) -> HttpResponse:
    school = selectors.access_admin_school(request.user)
    monday = selectors.week_of(_day(request.GET.get("week") or request.POST.get("week")))[0]
    if request.method == "POST":
        try:
            if request.POST.get("remove"):
                target = Duty.objects.filter(
                    pk=_int(request.POST.get("remove")), school=school
                ).first()
                if target is None:
                    raise Http404
                services.duty_remove(duty=target, actor=request.user)
            else:
                staff = Staff.objects.filter(
                    pk=_int(request.POST.get("staff")), school=school
                ).first()
                if staff is None:
                    raise Http404
                services.duty_assign(
                    school=school,
                    date=_day(request.POST.get("date")),
                    staff=staff,
                    actor=request.user,
                )
        except ValidationError as refused:
            messages.error(request, " ".join(error_messages(refused)))
        return redirect(reverse("custody:duty") + f"?week={monday.isoformat()}")
    return render(
        request,
        "custody/duty.html",
        {
            "school": school,
            "monday": monday,
            "previous": monday - dt.timedelta(days=7),
            "next": monday + dt.timedelta(days=7),
            "days": selectors.duty_week(school, monday),
            "staff": selectors.active_staff(school),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    school = selectors.access_admin_school(request.user)
    current = selectors.day_rules(school)
    values = {name: getattr(current, name) for name in services.DAY_RULE_RANGES}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in services.DAY_RULE_RANGES}
        try:
            services.day_rules_set(
                school=school,
                actor=request.user,
                **{
                    name: _int(value) if value.lstrip("-").isdigit() else None
                    for name, value in values.items()
                },
            )
        except ValidationError as refused:
            for item in items(refused):
                errors.setdefault(item.field, []).append(item.message)
        else:
            messages.success(request, _saved())
            return redirect("custody:rules")
    fields = [
        (
            name,
            current._meta.get_field(name).verbose_name,
            values[name],
            errors.get(name, []),
            services.DAY_RULE_RANGES[name],
        )
        for name in services.DAY_RULE_RANGES
    ]
    return render(request, "custody/rules.html", {"school": school, "fields": fields})


def _saved() -> str:
    from django.utils.translation import gettext as _

    return _("Saved.")


# --- visitors -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def visits(request: HttpRequest) -> HttpResponse:
    school = selectors.access_visitor_school(request.user)
    day = _day(request.GET.get("date"))
    form = {k: "" for k in ("name", "phone", "organisation", "purpose", "host")}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = {k: request.POST.get(k, "")[:300] for k in form}
        try:
            services.visit_record(school=school, actor=request.user, **form)
        except ValidationError as refused:
            for item in items(refused):
                errors.setdefault(item.field, []).append(item.message)
        else:
            return redirect("custody:visits")
    return render(
        request,
        "custody/visits.html",
        {
            "school": school,
            "day": day,
            "is_today": day == timezone.localdate(),
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "rows": selectors.visits_on(school, day),
            "form": form,
            "errors": errors,
        },
    )


@login_required
@require_POST
def visit_leave(request: HttpRequest, pk: int) -> HttpResponse:
    school = selectors.access_visitor_school(request.user)
    visit = GateVisit.objects.filter(pk=pk, school=school).first()
    if visit is None:
        raise Http404
    services.visit_leave(visit=visit, actor=request.user)
    return redirect("custody:visits")
