"""The inbox pages (every signed-in user) and the channel choice. Thin: read with
kehou.notifications.selectors (another user's notification is a 404), write with
kehou.notifications.services. Marking read is a POST; a GET never writes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehou.core.errors import add_to_form
from kehou.notifications import channels as ch
from kehou.notifications import selectors, services
from kehou.notifications.forms import ChannelChoiceForm, initial_for

PER_PAGE = 20


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = selectors.inbox(request.user)
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread": selectors.unread_count(request.user)},
    )


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.access_notification(request.user, pk)
    return render(
        request,
        "notifications/detail.html",
        {"notification": notification, "link_ok": _safe(request, notification.link)},
    )


def _safe(request: HttpRequest, link: str) -> bool:
    return bool(link) and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _back(request: HttpRequest):
    target = request.POST.get("next", "")
    if _safe(request, target):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.access_notification(request.user, pk)
    services.notification_read(notification=notification, actor=request.user)
    return _back(request)


@login_required
@require_POST
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the page the notification points to, marking it read."""
    notification = selectors.access_notification(request.user, pk)
    services.notification_read(notification=notification, actor=request.user)
    if _safe(request, notification.link):
        return redirect(notification.link)
    return redirect("notifications:detail", pk=notification.pk)


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_read_all(actor=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked read.", "%(count)d notifications marked read.", count
            )
            % {"count": count},
        )
    return _back(request)


@login_required
@require_http_methods(["GET", "POST"])
def channel_choice(request: HttpRequest) -> HttpResponse:
    states = selectors.channel_states(request.user)
    choice = selectors.channel_choice(request.user)
    initial = initial_for(choice, sms_default=ch.default_sms() and ch.channel(ch.SMS).available())
    if request.method == "POST":
        form = ChannelChoiceForm(request.POST, initial=initial, states=states)
        if form.is_valid():
            try:
                services.channel_choice_save(
                    user=request.user, actor=request.user, **form.cleaned_data
                )
            except ValidationError as refused:
                add_to_form(form, refused)
            else:
                messages.success(request, _("Your choice of channels is saved."))
                return redirect("notifications:channels")
    else:
        form = ChannelChoiceForm(initial=initial, states=states)
    return render(
        request,
        "notifications/channels.html",
        {"form": form, "states": states, "choice": choice, "phone": request.user.phone},
    )
