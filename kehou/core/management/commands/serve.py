"""kehou serve [ADDRESS]: the web server and the background worker together, for the
embedded demo and local work. Ctrl-C stops both.

Production runs them as separate services instead: gunicorn (see README) and
`kehou worker`, as many of each as the load needs.
"""

import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the web pages (runserver) and run the background worker; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("address", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, address: str, **options):
        kehou = [sys.executable, "-m", "kehou"]
        children = {
            "worker": subprocess.Popen([*kehou, "worker", "--no-startup-delay"]),
            "web server": subprocess.Popen([*kehou, "runserver", address]),
        }
        died = None
        try:
            while died is None:
                died = next((n for n, c in children.items() if c.poll() is not None), None)
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)
            for child in children.values():
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
        if died is not None:
            raise CommandError(f"the {died} stopped (exit code {children[died].returncode})")
