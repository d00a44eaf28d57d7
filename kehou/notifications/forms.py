from django import forms
from django.utils.translation import gettext_lazy as _

from kehou.notifications.models import ChannelChoice


class ChannelChoiceForm(forms.Form):
    """The channel page; the service checks everything (a channel off here that the
    deployment cannot send on is shown disabled)."""

    by_email = forms.BooleanField(label=_("by e-mail"), required=False)
    email = forms.CharField(
        label=_("e-mail address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    by_sms = forms.BooleanField(label=_("by SMS"), required=False)
    by_wechat = forms.BooleanField(label=_("by WeChat"), required=False)
    wechat_openid = forms.CharField(
        label=_("WeChat account id"),
        required=False,
        max_length=64,
        help_text=_("Shown by the school's WeChat official account when you follow it."),
    )

    def __init__(self, *args, states=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.initial = dict(self.initial)
        for state in states:
            field = self.fields[f"by_{state.name}"]
            if not state.available:
                # A disabled field keeps its initial value whatever is posted: off.
                self.initial[f"by_{state.name}"] = False
                field.disabled = True
                field.help_text = _("Not available: this service cannot send it yet.")


def initial_for(choice: ChannelChoice | None, *, sms_default: bool) -> dict:
    if choice is None:
        return {"by_sms": sms_default}
    return {
        "by_email": choice.by_email,
        "email": choice.email,
        "by_sms": choice.by_sms,
        "by_wechat": choice.by_wechat,
        "wechat_openid": choice.wechat_openid,
    }
