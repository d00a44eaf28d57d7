"""kehou allocate --school CODE --term TERM [--seed S] [--mechanism da|rsd] [--dry-run] [--json]

Runs the allocation of a school's menu for a term and prints its metrics. A real run (without
--dry-run) uses the seed committed when the choice window opened and the menu's mechanism;
--seed and another --mechanism are accepted only with --dry-run, to check or compare.
"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kehou.catalog.models import Menu
from kehou.core import errors
from kehou.org.access import SYSTEM
from kehou.org.models import School
from kehou.placement import services
from kehou.placement.selectors import metric_lines
from kehou.terms.models import Term
from kehou.terms.selectors import term_for_code


def _term(code: str) -> Term:
    try:
        return term_for_code(code)
    except Term.DoesNotExist:
        raise CommandError(
            _("No term %(code)s (write it as 2026-1 for autumn 2026, 2026-2 for spring 2027).")
            % {"code": code}
        ) from None


class Command(BaseCommand):
    help = "Run the allocation of a school's menu for a term and print its metrics."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="the 10-digit school code")
        parser.add_argument("--term", required=True, help="e.g. 2026-1 (autumn 2026)")
        parser.add_argument("--seed", help="another lottery seed (only with --dry-run)")
        parser.add_argument("--mechanism", choices=services.MECHANISMS)
        parser.add_argument("--dry-run", action="store_true", help="compute and store metrics only")
        parser.add_argument("--json", action="store_true", help="print the metrics as JSON")

    def handle(self, *args, school, term, seed, mechanism, dry_run, json: bool, **options):
        try:
            found_school = School.objects.get(code=school)
        except School.DoesNotExist:
            raise CommandError(_("No school with code %(code)s.") % {"code": school}) from None
        found_term = _term(term)
        menu = Menu.objects.filter(school=found_school, term=found_term).first()
        if menu is None:
            raise CommandError(
                _("%(school)s has no menu for term %(term)s.")
                % {"school": found_school.name, "term": term}
            )
        try:
            run = services.allocation_run(
                menu=menu, actor=SYSTEM, seed=seed, mechanism=mechanism, dry_run=dry_run
            )
        except ValidationError as exc:
            raise CommandError(" ".join(errors.messages(exc))) from None
        if json:
            self.stdout.write(_dumps(run))
            return
        for line in metric_lines(run):
            self.stdout.write(line)


def _dumps(run) -> str:
    return json.dumps(
        {
            "run": run.pk,
            "dry_run": run.dry_run,
            "mechanism": run.mechanism,
            "k": run.max_extended_per_child,
            "seed": run.seed,
            "seed_hash": run.seed_hash,
            "input_digest": run.input_digest,
            "result_digest": run.result_digest,
            "metrics": run.metrics,
        },
        ensure_ascii=False,
        indent=2,
    )
