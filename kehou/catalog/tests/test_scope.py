"""Every catalog write guards itself: an actor outside the school gets OutOfScope (a 404
on a page) from the service itself, and nothing changes."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from kehou.catalog import services
from kehou.catalog.models import Menu
from kehou.org.access import SYSTEM, OutOfScope
from kehou.testing import factories as f
from kehou.testing.snapshots import everything

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jiangsu")]


@pytest.fixture
def north_things(north, north_menu):
    """North's menu, one of its offerings and its activity; the menu published and its
    closing time set, so that every transition has something to do."""
    teacher = f.StaffFactory(school=north.school)
    offering = f.offering(north_menu, "足球A班", instructor=teacher)
    f.ready_to_open(north_menu)
    Menu.objects.filter(pk=north_menu.pk).update(
        window_closes_at=timezone.now() + dt.timedelta(days=7)
    )
    north_menu.refresh_from_db()
    return north_menu, offering, offering.activity, teacher


def calls(north, south, south_menu, menu, offering, activity, teacher):
    """Every catalog write, aimed at north's objects."""
    settings = {
        "mode": "fcfs",
        "mechanism": "da",
        "max_extended_per_child": 1,
        "window_opens_at": None,
        "window_closes_at": None,
    }
    return {
        "menu_create": lambda actor: services.menu_create(
            school=north.school, term=menu.term, actor=actor
        ),
        "activity_save (new)": lambda actor: services.activity_save(
            school=north.school, actor=actor, name="围棋", category="club"
        ),
        "activity_save (north's activity)": lambda actor: services.activity_save(
            school=north.school, actor=actor, activity=activity, name="改名"
        ),
        "activity_save (north's activity, own school)": lambda actor: services.activity_save(
            school=south.school, actor=actor, activity=activity, name="改名"
        ),
        "offering_save (new)": lambda actor: services.offering_save(
            menu=menu,
            actor=actor,
            meetings=[f.WED_1600],
            activity=activity,
            name="B班",
            grade_from=1,
            grade_to=6,
            capacity=10,
            instructor=teacher,
        ),
        "offering_save (north's offering)": lambda actor: services.offering_save(
            menu=menu, actor=actor, offering=offering, meetings=[f.MON_1600], capacity=99
        ),
        "offering_save (north's offering, own menu)": lambda actor: services.offering_save(
            menu=south_menu, actor=actor, offering=offering, meetings=[f.MON_1600], capacity=99
        ),
        "offering_delete": lambda actor: services.offering_delete(offering=offering, actor=actor),
        "menu_settings_save": lambda actor: services.menu_settings_save(
            menu=menu, actor=actor, **settings
        ),
        "menu_publish": lambda actor: services.menu_publish(menu=menu, actor=actor),
        "menu_open_window": lambda actor: services.menu_open_window(menu=menu, actor=actor),
        "menu_close_window": lambda actor: services.menu_close_window(menu=menu, actor=actor),
        "menu_mark_allocated": lambda actor: services.menu_mark_allocated(menu=menu, actor=actor),
        "menu_start_running": lambda actor: services.menu_start_running(menu=menu, actor=actor),
    }


# Each write is tried in the status where it would otherwise succeed.
STATUS_FOR = {
    "menu_publish": "draft",
    "menu_open_window": "published",
    "menu_close_window": "window_open",
    "menu_mark_allocated": "closed",
    "menu_start_running": "allocated",
}
SERVICES = [
    "menu_create",
    "activity_save (new)",
    "activity_save (north's activity)",
    "activity_save (north's activity, own school)",
    "offering_save (new)",
    "offering_save (north's offering)",
    "offering_save (north's offering, own menu)",
    "offering_delete",
    "menu_settings_save",
    *STATUS_FOR,
]


@pytest.mark.parametrize("name", SERVICES)
def test_south_admin_gets_out_of_scope_on_norths_menu(north, south, south_menu, north_things, name):
    menu = north_things[0]
    Menu.objects.filter(pk=menu.pk).update(status=STATUS_FOR.get(name, "draft"))
    call = calls(north, south, south_menu, *north_things)[name]
    before = everything()
    with pytest.raises(OutOfScope):
        call(south.admin)
    assert everything() == before


@pytest.mark.parametrize("who", ["teacher", "gate", "guardian_user", "county_officer"])
def test_norths_other_roles_may_not_write_its_menu(north, south, south_menu, north_things, who):
    actor = getattr(north, who)
    before = everything()
    for call in calls(north, south, south_menu, *north_things).values():
        with pytest.raises(OutOfScope):
            call(actor)
    assert everything() == before


def test_an_anonymous_caller_may_not_write(north, south, south_menu, north_things):
    before = everything()
    for call in calls(north, south, south_menu, *north_things).values():
        with pytest.raises(OutOfScope):
            call(AnonymousUser())
    assert everything() == before


@pytest.mark.parametrize("name", list(STATUS_FOR))
def test_the_schools_admin_and_kehou_itself_may(north, south, south_menu, north_things, name):
    menu = north_things[0]
    for actor in (north.admin, SYSTEM):
        Menu.objects.filter(pk=menu.pk).update(status=STATUS_FOR[name])
        calls(north, south, south_menu, *north_things)[name](actor)
