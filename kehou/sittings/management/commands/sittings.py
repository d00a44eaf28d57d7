"""kehou sittings generate --school CODE --term TERM"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kehou.org.models import School
from kehou.sittings import selectors, services
from kehou.terms.models import Term
from kehou.terms.selectors import term_for_code


class Command(BaseCommand):
    help = "Generate (or regenerate) a school's sittings of a term from its published plan."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        generate = actions.add_parser(
            "generate", help="sittings from the published plan × the holiday calendar"
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
        plan = selectors.published_plan(found_school, found_term)
        if plan is None:
            draft = selectors.draft_plan(found_school, found_term)
            if draft is not None:
                raise CommandError(" ".join(services.PlanNotPublished.for_plan(draft).messages))
            raise CommandError(
                _("%(school)s has no published plan for term %(term)s.")
                % {"school": found_school.name, "term": found_term.code}
            )
        try:
            report = services.sittings_generate(plan=plan)
        except services.GenerationRefused as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(report.summary())
        for sitting in report.kept_not_in_plan:
            self.stdout.write(
                _("Kept, not in the plan any more: %(sitting)s") % {"sitting": sitting}
            )
