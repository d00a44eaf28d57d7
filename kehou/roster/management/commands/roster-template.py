"""roster-template FILE: write the empty roster workbook."""

from pathlib import Path

from django.core.management.base import BaseCommand

from kehou.roster.services import roster_template


class Command(BaseCommand):
    help = "Write the empty roster workbook (.xlsx) with its 说明 sheet."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        file.write_bytes(roster_template())
        self.stdout.write(str(file))
