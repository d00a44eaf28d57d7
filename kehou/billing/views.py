"""Thin views: the bureau's fee standards, the school's bill runs, bills, waivers,
cancelled sittings and refunds, the family's bills."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kehou import money
from kehou.billing import selectors, services
from kehou.billing.models import (
    BillRun,
    Covers,
    FeeStandard,
    Period,
    SittingCancellation,
    Waiver,
)
from kehou.core import errors
from kehou.core.labels import class_label
from kehou.core.spreadsheets import Sheet, build_xlsx, xlsx_response
from kehou.org import access
from kehou.sittings.models import Sitting
from kehou.terms.models import Term
from kehou.terms.selectors import term_for_page


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _month(value: str | None) -> dt.date | None:
    """ "2026-10" or "2026-10-01" as the month's first day."""
    if value and len(value) == 7:
        value += "-01"
    day = _date(value)
    return day.replace(day=1) if day else None


def _report(request, exc: ValidationError) -> None:
    for message in errors.messages(exc):
        messages.error(request, message)


# --------------------------------------------------------------------------- the bureau


@login_required
def standards(request):
    """The fee standards of the officer's region (its history), and a new one."""
    user = request.user
    if not access.is_acting(user) or user.role != user.Role.BUREAU or not user.region_id:
        raise Http404
    region = user.region
    if request.method == "POST":
        data = request.POST
        try:
            services.fee_standard_enter(
                region=region,
                covers=data.get("covers", ""),
                funding_mode=data.get("funding_mode", ""),
                unit=data.get("unit", ""),
                amount_yuan=data.get("amount_yuan", ""),
                subsidy_yuan=data.get("subsidy_yuan", ""),
                document_title=data.get("document_title", ""),
                document_number=data.get("document_number", ""),
                document_date=_date(data.get("document_date")),
                valid_from=_date(data.get("valid_from")),
                valid_until=_date(data.get("valid_until")),
                class_hour_minutes=data.get("class_hour_minutes", "40"),
                actor=user,
            )
        except ValidationError as exc:
            _report(request, exc)
        else:
            messages.success(request, _("The fee standard is recorded."))
            return redirect("billing:standards")
    return render(
        request,
        "billing/standards.html",
        {
            "region": region,
            "rows": selectors.fee_standards_of_region(user, region),
            "may_enter": selectors.may_enter_standard(user, region),
            "covers": Covers.choices,
            "modes": FeeStandard.FundingMode.choices,
            "units": FeeStandard.Unit.choices,
            "form": request.POST if request.method == "POST" else {},
            "rule": selectors.NO_STANDARD_RULE,
        },
    )


# --------------------------------------------------------------------------- the school


def _terms():
    return list(Term.objects.select_related("school_year").order_by("-start")[:6])


@login_required
def school(request, school_pk: int):
    """Bill runs (start one, after confirming) and the periods billed."""
    school = selectors.school_for_money(request.user, school_pk)
    term = term_for_page(request.GET.get("term") or request.POST.get("term"))
    confirm = None
    if request.method == "POST":
        period = request.POST.get("period", "")
        month = _month(request.POST.get("month"))
        try:
            run = services.bill_run_start(
                school=school,
                term=term,
                period=period,
                month=month,
                confirmed=request.POST.get("confirmed") == "1",
                actor=request.user,
            )
        except ValidationError as exc:
            if errors.codes(exc) != {"confirmation_required"}:
                _report(request, exc)
                return redirect(reverse("billing:school", args=[school.pk]) + f"?term={term.code}")
            confirm = {
                "title": _("Run the bills?"),
                "consequences": [
                    _("Every child's bill of the period is computed and written at once."),
                    _(
                        "Bills already made are updated where something changed (a new "
                        "version); nothing is deleted; the run lists what changed."
                    ),
                ],
                "action": reverse("billing:school", args=[school.pk]),
                "fields": [
                    ("term", term.code),
                    ("period", period),
                    ("month", request.POST.get("month", "")),
                ],
                "button": _("Run the bills"),
                "cancel": reverse("billing:school", args=[school.pk]),
            }
        else:
            return redirect("billing:run", run_pk=run.pk)
    months = []
    if term is not None:
        day = term.start.replace(day=1)
        while day <= term.end:
            months.append(day)
            day = (day + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "billing/school.html",
        {
            "school": school,
            "term": term,
            "terms": _terms(),
            "months": months,
            "runs": selectors.runs_of_school(school)[:20],
            "periods": selectors.periods_of_school(school),
            "may_run": access.may_manage_school(request.user, school),
            "confirm": confirm,
        },
    )


@require_GET
@login_required
def run(request, run_pk: int):
    return render(request, "billing/run.html", {"run": selectors.run_of(request.user, run_pk)})


def _period_args(request, school_pk, term_pk, period, start):
    school = selectors.school_for_money(request.user, school_pk)
    if period not in Period.values:
        raise Http404
    day = _date(start)
    if day is None:
        raise Http404
    groups = selectors.bills_of_period(school, term_id=term_pk, period=period, period_start=day)
    return school, day, groups


@require_GET
@login_required
def period(request, school_pk: int, term_pk: int, period: str, start: str):
    school, day, groups = _period_args(request, school_pk, term_pk, period, start)
    rows = [
        {
            "class": c,
            "label": class_label(c.grade, c.number) if c else _("No class"),
            "bills": bills,
            "total": sum(b.total_fen for b in bills),
            "refunds": sum(b.refund_fen or 0 for b in bills),
        }
        for c, bills in groups
    ]
    return render(
        request,
        "billing/period.html",
        {
            "school": school,
            "period": period,
            "start": day,
            "term_pk": term_pk,
            "rows": rows,
            "total": sum(r["total"] for r in rows),
            "refunds": sum(r["refunds"] for r in rows),
            "count": sum(len(r["bills"]) for r in rows),
        },
    )


@require_GET
@login_required
def period_xlsx(request, school_pk: int, term_pk: int, period: str, start: str):
    school, day, groups = _period_args(request, school_pk, term_pk, period, start)
    data = []
    for c, bills in groups:
        for b in bills:
            data.append(
                [
                    class_label(c.grade, c.number) if c else "",
                    b.student.student_number,
                    b.student.name,
                    money.yuan(b.charged_fen),
                    b.waiver_basis,
                    money.yuan(b.total_fen),
                    money.yuan(b.refund_fen or 0),
                    b.version,
                ]
            )
    total = sum(b.total_fen for _c, bills in groups for b in bills)
    refunds = sum(b.refund_fen or 0 for _c, bills in groups for b in bills)
    sheet = Sheet(
        name=_("Bills"),
        title=[school.name, f"{day:%Y-%m}" if period == Period.MONTH else str(day)],
        headers=[
            _("Class"),
            _("Student number"),
            _("Name"),
            _("Charged (yuan)"),
            _("Waiver"),
            _("Due (yuan)"),
            _("Refund due (yuan)"),
            _("Version"),
        ],
        rows=data,
        totals=[_("Total"), "", "", "", "", money.yuan(total), money.yuan(refunds), ""],
        footer=[_("Rounding: %(rule)s") % {"rule": money.ROUNDING_RULE}],
    )
    return xlsx_response(build_xlsx([sheet]), f"bills-{school.code}-{day:%Y%m%d}.xlsx")


@login_required
def bill(request, bill_pk: int):
    """One bill: its lines, waiver, refunds (the family sees the same page, read-only)."""
    bill = selectors.bill_of(request.user, bill_pk)
    is_admin = access.may_manage_school(request.user, bill.school)
    waiver = Waiver.objects.filter(
        student=bill.student, term=bill.term, revoked_at__isnull=True
    ).first()
    template = "billing/bill.html"
    return render(
        request,
        template,
        {
            "bill": bill,
            "lines": list(bill.lines.all()),
            "refunds": [r for r in bill.refunds.all() if r.amount_fen > 0],
            "is_admin": is_admin,
            "waiver": waiver,
            "rule": money.ROUNDING_RULE,
        },
    )


@require_POST
@login_required
def waiver_record(request, bill_pk: int):
    bill = selectors.bill_of(request.user, bill_pk)
    try:
        services.waiver_record(
            student=bill.student,
            term=bill.term,
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("The waiver is recorded; the child's bills are zeroed."))
    return redirect("billing:bill", bill_pk=bill.pk)


@require_POST
@login_required
def waiver_revoke(request, waiver_pk: int):
    waiver = Waiver.objects.select_related("school").filter(pk=waiver_pk).first()
    if waiver is None or not access.may_manage_school(request.user, waiver.school):
        raise Http404
    try:
        services.waiver_revoke(
            waiver=waiver, reason=request.POST.get("reason", ""), actor=request.user
        )
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("The waiver is revoked."))
    return redirect(request.POST.get("next") or reverse("billing:waivers", args=[waiver.school_id]))


@require_GET
@login_required
def waivers(request, school_pk: int):
    school = selectors.school_for_money(request.user, school_pk)
    return render(
        request,
        "billing/waivers.html",
        {
            "school": school,
            "waivers": selectors.waivers_of_school(school)[:200],
            "is_admin": access.may_manage_school(request.user, school),
        },
    )


@login_required
def cancellations(request, school_pk: int):
    """Cancelled sittings, and cancelling one of a day's sittings with a reason."""
    school = selectors.school_for_money(request.user, school_pk)
    is_admin = access.may_manage_school(request.user, school)
    if request.method == "POST":
        if request.POST.get("revoke"):
            found = SittingCancellation.objects.filter(
                pk=request.POST.get("revoke"), sitting__school=school
            ).first()
            if found is None:
                raise Http404
            services.sitting_cancellation_revoke(cancellation=found, actor=request.user)
            messages.success(request, _("The sitting counts as held again."))
        else:
            sitting = Sitting.objects.filter(pk=request.POST.get("sitting"), school=school).first()
            if sitting is None:
                raise Http404
            try:
                services.sitting_cancel(
                    sitting=sitting, reason=request.POST.get("reason", ""), actor=request.user
                )
            except ValidationError as exc:
                _report(request, exc)
            else:
                messages.success(request, _("The sitting is recorded as cancelled."))
        return redirect(
            reverse("billing:cancellations", args=[school.pk])
            + f"?day={request.POST.get('day', '')}"
        )
    day = _date(request.GET.get("day"))
    return render(
        request,
        "billing/cancellations.html",
        {
            "school": school,
            "is_admin": is_admin,
            "day": day,
            "day_sittings": (
                Sitting.objects.filter(school=school, date=day).select_related("cancellation")
                if day
                else []
            ),
            "cancelled": SittingCancellation.objects.filter(sitting__school=school)
            .select_related("sitting", "cancelled_by")
            .order_by("-sitting__date")[:200],
        },
    )


@require_GET
@login_required
def refunds(request, school_pk: int):
    school = selectors.school_for_money(request.user, school_pk)
    return render(
        request,
        "billing/refunds.html",
        {"school": school, "refunds": selectors.refunds_of_school(school)[:500]},
    )


# --------------------------------------------------------------------------- families


@require_GET
@login_required
def family(request):
    return render(
        request,
        "billing/family.html",
        {"children": selectors.bills_for_guardian(request.user), "rule": money.ROUNDING_RULE},
    )


@require_GET
@login_required
def mine(request):
    """The nav's link: the admin's own school."""
    if request.user.role != request.user.Role.SCHOOL_ADMIN or not request.user.school_id:
        raise Http404
    return redirect("billing:school", school_pk=request.user.school_id)


__all__ = ["BillRun"]
