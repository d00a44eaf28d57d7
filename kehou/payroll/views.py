"""Pay pages (R19): the school's rates, its monthly pay sheets (each line opening the
sittings and duty days behind it) and their .xlsx for the finance office, a teacher's own
hours and pay, and the term's budget (经费测算) for the school and the bureau.

Thin: read through kehou.payroll.selectors (404 outside the scope), write through one
kehou.payroll.services call, whose refusals go back on the page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehou import money
from kehou.accounts.models import User
from kehou.core import errors
from kehou.core.spreadsheets import Sheet, build_xlsx, xlsx_response
from kehou.lib.months import first_of, month_end, next_month, parse_month, previous_month
from kehou.payroll import budgeting, selectors, services
from kehou.payroll.forms import MonthForm, RatesForm
from kehou.payroll.models import PaySheet
from kehou.terms.models import Term
from kehou.terms.selectors import current_term, term_for_page, terms


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The nav's link: the school's pay sheets for its admin, the budgets for an officer,
    one's own pay for a teacher."""
    user = request.user
    if user.role == User.Role.SCHOOL_ADMIN and user.school_id:
        return redirect("payroll:school", school_pk=user.school_id)
    if user.role == User.Role.BUREAU:
        return redirect("payroll:budgets")
    if user.role == User.Role.TEACHER:
        return redirect("payroll:own")
    raise Http404


# --------------------------------------------------------------------------- the school


@login_required
@require_GET
def school(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_pay(request.user, school_pk)
    today = timezone.localdate()
    return render(
        request,
        "payroll/school.html",
        {
            "school": school,
            "sheets": selectors.school_sheets(school),
            "rates": selectors.rates_on(school, today),
            "history": selectors.rates_history(school),
            "floor": selectors.floor_of(school),
            "form": MonthForm(initial={"month": f"{first_of(today):%Y-%m}"}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rates(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_pay(request.user, school_pk)
    current = selectors.rates_on(school, timezone.localdate())
    if request.method == "POST":
        form = RatesForm(request.POST)
        if form.is_valid():
            try:
                services.pay_rates_set(school=school, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                errors.add_to_form(form, error)
            else:
                messages.success(request, _("The pay rates are saved."))
                return redirect("payroll:school", school_pk=school.pk)
    else:
        initial = {"effective_from": timezone.localdate(), "class_hour_minutes": 40}
        if current is not None:
            initial.update(
                per_class_hour=money.yuan(current.per_class_hour_fen),
                per_tutoring_hour=money.yuan(current.per_tutoring_hour_fen),
                per_club_session=money.yuan(current.per_club_session_fen),
                per_duty_day=money.yuan(current.per_duty_day_fen),
                class_hour_minutes=current.class_hour_minutes,
            )
        form = RatesForm(initial=initial)
    return render(
        request,
        "payroll/rates.html",
        {
            "school": school,
            "form": form,
            "floor": selectors.floor_of(school),
            "history": selectors.rates_history(school),
        },
    )


@login_required
@require_POST
def compute(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_pay(request.user, school_pk)
    try:
        sheet, changed = services.pay_sheet_compute(
            school=school, month=request.POST.get("month", ""), actor=request.user
        )
    except ValidationError as error:
        for message in errors.messages(error):
            messages.error(request, message)
        return redirect("payroll:school", school_pk=school.pk)
    if changed:
        messages.success(request, _("The pay sheet is computed."))
    else:
        messages.info(request, _("Nothing changed since the sheet was computed."))
    return redirect("payroll:sheet", pk=sheet.pk)


def _sheet_page(request, sheet: PaySheet, *, confirm=None, status: int = 200):
    lines = selectors.sheet_lines(sheet)
    return render(
        request,
        "payroll/sheet.html",
        {
            "school": sheet.school,
            "sheet": sheet,
            "lines": lines,
            "totals": selectors.sheet_totals(lines),
            "rounding": money.ROUNDING_RULE,
            "month_over": month_end(sheet.month) < timezone.localdate(),
            "confirm": confirm,
        },
        status=status,
    )


@login_required
@require_GET
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    return _sheet_page(request, selectors.access_sheet(request.user, pk))


@login_required
@require_POST
def finalise(request: HttpRequest, pk: int) -> HttpResponse:
    target = selectors.access_sheet(request.user, pk)
    try:
        services.pay_sheet_finalise(
            sheet=target, confirmed=request.POST.get("confirmed") == "1", actor=request.user
        )
    except ValidationError as error:
        if "confirmation_required" in errors.codes(error):
            confirm = {
                "title": _("Finalise the pay sheet of %(month)s?")
                % {"month": f"{target.month:%Y-%m}"},
                "consequences": [
                    _("The sheet is frozen: it is not computed again, whatever changes later."),
                    _("Each teacher reads their pay for the month from it."),
                ],
                "action": reverse("payroll:finalise", args=[target.pk]),
                "fields": [],
                "button": _("Finalise"),
                "cancel": reverse("payroll:sheet", args=[target.pk]),
            }
            return _sheet_page(request, target, confirm=confirm)
        for message in errors.messages(error):
            messages.error(request, message)
        return redirect("payroll:sheet", pk=target.pk)
    messages.success(request, _("The pay sheet is final."))
    return redirect("payroll:sheet", pk=target.pk)


@login_required
@require_GET
def line(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.access_line(request.user, pk)
    return render(
        request,
        "payroll/line.html",
        {
            "school": found.sheet.school,
            "sheet": found.sheet,
            "line": found,
            "items": selectors.line_items(found),
            "rounding": money.ROUNDING_RULE,
        },
    )


def _y(fen: int):
    return money.yuan(fen)


def sheet_workbook(sheet: PaySheet) -> bytes:
    """The pay sheet in the shape a finance office signs: title, one row per person with a
    signature and a date column, a totals row, the increment stated apart, signatures."""
    lines = selectors.sheet_lines(sheet)
    totals = selectors.sheet_totals(lines)
    month = _("%(year)d-%(month)02d") % {"year": sheet.month.year, "month": sheet.month.month}
    title = [
        _("%(school)s after-school service pay sheet") % {"school": sheet.school.name},
        _("Month: %(month)s") % {"month": month},
        _("Amounts in yuan, rounded %(rule)s.") % {"rule": money.ROUNDING_RULE},
    ]
    if sheet.floor_source:
        title.append(_("Floor: %(floor)s") % {"floor": sheet.floor_source})
    if not sheet.is_final:
        title.append(_("Draft: not final yet."))
    headers = [
        _("No."),
        _("Full name"),
        _("Kind"),
        _("Class-hours"),
        _("Class-hour pay"),
        _("Homework-tutoring hours"),
        _("Homework-tutoring pay"),
        _("Club sessions"),
        _("Club pay"),
        _("Duty days"),
        _("Duty pay"),
        _("After-school increment (绩效工资增量, 单列)"),
        _("Labour remuneration (劳务报酬)"),
        _("Total"),
        _("Signature"),
        _("Date"),
    ]
    rows = [
        [
            index,
            line.name,
            _("External instructor") if line.external else _("School teacher"),
            line.class_hours,
            _y(line.class_fen),
            line.tutoring_hours,
            _y(line.tutoring_fen),
            line.club_sessions,
            _y(line.club_fen),
            line.duty_days,
            _y(line.duty_fen),
            _y(line.increment_fen),
            _y(line.labour_fen),
            _y(line.total_fen),
            "",
            "",
        ]
        for index, line in enumerate(lines, start=1)
    ]
    total_row = [
        _("Total"),
        "",
        "",
        totals.class_hours,
        _y(totals.class_fen),
        totals.tutoring_hours,
        _y(totals.tutoring_fen),
        totals.club_sessions,
        _y(totals.club_fen),
        totals.duty_days,
        _y(totals.duty_fen),
        _y(totals.increment_fen),
        _y(totals.labour_fen),
        _y(totals.total_fen),
        "",
        "",
    ]
    footer = [
        _(
            "Of which the after-school increment of performance pay (绩效工资增量, 单列): "
            "%(increment)s yuan; labour remuneration of external staff per their agreements: "
            "%(labour)s yuan."
        )
        % {
            "increment": money.yuan_text(totals.increment_fen),
            "labour": money.yuan_text(totals.labour_fen),
        },
        _(
            "Prepared by (经办人): ________    Checked by (审核人): ________    "
            "Approved by (负责人): ________"
        ),
        _("Date: ____________"),
    ]
    return build_xlsx(
        [
            Sheet(
                name=month,
                title=title,
                headers=headers,
                rows=rows,
                totals=total_row,
                footer=footer,
                widths=[6, 12, 12, 9, 11, 11, 11, 9, 11, 9, 11, 16, 16, 12, 14, 12],
            )
        ]
    )


@login_required
@require_GET
def sheet_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    target = selectors.access_sheet(request.user, pk)
    return xlsx_response(
        sheet_workbook(target), f"pay-{target.school.code}-{target.month:%Y-%m}.xlsx"
    )


# --------------------------------------------------------------------------- a teacher's own


@login_required
@require_GET
def own(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    month = parse_month(request.GET.get("month")) or first_of(today)
    found = selectors.own_month(request.user, month)
    before, after = previous_month(month), next_month(month)
    return render(
        request,
        "payroll/own.html",
        {
            "own": found,
            "month": month,
            "before": before,
            "after": after if after <= today else None,
            "rounding": money.ROUNDING_RULE,
        },
    )


# --------------------------------------------------------------------------- budgets


def _budget_term(code: str | None) -> Term | None:
    """The term named, else the next to start (a budget is made before term), else the
    current one."""
    if code:
        return term_for_page(code)
    today = timezone.localdate()
    upcoming = Term.objects.filter(start__gt=today).order_by("start").first()
    return upcoming or current_term(today)


@login_required
@require_GET
def budget(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_budget(request.user, school_pk)
    term = _budget_term(request.GET.get("term"))
    found = budgeting.term_budget(school, term, request.GET) if term else None
    return render(
        request,
        "payroll/budget.html",
        {
            "school": school,
            "term": term,
            "terms": list(terms()),
            "budget": found,
            "rounding": money.ROUNDING_RULE,
            "may_manage": selectors.may_manage_pay(request.user, school),
        },
    )


@login_required
@require_GET
def budgets(request: HttpRequest) -> HttpResponse:
    schools = selectors.budget_schools(request.user)
    if not (request.user.is_superuser or request.user.role == User.Role.BUREAU):
        raise Http404
    term = _budget_term(request.GET.get("term"))
    return render(
        request,
        "payroll/budgets.html",
        {"schools": schools, "term": term, "terms": list(terms())},
    )
