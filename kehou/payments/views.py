"""Payments pages (R18): the school's ledger per class (and its .xlsx), a child's ledger
with the forms to record and void a payment and to pay a refund back, the statement
import (dry run, the rows that did not match, matching one by hand), and the family's
money page (a phone page).

Thin: read through kehou.payments.selectors (404 outside the scope), write through one
kehou.payments.services call, whose refusals go back on the page."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehou.billing.models import Bill
from kehou.core import errors
from kehou.core.spreadsheets import Sheet, build_xlsx, xlsx_response
from kehou.money import ROUNDING_RULE, MoneyError, fen_of, yuan
from kehou.payments import ledger, selectors, services
from kehou.payments.matching import BILL_CODE_PREFIX, bill_code
from kehou.payments.models import Channel, StatementRow
from kehou.payments.statement import COLUMNS, TEMPLATE_HEADERS
from kehou.roster.schema import ascii_number

TEMPLATE_FILENAME = "缴费流水导入模板.xlsx"
FORM_OVERHEAD_BYTES = 64 * 1024


def _refused(form, call):
    try:
        return call()
    except ValidationError as error:
        errors.add_to_form(form, error)
        return None


class YuanField(forms.Field):
    """An amount typed in yuan ("300", "1,200.50"), cleaned to fen."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": "20"})

    def to_python(self, value):
        text = str(value or "").replace(",", "").replace("，", "").strip()
        if not text:
            return None
        if len(text) > 20:
            raise ValidationError(
                _("Give the amount in yuan with at most two decimals."), code="amount_invalid"
            )
        try:
            return fen_of(text)
        except MoneyError:
            raise ValidationError(
                _("Give the amount in yuan with at most two decimals."), code="amount_invalid"
            ) from None


class PaymentForm(forms.Form):
    amount_fen = YuanField(label=gettext_lazy("Amount (yuan)"))
    paid_on = forms.DateField(
        label=gettext_lazy("Paid on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=Channel.choices)
    reference = forms.CharField(
        label=gettext_lazy("Transaction number"), required=False, max_length=200
    )
    payer = forms.CharField(label=gettext_lazy("Payer"), required=False, max_length=200)
    bill = forms.TypedChoiceField(
        label=gettext_lazy("For the bill"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, bills=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.bills = {b.pk: b for b in bills}
        self.fields["bill"].choices = [("", _("No particular bill"))] + [
            (b.pk, f"{bill_code(b.pk)} {b.period_start}–{b.period_end}") for b in bills
        ]


class VoidForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=200)


class PayoutForm(forms.Form):
    amount_fen = YuanField(label=gettext_lazy("Amount (yuan)"))
    paid_on = forms.DateField(
        label=gettext_lazy("Paid back on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=Channel.choices)
    reference = forms.CharField(
        label=gettext_lazy("Transaction number"), required=False, max_length=200
    )


class MatchForm(forms.Form):
    student_number = forms.CharField(label=gettext_lazy("Student number"), max_length=40)
    bill = forms.CharField(
        label=gettext_lazy("Bill number (optional)"), required=False, max_length=20
    )


# --------------------------------------------------------------------------- entry


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    user = request.user
    if selectors.is_guardian(user):
        return redirect("payments:family")
    if user.school_id:
        school = selectors.access_school_money(user, user.school_id)
        return redirect("payments:school", school_pk=school.pk)
    raise Http404


# --------------------------------------------------------------------------- the school's


@login_required
@require_GET
def school(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_money(request.user, school_pk)
    return render(
        request,
        "payments/school.html",
        {
            "school": school,
            "book": ledger.school_ledger(school),
            "statements": selectors.statements(school)[:5],
        },
    )


@login_required
@require_GET
def school_xlsx(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_money(request.user, school_pk)
    book = ledger.school_ledger(school)
    headers = [
        _("Class"),
        _("Children"),
        _("Billed (yuan)"),
        _("Waived (yuan)"),
        _("Refunded (yuan)"),
        _("Paid (yuan)"),
        _("Paid back (yuan)"),
        _("Owed (yuan)"),
    ]

    def figures(label, totals):
        return [
            label,
            totals.children,
            yuan(totals.billed),
            yuan(totals.waived),
            yuan(totals.refunded),
            yuan(totals.paid),
            yuan(totals.paid_back),
            yuan(totals.owed),
        ]

    child_headers = [
        _("Class"),
        _("Student number"),
        _("Name"),
        _("Billed (yuan)"),
        _("Waived (yuan)"),
        _("Refunded (yuan)"),
        _("Paid (yuan)"),
        _("Paid back (yuan)"),
        _("Owed (yuan)"),
    ]
    child_rows = [
        [
            row.label,
            student.student_number,
            student.name,
            yuan(f.billed),
            yuan(f.waived),
            yuan(f.refunded),
            yuan(f.paid),
            yuan(f.paid_back),
            yuan(f.owed),
        ]
        for row in book.rows
        for student, f in row.owing
    ]
    today = timezone.localdate()
    title = [
        _("%(school)s: ledger by class") % {"school": school.name},
        _("As of %(day)s. Owed = billed − waived − refunded − paid + paid back.")
        % {"day": today.isoformat()},
    ]
    data = build_xlsx(
        [
            Sheet(
                name=_("By class"),
                headers=headers,
                rows=[figures(row.label, row.totals) for row in book.rows],
                title=title,
                totals=figures(_("Total"), book.totals),
            ),
            Sheet(name=_("Children with a balance"), headers=child_headers, rows=child_rows),
        ]
    )
    return xlsx_response(data, f"{school.name}收费台账{today.isoformat()}.xlsx")


# --------------------------------------------------------------------------- a child's


def _child_context(request, student, **extra):
    book = ledger.child_ledger(student)
    context = {
        "student": student,
        "school": student.school,
        "book": book,
        "rounding_rule": ROUNDING_RULE,
        "payment_form": PaymentForm(bills=book.bills, initial={"paid_on": timezone.localdate()}),
        "refund_rows": [
            (r, book.figures.refund_granted.get(r.pk, 0), book.figures.refund_open.get(r.pk, 0))
            for r in book.refunds
        ],
    }
    context.update(extra)
    return context


@login_required
@require_GET
def child(request: HttpRequest, student_pk: int) -> HttpResponse:
    student = selectors.access_child(request.user, student_pk)
    return render(request, "payments/child.html", _child_context(request, student))


@login_required
@require_POST
def payment_new(request: HttpRequest, student_pk: int) -> HttpResponse:
    student = selectors.access_child(request.user, student_pk)
    bills = list(Bill.objects.filter(student=student).order_by("period_start"))
    form = PaymentForm(request.POST, bills=bills)
    if form.is_valid():
        data = form.cleaned_data
        payment = _refused(
            form,
            lambda: services.payment_record(
                student=student,
                amount_fen=data["amount_fen"],
                paid_on=data["paid_on"],
                channel=data["channel"],
                reference=data["reference"],
                payer=data["payer"],
                bill=form.bills.get(data["bill"]),
                actor=request.user,
            ),
        )
        if payment is not None:
            messages.success(request, _("Payment recorded."))
            return redirect("payments:child", student_pk=student.pk)
    return render(
        request,
        "payments/child.html",
        _child_context(request, student, payment_form=form),
        status=400,
    )


@login_required
@require_POST
def payment_void(request: HttpRequest, pk: int) -> HttpResponse:
    payment = selectors.access_payment(request.user, pk)
    form = VoidForm(request.POST)
    if form.is_valid() and _refused(
        form,
        lambda: services.payment_void(
            payment=payment, reason=form.cleaned_data["reason"], actor=request.user
        ),
    ):
        messages.success(request, _("Payment voided."))
    else:
        messages.error(request, " ".join(e for es in form.errors.values() for e in es))
    return redirect("payments:child", student_pk=payment.student_id)


@login_required
@require_POST
def payout_new(request: HttpRequest, refund_pk: int) -> HttpResponse:
    refund = selectors.access_refund(request.user, refund_pk)
    form = PayoutForm(request.POST)
    if form.is_valid() and _refused(
        form,
        lambda: services.payout_record(refund=refund, actor=request.user, **form.cleaned_data),
    ):
        messages.success(request, _("Refund paid back recorded."))
    else:
        messages.error(request, " ".join(e for es in form.errors.values() for e in es))
    return redirect("payments:child", student_pk=refund.student_id)


@login_required
@require_POST
def payout_void(request: HttpRequest, pk: int) -> HttpResponse:
    payout = selectors.access_payout(request.user, pk)
    form = VoidForm(request.POST)
    if form.is_valid() and _refused(
        form,
        lambda: services.payout_void(
            payout=payout, reason=form.cleaned_data["reason"], actor=request.user
        ),
    ):
        messages.success(request, _("Voided."))
    else:
        messages.error(request, " ".join(e for es in form.errors.values() for e in es))
    return redirect("payments:child", student_pk=payout.student_id)


# --------------------------------------------------------------------------- statements


def _import_context(school, **extra):
    context = {
        "school": school,
        "columns": COLUMNS,
        "channels": Channel.choices,
        "max_mb": settings.ROSTER_MAX_UPLOAD_BYTES // (1024 * 1024),
        "bill_prefix": BILL_CODE_PREFIX,
        "statements": selectors.statements(school)[:20],
        "Status": StatementRow.Status,
    }
    context.update(extra)
    return context


@login_required
@csrf_exempt  # only so the size check runs before the body is read; see csrf_protect
@require_http_methods(["GET", "POST"])
def statement_import(request: HttpRequest, school_pk: int) -> HttpResponse:
    school = selectors.access_school_money(request.user, school_pk)
    length = ascii_number(request.META.get("CONTENT_LENGTH") or "0", digits=12)
    limit = settings.ROSTER_MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES
    if request.method == "POST" and (length is None or length > limit):
        mb = settings.ROSTER_MAX_UPLOAD_BYTES // (1024 * 1024)
        return HttpResponse(_("The file is larger than %(n)d MB.") % {"n": mb}, status=413)
    return _statement_import(request, school)


@csrf_protect
def _statement_import(request: HttpRequest, school) -> HttpResponse:
    if request.method != "POST":
        return render(request, "payments/statement_import.html", _import_context(school))
    upload = request.FILES.get("file")
    channel = request.POST.get("channel") or Channel.PLATFORM
    context = _import_context(school, channel=channel)
    if upload is None:
        context["form_error"] = _("Choose an .xlsx or .csv file to upload.")
        return render(request, "payments/statement_import.html", context, status=400)
    if upload.size > settings.ROSTER_MAX_UPLOAD_BYTES:
        context["form_error"] = _("The file is larger than %(n)d MB.") % {"n": context["max_mb"]}
        return render(request, "payments/statement_import.html", context, status=400)
    try:
        report = services.statement_import(
            school=school,
            data=upload.read(),
            file_name=upload.name,
            channel=channel,
            actor=request.user,
            dry_run=request.POST.get("dry_run") == "1",
        )
    except ValidationError as error:
        context["form_error"] = " ".join(item.message for item in errors.items(error))
        return render(request, "payments/statement_import.html", context, status=400)
    if report.ok and report.statement is not None:
        messages.success(
            request,
            _("%(n)d payment(s) recorded from the statement.") % {"n": report.matched},
        )
        return redirect("payments:statement", pk=report.statement.pk)
    context["report"] = report
    return render(
        request, "payments/statement_import.html", context, status=200 if report.ok else 400
    )


@login_required
@require_GET
def statement_template(request: HttpRequest, school_pk: int) -> HttpResponse:
    selectors.access_school_money(request.user, school_pk)
    notes = [
        [
            str(spec.label),
            "、".join(spec.headers),
            _("required") if spec.required else _("optional"),
        ]
        for spec in COLUMNS
    ]
    data = build_xlsx(
        [
            Sheet(name="流水", headers=TEMPLATE_HEADERS, rows=[]),
            Sheet(
                name=_("How to fill it in"),
                headers=[_("Column"), _("Header names recognised"), _("Required")],
                rows=notes,
                footer=[
                    _(
                        "Write the child's student number or the bill number (%(prefix)s…) "
                        "in the note, so the row is matched to the right child."
                    )
                    % {"prefix": BILL_CODE_PREFIX}
                ],
            ),
        ]
    )
    return xlsx_response(data, TEMPLATE_FILENAME)


@login_required
@require_GET
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    statement = selectors.access_statement(request.user, pk)
    rows = list(selectors.statement_rows(statement))
    return render(
        request,
        "payments/statement.html",
        {
            "statement": statement,
            "school": statement.school,
            "rows": rows,
            "unmatched": [r for r in rows if r.status == StatementRow.Status.UNMATCHED],
            "matched_fen": sum(r.amount_fen for r in rows if r.status == "matched"),
            "Status": StatementRow.Status,
            "match_form": MatchForm(),
        },
    )


@login_required
@require_POST
def row_match(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.access_row(request.user, pk)
    school = row.statement.school
    form = MatchForm(request.POST)
    if form.is_valid():
        student = selectors.school_student_by_number(school, form.cleaned_data["student_number"])
        bill = None
        code = form.cleaned_data["bill"].strip().upper().removeprefix(BILL_CODE_PREFIX)
        if code:
            number = ascii_number(code, digits=12)
            bill = Bill.objects.filter(pk=number, school=school).first() if number else None
            if bill is None:
                form.add_error("bill", _("No bill of this school has this number."))
        if student is None:
            form.add_error("student_number", _("No child of this school has this number."))
        if form.is_valid() and _refused(
            form,
            lambda: services.statement_row_match(
                row=row, student=student, bill=bill, actor=request.user
            ),
        ):
            messages.success(
                request,
                _("Row %(row)d recorded for %(name)s.")
                % {"row": row.row_number, "name": student.name},
            )
            return redirect("payments:statement", pk=row.statement_id)
    messages.error(
        request,
        _("Row %(row)d: %(problems)s")
        % {
            "row": row.row_number,
            "problems": " ".join(e for es in form.errors.values() for e in es),
        },
    )
    return redirect("payments:statement", pk=row.statement_id)


# --------------------------------------------------------------------------- the family's


@login_required
@require_GET
def family(request: HttpRequest) -> HttpResponse:
    children = selectors.family_children(request.user)
    return render(
        request,
        "payments/family.html",
        {"children": children, "rounding_rule": ROUNDING_RULE, "bill_prefix": BILL_CODE_PREFIX},
    )


@login_required
@require_GET
def family_child(request: HttpRequest, student_pk: int) -> HttpResponse:
    child = selectors.access_family_child(request.user, student_pk)
    return render(
        request,
        "payments/family.html",
        {
            "children": [child],
            "rounding_rule": ROUNDING_RULE,
            "bill_prefix": BILL_CODE_PREFIX,
            "one": True,
        },
    )
