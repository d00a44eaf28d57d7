"""What the roster commands share: finding the school and the school year."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from kehou.org.models import School
from kehou.roster.services import current_start_year


def school_by_code(code: str) -> School:
    try:
        return School.objects.get(code=code)
    except School.DoesNotExist:
        raise CommandError(_("No school with code %(code)s.") % {"code": code}) from None


def start_year(value: int | None) -> int | None:
    """The --year option checked (None = today's school year)."""
    if value is None:
        return None
    last = current_start_year() + 1
    if not 2000 <= value <= last:
        raise CommandError(
            _("The school year must start between 2000 and %(last)d.") % {"last": last}
        )
    return value
