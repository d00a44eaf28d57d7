"""Login, logout, activation and the per-role home page (SPEC R26).

The home page is a dispatcher: each role gets the one page it starts its day from.
All reads go through kehou.org.selectors, which start from kehou.org.access."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kehou.accounts.forms import ActivationForm, PhoneLoginForm
from kehou.accounts.models import User
from kehou.accounts.services import guardian_activate
from kehou.org import access, selectors


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = PhoneLoginForm
    redirect_authenticated_user = True


def activate(request):
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Guessing a child's number and name is a login attempt like any other: failures
        # count towards the same lockout as the login page, per phone and per address.
        credentials = {"username": data["phone"]}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return get_lockout_response(request, credentials=credentials)
        try:
            guardian_activate(
                phone=data["phone"],
                student_number=data["student_number"],
                child_name=data["child_name"],
                password=data["password1"],
            )
        except ValidationError as exc:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Your account is ready. Log in with your mobile phone and password.")
            )
            return redirect("accounts:login")
    return render(request, "accounts/activate.html", {"form": form})


@login_required
def home(request):
    user = request.user
    if user.role == User.Role.BUREAU or (user.is_superuser and not user.school_id):
        return render(
            request,
            "accounts/home_bureau.html",
            {"summary": selectors.region_summary_for(user), "region": user.region},
        )
    if user.role == User.Role.SCHOOL_ADMIN:
        school = access.access_school(user, user.school_id)
        return render(
            request,
            "accounts/home_school_admin.html",
            {"school": school, "summary": selectors.school_summary_for(user, school)},
        )
    if user.role == User.Role.TEACHER:
        school = access.access_school(user, user.school_id)
        return render(
            request,
            "accounts/home_teacher.html",
            {"school": school, "classes": selectors.teacher_classes_for(user)},
        )
    if user.role == User.Role.GATE:
        q = request.GET.get("q", "").strip()[:50]
        return render(
            request,
            "accounts/home_gate.html",
            {
                "q": q,
                "results": selectors.gate_search_for(user, q, today=timezone.localdate()),
            },
        )
    if user.role == User.Role.GUARDIAN:
        children = selectors.children_for_guardian(user)
        for child in children:
            child.school_class = selectors.current_class(child)
        return render(request, "accounts/home_guardian.html", {"children": children})
    return render(request, "accounts/home_empty.html")
