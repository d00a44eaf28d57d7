from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehou.lib.validators import is_mobile, normalise_mobile


def validate_mobile(value: str) -> None:
    if not is_mobile(value):
        raise ValidationError(_("Enter an 11-digit mainland mobile number."), code="mobile")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, phone, password=None, **extra):
        phone = normalise_mobile(phone)
        validate_mobile(phone)
        user = self.model(phone=phone, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, phone, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", User.Role.BUREAU)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with a mobile phone number.

    One role per account. The role decides the scope (kehou.org.access): a bureau
    officer sees their region and everything under it; school admins, teachers and
    gate staff their school; a guardian only their own children (through Guardian.user).
    """

    class Role(models.TextChoices):
        BUREAU = "bureau", _("Bureau officer")
        SCHOOL_ADMIN = "school_admin", _("School admin")
        TEACHER = "teacher", _("Teacher / instructor")
        GUARDIAN = "guardian", _("Guardian")
        GATE = "gate", _("Gate / duty staff")

    phone = models.CharField(
        _("mobile phone"), max_length=11, unique=True, validators=[validate_mobile]
    )
    name = models.CharField(_("full name"), max_length=50)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "org.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    school = models.ForeignKey(
        "org.School", verbose_name=_("school"), null=True, blank=True, on_delete=models.PROTECT
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the Django admin"), default=False)
    temporary_password_until = models.DateTimeField(
        _("temporary password valid until"),
        null=True,
        blank=True,
        help_text=_(
            "Set when a school admin gives a temporary password: it opens only the page "
            "to choose a new one, and not after this time."
        ),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="bureau_user_has_region",
                condition=~Q(role="bureau") | Q(region__isnull=False) | Q(is_superuser=True),
            ),
            models.CheckConstraint(
                name="school_user_has_school",
                condition=~Q(role__in=["school_admin", "teacher", "gate"])
                | Q(school__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})"

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


class LoginFailure(models.Model):
    """One failed login or activation attempt: a wrong password, or activation details
    that match no record. The lockout (kehou.accounts.lockout) counts these per phone and
    network address and per address; attempts refused while locked are not stored, so
    they never extend a lock. Rows older than a day are deleted as new ones come."""

    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    address = models.CharField(_("network address"), max_length=45)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")
        indexes = [
            models.Index(fields=["phone", "address", "at"], name="loginfailure_account"),
            models.Index(fields=["address", "at"], name="loginfailure_address"),
            models.Index(fields=["at"], name="loginfailure_at"),
        ]

    def __str__(self) -> str:
        return f"{self.phone} {self.address} {self.at:%Y-%m-%d %H:%M}"
