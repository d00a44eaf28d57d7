"""Login by mobile phone, guardian account activation and choosing a password (SPEC R26)."""

import logging

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from kehou.accounts.backends import is_refused_demo_password
from kehou.lib.validators import mask_mobile, normalise_mobile, normalise_student_number

logger = logging.getLogger("kehou.accounts")


class PhoneLoginForm(AuthenticationForm):
    """Django's login form, with the username being an 11-digit mobile phone.

    The phone is normalised (spaces, dashes, +86) before authentication, so the lockout
    counts "138 0000 0001" and "13800000001" as the same account."""

    username = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "inputmode": "tel"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("The mobile phone or password is wrong."),
        "inactive": _("This account is disabled."),
        "demo_password": _(
            "This is the demo's published password: it does not open this system. "
            "Ask your school's administrator to set you a new password."
        ),
        "temporary_expired": _(
            "This temporary password has expired. Ask your school's administrator for a new one."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # AuthenticationForm caps the field at User.phone's 11 characters; people type
        # "138 0000 0001" or "+86 ..." and the browser would cut that off.
        self.fields["username"].max_length = 20
        self.fields["username"].widget.attrs["maxlength"] = "20"

    def clean_username(self) -> str:
        return normalise_mobile(self.cleaned_data.get("username"))

    def get_invalid_login_error(self):
        if getattr(self.request, "temporary_password_expired", False):
            return forms.ValidationError(
                self.error_messages["temporary_expired"], code="temporary_expired"
            )
        return super().get_invalid_login_error()

    def clean(self):
        # Said plainly, before any account is looked up: the message tells nothing
        # about the phone typed, and the backend refuses the password anyway.
        if is_refused_demo_password(self.cleaned_data.get("password")):
            logger.warning(
                "login with the demo password refused for %s",
                mask_mobile(self.cleaned_data.get("username")),
            )
            raise forms.ValidationError(self.error_messages["demo_password"], code="demo_password")
        return super().clean()


class ActivationForm(forms.Form):
    phone = forms.CharField(
        label=_("Your mobile phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "tel"}),
        help_text=_("The number the school has on record for you."),
    )
    student_number = forms.CharField(label=_("Your child's student number (学籍号)"), max_length=20)
    child_name = forms.CharField(label=_("Your child's name"), max_length=50)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 8 characters, not a common password, without the school's name, "
            "your phone or your child's student number."
        ),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_phone(self) -> str:
        return normalise_mobile(self.cleaned_data["phone"])

    def clean_student_number(self) -> str:
        return normalise_student_number(self.cleaned_data["student_number"]).upper()

    def clean_child_name(self) -> str:
        return "".join(self.cleaned_data["child_name"].split())

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password"), data.get("password_again")
        if p1 and p2 and p1 != p2:
            self.add_error("password_again", _("The two passwords differ."))
        return data


class PasswordChangeForm(forms.Form):
    """One's own new password; the rules are checked by accounts.services.password_change."""

    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("After a reset: the temporary password you were given."),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 8 characters, not a common password, without the school's name, "
            "your phone or your child's student number."
        ),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two passwords differ."))
        return data
