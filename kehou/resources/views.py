"""Pages of the online resources (R25): the list for staff (filter by category and
grade), adding, editing and retiring a resource, the resources of one offering (attach,
detach), and the family's page of the resources attached to their children's groups.

Thin: read through kehou.resources.selectors (404 outside the scope), write through one
kehou.resources.services call, whose refusals go back on the form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehou.accounts.models import User
from kehou.core import errors
from kehou.org.models import School
from kehou.resources import selectors, services
from kehou.resources.forms import AttachForm, FilterForm, ResourceForm
from kehou.resources.models import Resource


def _refused(form, call):
    try:
        return call()
    except ValidationError as error:
        errors.add_to_form(form, error)
        return None


@login_required
@require_GET
def resource_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role == User.Role.GUARDIAN:
        return redirect("resources:family")
    if not selectors.may_list(user):
        raise Http404
    form = FilterForm(request.GET or None)
    category, grade = "", None
    if form.is_valid():
        category, grade = form.cleaned_data["category"], form.cleaned_data["grade"]
    resources = selectors.resource_list(user, category=category, grade=grade)
    return render(
        request,
        "resources/list.html",
        {
            "form": form,
            "resources": [(r, selectors.may_manage(user, r)) for r in resources],
            "may_add": selectors.may_add(user),
        },
    )


def _owner_of_new(user) -> dict:
    """Whose resource a new one is: the admin's school, or the officer's region."""
    if user.role == User.Role.SCHOOL_ADMIN:
        return {
            "school": get_object_or_404(School.objects.select_related("region"), pk=user.school_id)
        }
    return {"region": user.region}


@login_required
@require_http_methods(["GET", "POST"])
def resource_new(request: HttpRequest) -> HttpResponse:
    if not selectors.may_add(request.user):
        raise Http404
    form = ResourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _refused(
            form,
            lambda: services.resource_add(
                **_owner_of_new(request.user), **form.cleaned_data, actor=request.user
            ),
        )
        if done is not None:
            messages.success(request, _("The resource is listed."))
            return redirect("resources:list")
    return render(request, "resources/form.html", {"form": form, "resource": None})


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.access_managed(request.user, pk)
    if resource.is_retired:
        raise Http404
    form = ResourceForm(request.POST or None, initial=ResourceForm.initial_from(resource))
    if request.method == "POST" and form.is_valid():
        done = _refused(
            form,
            lambda: services.resource_edit(
                resource=resource, **form.cleaned_data, actor=request.user
            ),
        )
        if done is not None:
            messages.success(request, _("The resource is saved."))
            return redirect("resources:list")
    return render(request, "resources/form.html", {"form": form, "resource": resource})


@login_required
@require_POST
def resource_retire(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.access_managed(request.user, pk)
    try:
        services.resource_retire(resource=resource, actor=request.user)
    except ValidationError as error:
        for item in errors.items(error):
            messages.error(request, item.message)
    else:
        messages.success(request, _("The resource is retired and detached from every group."))
    return redirect("resources:list")


@login_required
@require_http_methods(["GET", "POST"])
def offering(request: HttpRequest, offering_pk: int) -> HttpResponse:
    found = selectors.access_offering(request.user, offering_pk)
    page = selectors.offering_resources(request.user, found)
    form = AttachForm(request.POST or None, available=page.available)
    if request.method == "POST" and form.is_valid():
        done = _refused(
            form,
            lambda: services.resource_attach(
                offering=found, resource=form.cleaned_data["resource"], actor=request.user
            ),
        )
        if done is not None:
            messages.success(request, _("The resource is attached."))
            return redirect("resources:offering", offering_pk=found.pk)
    return render(request, "resources/offering.html", {"page": page, "form": form})


@login_required
@require_POST
def offering_detach(request: HttpRequest, offering_pk: int, resource_pk: int) -> HttpResponse:
    found = selectors.access_offering(request.user, offering_pk)
    resource = get_object_or_404(Resource, pk=resource_pk, links__offering=found)
    services.resource_detach(offering=found, resource=resource, actor=request.user)
    messages.success(request, _("The resource is detached."))
    return redirect("resources:offering", offering_pk=found.pk)


@login_required
@require_GET
def family(request: HttpRequest) -> HttpResponse:
    return render(
        request, "resources/family.html", {"children": selectors.family_resources(request.user)}
    )
