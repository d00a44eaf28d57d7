"""What the roster commands share: finding the school and the school year."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from kehou.org.models import School, SchoolYear


def school_by_code(code: str) -> School:
    try:
        return School.objects.get(code=code)
    except School.DoesNotExist:
        raise CommandError(_("No school with code %(code)s.") % {"code": code}) from None


def school_year(start_year: int | None) -> SchoolYear | None:
    if start_year is None:
        return None
    current = SchoolYear.current().start_year
    if not 2000 <= start_year <= current + 1:
        raise CommandError(
            _("The school year must start between 2000 and %(last)d.") % {"last": current + 1}
        )
    return SchoolYear.objects.get_or_create(start_year=start_year)[0]
