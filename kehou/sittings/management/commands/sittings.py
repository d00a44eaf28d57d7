"""kehou sittings generate --school CODE --term TERM (acts as SYSTEM)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kehou.core.errors import messages
from kehou.org.access import SYSTEM
from kehou.org.models import School
from kehou.sittings import services
from kehou.terms.models import Term
from kehou.terms.selectors import term_for_code


class Command(BaseCommand):
    help = (
        "Generate (or regenerate) a school's sittings of a term from its published plan, "
        "its menu and the holiday calendar."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        generate = actions.add_parser(
            "generate", help="sittings from the plan and the menu × the holiday calendar"
        )
        generate.add_argument("--school", required=True, help="the 10-digit school code")
        generate.add_argument("--term", required=True, help="e.g. 2026-1 (autumn 2026)")

    def handle(self, *args, action: str, school: str, term: str, **options):
        try:
            found_school = School.objects.get(code=school)
        except School.DoesNotExist:
            raise CommandError(_("No school with code %(code)s.") % {"code": school}) from None
        try:
            found_term = term_for_code(term)
        except Term.DoesNotExist:
            raise CommandError(
                _("No term %(code)s (write it as 2026-1 for autumn 2026, 2026-2 for spring 2027).")
                % {"code": term}
            ) from None
        try:
            report = services.sittings_generate(school=found_school, term=found_term, actor=SYSTEM)
        except ValidationError as refused:
            raise CommandError(" ".join(messages(refused))) from None
        self.stdout.write(report.summary())
        for sitting in report.kept_not_wanted:
            self.stdout.write(
                _("Kept, no longer in the plan or the menu: %(sitting)s") % {"sitting": sitting}
            )
