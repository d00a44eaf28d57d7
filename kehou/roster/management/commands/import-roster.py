"""import-roster FILE --school CODE [--year 2026] [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kehou.org.access import SYSTEM
from kehou.roster.management.commands._common import school_by_code, start_year
from kehou.roster.services import roster_import


class Command(BaseCommand):
    help = "Import a roster workbook (.xlsx) for one school; nothing is written if any row is bad."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--school", required=True, help="the 10-digit school code")
        parser.add_argument("--year", type=int, help="school year by start year, e.g. 2026")
        parser.add_argument("--dry-run", action="store_true", help="validate only")

    def handle(self, *args, file: Path, school: str, year, dry_run: bool, **options):
        target = school_by_code(school)
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(str(exc)) from None
        report = roster_import(
            school=target, data=data, actor=SYSTEM, start_year=start_year(year), dry_run=dry_run
        )
        if not report.ok:
            for line in report.lines():
                self.stderr.write(line)
            raise CommandError(_("Nothing was imported."))
        for line in report.lines():
            self.stdout.write(line)
