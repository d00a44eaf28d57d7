from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "kehou.enrollment"
    verbose_name = _("Applications, choices and enrolments")
