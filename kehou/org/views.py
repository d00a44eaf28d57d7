"""Pages for regions, schools, classes, students and staff (SPEC R1, R2, R26).

Thin: parse the query string, call a selector, render. Every read goes through
kehou.org.selectors, which starts from kehou.org.access.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehou.accounts import lockout
from kehou.accounts.forms import ActivationForm
from kehou.accounts.views import locked_out
from kehou.core import errors
from kehou.org import access, selectors
from kehou.org.forms import SchoolFilterForm, StudentFilterForm
from kehou.org.services import account_password_reset as account_password_reset_service
from kehou.org.services import guardian_activate, staff_first_passwords_give
from kehou.org.services import guardian_password_reset as guardian_password_reset_service
from kehou.org.services import staff_password_reset as staff_password_reset_service

PAGE_SIZE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def school_list(request):
    form = SchoolFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    schools = selectors.school_list_for(
        request.user,
        county=filters.get("county") or "",
        school_type=filters.get("school_type") or "",
        urban=filters.get("urban") or "",
        q=filters.get("q") or "",
    )
    return render(
        request,
        "org/school_list.html",
        {"form": form, "page": _page(request, schools), "query": _query_without_page(request)},
    )


@login_required
def school_detail(request, school_pk: int):
    # A guardian may know the school of their child, but not its figures.
    school = selectors.access_school_for_lists(request.user, school_pk)
    return render(
        request,
        "org/school_detail.html",
        {
            "school": school,
            "summary": selectors.school_summary_for(request.user, school),
            "leadership": selectors.leadership_for(request.user, school),
            "may_manage": access.may_manage_school(request.user, school),
            "may_see_staff": selectors.may_see_staff_list(request.user),
            "may_manage_logins": bool(selectors.school_accounts_for(request.user, school)),
        },
    )


@login_required
def class_list(request, school_pk: int):
    school = selectors.access_school_for_lists(request.user, school_pk)
    classes = selectors.class_list_for(
        request.user, school, head_teacher_first=request.user.role == "teacher"
    )
    return render(
        request,
        "org/class_list.html",
        {
            "school": school,
            "classes": classes,
            "school_year": selectors.latest_school_year(school),
        },
    )


@login_required
def student_list(request, school_pk: int):
    school = selectors.access_school_for_lists(request.user, school_pk)
    show_priority = access.may_see_priority_facts(request.user)
    classes = list(selectors.class_list_for(request.user, school))
    form = StudentFilterForm(
        request.GET or None, classes=classes, grades=school.grades, show_priority=show_priority
    )
    filters = selectors.StudentFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.StudentFilters(
            q=data.get("q") or "",
            grade=int(data["grade"]) if data.get("grade") else None,
            class_id=int(data["school_class"]) if data.get("school_class") else None,
            boarder=data.get("boarder") or "",
            priority=data.get("priority") or "",
        )
    students = selectors.student_list_for(request.user, school, filters)
    page = _page(request, students)
    for student in page:
        student.school_class = selectors.current_class(student)
    return render(
        request,
        "org/student_list.html",
        {
            "school": school,
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "show_priority": show_priority,
        },
    )


@login_required
def student_detail(request, student_pk: int):
    detail = selectors.student_detail_for(request.user, student_pk, today=timezone.localdate())
    return render(
        request,
        "org/student_detail.html",
        {
            "detail": detail,
            "student": detail.student,
            "may_see_lists": selectors.may_see_school_lists(request.user),
            "may_manage": access.may_manage_school(request.user, detail.student.school),
        },
    )


@login_required
def student_history(request, student_pk: int):
    student, history = selectors.access_student_history(request.user, student_pk)
    return render(request, "org/student_history.html", {"student": student, "history": history})


@login_required
def staff_list(request, school_pk: int):
    school = selectors.access_school_for_staff_list(request.user, school_pk)
    today = timezone.localdate()
    staff = selectors.staff_list_for(request.user, school, today=today)
    return render(
        request,
        "org/staff_list.html",
        {
            "school": school,
            "staff": staff,
            "without_login": sum(1 for m in staff if m.is_active and not m.user_id),
            "today": today,
            "may_manage": access.may_manage_school(request.user, school),
        },
    )


def _password_page(request, *, person: str, back: str, give, first: bool = False):
    """The reset of one person's password: GET asks for confirmation, POST gives the
    temporary password (shown this once; never cached). `first`: the person has no login
    yet (a staff member from the roster), so the page speaks of a first password, not of
    a current one that stops working."""
    later = _(
        "You get a temporary password, shown only once: tell it to them in person "
        "or by a phone call. It works for 7 days and only to choose their own."
    )
    if first:
        consequences = [
            _(
                "%(name)s has no login yet: one is made for them, a teacher's login of the "
                "school that logs in with the mobile phone on their staff record."
            )
            % {"name": person},
            later,
        ]
        title = _("Give %(name)s a first password?") % {"name": person}
        button = _("Give a first password")
    else:
        consequences = [
            _("Their current password stops working at once, and so do their open sessions."),
            later,
        ]
        title = _("Reset the password of %(name)s?") % {"name": person}
        button = _("Reset the password")
    confirm = {
        "title": title,
        "consequences": consequences,
        "action": request.path,
        "fields": [],
        "button": button,
        "cancel": back,
    }
    context = {"person": person, "back": back, "confirm": confirm, "first": first}
    if request.method == "POST":
        try:
            context["password"] = give(request.POST.get("confirmed") == "1")
        except ValidationError as exc:
            context["refusal"] = errors.messages(exc)
    response = render(request, "org/password_reset.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def staff_password_reset(request, school_pk: int, staff_pk: int):
    school = selectors.access_school_for_staff_list(request.user, school_pk)
    staff = selectors.access_staff(request.user, school, staff_pk)
    return _password_page(
        request,
        person=staff.name,
        back=reverse("org:staff_list", args=[school.pk]),
        give=lambda confirmed: staff_password_reset_service(
            staff=staff, actor=request.user, confirmed=confirmed
        ),
        first=staff.user_id is None,
    )


@login_required
def account_password_reset(request, account_pk: int):
    """From the school's logins page: a login without a staff record (an admin, gate
    staff) gets a temporary password the same way."""
    account = selectors.access_account_for_edit(request.user, account_pk)
    return _password_page(
        request,
        person=account.name,
        back=reverse("org:school_accounts", args=[account.school_id])
        if account.school_id
        else reverse("home:index"),
        give=lambda confirmed: account_password_reset_service(
            account=account, actor=request.user, confirmed=confirmed
        ),
    )


@login_required
def staff_first_passwords(request, school_pk: int):
    """Logins for every staff member without one: GET asks for confirmation, POST gives
    the sheet of temporary passwords (shown this once; never cached)."""
    school = selectors.access_school_for_staff_list(request.user, school_pk)
    back = reverse("org:staff_list", args=[school.pk])
    context = {
        "school": school,
        "back": back,
        "confirm": {
            "title": _("Give a first password to every staff member without a login?"),
            "consequences": [
                _(
                    "Each active staff member without a login gets one, with a temporary "
                    "password that works for 7 days and only to choose their own."
                ),
                _(
                    "The next page lists the passwords once: print it or hand them out in "
                    "person; it cannot be shown again."
                ),
            ],
            "action": request.path,
            "fields": [],
            "button": _("Give first passwords"),
            "cancel": back,
        },
    }
    if request.method == "POST":
        try:
            context["result"] = staff_first_passwords_give(
                school=school, actor=request.user, confirmed=request.POST.get("confirmed") == "1"
            )
        except ValidationError as exc:
            context["refusal"] = errors.messages(exc)
    response = render(request, "org/first_passwords.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def guardian_password_reset(request, student_pk: int, guardian_pk: int):
    student = access.access_student(request.user, student_pk)
    guardian = selectors.access_guardian_of(request.user, student, guardian_pk)
    return _password_page(
        request,
        person=guardian.name,
        back=reverse("org:student_detail", args=[student.pk]),
        give=lambda confirmed: guardian_password_reset_service(
            guardian=guardian, school=student.school, actor=request.user, confirmed=confirmed
        ),
    )


def activate(request):
    if request.user.is_authenticated:
        return redirect("home:index")
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Guessing a child's number and name is a login attempt like any other: failures
        # count towards the same lockout as the login page, per phone and per address.
        credentials = {"username": data["phone"]}
        lock = lockout.lock_for(request, data["phone"])
        if lock is not None:
            return locked_out(request, lock)
        try:
            guardian_activate(
                phone=data["phone"],
                student_number=data["student_number"],
                child_name=data["child_name"],
                password=data["password"],
            )
        except ValidationError as exc:
            if "activation_refused" in errors.codes(exc):
                # A guess that missed; a password that breaks a rule is not one.
                user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            errors.add_to_form(form, exc)
        else:
            messages.success(
                request, _("Your account is ready. Log in with your mobile phone and password.")
            )
            return redirect("accounts:login")
    return render(request, "org/activate.html", {"form": form})
