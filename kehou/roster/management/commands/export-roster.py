"""export-roster FILE --school CODE [--year 2026]"""

from pathlib import Path

from django.core.management.base import BaseCommand

from kehou.org.access import SYSTEM
from kehou.roster.management.commands._common import school_by_code, start_year
from kehou.roster.services import roster_export


class Command(BaseCommand):
    help = "Export one school's roster in the template's shape."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--school", required=True, help="the 10-digit school code")
        parser.add_argument("--year", type=int, help="school year by start year, e.g. 2026")

    def handle(self, *args, file: Path, school: str, year, **options):
        data = roster_export(
            school=school_by_code(school), actor=SYSTEM, start_year=start_year(year)
        )
        file.write_bytes(data)
        self.stdout.write(str(file))
