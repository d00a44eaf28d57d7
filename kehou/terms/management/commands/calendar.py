"""kehou calendar show YEAR | kehou calendar status"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kehou.terms import selectors


class Command(BaseCommand):
    help = "Show the statutory holidays and make-up workdays of a year, or which years are known."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        show = actions.add_parser("show", help="holidays and make-up workdays of a year")
        show.add_argument("year", type=int)
        actions.add_parser("status", help="which years are known")

    def handle(self, *args, action: str, **options):
        if action == "show":
            self._show(options["year"])
        else:
            self._status()

    def _show(self, year: int) -> None:
        calendar = selectors.year_calendar(year)
        if not calendar.known:
            self.stdout.write(
                _("%(year)d: 未录入 (not entered): the bureau must enter the notice first.")
                % {"year": year}
            )
            return
        if calendar.source == "bureau":
            self.stdout.write(
                _("%(year)d, entered by the bureau from: %(source)s")
                % {"year": year, "source": calendar.entry.source}
            )
        else:
            self.stdout.write(_("%(year)d, from the calendar library") % {"year": year})
        self.stdout.write(_("Statutory holidays:"))
        for day in calendar.holidays:
            self.stdout.write(f"  {day.date.isoformat()} {day.weekday_name} {day.name}")
        self.stdout.write(_("Make-up workdays (调休):"))
        for day in calendar.makeup_days:
            follows = (
                _("follows %(weekday)s") % {"weekday": day.follows_name}
                if day.follows_name
                else _("the school chooses the timetable")
            )
            self.stdout.write(f"  {day.date.isoformat()} {day.weekday_name} {day.name} {follows}")

    def _status(self) -> None:
        status = selectors.calendar_status()
        self.stdout.write(
            _("Calendar library: %(first)d–%(last)d")
            % {"first": status.library_first, "last": status.library_last}
        )
        if not status.entered:
            self.stdout.write(_("Entered by the bureau: none"))
        for entry in status.entered:
            self.stdout.write(
                _("Entered by the bureau: %(year)d (%(source)s)")
                % {"year": entry.year, "source": entry.source}
            )
