"""Calendar pages (R5, R14): thin views over kehou.terms.services/selectors.

- The holiday calendar of a year is public information: any signed-in user may read it.
- Entering or replacing a year's notice: the calendar's authority only (superusers and
  officers at the level settings.CALENDAR_AUTHORITY names); everyone else gets 404 (the
  service refuses them). Each year's page lists every recorded change of it.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kehou.accounts.models import User
from kehou.core import errors
from kehou.org import access
from kehou.terms import selectors, services
from kehou.terms.forms import CalendarEntryForm, day_rows_formset


def _may_enter_calendar(user: User) -> bool:
    """Whether to offer the entry form (the service itself decides who may save)."""
    return access.may_set_calendar(user)


def _year_or_404(year: int) -> int:
    if not services.MIN_YEAR <= year <= services.MAX_YEAR:
        raise Http404
    return year


@login_required
def calendar_index(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("year", "")
    # ASCII digits only: "²".isdigit() is true and int("²") raises.
    if (
        re.fullmatch(r"[0-9]{4}", raw, re.ASCII)
        and services.MIN_YEAR <= int(raw) <= services.MAX_YEAR
    ):
        return redirect("terms:calendar_year", year=int(raw))
    status = selectors.calendar_status()
    this_year = timezone.localdate().year
    upcoming = [{"year": y, "known": status.known(y)} for y in range(this_year - 1, this_year + 3)]
    return render(
        request,
        "terms/calendar_index.html",
        {
            "status": status,
            "upcoming": upcoming,
            "may_enter": _may_enter_calendar(request.user),
        },
    )


@login_required
def calendar_year(request: HttpRequest, year: int) -> HttpResponse:
    calendar = selectors.year_calendar(_year_or_404(year))
    return render(
        request,
        "terms/calendar_year.html",
        {
            "calendar": calendar,
            "may_enter": _may_enter_calendar(request.user),
            "in_library": year in services.cal.LIBRARY_YEARS,
            "changes": selectors.calendar_changes(calendar.year),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def calendar_enter(request: HttpRequest, year: int) -> HttpResponse:
    if request.method == "GET" and not _may_enter_calendar(request.user):
        raise Http404
    year = _year_or_404(year)
    current = selectors.year_calendar(year)
    in_library = year in services.cal.LIBRARY_YEARS
    row_errors: list[str] = []
    if request.method == "POST":
        form = CalendarEntryForm(request.POST)
        formset = day_rows_formset(request.POST)
        if form.is_valid() and formset.is_valid():
            entries, origins = [], []
            for row, day_form in enumerate(formset.forms, start=1):
                if day_form.is_blank():
                    continue
                for entry in day_form.entries():
                    entries.append(entry)
                    origins.append((row, day_form))
            try:
                services.calendar_year_enter(
                    year=year,
                    days=entries,
                    source=form.cleaned_data["source"],
                    actor=request.user,
                    override_library=form.cleaned_data["override_library"],
                )
            except ValidationError as exc:
                row_errors = _row_errors(exc, origins, form)
            else:
                messages.success(
                    request,
                    _("The holidays of %(year)d are saved: %(n)d days.")
                    % {"year": year, "n": len(entries)},
                )
                return redirect("terms:calendar_year", year=year)
        else:
            for row, day_form in enumerate(formset.forms, start=1):
                for field, problems in day_form.errors.items():
                    label = day_form.fields[field].label if field in day_form.fields else ""
                    row_errors.append(
                        _("Row %(row)d, %(field)s: %(errors)s")
                        % {"row": row, "field": label, "errors": "；".join(problems)}
                    )
    else:
        initial_source = current.entry.source if current.entry else ""
        form = CalendarEntryForm(initial={"source": initial_source})
        formset = day_rows_formset(
            initial=selectors.entry_rows(current) if current.source == "bureau" else None
        )
    return render(
        request,
        "terms/calendar_enter.html",
        {
            "year": year,
            "current": current,
            "in_library": in_library,
            "form": form,
            "formset": formset,
            "row_errors": row_errors,
        },
    )


def _row_errors(exc: ValidationError, origins, form) -> list[str]:
    """The service's problems, each row renamed to the form's row number (a run of
    holidays is one form row but several entries); the others go on top of the form."""
    shown: list[str] = []
    for item in errors.items(exc):
        params = item.error.params or {}
        if item.field != services.DAYS or "row" not in params:
            form.add_error(None, item.message)
            continue
        row, day_form = origins[params["row"] - 1]
        message = str(item.error.message) % {**params, "row": row}
        if message not in shown:
            shown.append(message)
            day_form.add_error(None, message)
    return shown
