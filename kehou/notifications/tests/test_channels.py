"""Choosing channels: the service checks every address and availability, refuses with
the field named and nothing written, and keeps the change's history; the page shows what
this deployment cannot send."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from kehou.core import errors
from kehou.notifications.models import ChannelChoice
from kehou.notifications.services import channel_choice_save
from kehou.org.access import SYSTEM, OutOfScope
from kehou.testing import snapshots


def _refused(**kw):
    before = snapshots.everything()
    with pytest.raises(errors.ValidationError) as refused:
        channel_choice_save(**kw)
    assert snapshots.everything() == before
    return {(item.field, item.code) for item in errors.items(refused.value)}


def test_email_needs_an_address(north):
    user = north.guardian_user
    assert _refused(user=user, actor=user, by_email=True) == {("email", "email_required")}
    assert _refused(user=user, actor=user, by_email=True, email="not-an-address") == {
        ("email", "email_invalid")
    }


def test_wechat_needs_an_account_id_and_a_gateway(north, wechat):
    user = north.guardian_user
    assert _refused(user=user, actor=user, by_wechat=True) == {
        ("wechat_openid", "wechat_openid_required")
    }
    assert _refused(user=user, actor=user, by_wechat=True, wechat_openid="有 空格") == {
        ("wechat_openid", "wechat_openid_invalid")
    }


def test_a_channel_without_a_gateway_cannot_be_chosen(north):
    user = north.guardian_user
    problems = _refused(user=user, actor=user, by_sms=True, by_wechat=True, wechat_openid="oAbc123")
    assert problems == {("by_sms", "channel_unavailable"), ("by_wechat", "channel_unavailable")}


def test_every_problem_is_named_at_once(north):
    user = north.guardian_user
    problems = _refused(user=user, actor=user, by_email=True, by_sms=True, by_wechat=True)
    assert {code for _field, code in problems} == {
        "email_required",
        "wechat_openid_required",
        "channel_unavailable",
    }


def test_a_valid_choice_is_saved_and_its_history_kept(north, sms):
    user = north.guardian_user
    choice = channel_choice_save(
        user=user, actor=user, by_email=True, email=" mum@example.cn ", by_sms=True
    )
    assert (choice.by_email, choice.email, choice.by_sms) == (True, "mum@example.cn", True)
    assert LogEntry.objects.get_for_object(choice).count() == 1
    # saved again: one row, changed
    channel_choice_save(user=user, actor=user, email="mum@example.cn")
    choice.refresh_from_db()
    assert ChannelChoice.objects.count() == 1 and not choice.by_email and not choice.by_sms
    assert LogEntry.objects.get_for_object(choice).count() == 2


def test_nobody_chooses_for_someone_else(north, south):
    for actor in (south.guardian_user, north.admin, north.teacher):
        with pytest.raises(OutOfScope):
            channel_choice_save(user=north.guardian_user, actor=actor, by_sms=False)
    assert not ChannelChoice.objects.exists()
    # kehou itself may (the demo's setup)
    channel_choice_save(user=north.guardian_user, actor=SYSTEM)


def test_the_page_shows_the_unavailable_channels(client, north):
    client.force_login(north.guardian_user)
    page = client.get(reverse("notifications:channels")).content.decode()
    assert page.count("暂不可用") == 2  # SMS and WeChat
    assert 'name="by_sms"' in page and "disabled" in page


def test_the_page_saves_a_choice(client, north, sms):
    client.force_login(north.guardian_user)
    url = reverse("notifications:channels")
    page = client.get(url).content.decode()
    assert "暂不可用" not in page.split('id="channel-sms"')[1].split("</fieldset>")[0]
    response = client.post(url, {"by_email": "on", "email": "mum@example.cn", "by_sms": "on"})
    assert response.status_code == 302
    choice = ChannelChoice.objects.get(user=north.guardian_user)
    assert (choice.by_email, choice.email, choice.by_sms, choice.by_wechat) == (
        True,
        "mum@example.cn",
        True,
        False,
    )


def test_the_page_shows_a_refusal_beside_its_field_and_saves_nothing(client, north):
    client.force_login(north.guardian_user)
    response = client.post(reverse("notifications:channels"), {"by_email": "on", "email": ""})
    assert response.status_code == 200
    assert "请填写接收通知的电子邮箱地址" in response.content.decode()
    assert not ChannelChoice.objects.exists()


def test_a_disabled_channel_posted_anyway_is_left_off(client, north):
    ChannelChoice.objects.create(user=north.guardian_user, by_sms=True)  # from an earlier gateway
    client.force_login(north.guardian_user)
    response = client.post(reverse("notifications:channels"), {"by_sms": "on"})
    assert response.status_code == 302
    assert ChannelChoice.objects.get(user=north.guardian_user).by_sms is False


def test_every_role_may_choose_its_channels(client, north):
    for user in (north.teacher, north.admin, north.gate, north.county_officer):
        client.force_login(user)
        assert client.get(reverse("notifications:channels")).status_code == 200
