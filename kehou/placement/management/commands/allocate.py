"""kehou allocate --school CODE --term TERM [--seed S] [--mechanism da|rsd]
                 (--dry-run | --yes) [--json]

Runs the allocation of a school's menu for a term and prints its metrics. A real run (without
--dry-run) uses the seed committed when the choice window opened and the menu's mechanism;
--seed and another --mechanism are accepted only with --dry-run, to check or compare. A real
run cannot be undone (seats and every family's result are published at once): it needs
--yes, the command's confirmation; without it the command says what the run would do.

--json prints one object, a stable shape:

    {"run": 12, "dry_run": false, "mechanism": "da", "k": 2, "seed": "...",
     "seed_hash": "...", "input_digest": "...", "result_digest": "...",
     "metrics": {...},                       # as on the metrics page
     "children": [                           # [] for a trial run (it writes no result)
       {"student": 41, "student_number": "G3...", "name": "王小北", "class": "3-1",
        "tier": 1,                           # 0 = the groups seed 001 protects, goes first
        "lottery_number": 125,               # 1 = drawn first
        "best_rank": 2,                      # the best choice obtained, null if none
        "seats": [{"offering": 7, "name": "合唱", "source": "allocation"}],
                                             # source: allocation | second_round | fallback
        "choices": [                         # every ranked choice, in rank order
          {"rank": 1, "offering": 5, "name": "剪纸", "allocated": false,
           "waiting_list": {"status": "waiting", "place": 1}},   # or null
          {"rank": 2, "offering": 7, "name": "合唱", "allocated": true,
           "waiting_list": null}],
        "explanation": "..."}]}              # the family's "why", in Chinese

`place` is the child's place in line now (1 = offered the next free seat), null once the
entry is no longer waiting (`status`: offered, accepted, declined, expired, removed).
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
from kehou.placement.selectors import metric_lines, run_preview, run_results_json
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
        parser.add_argument(
            "--yes",
            action="store_true",
            help="confirm a real run: it cannot be undone, results go to the families",
        )
        parser.add_argument(
            "--json", action="store_true", help="print the metrics and each child's result as JSON"
        )

    def handle(self, *args, school, term, seed, mechanism, dry_run, yes, json: bool, **options):
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
                menu=menu,
                actor=SYSTEM,
                seed=seed,
                mechanism=mechanism,
                dry_run=dry_run,
                confirmed=yes,
            )
        except ValidationError as exc:
            message = " ".join(errors.messages(exc))
            if errors.codes(exc) == {"confirmation_required"}:
                preview = run_preview(menu)
                message += " " + _(
                    "It would allocate %(children)d children over %(seats)d free seats of "
                    "%(school)s. Add --yes to run it, or --dry-run to try it first."
                ) % {
                    "children": preview.children,
                    "seats": preview.seats,
                    "school": found_school.name,
                }
            raise CommandError(message) from None
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
            "children": run_results_json(run),
        },
        ensure_ascii=False,
        indent=2,
    )
