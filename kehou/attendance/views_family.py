"""The guardian's pages (issue 9 item 7): today for each child with the pickup code, a
child's month of attendance, and the walk-home consent. Thin: read with
kehou.attendance.family (404 for anyone but the child's own guardian), write with
kehou.custody.services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehou.attendance import family
from kehou.core import errors
from kehou.custody import services as custody
from kehou.custody.services import STATEMENT_MAX
from kehou.terms.selectors import current_term


@login_required
@require_GET
def family_day(request: HttpRequest) -> HttpResponse:
    days = family.family_today(request.user)
    return render(
        request,
        "attendance/family/day.html",
        {"days": days, "today": timezone.localdate(), "single": False},
    )


@login_required
@require_GET
def family_child(request: HttpRequest, pk: int) -> HttpResponse:
    day = family.child_today(request.user, pk)
    return render(
        request,
        "attendance/family/day.html",
        {"days": [day], "today": day.day, "single": True},
    )


@login_required
@require_GET
def family_history(request: HttpRequest, pk: int) -> HttpResponse:
    month = family.month_from(request.GET.get("month"), timezone.localdate())
    history = family.month_history(request.user, pk, month)
    return render(request, "attendance/family/history.html", {"history": history})


class WalkHomeConsentForm(forms.Form):
    statement = forms.CharField(
        label=gettext_lazy("Your statement"),
        max_length=STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Change it as you need, e.g. the way home."),
    )
    valid_from = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=gettext_lazy("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Leave empty for no end (until you withdraw it)."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_walk_home(request: HttpRequest, pk: int) -> HttpResponse:
    student = family.access_child(request.user, pk)
    guardian = family.guardian_of(request.user, student)
    today = timezone.localdate()
    if request.method == "POST":
        form = WalkHomeConsentForm(request.POST)
        if form.is_valid():
            try:
                custody.walk_home_consent_give(
                    student=student,
                    guardian=guardian,
                    statement=form.cleaned_data["statement"],
                    valid_from=form.cleaned_data["valid_from"],
                    valid_until=form.cleaned_data["valid_until"],
                    on_paper=False,
                    actor=request.user,
                )
            except ValidationError as error:
                errors.add_to_form(form, error)
            else:
                messages.success(request, _("Your consent is on file."))
                return redirect("attendance:family_walk_home", pk=student.pk)
    else:
        term = current_term(today)
        form = WalkHomeConsentForm(
            initial={
                "statement": family.walk_home_statement(student),
                "valid_from": today,
                "valid_until": term.end if term and term.end >= today else None,
            }
        )
    consents = family.walk_home_consents(request.user, student)
    for consent in consents:
        consent.in_force = consent.in_force_on(today)
    return render(
        request,
        "attendance/family/walk_home.html",
        {"student": student, "form": form, "consents": consents, "today": today},
    )


@login_required
@require_POST
def family_walk_home_withdraw(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    student = family.access_child(request.user, pk)
    consent = family.access_consent(request.user, student, consent_pk)
    try:
        custody.walk_home_consent_withdraw(consent=consent, actor=request.user)
    except ValidationError as error:
        for message in errors.messages(error):
            messages.error(request, message)
    else:
        messages.success(request, _("The consent is withdrawn."))
    return redirect("attendance:family_walk_home", pk=student.pk)
