"""Pages that change records (issue 8 items 9, 14): a child, a guardian, a staff member, a
login; external organisations, registered and vetted by the bureau.

Thin: the GET opens the record through a selector (404 outside the scope), the POST calls
one service, which checks the scope again, validates and writes; its refusals go on the
form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehou.accounts.models import User
from kehou.core import errors
from kehou.org import access, selectors, services
from kehou.org.forms_records import (
    AccountForm,
    GuardianForm,
    OrganisationFilterForm,
    OrganisationForm,
    StaffForm,
    StudentForm,
    VetForm,
)
from kehou.org.models import ExternalOrganisation


def _saved(request, form, call, message, target):
    """Run the service; on a refusal put its messages on the form (and return None) so the
    page shows it again. `target` is a URL name with its arguments, or a function of the
    service's result giving them."""
    try:
        result = call()
    except ValidationError as error:
        errors.add_to_form(form, error)
        return None
    messages.success(request, message)
    target = target(result) if callable(target) else target
    return redirect(*target) if isinstance(target, tuple) else redirect(target)


# ----- a child and their guardians -------------------------------------------------------


@login_required
def student_edit(request, student_pk: int):
    student = selectors.access_student_for_edit(request.user, student_pk)
    classes = list(selectors.class_list_for(request.user, student.school))
    current = selectors.current_class(student)
    if request.method == "POST":
        form = StudentForm(request.POST, classes=classes)
        if form.is_valid():
            response = _saved(
                request,
                form,
                lambda: services.student_update(
                    student=student, actor=request.user, **form.service_fields()
                ),
                _("Student record saved."),
                ("org:student_detail", student.pk),
            )
            if response:
                return response
    else:
        form = StudentForm(
            initial={name: getattr(student, name) for name in services.STUDENT_FIELDS}
            | {"school_class": current.pk if current else None},
            classes=classes,
        )
    return render(
        request,
        "org/student_edit.html",
        {"student": student, "form": form, "priority_fields": StudentForm.PRIORITY_FIELDS},
    )


@login_required
def guardian_edit(request, student_pk: int, guardian_pk: int):
    link = selectors.access_guardian_link_for_edit(request.user, student_pk, guardian_pk)
    student, guardian = link.student, link.guardian
    if request.method == "POST":
        form = GuardianForm(request.POST)
        if form.is_valid():
            response = _saved(
                request,
                form,
                lambda: services.guardian_update(
                    student=student, guardian=guardian, actor=request.user, **form.cleaned_data
                ),
                _("Guardian saved."),
                ("org:student_detail", student.pk),
            )
            if response:
                return response
    else:
        form = GuardianForm(
            initial={
                "name": guardian.name,
                "phone": guardian.phone,
                "relation": link.relation,
                "is_primary": link.is_primary,
                "may_collect": link.may_collect,
            }
        )
    return render(
        request,
        "org/guardian_edit.html",
        {
            "student": student,
            "guardian": guardian,
            "form": form,
            "has_login": guardian.user_id,
            "login_follows": selectors.login_follows_record(guardian, guardian.user),
        },
    )


# ----- staff and logins ------------------------------------------------------------------


@login_required
def staff_edit(request, staff_pk: int):
    staff = selectors.access_staff_for_edit(request.user, staff_pk)
    organisations = selectors.approved_organisations_for_school(staff.school)
    if staff.organisation_id:
        organisations = organisations | ExternalOrganisation.objects.filter(
            pk=staff.organisation_id
        )
    if request.method == "POST":
        form = StaffForm(request.POST, organisations=organisations.distinct())
        if form.is_valid():
            response = _saved(
                request,
                form,
                lambda: services.staff_update(staff=staff, actor=request.user, **form.cleaned_data),
                _("Staff member saved."),
                ("org:staff_list", staff.school_id),
            )
            if response:
                return response
    else:
        form = StaffForm(
            initial={name: getattr(staff, name) for name in services.STAFF_FIELDS},
            organisations=organisations.distinct(),
        )
    return render(
        request,
        "org/staff_edit.html",
        {
            "staff": staff,
            "school": staff.school,
            "form": form,
            "history": selectors.history_of(request.user, staff),
        },
    )


@login_required
def school_accounts(request, school_pk: int):
    school = access.access_school(request.user, school_pk)
    accounts = selectors.school_accounts_for(request.user, school)
    if not accounts and not access.may_manage_school(request.user, school):
        raise Http404
    return render(request, "org/school_accounts.html", {"school": school, "accounts": accounts})


@login_required
def account_edit(request, account_pk: int):
    account = selectors.access_account_for_edit(request.user, account_pk)
    may_change_role = (
        account.role in access.SCHOOL_ROLES
        and account.pk != request.user.pk
        and account.school_id is not None
        and access.may_manage_school(request.user, account.school)
    )
    back = ("org:school_accounts", account.school_id) if account.school_id else ("home:index",)
    if request.method == "POST":
        form = AccountForm(request.POST, may_change_role=may_change_role)
        if form.is_valid():
            response = _saved(
                request,
                form,
                lambda: services.account_update(
                    account=account,
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    phone=form.cleaned_data["phone"],
                    is_active=form.cleaned_data["is_active"],
                    role=form.cleaned_data.get("role") or None,
                ),
                _("Login saved."),
                back,
            )
            if response:
                return response
    else:
        form = AccountForm(
            initial={
                "name": account.name,
                "phone": account.phone,
                "role": account.role,
                "is_active": account.is_active,
            },
            may_change_role=may_change_role,
        )
    return render(
        request,
        "org/account_edit.html",
        {
            "account": account,
            "form": form,
            "back": back,
            "history": selectors.history_of(request.user, account),
        },
    )


# ----- external organisations -----------------------------------------------------------


def _may_see_organisations(user: User) -> bool:
    return user.is_superuser or user.role in {
        User.Role.BUREAU,
        User.Role.SCHOOL_ADMIN,
        User.Role.TEACHER,
    }


@login_required
def organisation_list(request):
    if not _may_see_organisations(request.user):
        raise Http404
    form = OrganisationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    organisations = selectors.organisation_list_for(
        request.user, status=filters.get("status") or "", q=filters.get("q") or ""
    )
    is_bureau = request.user.is_superuser or request.user.role == User.Role.BUREAU
    if not is_bureau:
        # Schools see the approved list only; the status filter means nothing to them.
        del form.fields["status"]
    return render(
        request,
        "org/organisation_list.html",
        {
            "form": form,
            "organisations": organisations,
            "is_bureau": is_bureau,
            "may_register": selectors.vetting_regions_for(request.user).exists(),
        },
    )


@login_required
def organisation_create(request):
    regions = list(selectors.vetting_regions_for(request.user))
    if not regions:
        raise Http404
    form = OrganisationForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        region = form.regions[form.cleaned_data["region"]]
        response = _saved(
            request,
            form,
            lambda: services.organisation_register(
                region=region, actor=request.user, **form.service_fields()
            ),
            _("Organisation registered: it now waits for vetting."),
            lambda organisation: ("org:organisation_detail", organisation.pk),
        )
        if response:
            return response
    return render(request, "org/organisation_form.html", {"form": form, "organisation": None})


@login_required
def organisation_edit(request, organisation_pk: int):
    organisation = selectors.access_organisation_for_vetting(request.user, organisation_pk)
    if request.method == "POST":
        form = OrganisationForm(request.POST, regions=[], editing=True)
        if form.is_valid():
            response = _saved(
                request,
                form,
                lambda: services.organisation_update(
                    organisation=organisation, actor=request.user, **form.service_fields()
                ),
                _("Organisation saved."),
                ("org:organisation_detail", organisation.pk),
            )
            if response:
                return response
    else:
        form = OrganisationForm(
            initial={name: getattr(organisation, name) for name in services.ORGANISATION_FIELDS},
            regions=[],
            editing=True,
        )
    return render(
        request, "org/organisation_form.html", {"form": form, "organisation": organisation}
    )


@login_required
def organisation_detail(request, organisation_pk: int):
    organisation = selectors.access_organisation(request.user, organisation_pk)
    may_vet = selectors.may_vet(request.user, organisation.region)
    return render(
        request,
        "org/organisation_detail.html",
        {
            "organisation": organisation,
            "may_vet": may_vet,
            "vet_form": VetForm() if may_vet else None,
            "history": selectors.history_of(request.user, organisation) if may_vet else [],
        },
    )


@login_required
@require_POST
def organisation_vet(request, organisation_pk: int):
    organisation = selectors.access_organisation_for_vetting(request.user, organisation_pk)
    form = VetForm(request.POST)
    if form.is_valid():
        response = _saved(
            request,
            form,
            lambda: services.organisation_vet(
                organisation=organisation,
                actor=request.user,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            ),
            _("Decision recorded."),
            ("org:organisation_detail", organisation.pk),
        )
        if response:
            return response
    return render(
        request,
        "org/organisation_detail.html",
        {
            "organisation": organisation,
            "may_vet": True,
            "vet_form": form,
            "history": selectors.history_of(request.user, organisation),
        },
        status=400,
    )
