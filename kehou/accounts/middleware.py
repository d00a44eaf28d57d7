"""After a temporary password (a school admin's reset), the only page is choosing a new one."""

from django.shortcuts import redirect
from django.urls import reverse


class TemporaryPasswordMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "temporary_password_until", None)
            and request.path
            not in {
                reverse("accounts:password_change"),
                reverse("accounts:logout"),
                reverse("set_language"),
            }
            and not request.path.startswith("/static/")
        ):
            return redirect("accounts:password_change")
        return self.get_response(request)
