"""Roster pages (SPEC R3): thin views over kehou.roster.services.

Only the school's own admin may use them (a superuser names the school with
?school=CODE); everyone else gets 404, so the pages do not reveal that a school exists.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from kehou.core.errors import items
from kehou.core.spreadsheets import xlsx_response
from kehou.org.access import may_manage_school
from kehou.org.models import School
from kehou.roster import guardian_links
from kehou.roster.schema import ascii_number
from kehou.roster.services import (
    current_start_year,
    guardian_link_confirm,
    not_deleted_note,
    roster_export,
    roster_import,
    roster_template,
)

TEMPLATE_FILENAME = "课后服务花名册模板.xlsx"


def _managed_school(request: HttpRequest) -> School:
    user = request.user
    code = request.GET.get("school")
    if user.is_superuser:
        school = School.objects.filter(code=code or "").first()
    else:
        school = user.school
        # Naming another school is refused, not silently redirected to one's own.
        if code is not None and (school is None or code != school.code):
            raise Http404
    if school is None or not may_manage_school(user, school):
        raise Http404
    return school


def _start_year(raw: str | None) -> int | None:
    """The optional start-year field; None means the current school year."""
    year = ascii_number(raw or "")
    if year is None or not 2000 <= year <= current_start_year() + 1:
        return None
    return year


def _year_label(start_year: int) -> str:
    return f"{start_year}-{start_year + 1}"


# Room for the multipart framing and the small form fields around the file.
FORM_OVERHEAD_BYTES = 64 * 1024


@login_required
@csrf_exempt  # only so the size check below runs before the body is read; see csrf_protect
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    # Refuse an oversized upload from its Content-Length, before Django spools it to disk
    # (the CSRF check would otherwise read the whole body first).
    school = _managed_school(request)
    length = ascii_number(request.META.get("CONTENT_LENGTH") or "0", digits=12)
    limit = settings.ROSTER_MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES
    if request.method == "POST" and (length is None or length > limit):
        mb = settings.ROSTER_MAX_UPLOAD_BYTES // (1024 * 1024)
        return HttpResponse(_("The file is larger than %(n)d MB.") % {"n": mb}, status=413)
    return _import(request, school)


@csrf_protect
def _import(request: HttpRequest, school: School) -> HttpResponse:
    context = {
        "school": school,
        "current_year": current_start_year(),
        "current_year_label": _year_label(current_start_year()),
        "note": not_deleted_note(),
        "max_mb": settings.ROSTER_MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["form_error"] = _("Choose an .xlsx file to upload.")
            return render(request, "roster/import.html", context, status=400)
        if upload.size > settings.ROSTER_MAX_UPLOAD_BYTES:
            context["form_error"] = _("The file is larger than %(n)d MB.") % {
                "n": context["max_mb"]
            }
            return render(request, "roster/import.html", context, status=400)
        report = roster_import(
            school=school,
            data=upload.read(),
            actor=request.user,
            start_year=_start_year(request.POST.get("year")),
            dry_run=request.POST.get("dry_run") == "1",
        )
        context["report"] = report
        return render(request, "roster/import.html", context, status=200 if report.ok else 400)
    return render(request, "roster/import.html", context)


@login_required
@require_http_methods(["GET"])
def template_view(request: HttpRequest) -> HttpResponse:
    _managed_school(request)
    return xlsx_response(roster_template(), TEMPLATE_FILENAME)


@login_required
@require_http_methods(["GET"])
def export_view(request: HttpRequest) -> HttpResponse:
    school = _managed_school(request)
    year = _start_year(request.GET.get("year")) or current_start_year()
    data = roster_export(school=school, actor=request.user, start_year=year)
    return xlsx_response(data, f"{school.name}花名册{_year_label(year)}.xlsx")


# --- guardian records and their codes (docs/adr/0007) -------------------------------------


@login_required
@require_http_methods(["GET"])
def guardian_codes_view(request: HttpRequest) -> HttpResponse:
    """The school's guardian records no login has confirmed yet, with the codes to hand
    out (printable)."""
    school = _managed_school(request)
    records = guardian_links.pending_links_for(request.user, school)
    return render(request, "roster/guardian_codes.html", {"school": school, "records": records})


@login_required
@require_http_methods(["GET", "POST"])
def guardian_link_view(request: HttpRequest) -> HttpResponse:
    """A guardian, logged in, enters the code a school gave them, sees that school's
    record (the school and the children) and confirms it."""
    if not guardian_links.is_guardian_login(request.user):
        raise Http404
    code = (request.POST.get("code") or "").strip()[:40]
    context = {"code": code}
    if request.method == "POST":
        try:
            guardian = guardian_link_confirm(
                code=code, actor=request.user, confirmed=request.POST.get("confirmed") == "1"
            )
        except ValidationError as error:
            codes = {item.code for item in items(error)}
            if codes == {"confirmation_required"}:
                record = guardian_links.unconfirmed_record_for(request.user, code)
                context["record"] = record
                context["children"] = guardian_links.children_of(record)
                return render(request, "roster/guardian_link.html", context)
            context["errors"] = [item.message for item in items(error)]
            return render(request, "roster/guardian_link.html", context, status=400)
        messages.success(
            request,
            _("Your children at %(school)s now appear in your account.")
            % {"school": guardian.school.name},
        )
        return redirect("home:index")
    return render(request, "roster/guardian_link.html", context)
