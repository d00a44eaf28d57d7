"""Application pages (SPEC R10, R11, R13, FCFS): thin. Read with kehou.enrollment.selectors
(scoped through kehou.org.access, 404 outside scope), write with kehou.enrollment.services,
and show a service's refusal as a message or the form's errors."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kehou.accounts.models import User
from kehou.catalog.selectors import schedule_label
from kehou.core import errors
from kehou.core.spreadsheets import Sheet, build_xlsx, xlsx_response
from kehou.enrollment import selectors, services
from kehou.enrollment.forms import (
    AgreementForm,
    ApplyForm,
    DatedForm,
    RefuseForm,
    ReviewForm,
    WithdrawForm,
)
from kehou.enrollment.models import Application, Enrollment
from kehou.enrollment.seats import waiting_position
from kehou.org import access
from kehou.terms.selectors import term_for_page, terms


def _term(request):
    return term_for_page(request.GET.get("term"))


def _errors(request, error: ValidationError) -> None:
    for message in errors.messages(error):
        messages.error(request, message)


def _add_errors(form, error: ValidationError) -> None:
    errors.add_to_form(form, error)


def _term_url(name: str, term, *args) -> str:
    return f"{reverse(name, args=args)}?term={term.code}"


@login_required
def home(request):
    role = request.user.role
    if role == User.Role.GUARDIAN:
        return redirect("enrollment:family")
    if role == User.Role.TEACHER:
        return redirect("enrollment:review")
    if role == User.Role.SCHOOL_ADMIN:
        return redirect("enrollment:school")
    if role == User.Role.BUREAU:
        return redirect("enrollment:refusals")
    raise Http404


# --------------------------------------------------------------------------- guardians


@login_required
def family(request):
    term = _term(request)
    return render(
        request,
        "enrollment/family.html",
        {
            "term": term,
            "terms": selectors.family_terms(request.user),
            "open_elsewhere": selectors.open_windows(request.user, besides=term),
            "cards": selectors.family_cards(request.user, term),
        },
    )


@login_required
def apply(request, student_pk: int):
    child = selectors.access_child(request.user, student_pk)
    term = _term(request)
    if term is None:
        raise Http404
    card = selectors.child_card(request.user, child, term)
    weekdays = selectors.weekday_options(child, term)
    agreement = card.agreement
    app = card.application
    if request.method == "POST":
        form = ApplyForm(request.POST, weekdays=weekdays)
        if form.is_valid():
            data = form.cleaned_data
            signed = (
                agreement if agreement and data["agreement_version"] == agreement.version else None
            )
            try:
                services.application_submit(
                    student=child,
                    term=term,
                    actor=request.user,
                    service_weekdays=data["service_weekdays"],
                    wants_extended_care=data["wants_extended_care"],
                    has_accident_insurance=data["has_accident_insurance"] == "yes",
                    agreement=signed,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Application submitted."))
                return redirect(_term_url("enrollment:family", term))
    else:
        initial = {
            "service_weekdays": weekdays,
            "has_accident_insurance": "",
            "agreement_version": agreement.version if agreement else 0,
        }
        if app is not None and app.status != Application.Status.WITHDRAWN:
            initial.update(
                service_weekdays=app.service_weekdays,
                wants_extended_care=app.wants_extended_care,
                has_accident_insurance="yes" if app.has_accident_insurance else "no",
            )
        form = ApplyForm(initial=initial, weekdays=weekdays)
    return render(
        request,
        "enrollment/apply.html",
        {
            "child": child,
            "term": term,
            "terms": selectors.family_terms(request.user),
            "form": form,
            "agreement": agreement,
            "card": card,
        },
    )


def _id_or_none(raw) -> int | None:
    """A row id from a query string, or None for anything else (letters, "²", a number
    too large for the database): a bad filter value is ignored, never a 500."""
    text = (raw or "").strip()
    if re.fullmatch(r"[0-9]{1,9}", text, re.ASCII):
        return int(text) or None
    return None


def _rank_key(raw) -> int:
    """Where a row goes on the ranking page: by the rank typed, unranked or unreadable
    ones last ("²".isdigit() is true and int("²") raises, so only ASCII digits count)."""
    text = str(raw).strip()
    return int(text) if re.fullmatch(r"[0-9]{1,6}", text, re.ASCII) else 10**6


def _ranked_from(post, offerings) -> tuple[list[int], list[str]]:
    """Rank numbers typed or picked per offering → offering ids in order (1..n contiguous)."""
    picked, errors = [], []
    for offering in offerings:
        raw = (post.get(f"rank_{offering.pk}") or "").strip()
        if not raw:
            continue
        try:
            rank = int(raw)
        except ValueError:
            errors.append(_("“%(o)s”: the rank must be a number.") % {"o": offering})
            continue
        if rank < 1:
            errors.append(_("“%(o)s”: the rank must be 1 or more.") % {"o": offering})
            continue
        picked.append((rank, offering.pk, offering))
    seen: dict[int, object] = {}
    for rank, _pk, offering in picked:
        if rank in seen:
            errors.append(
                _("Choice %(rank)d is given to both “%(a)s” and “%(b)s”.")
                % {"rank": rank, "a": seen[rank], "b": offering}
            )
        seen[rank] = offering
    return [pk for _rank, pk, _o in sorted(picked)], errors


@login_required
def choices(request, application_pk: int):
    app = selectors.access_own_application(request.user, application_pk)
    menu = selectors.menu_of(app)
    if menu is None:
        raise Http404
    offerings = selectors.rankable_offerings(app, menu)
    if request.method == "POST":
        if "clear" in request.POST:
            ids, errors = [], []
        else:
            ids, errors = _ranked_from(request.POST, offerings)
        if errors:
            for message in errors:
                messages.error(request, message)
        else:
            try:
                services.choices_set(application=app, offering_ids=ids, actor=request.user)
            except ValidationError as error:
                _errors(request, error)
            else:
                messages.success(
                    request, _("Your ranking is saved (%(n)d choices).") % {"n": len(ids)}
                )
                return redirect(_term_url("enrollment:family", app.term))
        current = {}
        for offering in offerings:
            current[offering.pk] = request.POST.get(f"rank_{offering.pk}", "")
    else:
        current = {c.offering_id: str(c.rank) for c in app.choices.all()}
    rows = [
        {
            "offering": o,
            "schedule": schedule_label(o.meetings.all()),
            "rank": current.get(o.pk, ""),
        }
        for o in offerings
    ]
    rows.sort(key=lambda r: _rank_key(r["rank"]))
    return render(
        request,
        "enrollment/choices.html",
        {
            "app": app,
            "menu": menu,
            "rows": rows,
            "ranks": range(1, len(offerings) + 1),
            "window_open": menu.window_is_open,
            "window_state": menu.window_state,
        },
    )


@login_required
def fcfs(request, application_pk: int):
    app = selectors.access_own_application(request.user, application_pk)
    menu = selectors.menu_of(app)
    if menu is None:
        raise Http404
    card = selectors.child_card(request.user, app.student, app.term)
    held = {e.offering_id for e in card.enrolments if e.status == Enrollment.Status.ACTIVE}
    waiting = {w.entry.offering_id for w in card.waiting}
    rows = [
        {
            "offering": o,
            "schedule": schedule_label(o.meetings.all()),
            "seats_left": o.seats_left,
            "held": o.pk in held,
            "waiting": o.pk in waiting,
        }
        for o in selectors.rankable_offerings(app, menu)
    ]
    return render(
        request,
        "enrollment/fcfs.html",
        {"app": app, "menu": menu, "rows": rows, "card": card, "window_state": card.window_state},
    )


@login_required
@require_POST
def claim(request, application_pk: int, offering_pk: int):
    """The rush page's button: the service checks who may claim (a 404 for anyone else)."""
    try:
        result = services.fcfs_claim(
            application=application_pk, offering=offering_pk, actor=request.user
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        if isinstance(result, Enrollment):
            messages.success(request, _("You have a seat in “%(o)s”.") % {"o": result.offering})
        else:
            messages.warning(
                request,
                _("The offering is full: the child is on its waiting list, number %(n)d in line.")
                % {"n": waiting_position(result)},
            )
    return redirect("enrollment:fcfs", application_pk=application_pk)


# --------------------------------------------------------------------------- withdrawals


def _application_to_act(user, pk: int) -> Application:
    if selectors.is_guardian(user):
        return selectors.access_own_application(user, pk)
    return selectors.access_school_application(user, pk)


def _back(user, app: Application) -> str:
    if selectors.is_guardian(user):
        return _term_url("enrollment:family", app.term)
    return reverse("enrollment:detail", args=[app.pk])


@login_required
def withdraw(request, application_pk: int):
    app = _application_to_act(request.user, application_pk)
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                services.application_withdraw(
                    application=app,
                    actor=request.user,
                    on=form.cleaned_data["on"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(child)s has left the after-school service.") % {"child": app.student.name},
                )
                return redirect(_back(request.user, app))
    else:
        form = WithdrawForm(initial={"on": timezone.localdate()})
    return render(
        request,
        "enrollment/withdraw.html",
        {"app": app, "form": form, "back": _back(request.user, app), "enrolment": None},
    )


@login_required
def enrollment_withdraw(request, enrollment_pk: int):
    enrolment = selectors.access_enrollment(request.user, enrollment_pk)
    app = enrolment.application
    back = (
        _back(request.user, app)
        if app
        else reverse(
            "enrollment:family" if selectors.is_guardian(request.user) else "enrollment:school"
        )
    )
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                services.enrollment_withdraw(
                    enrollment=enrolment,
                    actor=request.user,
                    on=form.cleaned_data["on"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Dropped “%(o)s”.") % {"o": enrolment.offering})
                return redirect(back)
    else:
        form = WithdrawForm(initial={"on": timezone.localdate()})
    return render(
        request,
        "enrollment/withdraw.html",
        {"app": app, "form": form, "back": back, "enrolment": enrolment},
    )


# --------------------------------------------------------------------------- class teacher


@login_required
def review(request):
    term = _term(request)
    apps = selectors.teacher_applications(request.user, term=term) if term else []
    return render(
        request,
        "enrollment/review.html",
        {"term": term, "terms": terms(), "applications": apps, "form": ReviewForm()},
    )


@login_required
@require_POST
def review_application(request, application_pk: int):
    app = selectors.access_reviewable_application(request.user, application_pk)
    form = ReviewForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.application_teacher_review(application=app, actor=request.user, note=note)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Reviewed: %(child)s.") % {"child": app.student.name})
    return redirect(_term_url("enrollment:review", app.term))


# --------------------------------------------------------------------------- school admin


def _require_admin(user) -> None:
    if not user.is_authenticated or not (user.is_superuser or user.role == User.Role.SCHOOL_ADMIN):
        raise Http404


@login_required
def school(request):
    _require_admin(request.user)
    term = _term(request)
    status = request.GET.get("status", "")
    class_pk = _id_or_none(request.GET.get("class"))
    query = (request.GET.get("q") or "").strip()
    apps = (
        selectors.school_applications(
            request.user, term=term, status=status, class_pk=class_pk, query=query
        )
        if term
        else []
    )
    return render(
        request,
        "enrollment/school.html",
        {
            "term": term,
            "terms": terms(),
            "applications": apps,
            "statuses": Application.Status.choices,
            "status": status,
            "classes": selectors.school_classes(request.user, term) if term else [],
            "class_pk": class_pk,
            "q": query,
            "agreement": (
                selectors.current_agreement(request.user.school) if request.user.school_id else None
            ),
        },
    )


@login_required
def detail(request, application_pk: int):
    app = selectors.access_school_application(request.user, application_pk)
    today = timezone.localdate()
    return render(
        request,
        "enrollment/detail.html",
        {
            "app": app,
            **selectors.application_detail(app),
            "may_see_groups": access.may_see_priority_facts(request.user),
            "refuse_form": RefuseForm(),
            "date_form": DatedForm(initial={"on": max(today, app.term.start)}),
            "rule_no_refusal": services.rule_no_refusal(),
        },
    )


@login_required
@require_POST
def decide(request, application_pk: int, action: str):
    app = selectors.access_school_application(request.user, application_pk)
    try:
        if action == "approve":
            form = DatedForm(request.POST)
            on = form.cleaned_data["on"] if form.is_valid() else None
            services.application_approve(application=app, actor=request.user, starts_on=on)
            messages.success(request, _("Approved."))
        elif action == "refuse":
            form = RefuseForm(request.POST)
            reason = request.POST.get("reason", "")
            services.application_refuse(application=app, actor=request.user, reason=reason)
            messages.success(request, _("Refused; the refusal is reported to the bureau."))
        elif action == "join":
            form = DatedForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Please give the date the child joins."))
            services.application_join(
                application=app, actor=request.user, on=form.cleaned_data["on"]
            )
            messages.success(request, _("The child takes part from the given date."))
        else:
            raise Http404
    except ValidationError as error:
        _errors(request, error)
    return redirect("enrollment:detail", application_pk=app.pk)


@login_required
def agreement(request):
    _require_admin(request.user)
    school = access.access_school(request.user, request.user.school_id or 0)
    current = selectors.current_agreement(school)
    if request.method == "POST":
        form = AgreementForm(request.POST)
        if form.is_valid():
            try:
                services.agreement_publish(school=school, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("A new version of the safety agreement is published."))
                return redirect("enrollment:school")
    else:
        form = AgreementForm(
            initial={"title": current.title, "text": current.text} if current else None
        )
    return render(
        request,
        "enrollment/agreement.html",
        {"form": form, "current": current, "rule": services.rule_agreement()},
    )


# --------------------------------------------------------------------------- bureau


@login_required
def refusals(request):
    term = _term(request)
    return render(
        request,
        "enrollment/refusals.html",
        {
            "term": term,
            "terms": terms(),
            "rows": selectors.bureau_refusals(request.user, term=term),
            "rule": services.rule_no_refusal(),
        },
    )


# --------------------------------------------------------------------------- rosters


@login_required
@require_GET
def rosters(request):
    """The offerings whose class lists the admin (all of the school's) or the instructor
    (their own) may read, for the term the switcher shows."""
    choices = selectors.roster_terms(request.user)
    term = _term(request)
    offerings = selectors.roster_offerings(request.user, term=term) if term else []
    return render(
        request,
        "enrollment/rosters.html",
        {
            "term": term,
            "terms": choices,
            "rows": [
                {"offering": o, "schedule": schedule_label(o.meetings.all())} for o in offerings
            ],
        },
    )


def _roster(request, offering_pk: int):
    offering = selectors.access_roster_offering(request.user, offering_pk)
    day = selectors.roster_day(offering, request.GET.get("day"), timezone.localdate())
    return selectors.offering_roster(request.user, offering, day)


@login_required
@require_GET
def roster(request, offering_pk: int):
    roster = _roster(request, offering_pk)
    return render(
        request,
        "enrollment/roster.html",
        {
            "roster": roster,
            "offering": roster.offering,
            "schedule": schedule_label(roster.offering.meetings.all()),
            "printed": timezone.localtime(),
        },
    )


@login_required
@require_GET
def roster_xlsx(request, offering_pk: int):
    """The class list an instructor takes to the room, with a blank column for ticks, and
    the waiting list on a second sheet."""
    roster = _roster(request, offering_pk)
    offering, day = roster.offering, roster.day
    place = offering.off_campus_venue or offering.room
    title = [
        f"{roster.school.name} · {offering}",
        _("Instructor: %(name)s")
        % {"name": offering.instructor.name if offering.instructor else "—"},
        _("Room or venue: %(place)s") % {"place": place or "—"},
        _("Meets: %(times)s") % {"times": schedule_label(offering.meetings.all()) or "—"},
        _("Class list of %(day)s (%(n)d children)")
        % {"day": day.isoformat(), "n": len(roster.rows)},
    ]
    class_list = Sheet(
        name=_("Class list"),
        title=title,
        headers=[_("No."), _("Name"), _("Class"), _("Guardian phone"), _("Tick")],
        rows=[
            [
                row.number,
                row.student.name,
                row.school_class.name if row.school_class else "",
                row.guardian_phone,
                "",
            ]
            for row in roster.rows
        ],
        widths=[6, 14, 14, 16, 12],
    )
    waiting = Sheet(
        name=_("Waiting list"),
        title=[f"{roster.school.name} · {offering}", _("Waiting list in its order")],
        headers=[_("Place in line"), _("Name"), _("Class"), _("Status")],
        rows=[
            [
                row.place if row.place else "",
                row.entry.student.name,
                row.school_class.name if row.school_class else "",
                row.entry.get_status_display(),
            ]
            for row in roster.offered + roster.waiting
        ],
    )
    return xlsx_response(
        build_xlsx([class_list, waiting]), f"class-list-{offering.pk}-{day:%Y%m%d}.xlsx"
    )
