from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from kehou.accounts.models import LoginFailure, User
from kehou.lib.validators import normalise_mobile


class PhoneNormalised:
    """The phone in its one stored form (kehou.lib.validators), as at every other door."""

    def clean_phone(self) -> str:
        return normalise_mobile(self.cleaned_data.get("phone"))


class UserCreationForm(PhoneNormalised, BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("phone", "name", "role", "region", "school")


class UserEditForm(PhoneNormalised, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict = {}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = ("phone", "name", "role", "region", "school", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    search_fields = ("phone", "name")
    ordering = ("phone",)
    autocomplete_fields = ("region", "school")
    fieldsets = (
        (None, {"fields": ("phone", "password")}),
        (_("Person"), {"fields": ("name", "role", "region", "school")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "temporary_password_until")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("phone", "name", "role", "region", "school", "password1", "password2"),
            },
        ),
    )


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    """Recent failed logins; deleting a phone's rows from an address ends its pause."""

    list_display = ("at", "phone", "address")
    search_fields = ("phone", "address")
    ordering = ("-at",)
    readonly_fields = ("at", "phone", "address")

    def has_add_permission(self, request) -> bool:
        return False
