"""Menu pages (SPEC R8, R9): thin. Read with kehou.catalog.selectors (scoped through
kehou.org.access, 404 outside scope), write with kehou.catalog.services, and show a
service's refusal as the form's errors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kehou.accounts.models import User
from kehou.catalog import selectors, services
from kehou.catalog.forms import (
    MECHANISM_TRADE_OFF,
    ActivityForm,
    MeetingFormSet,
    MenuSettingsForm,
    OfferingForm,
    meetings_from,
)
from kehou.catalog.models import Menu
from kehou.core import errors
from kehou.core.labels import weekdays_label
from kehou.org import access
from kehou.terms.selectors import term_for_page, terms


@login_required
def home(request):
    user = request.user
    if user.role == User.Role.GUARDIAN:
        return redirect("catalog:family")
    if user.role == User.Role.BUREAU:
        return redirect("catalog:region")
    if user.school_id and selectors.may_read_menus(user):
        return redirect("catalog:menu", school_pk=user.school_id)
    raise Http404


@login_required
def menu(request, school_pk: int):
    school = selectors.access_school_menus(request.user, school_pk)
    term = term_for_page(request.GET.get("term"))
    current = selectors.school_menu(school=school, term=term) if term is not None else None
    return render(
        request,
        "catalog/menu.html",
        {
            "school": school,
            "term": term,
            "terms": terms(),
            "page": selectors.menu_page(request.user, current) if current else None,
            "may_create": current is None
            and term is not None
            and access.may_manage_school(request.user, school),
            "status_class": _status_class(current),
        },
    )


@login_required
@require_POST
def menu_create(request, school_pk: int):
    """The button of a term without a menu: creates its empty draft (idempotent)."""
    school = selectors.access_school_menus(request.user, school_pk)
    term = term_for_page(request.POST.get("term"))
    if term is None:
        raise Http404
    created = services.menu_create(school=school, term=term, actor=request.user)
    return redirect(_menu_url(created))


def _status_class(menu: Menu | None) -> str:
    if menu is None:
        return ""
    return "ok" if menu.shown_status in (Menu.Status.PUBLISHED, Menu.Status.RUNNING) else "warn"


def _menu_url(menu: Menu) -> str:
    return f"{reverse('catalog:menu', args=[menu.school_id])}?term={menu.term.code}"


@login_required
def settings(request, menu_pk: int):
    menu = selectors.access_menu_for_edit(request.user, menu_pk)
    if request.method == "POST":
        form = MenuSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.menu_settings_save(menu=menu, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                errors.add_to_form(form, error)
            else:
                messages.success(request, _("Settings saved."))
                return redirect(_menu_url(menu))
    else:
        form = MenuSettingsForm(
            initial={
                "mode": menu.mode,
                "mechanism": menu.mechanism,
                "max_extended_per_child": menu.max_extended_per_child,
                "window_opens_at": menu.window_opens_at,
                "window_closes_at": menu.window_closes_at,
            }
        )
    return render(
        request,
        "catalog/settings.html",
        {"menu": menu, "form": form, "trade_off": MECHANISM_TRADE_OFF},
    )


def _activity_form_page(request, *, school, activity=None):
    if request.method == "POST":
        form = ActivityForm(request.POST, school=school)
        if form.is_valid():
            try:
                services.activity_save(
                    school=school, actor=request.user, activity=activity, **form.cleaned_data
                )
            except ValidationError as error:
                errors.add_to_form(form, error)
            else:
                messages.success(request, _("Activity saved."))
                return redirect("catalog:menu", school_pk=school.pk)
    else:
        form = ActivityForm(
            school=school, initial=ActivityForm.initial_from(activity) if activity else None
        )
    return render(
        request,
        "catalog/activity_form.html",
        {
            "school": school,
            "form": form,
            "activity": activity,
            "rules": selectors.rule_notes(school),
        },
    )


@login_required
def activity_create(request, school_pk: int):
    school = selectors.access_school_for_edit(request.user, school_pk)
    return _activity_form_page(request, school=school)


@login_required
def activity_edit(request, activity_pk: int):
    activity = selectors.access_activity_for_edit(request.user, activity_pk)
    return _activity_form_page(request, school=activity.school, activity=activity)


def _offering_form_page(request, *, menu, offering=None):
    school = menu.school
    if request.method == "POST":
        form = OfferingForm(request.POST, school=school)
        formset = MeetingFormSet(request.POST, prefix="meetings")
        if form.is_valid() and formset.is_valid():
            try:
                services.offering_save(
                    menu=menu,
                    actor=request.user,
                    offering=offering,
                    meetings=meetings_from(formset),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                errors.add_to_form(form, error)
            else:
                messages.success(request, _("Offering saved."))
                return redirect(_menu_url(menu))
    else:
        form = OfferingForm(
            school=school, initial=OfferingForm.initial_from(offering) if offering else None
        )
        initial = (
            [
                {"weekday": m.weekday, "start": m.start, "end": m.end}
                for m in offering.meetings.all()
            ]
            if offering
            else []
        )
        formset = MeetingFormSet(prefix="meetings", initial=initial)
    return render(
        request,
        "catalog/offering_form.html",
        {
            "menu": menu,
            "school": school,
            "form": form,
            "formset": formset,
            "offering": offering,
            "late": menu.status not in services.EDITABLE,
            "plan": (plan := selectors.menu_plan(menu)),
            "plan_days": weekdays_label(plan.service_weekdays) if plan else "",
            "rules": selectors.rule_notes(school, for_offerings=True),
        },
    )


@login_required
def offering_create(request, menu_pk: int):
    menu = selectors.access_menu_for_edit(request.user, menu_pk)
    return _offering_form_page(request, menu=menu)


@login_required
def offering_edit(request, offering_pk: int):
    offering = selectors.access_offering_for_edit(request.user, offering_pk)
    menu = selectors.access_menu_for_edit(request.user, offering.menu_id)
    return _offering_form_page(request, menu=menu, offering=offering)


TRANSITIONS = {
    "publish": (
        services.menu_publish,
        gettext_lazy("Publish the menu"),
        gettext_lazy(
            "Families and the public page will see the menu. Offerings can still be edited "
            "until the choice window opens."
        ),
    ),
    "open": (
        services.menu_open_window,
        gettext_lazy("Open the choice window"),
        gettext_lazy(
            "A secret lottery seed is drawn now and its hash is published. From now on only "
            "capacity increases and instructor changes are accepted."
        ),
    ),
    "close": (
        services.menu_close_window,
        gettext_lazy("Close the choice window"),
        gettext_lazy("Families can no longer change their choices. The lottery seed is revealed."),
    ),
    "run": (
        services.menu_start_running,
        gettext_lazy("Start running"),
        gettext_lazy("The offerings start meeting with the children placed in them."),
    ),
}


@login_required
def transition(request, menu_pk: int, action: str):
    menu = selectors.access_menu_for_edit(request.user, menu_pk)
    if action not in TRANSITIONS:
        raise Http404
    service, title, explanation = TRANSITIONS[action]
    refusals: list[str] = []
    if request.method == "POST":
        try:
            service(menu=menu, actor=request.user)
        except ValidationError as error:
            refusals = errors.messages(error)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": title})
            return redirect(_menu_url(menu))
    return render(
        request,
        "catalog/confirm.html",
        {
            "menu": menu,
            "action": action,
            "title": title,
            "explanation": explanation,
            "errors": refusals,
        },
    )


@login_required
def region(request):
    if request.user.role != User.Role.BUREAU and not request.user.is_superuser:
        raise Http404
    term = term_for_page(request.GET.get("term"))
    return render(
        request,
        "catalog/region.html",
        {
            "term": term,
            "terms": terms(),
            "schools": selectors.region_menus(request.user, term),
        },
    )


@login_required
def family(request):
    term = term_for_page(request.GET.get("term"))
    return render(
        request,
        "catalog/family.html",
        {"term": term, "terms": terms(), "children": selectors.family_menus(request.user, term)},
    )
