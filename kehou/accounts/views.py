"""Login and logout (SPEC R26)."""

from django.contrib.auth import views as auth_views

from kehou.accounts.forms import PhoneLoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = PhoneLoginForm
    redirect_authenticated_user = True
