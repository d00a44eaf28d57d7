"""Login by phone and password, except with the demo city's published password.

`kehou seed` gives every demo account one password and prints it (so does the README).
Outside the demo (settings.DEMO_MODE off: production) that password opens nothing, so a
demo database restored or left on a production server cannot be entered with it.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

# The one definition: kehou.demo.seed hashes this for every demo account.
DEMO_PASSWORD = "kehou2026"


def is_refused_demo_password(password: object) -> bool:
    return not settings.DEMO_MODE and password == DEMO_PASSWORD


class PasswordBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if is_refused_demo_password(password):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
