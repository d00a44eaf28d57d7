"""The inbox: one's own notifications only, newest first, unread marked, paginated;
marking read is a POST; the navigation counts the unread."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from kehou.notifications.models import Notification
from kehou.notifications.services import notify


def _notice(user, n=1, **kw):
    [notification] = notify(
        recipients=[user],
        kind=kw.pop("kind", Notification.Kind.SEAT_OFFER),
        title=kw.pop("title", f"通知{n}"),
        body=kw.pop("body", f"内容{n}"),
        link=kw.pop("link", "/allocation/mine/"),
        key=f"test:{n}",
        **kw,
    )
    return notification


def test_the_inbox_lists_ones_own_newest_first_with_the_unread_marked(client, north, south):
    old = _notice(north.guardian_user, 1, title="较早的通知")
    Notification.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=1), read_at=timezone.now()
    )
    _notice(north.guardian_user, 2, title="新的通知")
    _notice(south.guardian_user, 3, title="别人的通知")
    client.force_login(north.guardian_user)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert page.index("新的通知") < page.index("较早的通知")
    assert "别人的通知" not in page
    assert page.count("未读") >= 2  # the count and the new one's mark
    assert reverse("notifications:read_all") in page


def test_the_inbox_is_paginated(client, north):
    for n in range(25):
        _notice(north.guardian_user, n, title=f"第{n}条")
    client.force_login(north.guardian_user)
    first = client.get(reverse("notifications:inbox")).content.decode()
    second = client.get(reverse("notifications:inbox"), {"page": 2}).content.decode()
    assert "第24条" in first and "第0条" not in first
    assert "第0条" in second and "第24条" not in second


def test_opening_one_shows_its_text_and_link_and_reading_is_a_post(client, north):
    notice = _notice(north.guardian_user, body="请在截止前接受或放弃。")
    client.force_login(north.guardian_user)
    url = reverse("notifications:detail", args=[notice.pk])
    page = client.get(url).content.decode()
    assert "请在截止前接受或放弃。" in page
    assert reverse("notifications:follow", args=[notice.pk]) in page
    notice.refresh_from_db()
    assert notice.read_at is None  # a GET never writes
    # the read URL answers only POST
    assert client.get(reverse("notifications:read", args=[notice.pk])).status_code == 405
    response = client.post(reverse("notifications:read", args=[notice.pk]), {"next": url})
    assert response.status_code == 302 and response["Location"] == url
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_going_to_the_page_marks_it_read(client, north):
    notice = _notice(north.guardian_user)
    client.force_login(north.guardian_user)
    response = client.post(reverse("notifications:follow", args=[notice.pk]))
    assert response["Location"] == "/allocation/mine/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_a_link_outside_kehou_is_not_followed(client, north):
    notice = _notice(north.guardian_user, link="https://elsewhere.example/")
    client.force_login(north.guardian_user)
    page = client.get(reverse("notifications:detail", args=[notice.pk])).content.decode()
    assert "elsewhere.example" not in page
    response = client.post(reverse("notifications:follow", args=[notice.pk]))
    assert response["Location"] == reverse("notifications:detail", args=[notice.pk])
    assert client.post(
        reverse("notifications:read", args=[notice.pk]), {"next": "https://elsewhere.example/"}
    )["Location"] == reverse("notifications:inbox")


def test_mark_all_read_marks_only_ones_own(client, north, south):
    mine = [_notice(north.guardian_user, n) for n in range(3)]
    theirs = _notice(south.guardian_user, 9)
    client.force_login(north.guardian_user)
    assert client.get(reverse("notifications:read_all")).status_code == 405
    client.post(reverse("notifications:read_all"))
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_anothers_notification_is_a_404_and_stays_unread(client, north, south):
    theirs = _notice(south.guardian_user)
    for persona in (north.guardian_user, north.admin, north.teacher, south.admin):
        client.force_login(persona)
        assert client.get(reverse("notifications:detail", args=[theirs.pk])).status_code == 404
        assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
        assert client.post(reverse("notifications:follow", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_inbox_needs_a_login(client, north):
    notice = _notice(north.guardian_user)
    for url in (
        reverse("notifications:inbox"),
        reverse("notifications:detail", args=[notice.pk]),
        reverse("notifications:channels"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_every_role_sees_the_unread_count_in_the_navigation(client, north):
    for user in (north.guardian_user, north.teacher, north.admin, north.gate, north.county_officer):
        _notice(user, 1)
        _notice(user, 2)
        client.force_login(user)
        page = client.get(reverse("home:index"), follow=True).content.decode()
        assert 'class="nav-inbox"' in page, user.role
        assert "2 条未读" in page or ">2<" in page, user.role


def test_the_navigation_count_costs_one_query(client, north, django_assert_max_num_queries):
    for n in range(30):
        _notice(north.guardian_user, n)
    client.force_login(north.guardian_user)
    url = reverse("notifications:inbox")
    client.get(url)
    with django_assert_max_num_queries(8):
        page = client.get(url).content.decode()
    assert ">30<" in page


def test_the_inbox_reads_in_english(client, north):
    _notice(north.guardian_user)
    client.force_login(north.guardian_user)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "Inbox" in page and "Mark all read" in page and "Unread" in page
