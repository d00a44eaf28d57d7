"""Safety pages (R17): a school's overview, incidents, inspections by checklist (a phone
page for the inspector walking the school), defects to rectification and verification,
the school's own checklist items, drills, accident insurance by class (and its .xlsx); the
region's overview for bureau officers.

Thin: read through kehou.safety.selectors (404 outside the scope), write through one
kehou.safety.services call, whose refusals go back on the form."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehou.accounts.models import User
from kehou.core import errors
from kehou.core.spreadsheets import Sheet, build_xlsx, xlsx_response
from kehou.safety import selectors, services
from kehou.safety.forms import (
    ChecklistItemForm,
    CloseIncidentForm,
    DrillForm,
    IncidentForm,
    RectifyForm,
    VerifyForm,
)
from kehou.safety.models import Defect, Incident
from kehou.terms.selectors import term_for_page, terms


def _refused(form, call):
    """Run the service; a refusal goes on the form and gives None."""
    try:
        return call()
    except ValidationError as error:
        errors.add_to_form(form, error)
        return None


# --------------------------------------------------------------------------- overviews


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """Shortcut for the nav and the home pages: the region for an officer, the school for
    its admin and teachers."""
    user = request.user
    if selectors.may_see_region(user) and not user.school_id:
        return redirect("safety:region")
    if not user.school_id:
        raise Http404
    school = selectors.access_school_safety(user, user.school_id)
    return redirect("safety:school", school_pk=school.pk)


@login_required
@require_GET
def school(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_safety(request.user, school_pk)
    term = term_for_page(request.GET.get("term"))
    today = timezone.localdate()
    return render(
        request,
        "safety/school.html",
        {
            "school": school,
            "term": term,
            "terms": list(terms()),
            "today": today,
            "overview": selectors.school_overview(request.user, school, today=today, term=term),
            "may_record": selectors.may_record(request.user, school),
            "may_manage": selectors.may_close(request.user, school),
        },
    )


@login_required
@require_GET
def region(request: HttpRequest) -> HttpResponse:
    term = term_for_page(request.GET.get("term"))
    today = timezone.localdate()
    rows = selectors.region_overview(request.user, today=today, term=term)
    return render(
        request,
        "safety/region.html",
        {
            "term": term,
            "terms": list(terms()),
            "today": today,
            "rows": rows,
            "region": getattr(request.user, "region", None),
            "serious": selectors.region_serious_incidents(request.user, term=term),
            "overdue": selectors.region_overdue_defects(request.user, today=today),
            "totals": {
                "incidents": sum(r.incident_total for r in rows),
                "serious": sum(r.serious for r in rows),
                "open_defects": sum(r.open_defects for r in rows),
                "overdue_defects": sum(r.overdue_defects for r in rows),
                "participants": sum(r.participants for r in rows),
                "insured": sum(r.insured for r in rows),
            },
        },
    )


# --------------------------------------------------------------------------- incidents


@login_required
@require_GET
def incidents(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_safety(request.user, school_pk)
    status = request.GET.get("status", "open")
    return render(
        request,
        "safety/incidents.html",
        {
            "school": school,
            "status": status,
            "statuses": [("open", _("Not closed")), *Incident.Status.choices, ("all", _("All"))],
            "incidents": selectors.school_incidents(request.user, school, status=status),
            "may_record": selectors.may_record(request.user, school),
        },
    )


def _incident_form(request, school, *, data=None, initial=None):
    students = selectors.school_students(school)
    return IncidentForm(
        data,
        initial=initial,
        students=students,
        staff=selectors.school_staff(school),
        student_label=selectors.student_label_for(school, students),
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_for_recording(request.user, school_pk)
    if request.method == "POST":
        form = _incident_form(request, school, data=request.POST)
        if form.is_valid():
            incident = _refused(
                form,
                lambda: services.incident_record(
                    school=school, actor=request.user, **form.service_fields()
                ),
            )
            if incident is not None:
                messages.success(request, _("Incident recorded."))
                return redirect("safety:incident", pk=incident.pk)
    else:
        form = _incident_form(request, school, initial={"occurred_at": timezone.now()})
    return render(
        request, "safety/incident_form.html", {"school": school, "form": form, "incident": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.access_incident(request.user, pk)
    school = incident.school
    if not selectors.may_record(request.user, school) or incident.status == "closed":
        raise Http404
    if request.method == "POST":
        form = _incident_form(request, school, data=request.POST)
        if form.is_valid():
            saved = _refused(
                form,
                lambda: services.incident_update(
                    incident=incident, actor=request.user, **form.service_fields()
                ),
            )
            if saved is not None:
                messages.success(request, _("Incident saved."))
                return redirect("safety:incident", pk=incident.pk)
    else:
        initial = {name: getattr(incident, name) for name in services.INCIDENT_FIELDS}
        initial["guardian_informed_by"] = incident.guardian_informed_by_id
        initial["students"] = [s.pk for s in incident.students.all()]
        initial["staff"] = [s.pk for s in incident.staff.all()]
        form = _incident_form(request, school, initial=initial)
    return render(
        request,
        "safety/incident_form.html",
        {"school": school, "form": form, "incident": incident},
    )


def _incident_page(request, incident, *, close_form=None, status=200):
    school = incident.school
    label = selectors.student_label_for(school, list(incident.students.all()))
    may_close = selectors.may_close(request.user, school) and incident.status != "closed"
    return render(
        request,
        "safety/incident.html",
        {
            "incident": incident,
            "school": school,
            "children": [label(s) for s in incident.students.all()],
            "staff": list(incident.staff.all()),
            "may_edit": selectors.may_record(request.user, school) and incident.status != "closed",
            "close_form": (close_form or CloseIncidentForm()) if may_close else None,
        },
        status=status,
    )


@login_required
@require_GET
def incident(request: HttpRequest, pk: int) -> HttpResponse:
    return _incident_page(request, selectors.access_incident(request.user, pk))


@login_required
@require_POST
def incident_close(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.access_incident(request.user, pk)
    form = CloseIncidentForm(request.POST)
    if form.is_valid():
        closed = _refused(
            form,
            lambda: services.incident_close(
                incident=incident, conclusion=form.cleaned_data["conclusion"], actor=request.user
            ),
        )
        if closed is not None:
            messages.success(request, _("Incident closed."))
            return redirect("safety:incident", pk=incident.pk)
    return _incident_page(request, incident, close_form=form, status=400)


# --------------------------------------------------------------------------- inspections


@login_required
@require_GET
def inspections(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_safety(request.user, school_pk)
    return render(
        request,
        "safety/inspections.html",
        {
            "school": school,
            "inspections": selectors.school_inspections(school),
            "may_record": selectors.may_record(request.user, school),
        },
    )


def _parse_day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _parse_pk(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request: HttpRequest, school_pk: int) -> HttpResponse:
    """The checklist on a phone: each item OK or a defect (what, who, by when)."""
    school = selectors.access_school_for_recording(request.user, school_pk)
    staff = selectors.school_staff(school)
    by_pk = {s.pk: s for s in staff}
    areas = selectors.checklist(school)
    data = request.POST if request.method == "POST" else {}
    today = timezone.localdate()
    for area in areas:
        for line in area.lines:
            line.mark = data.get(f"item-{line.key}", "")
            line.note = data.get(f"note-{line.key}", "")
            line.desc = data.get(f"desc-{line.key}", "")
            line.resp = _parse_pk(data.get(f"resp-{line.key}"))
            line.due = data.get(f"due-{line.key}", "")
            line.errors = []
        area.marked = sum(1 for line in area.lines if line.mark)
    inspector_pks = (
        [p for p in (_parse_pk(v) for v in data.getlist("inspectors")) if p] if data else []
    )
    own_staff = getattr(request.user, "staff", None) if isinstance(request.user, User) else None
    context = {
        "school": school,
        "areas": areas,
        "staff": staff,
        "today": today,
        "inspected_on": data.get("inspected_on", today.isoformat()) if data else today.isoformat(),
        "inspectors": inspector_pks
        or ([own_staff.pk] if own_staff and own_staff.school_id == school.pk else []),
        "note": data.get("note", "") if data else "",
        "errors": [],
    }
    if request.method == "POST":
        checks = [
            services.Check(
                key=line.key,
                ok=line.mark == "ok",
                note=line.note,
                description=line.desc,
                responsible=by_pk.get(line.resp),
                deadline=_parse_day(line.due),
            )
            for area in areas
            for line in area.lines
            if line.mark in ("ok", "defect")
        ]
        try:
            inspection = services.inspection_record(
                school=school,
                inspected_on=_parse_day(data.get("inspected_on")),
                inspectors=[by_pk[p] for p in inspector_pks if p in by_pk],
                checks=checks,
                note=data.get("note", ""),
                actor=request.user,
            )
        except ValidationError as refusal:
            lines = {line.key: line for area in areas for line in area.lines}
            for item in errors.items(refusal):
                _kind, _sep, key = item.field.partition("-")
                if key in lines:
                    lines[key].errors.append(item.message)
                else:
                    context["errors"].append(item.message)
            return render(request, "safety/inspection_form.html", context, status=400)
        messages.success(request, _("Inspection recorded."))
        return redirect("safety:inspection", pk=inspection.pk)
    return render(request, "safety/inspection_form.html", context)


@login_required
@require_GET
def inspection(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.access_inspection(request.user, pk)
    return render(
        request,
        "safety/inspection.html",
        {
            "inspection": inspection,
            "school": inspection.school,
            "areas": selectors.inspection_results(inspection),
            "today": timezone.localdate(),
        },
    )


# --------------------------------------------------------------------------- defects


@login_required
@require_GET
def defects(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_safety(request.user, school_pk)
    status = request.GET.get("status", "open")
    today = timezone.localdate()
    rows = selectors.defects_of(school, today=today, status=status)
    return render(
        request,
        "safety/defects.html",
        {
            "school": school,
            "status": status,
            "statuses": [("open", _("Not closed")), *Defect.Status.choices, ("all", _("All"))],
            "defects": rows,
            "overdue": sum(1 for d in rows if d.overdue),
            "today": today,
        },
    )


def _defect_page(request, defect, *, rectify_form=None, verify_form=None, status=200):
    school = defect.school
    today = timezone.localdate()
    may_rectify = selectors.may_record(request.user, school) and defect.status != "closed"
    may_verify = selectors.may_close(request.user, school) and defect.status == "rectified"
    return render(
        request,
        "safety/defect.html",
        {
            "defect": defect,
            "school": school,
            "item_text": selectors.result_text(defect.result),
            "overdue": defect.is_overdue(today),
            "rectify_form": (
                rectify_form
                or RectifyForm(
                    initial={
                        "rectification": defect.rectification,
                        "rectified_on": defect.rectified_on or today,
                    }
                )
            )
            if may_rectify
            else None,
            "verify_form": (verify_form or VerifyForm()) if may_verify else None,
        },
        status=status,
    )


@login_required
@require_GET
def defect(request: HttpRequest, pk: int) -> HttpResponse:
    return _defect_page(request, selectors.access_defect(request.user, pk))


@login_required
@require_POST
def defect_rectify(request: HttpRequest, pk: int) -> HttpResponse:
    defect = selectors.access_defect(request.user, pk)
    form = RectifyForm(request.POST)
    if form.is_valid():
        done = _refused(
            form,
            lambda: services.defect_rectify(defect=defect, actor=request.user, **form.cleaned_data),
        )
        if done is not None:
            messages.success(request, _("Rectification recorded."))
            return redirect("safety:defect", pk=defect.pk)
    return _defect_page(request, defect, rectify_form=form, status=400)


@login_required
@require_POST
def defect_close(request: HttpRequest, pk: int) -> HttpResponse:
    defect = selectors.access_defect(request.user, pk)
    form = VerifyForm(request.POST)
    if form.is_valid():
        done = _refused(
            form,
            lambda: services.defect_close(
                defect=defect, note=form.cleaned_data["note"], actor=request.user
            ),
        )
        if done is not None:
            messages.success(request, _("Defect verified and closed."))
            return redirect("safety:defect", pk=defect.pk)
    return _defect_page(request, defect, verify_form=form, status=400)


# --------------------------------------------------------------------------- checklist


@login_required
@require_http_methods(["GET", "POST"])
def checklist(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_safety(request.user, school_pk)
    may_manage = selectors.may_close(request.user, school)
    form = ChecklistItemForm(request.POST or None) if may_manage else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            added = _refused(
                form,
                lambda: services.checklist_item_add(
                    school=school, actor=request.user, **form.cleaned_data
                ),
            )
            if added is not None:
                messages.success(request, _("Item added to the checklist."))
                return redirect("safety:checklist", school_pk=school.pk)
    return render(
        request,
        "safety/checklist.html",
        {"school": school, "areas": selectors.checklist(school), "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def checklist_retire(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_checklist_item(request.user, pk)
    try:
        services.checklist_item_retire(item=item, actor=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(errors.messages(refusal)))
    else:
        messages.success(request, _("Item taken off the checklist."))
    return redirect("safety:checklist", school_pk=item.school_id)


# --------------------------------------------------------------------------- drills


@login_required
@require_GET
def drills(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_safety(request.user, school_pk)
    return render(
        request,
        "safety/drills.html",
        {
            "school": school,
            "drills": selectors.school_drills(school),
            "last": selectors.last_drills(school),
            "may_record": selectors.may_record(request.user, school),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def drill_new(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_for_recording(request.user, school_pk)
    classes = selectors.school_classes(school, term_for_page(None))
    if request.method == "POST":
        form = DrillForm(request.POST, classes=classes)
        if form.is_valid():
            drill = _refused(
                form,
                lambda: services.drill_record(
                    school=school, actor=request.user, **form.service_fields()
                ),
            )
            if drill is not None:
                messages.success(request, _("Drill recorded."))
                return redirect("safety:drills", school_pk=school.pk)
    else:
        form = DrillForm(initial={"held_on": timezone.localdate()}, classes=classes)
    return render(
        request,
        "safety/drill_form.html",
        {"school": school, "form": form},
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------- insurance


@login_required
@require_GET
def insurance(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_safety(request.user, school_pk)
    term = term_for_page(request.GET.get("term"))
    return render(
        request,
        "safety/insurance.html",
        {
            "school": school,
            "term": term,
            "terms": list(terms()),
            "insurance": selectors.insurance(school, term),
        },
    )


@login_required
@require_GET
def insurance_xlsx(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_safety(request.user, school_pk)
    term = term_for_page(request.GET.get("term"))
    if term is None:
        raise Http404
    cover = selectors.insurance(school, term)
    yes, no = _("Yes"), _("No")
    rows = [
        [
            group.school_class.name if group.school_class else _("No class this school year"),
            row.student.student_number,
            row.student.name,
            yes if row.insured else no,
        ]
        for group in cover.classes
        for row in group.rows
    ]
    by_class = [
        [
            group.school_class.name if group.school_class else _("No class this school year"),
            group.total,
            group.insured,
            group.uninsured,
        ]
        for group in cover.classes
    ]
    title = [school.name, _("Accident insurance · %(term)s") % {"term": term}]
    sheets = [
        Sheet(
            name=_("Children"),
            title=title,
            headers=[_("Class"), _("Student number"), _("Name"), _("Accident insurance")],
            rows=rows,
            totals=[_("Total"), cover.total, _("Insured: %(n)d") % {"n": cover.insured}, ""],
        ),
        Sheet(
            name=_("By class"),
            title=title,
            headers=[_("Class"), _("Taking part"), _("Insured"), _("Not insured")],
            rows=by_class,
            totals=[_("Total"), cover.total, cover.insured, cover.uninsured],
        ),
    ]
    return xlsx_response(build_xlsx(sheets), f"accident-insurance-{school.code}-{term.code}.xlsx")
