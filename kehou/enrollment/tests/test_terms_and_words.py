"""Issue 8: a term switcher on the families' pages (item 11), what a page says about the
choice window after it has closed (item 11), and the two different ways out named
differently (item 12): leaving the after-school service (退出课后服务) and dropping one
activity (退选)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kehou.catalog.models import Menu
from kehou.enrollment.models import Application, Enrollment, SeatEvent
from kehou.testing import factories as f

pytestmark = pytest.mark.django_db


def url(name, *args, term=None):
    base = reverse(f"enrollment:{name}", args=args)
    return f"{base}?term={term.code}" if term else base


@pytest.fixture
def spring(term):
    return f.TermFactory(
        school_year=term.school_year,
        semester=2,
        start=term.end + dt.timedelta(days=30),
        end=term.end + dt.timedelta(days=150),
    )


def test_the_family_page_switches_to_the_spring_term(client, north, term, spring):
    """Parents found the spring application only by editing the address: the page they
    land on (this term) links to the spring term, and says its choices are open."""
    f.menu(north.school, term=term, status="running")
    f.menu(north.school, term=spring)  # window open now
    client.force_login(north.guardian_user)
    body = client.get(url("family")).content.decode()
    assert 'class="term-switcher"' in body
    assert f'href="?term={spring.code}"' in body
    assert f"{spring}正在开放选课" in body
    spring_page = client.get(url("family", term=spring)).content.decode()
    assert url("apply", north.child.pk) + f"?term={spring.code}" in spring_page
    assert f'href="?term={term.code}"' in spring_page


def test_the_switcher_shows_only_terms_the_family_has_something_in(client, north, south, term):
    other = f.TermFactory(
        school_year=f.SchoolYearFactory(start_year=2030),
        semester=1,
        start=dt.date(2030, 9, 1),
        end=dt.date(2031, 1, 20),
    )
    f.menu(south.school, term=other)
    f.menu(north.school, term=term)
    client.force_login(north.guardian_user)
    body = client.get(url("family")).content.decode()
    assert f"?term={term.code}" in body and f"?term={other.code}" not in body


def test_a_window_past_its_closing_time_is_not_called_open(client, north, term):
    """The menu's stored status still says the window is open, but its closing time has
    passed: the family page and the ranking page say it has closed."""
    menu = f.menu(north.school, term=term, closes_in=-dt.timedelta(minutes=5))
    assert menu.status == Menu.Status.WINDOW_OPEN
    offering = f.offering(menu)
    app = f.application(north.child, term, choices=[offering])
    client.force_login(north.guardian_user)
    closes = timezone.localtime(menu.window_closes_at).strftime("%Y-%m-%d %H:%M")
    family = client.get(url("family", term=term)).content.decode()
    assert f"选课已于{closes}截止" in family
    assert "填报先后不影响结果" not in family and "选课开放中" not in family
    ranking = client.get(url("choices", app.pk)).content.decode()
    assert f"选课已于{closes}截止" in ranking
    assert "保存志愿" not in ranking.replace("查看志愿", "")
    assert "disabled" in ranking


def test_an_open_window_and_one_not_open_yet_say_so(client, north, term):
    menu = f.menu(north.school, term=term)
    f.offering(menu)
    app = f.application(north.child, term)
    client.force_login(north.guardian_user)
    assert "填报先后不影响结果" in client.get(url("family", term=term)).content.decode()
    Menu.objects.filter(pk=menu.pk).update(
        window_opens_at=timezone.now() + dt.timedelta(days=1),
        window_closes_at=timezone.now() + dt.timedelta(days=3),
    )
    body = client.get(url("choices", app.pk)).content.decode()
    assert "选课将于" in body and "开始" in body and "选课开放中" not in body


def test_a_sign_up_past_its_closing_time_offers_no_button(client, north, term):
    menu = f.menu(north.school, term=term, mode="fcfs", closes_in=-dt.timedelta(hours=1))
    offering = f.offering(menu)
    app = f.application(north.child, term)
    client.force_login(north.guardian_user)
    body = client.get(url("fcfs", app.pk)).content.decode()
    assert "报名已于" in body and "截止" in body
    assert reverse("enrollment:claim", args=[app.pk, offering.pk]) not in body


def test_leaving_the_service_and_dropping_an_activity_have_different_names(client, north, term):
    """On the family page, the pages, the messages, the statuses and the seat history."""
    menu = f.menu(north.school, term=term, status="running")
    football, choir = f.offering(menu, "足球"), f.offering(menu, "合唱", weekday=2)
    app = f.application(north.child, term)
    football_seat, choir_seat = f.enrol(app, football), f.enrol(app, choir)
    client.force_login(north.guardian_user)

    family = client.get(url("family", term=term)).content.decode()
    assert family.count("退选该项目") == 2  # one per activity
    assert "退出课后服务" in family
    drop_page = client.get(url("enrollment_withdraw", football_seat.pk)).content.decode()
    assert "退选“足球”" in drop_page and "退出课后服务" not in drop_page.split("</h1>")[0]

    on = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(url("enrollment_withdraw", football_seat.pk), {"on": on.isoformat()})
    assert response.status_code == 302
    assert "已退选“足球”。" in [str(m) for m in response.wsgi_request._messages]
    event = SeatEvent.objects.get(enrollment=football_seat, kind=SeatEvent.Kind.ENDED)
    assert event.reason == "退选“足球”"

    leave_page = client.get(url("withdraw", app.pk)).content.decode()
    assert "退出课后服务" in leave_page.split("</h1>")[0] and "退选该项目" in leave_page
    response = client.post(url("withdraw", app.pk), {"on": on.isoformat()})
    assert response.status_code == 302
    assert f"{north.child.name}已退出课后服务。" in [
        str(m) for m in response.wsgi_request._messages
    ]
    event = SeatEvent.objects.get(enrollment=choir_seat, kind=SeatEvent.Kind.ENDED)
    assert event.reason == "退出课后服务"

    app.refresh_from_db()
    assert app.get_status_display() == "已退出课后服务"
    football_seat.refresh_from_db()
    Enrollment.objects.filter(pk=football_seat.pk).update(status=Enrollment.Status.WITHDRAWN)
    football_seat.refresh_from_db()
    assert football_seat.get_status_display() == "已退选"
    assert Application.Status.WITHDRAWN.label != Enrollment.Status.WITHDRAWN.label
