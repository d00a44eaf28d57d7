"""`kehou seed`: build the demo city (SPEC R1, R2). See kehou.demo.seed."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError, RestrictedError
from django.utils import translation
from django.utils.translation import gettext as _

from kehou.demo.seed import (
    FULL_CITY,
    SMALL_CITY,
    SeedRefused,
    demo_logins,
    seed_city,
)
from kehou.org.models import School


class Command(BaseCommand):
    help = (
        "Seed the demo city modelled on 滨州市: by default 12 schools and about 6,000 "
        "students; --city for the full city of 362 schools and 190,000 students."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, help="number of schools")
        parser.add_argument("--students", type=int, help="number of students in the city")
        parser.add_argument(
            "--city",
            action="store_true",
            help=f"the full city: {FULL_CITY['schools']} schools, {FULL_CITY['students']} students",
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing if the database already holds schools; just print the logins",
        )
        group.add_argument(
            "--flush",
            action="store_true",
            help="delete all schools, people and non-superuser accounts first",
        )

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            if not settings.DEMO_MODE:  # production: see settings.DEMO_MODE
                if options["flush"]:
                    raise CommandError(
                        _(
                            "kehou seed --flush deletes every school, person and account: it "
                            "is refused outside the demo (KEHOU_DEBUG=1 or KEHOU_DEMO=1). "
                            "Nothing was changed."
                        )
                    )
                raise CommandError(
                    _(
                        "kehou seed creates demo accounts that share a published password: "
                        "it is refused outside the demo (KEHOU_DEBUG=1 or KEHOU_DEMO=1). "
                        "Nothing was changed."
                    )
                )
            self._handle(options)

    def _handle(self, options):
        size = dict(FULL_CITY if options["city"] else SMALL_CITY)
        if options["schools"] is not None:
            size["schools"] = options["schools"]
        if options["students"] is not None:
            size["students"] = options["students"]
        if options["if_empty"] and School.objects.exists():
            self.stdout.write(_("The demo city already exists; nothing was changed."))
            self._print_logins(demo_logins())
            return
        self.stdout.write(
            _("Seeding %(schools)d schools with %(students)d students (seed %(seed)d)…")
            % {**size, "seed": options["seed"]}
        )
        try:
            summary = seed_city(
                schools=size["schools"],
                students=size["students"],
                seed=options["seed"],
                flush=options["flush"],
                # Sessions for the small demo only: the full city's would be a million rows.
                sessions=not options["city"],
                stdout=self.stdout,
            )
        except (SeedRefused, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        except (ProtectedError, RestrictedError) as exc:  # --flush met other apps' records
            raise CommandError(
                _("Nothing was changed: other records still refer to the demo data (%(error)s).")
                % {"error": exc.args[0]}
            ) from exc
        counts = [
            (_("schools"), summary.schools),
            (_("classes"), summary.classes),
            (_("students"), summary.students),
            (_("guardians"), summary.guardians),
            (_("staff"), summary.staff),
            (_("users"), summary.users),
            (_("plans"), summary.plans.plans),
            (_("service sessions"), summary.plans.sessions),
            (_("rows in all"), summary.rows),
        ]
        self.stdout.write("  ".join(f"{label} {value:,}" for label, value in counts))
        self.stdout.write(
            _("Done in %(seconds).1f s (%(rate)s rows/s).")
            % {
                "seconds": summary.elapsed,
                "rate": f"{summary.rows / max(summary.elapsed, 1e-9):,.0f}",
            }
        )
        if summary.plans.sessions_skipped and summary.plans.sessions:
            self.stdout.write(
                _("%(count)d sessions generated; left out: %(reason)s")
                % {"count": summary.plans.sessions, "reason": summary.plans.sessions_skipped}
            )
        elif summary.plans.sessions_skipped:
            self.stdout.write(
                _("No sessions were generated: %(reason)s")
                % {"reason": summary.plans.sessions_skipped}
            )
        if summary.menus and summary.menus.menus:
            self.stdout.write(
                _(
                    "Menus: %(menus)d with %(offerings)d offerings; %(applications)d children "
                    "applied with %(choices)d ranked choices. At %(school)s the choice window "
                    "has closed: its admin can close it and run the allocation."
                )
                % {
                    "menus": summary.menus.menus,
                    "offerings": summary.menus.offerings,
                    "applications": summary.menus.applications,
                    "choices": summary.menus.choices,
                    "school": summary.menus.closing_school,
                }
            )
        self._print_logins(summary.logins)

    def _print_logins(self, logins):
        if not logins:
            return
        self.stdout.write("")
        self.stdout.write(_("Demo logins (the password is the same for all):"))
        header = (_("Role"), _("Name"), _("Phone"), _("Password"), _("Where"))
        rows = [header] + [(lg.role, lg.name, lg.phone, lg.password, lg.where) for lg in logins]
        widths = [max(_width(r[i]) for r in rows) for i in range(len(header))]
        for row in rows:
            self.stdout.write(
                "  ".join(
                    _pad(cell, width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )
        self.stdout.write(
            _("Any other guardian's or teacher's phone logs in with the same password.")
        )


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _pad(text: str, width: int) -> str:
    return str(text) + " " * (width - _width(text))
