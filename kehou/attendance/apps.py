from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "kehou.attendance"
    verbose_name = _("Attendance")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kehou.attendance import models as m

        # Marks are written in bulk by kehou.attendance.services, which logs them with
        # kehou.org.audit.log_bulk_*; leave requests are saved one by one.
        auditlog.register(m.LeaveRequest)
        auditlog.register(m.Attendance)
