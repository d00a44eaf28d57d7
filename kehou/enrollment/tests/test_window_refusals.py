"""A family's choices and claims follow the window as families are told it (issue 8,
item 11): from the window's dates and now (Menu.window_state_at), with a stable code,
the field, and a Chinese message saying when it opens or that it has closed."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kehou.catalog.models import Menu
from kehou.core.errors import items
from kehou.enrollment import services
from kehou.enrollment.models import Choice, Enrollment
from kehou.testing import factories as f
from kehou.testing.snapshots import everything

pytestmark = pytest.mark.django_db


def _refused(call) -> tuple[str, str, str]:
    before = everything()
    with pytest.raises(ValidationError) as caught:
        call()
    assert everything() == before
    (item,) = items(caught.value)
    return item.field, item.code, item.message


def _opens_later(menu):
    menu.window_opens_at = timezone.now() + dt.timedelta(hours=2)
    menu.save(update_fields=["window_opens_at"])
    return timezone.localtime(menu.window_opens_at).strftime("%Y-%m-%d %H:%M")


def test_choices_before_the_opening_time_are_refused_with_the_time(north, term):
    """The stored status says the window is open, but its opening time is still ahead:
    the family is told when it opens (before, the catalog showed "open" and the service
    said "not open, or has closed")."""
    menu = f.menu(north.school, term=term)
    opens = _opens_later(menu)
    offering = f.offering(menu)
    app = f.application(north.child, term)
    field, code, message = _refused(
        lambda: services.choices_set(
            application=app, offering_ids=[offering.pk], actor=north.guardian_user
        )
    )
    assert (field, code) == ("choices", "window_not_yet_open")
    assert message == f"选课尚未开始：{opens}开始。"
    assert menu.get_shown_status_display() == "已发布"


def test_choices_after_the_closing_time_are_refused(north, term):
    menu = f.menu(north.school, term=term, closes_in=-dt.timedelta(minutes=1))
    offering = f.offering(menu)
    app = f.application(north.child, term)
    field, code, message = _refused(
        lambda: services.choices_set(
            application=app, offering_ids=[offering.pk], actor=north.guardian_user
        )
    )
    assert (field, code) == ("choices", "window_closed")
    assert message == "选课已截止，志愿不能再修改。"
    assert not Choice.objects.exists()


@pytest.mark.parametrize("when", ["not_yet", "closed"])
def test_claims_outside_the_sign_up_window_are_refused(north, term, when):
    menu = f.menu(
        north.school,
        term=term,
        mode=Menu.Mode.FCFS,
        closes_in=dt.timedelta(days=1) if when == "not_yet" else -dt.timedelta(minutes=1),
    )
    opens = _opens_later(menu) if when == "not_yet" else None
    offering = f.offering(menu)
    app = f.application(north.child, term)
    field, code, message = _refused(
        lambda: services.fcfs_claim(application=app, offering=offering, actor=north.guardian_user)
    )
    assert field == "offering"
    if when == "not_yet":
        assert code == "window_not_yet_open"
        assert message == f"报名尚未开始：{opens}开始。"
    else:
        assert code == "window_closed"
        assert "报名已截止" in message
    assert not Enrollment.objects.exists()


def test_placing_while_the_window_has_ended_but_is_not_closed_says_so(north, term):
    """Before, the refusal said "placed once the window has closed (now: window open)"."""
    menu = f.menu(north.school, term=term, closes_in=-dt.timedelta(minutes=1))
    offering = f.offering(menu)
    app = f.application(north.child, term)
    field, code, message = _refused(
        lambda: services.enrollment_place(
            application=app, offering=offering, on=timezone.localdate(), actor=north.admin
        )
    )
    assert code == "menu_not_placing"
    assert "先在菜单页关闭选课" in message


def test_a_family_may_still_apply_after_the_window_closed(north, term):
    """R13 (seed 001): a child may join at any time. An application after the window is
    accepted; the school then admits and places the child (application_join,
    enrollment_place). Only ranking and first-come claims follow the window."""
    f.menu(north.school, term=term, status="closed", closes_in=-dt.timedelta(days=1))
    agreement = f.agreement(north.school)
    app = services.application_submit(
        student=north.child,
        term=term,
        actor=north.guardian_user,
        service_weekdays=[0, 2, 4],
        wants_extended_care=False,
        has_accident_insurance=True,
        agreement=agreement,
    )
    assert app.status == "submitted"
