"""Staff record pages (R21): a teacher's own record (a phone page), a school's staff table
for a school year with its .xlsx, and one teacher's record with its .xlsx. Read-only:
thin views over kehou.staffrecords.selectors (404 outside the scope)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from kehou.core.spreadsheets import xlsx_response
from kehou.org import access
from kehou.staffrecords import exports, selectors


def _years(year: int) -> list[int]:
    current = selectors.current_year()
    return sorted({current, current - 1, current - 2, year}, reverse=True)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if access.instructor_record(user) is not None:
        return redirect("staffrecords:mine")
    if user.school_id and access.may_manage_school(user, user.school):
        return redirect("staffrecords:school", school_pk=user.school_id)
    schools = selectors.overseen_schools(user)
    if not schools:
        raise Http404
    return render(request, "staffrecords/schools.html", {"schools": schools})


def _person_page(request, staff, *, school_pk=None) -> HttpResponse:
    year = selectors.parse_year(request.GET.get("year"))
    table, record = selectors.record_of(staff, year)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            exports.person_workbook(table, record),
            f"staff-record-{staff.pk}-{year}.xlsx",
        )
    return render(
        request,
        "staffrecords/record.html",
        {
            "table": table,
            "record": record,
            "rows": exports.month_rows(table, record),
            "parts": [(label, record.by_work[w]) for w, label in exports.work_names().items()],
            "year": year,
            "years": _years(year),
            "school_pk": school_pk,
        },
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    return _person_page(request, selectors.own_staff(request.user))


@login_required
@require_GET
def person(request: HttpRequest, school_pk: int, staff_pk: int) -> HttpResponse:
    staff = selectors.access_staff_record(request.user, school_pk, staff_pk)
    return _person_page(request, staff, school_pk=school_pk)


@login_required
@require_GET
def school(request: HttpRequest, school_pk: int) -> HttpResponse:
    found = selectors.access_school_records(request.user, school_pk)
    year = selectors.parse_year(request.GET.get("year"))
    table = selectors.year_table(found, year)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            exports.school_workbook(table), f"staff-records-{found.code}-{year}.xlsx"
        )
    return render(
        request,
        "staffrecords/school.html",
        {
            "table": table,
            "works": list(exports.work_names().values()),
            "rows": [(r, [r.by_work[w] for w in selectors.WORKS]) for r in table.records],
            "year": year,
            "years": _years(year),
        },
    )
