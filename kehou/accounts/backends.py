"""Login by phone and password: paused after repeated failures, and never with the demo
city's published password outside the demo.

`kehou seed` gives every demo account one password and prints it (so does the README).
Outside the demo (settings.DEMO_MODE off: production) that password opens nothing, so a
demo database restored or left on a production server cannot be entered with it.

Every door that authenticates with a request (the login page, the Django admin's login)
passes here, so the lockout (kehou.accounts.lockout) holds for all of them: a paused
phone/address is refused before the password is checked.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kehou.accounts import lockout

# The one definition: kehou.demo.seed hashes this for every demo account.
DEMO_PASSWORD = "kehou2026"


def is_refused_demo_password(password: object) -> bool:
    return not settings.DEMO_MODE and password == DEMO_PASSWORD


class PasswordBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None:
            lock = lockout.lock_for(request, username)
            if lock is not None:
                # django.contrib.auth.authenticate stops at PermissionDenied and sends
                # user_login_failed; the lockout sees request.login_lock and stores nothing.
                request.login_lock = lock
                raise PermissionDenied
        if is_refused_demo_password(password):
            return None
        if username is not None:
            username = lockout.phone_of(username)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        until = getattr(user, "temporary_password_until", None)
        if until is not None and until < timezone.now():
            if request is not None:
                request.temporary_password_expired = True
            return None
        return user
