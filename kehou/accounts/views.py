"""Login, logout, the lockout's page and choosing one's own password (SPEC R26)."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from kehou.accounts import services
from kehou.accounts.forms import PasswordChangeForm, PhoneLoginForm
from kehou.accounts.lockout import Lock
from kehou.core import errors


def locked_out(request, lock: Lock):
    """The page for a try during a pause (429): until when, why, and how to get in."""
    now = timezone.now()
    response = render(
        request,
        "accounts/locked_out.html",
        {
            "lock": lock,
            "minutes": lock.minutes_left(now),
            "until": timezone.localtime(lock.until),
        },
        status=429,
    )
    response["Retry-After"] = str(max(1, int((lock.until - now).total_seconds())))
    return response


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = PhoneLoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        lock = getattr(self.request, "login_lock", None)
        if lock is not None:
            return locked_out(self.request, lock)
        return super().form_invalid(form)


@never_cache
@sensitive_post_parameters()
@login_required
def password_change(request):
    temporary = bool(request.user.temporary_password_until)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your new password is set."))
            return redirect("home:index")
    return render(request, "accounts/password_change.html", {"form": form, "temporary": temporary})
