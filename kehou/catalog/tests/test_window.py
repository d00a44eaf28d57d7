"""One definition of the choice window (issue 8, item 11): `Menu.status_at` /
`Menu.window_state_at`, from the window's dates and now. Every page and service asks the
menu; none keeps its own rule."""

import datetime as dt

import pytest
from django.utils import timezone

from kehou.catalog.models import WINDOW_CLOSED, WINDOW_NOT_YET, WINDOW_OPEN, Menu
from kehou.testing import factories as f

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("status", "opens", "closes", "shown", "state"),
    [
        ("draft", None, None, "draft", WINDOW_NOT_YET),
        ("published", -HOUR, HOUR, "published", WINDOW_NOT_YET),
        ("window_open", -HOUR, HOUR, "window_open", WINDOW_OPEN),
        ("window_open", None, None, "window_open", WINDOW_OPEN),
        # the school set an opening time still ahead: not open yet, whatever is stored
        ("window_open", HOUR, 2 * HOUR, "published", WINDOW_NOT_YET),
        # the closing time has passed before the school pressed "close"
        ("window_open", -2 * HOUR, -HOUR, "closed", WINDOW_CLOSED),
        ("closed", -2 * HOUR, -HOUR, "closed", WINDOW_CLOSED),
        ("allocated", -2 * HOUR, -HOUR, "allocated", WINDOW_CLOSED),
        ("running", -2 * HOUR, -HOUR, "running", WINDOW_CLOSED),
    ],
)
def test_the_window_as_it_is_true_now(north, term, status, opens, closes, shown, state):
    now = timezone.now()
    menu = f.menu(north.school, term=term, status=status)
    menu.window_opens_at = now + opens if opens is not None else None
    menu.window_closes_at = now + closes if closes is not None else None
    assert menu.status_at(now) == shown
    assert menu.window_state_at(now) == state
    assert menu.window_is_open_at(now) == (state == WINDOW_OPEN)
    assert menu.shown_status == shown and menu.window_state == state
    assert menu.get_shown_status_display() == Menu.Status(shown).label


def test_no_other_app_keeps_its_own_window_rule():
    """enrollment and home used to keep their own `window_open` / `window_state`."""
    from kehou.enrollment import selectors as enrollment_selectors
    from kehou.home import selectors as home_selectors

    for module in (enrollment_selectors, home_selectors):
        assert not hasattr(module, "window_open")
        assert not hasattr(module, "window_state")
