"""The `kehou` console script: Django's management commands under one name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehou.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["kehou", *sys.argv[1:]])
    except ImproperlyConfigured as problem:
        # An incomplete environment is the operator's to fix; the message says how.
        sys.exit(f"kehou: {problem}")


if __name__ == "__main__":
    main()
