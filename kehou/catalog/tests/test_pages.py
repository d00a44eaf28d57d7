"""Pages: the admin builds and runs the menu; teachers and the bureau read; guardians see
their child's published menu; nobody outside scope sees or changes anything (404); the
seed stays hidden and no demand is shown while the window is open."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from kehou.catalog import services
from kehou.catalog.models import Activity, Menu, Offering
from kehou.policy_rules import DOCUMENT_TITLES
from kehou.testing import factories as f
from kehou.testing.snapshots import everything

DOC_000, DOC_001 = DOCUMENT_TITLES["000"], DOCUMENT_TITLES["001"]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jiangsu")]


def _menu_url(school, term):
    return reverse("catalog:menu", args=[school.pk]) + f"?term={term.code}"


def _offering_post(activity, instructor, **overrides):
    data = {
        "activity": activity.pk,
        "name": "A班",
        "grade_from": "3",
        "grade_to": "4",
        "capacity": "25",
        "instructor": instructor.pk,
        "room": "302教室",
        "off_campus_venue": "",
        "fee_per_term": "",
        "meetings-TOTAL_FORMS": "2",
        "meetings-INITIAL_FORMS": "0",
        "meetings-MIN_NUM_FORMS": "0",
        "meetings-MAX_NUM_FORMS": "14",
        "meetings-0-weekday": "0",
        "meetings-0-start": "16:00",
        "meetings-0-end": "17:00",
        "meetings-1-weekday": "",
        "meetings-1-start": "",
        "meetings-1-end": "",
    }
    data.update(overrides)
    return data


def _snapshot(menu):
    menu.refresh_from_db()
    offerings = list(
        Offering.objects.filter(menu=menu).values_list("pk", "capacity", "grade_to", "name")
    )
    return (menu.status, menu.mode, menu.lottery_seed, offerings)


def _open(menu, admin):
    f.ready_to_open(menu)
    menu.window_closes_at = timezone.now() + dt.timedelta(days=7)
    menu.save()
    services.menu_publish(menu=menu, actor=admin)
    return services.menu_open_window(menu=menu, actor=admin)


# --- the school admin --------------------------------------------------------------------


def test_admin_builds_a_menu_through_the_pages(client, north, term):
    client.force_login(north.admin)
    # the overview of a term without a menu offers to create it, and writes nothing
    before = everything()
    page = client.get(_menu_url(north.school, term)).content.decode()
    assert "创建本学期菜单" in page
    assert everything() == before
    # the button creates the term's draft menu
    create = reverse("catalog:menu_create", args=[north.school.pk])
    response = client.post(create, {"term": term.code})
    assert response.status_code == 302
    assert response.url == _menu_url(north.school, term)
    menu = Menu.objects.get(school=north.school, term=term)
    assert menu.status == "draft"
    assert client.post(create, {"term": term.code}).status_code == 302  # idempotent
    assert Menu.objects.count() == 1
    assert "创建本学期菜单" not in client.get(_menu_url(north.school, term)).content.decode()
    # an activity
    response = client.post(
        reverse("catalog:activity_create", args=[north.school.pk]),
        {"name": "剪纸", "category": "arts", "risk_level": "low", "description": "民间剪纸"},
    )
    assert response.status_code == 302
    activity = Activity.objects.get(school=north.school, name="剪纸")
    # an offering with one meeting
    teacher = f.StaffFactory(school=north.school, name="张老师")
    response = client.post(
        reverse("catalog:offering_create", args=[menu.pk]), _offering_post(activity, teacher)
    )
    assert response.status_code == 302, response.content.decode()
    offering = Offering.objects.get(menu=menu)
    assert offering.meetings.count() == 1
    # the overview lists it
    page = client.get(_menu_url(north.school, term)).content.decode()
    assert "剪纸" in page and "张老师" in page and "302教室" in page
    # publishing needs a confirmation: GET shows it, POST does it
    url = reverse("catalog:transition", args=[menu.pk, "publish"])
    assert client.get(url).status_code == 200
    menu.refresh_from_db()
    assert menu.status == "draft"
    assert client.post(url).status_code == 302
    menu.refresh_from_db()
    assert menu.status == "published"


def test_a_forbidden_activity_shows_the_rule_beside_its_field(client, north, adopt):
    adopt("changzhi_001")
    client.force_login(north.admin)
    response = client.post(
        reverse("catalog:activity_create", args=[north.school.pk]),
        {"name": "攀岩", "category": "sports", "risk_level": "high"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "不得组织开展危险性较高的活动" in " ".join(form.errors["risk_level"])
    assert not form.non_field_errors()
    assert not Activity.objects.exists()


def test_the_activity_form_states_the_schools_rules(client, north, adopt):
    client.force_login(north.admin)
    url = reverse("catalog:activity_create", args=[north.school.pk])
    page = client.get(url).content.decode()
    assert "校外机构不得开展学科类培训" in page and DOC_000 in page and "种子0" not in page
    assert "严禁商业推广" not in page  # seed 000 does not say so
    adopt("changzhi_001")
    page = client.get(url).content.decode()
    assert "严禁商业推广" in page and DOC_001 in page


def test_an_english_page_shows_the_refusal_in_english(client, north, north_menu):
    client.force_login(north.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    activity = f.ActivityFactory(school=north.school)
    teacher = f.StaffFactory(school=north.school)
    response = client.post(
        reverse("catalog:offering_create", args=[north_menu.pk]),
        _offering_post(activity, teacher, capacity="0", fee_per_term="100"),
    )
    form = response.context["form"]
    assert form.errors["capacity"] == ["Capacity: at least 1."]
    assert form.errors["fee_per_term"][0].startswith(
        "Fee: this offering is not delivered by an external organisation"
    )
    assert f"Under {DOC_000}: “还可采用代收费方式" in form.errors["fee_per_term"][0]
    assert not Offering.objects.exists()


def test_an_offering_that_clashes_with_itself_is_shown_and_not_written(client, north_menu, north):
    client.force_login(north.admin)
    activity = f.ActivityFactory(school=north.school)
    teacher = f.StaffFactory(school=north.school)
    data = _offering_post(
        activity,
        teacher,
        **{"meetings-1-weekday": "0", "meetings-1-start": "16:30", "meetings-1-end": "17:30"},
    )
    response = client.post(reverse("catalog:offering_create", args=[north_menu.pk]), data)
    assert response.status_code == 200
    assert "时间重叠" in response.content.decode()
    assert not Offering.objects.exists()


def test_a_transition_out_of_order_is_refused_on_the_page(client, north_menu, north):
    client.force_login(north.admin)
    response = client.post(reverse("catalog:transition", args=[north_menu.pk, "close"]))
    assert response.status_code == 200
    assert "只有“选课开放中”的菜单可以截止选课" in response.content.decode()
    north_menu.refresh_from_db()
    assert north_menu.status == "draft"


def test_settings_page_states_the_trade_off_and_saves(client, north_menu, north):
    client.force_login(north.admin)
    url = reverse("catalog:settings", args=[north_menu.pk])
    page = client.get(url).content.decode()
    assert "按轮次录取：每个孩子先获得一个项目，结果更均衡" in page
    assert "按抽签顺序逐个选（如实填报总是最好）" in page and "序列独裁" not in page
    assert "约每100个孩子中有3个可能一个也得不到" in page
    response = client.post(
        url,
        {
            "mode": "lottery",
            "mechanism": "rsd",
            "max_extended_per_child": "2",
            "window_opens_at": "2026-08-20T08:00",
            "window_closes_at": "2026-08-25T20:00",
        },
    )
    assert response.status_code == 302
    north_menu.refresh_from_db()
    assert (north_menu.mechanism, north_menu.max_extended_per_child) == ("rsd", 2)


# --- scoping -----------------------------------------------------------------------------


def test_south_admin_can_neither_see_nor_change_norths_menu(client, north_menu, north, south, term):
    offering = f.offering(north_menu, capacity=20, instructor=f.StaffFactory(school=north.school))
    activity = offering.activity
    before = _snapshot(north_menu)
    client.force_login(south.admin)
    gets = [
        _menu_url(north.school, term),
        reverse("catalog:settings", args=[north_menu.pk]),
        reverse("catalog:offering_create", args=[north_menu.pk]),
        reverse("catalog:offering_edit", args=[offering.pk]),
        reverse("catalog:activity_create", args=[north.school.pk]),
        reverse("catalog:activity_edit", args=[activity.pk]),
        reverse("catalog:transition", args=[north_menu.pk, "publish"]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    south_teacher = f.StaffFactory(school=south.school)
    posts = [
        (reverse("catalog:transition", args=[north_menu.pk, "publish"]), {}),
        (
            reverse("catalog:offering_edit", args=[offering.pk]),
            _offering_post(activity, south_teacher, capacity="99"),
        ),
        (
            reverse("catalog:settings", args=[north_menu.pk]),
            {"mode": "fcfs", "mechanism": "da", "max_extended_per_child": "1"},
        ),
        (
            reverse("catalog:activity_edit", args=[activity.pk]),
            {"name": "改名", "category": "arts", "risk_level": "low"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert _snapshot(north_menu) == before
    activity.refresh_from_db()
    assert activity.name != "改名"


def test_teacher_reads_the_menu_but_cannot_change_it(client, north_menu, north, term):
    offering = f.offering(north_menu)
    before = _snapshot(north_menu)
    client.force_login(north.teacher)
    page = client.get(_menu_url(north.school, term)).content.decode()
    assert str(offering.activity) in page
    assert reverse("catalog:offering_edit", args=[offering.pk]) not in page
    assert reverse("catalog:settings", args=[north_menu.pk]) not in page
    assert (
        client.post(reverse("catalog:transition", args=[north_menu.pk, "publish"])).status_code
        == 404
    )
    assert client.get(reverse("catalog:offering_edit", args=[offering.pk])).status_code == 404
    assert _snapshot(north_menu) == before


def test_teacher_opening_a_term_without_a_menu_creates_nothing(client, north, term):
    client.force_login(north.teacher)
    page = client.get(_menu_url(north.school, term))
    assert page.status_code == 200 and "创建本学期菜单" not in page.content.decode()
    create = reverse("catalog:menu_create", args=[north.school.pk])
    assert client.post(create, {"term": term.code}).status_code == 404
    assert not Menu.objects.exists()


def test_south_admin_cannot_create_norths_menu(client, north, south, term):
    client.force_login(south.admin)
    create = reverse("catalog:menu_create", args=[north.school.pk])
    assert client.post(create, {"term": term.code}).status_code == 404
    assert client.get(create).status_code == 405
    assert not Menu.objects.exists()


def test_bureau_reads_menus_of_its_region_only(client, north_menu, south_menu, north, south, term):
    f.offering(north_menu)
    client.force_login(north.county_officer)
    assert client.get(_menu_url(north.school, term)).status_code == 200
    assert client.get(_menu_url(south.school, term)).status_code == 404
    page = client.get(reverse("catalog:region") + f"?term={term.code}").content.decode()
    assert north.school.name in page and south.school.name not in page
    before = _snapshot(north_menu)
    assert (
        client.post(reverse("catalog:transition", args=[north_menu.pk, "publish"])).status_code
        == 404
    )
    assert _snapshot(north_menu) == before


def test_gate_staff_see_no_menu(client, north_menu, north, term):
    client.force_login(north.gate)
    assert client.get(_menu_url(north.school, term)).status_code == 404


def test_guardian_sees_only_the_published_menu_of_the_childs_school_and_grade(
    client, north_menu, south_menu, north, south, term
):
    # the child is in grade 3
    north_teacher = f.StaffFactory(school=north.school)
    for_grade_3 = f.offering(north_menu, "三年级足球", grades=(3, 4), instructor=north_teacher)
    f.offering(
        north_menu, "一年级绘本", grades=(1, 2), instructor=f.StaffFactory(school=north.school)
    )
    f.offering(south_menu, "南校书法", instructor=f.StaffFactory(school=south.school))
    client.force_login(north.guardian_user)
    url = reverse("catalog:family") + f"?term={term.code}"
    # a draft menu is not shown
    page = client.get(url).content.decode()
    assert "三年级足球" not in page
    services.menu_publish(menu=north_menu, actor=north.admin)
    services.menu_publish(menu=south_menu, actor=south.admin)
    page = client.get(url).content.decode()
    assert str(for_grade_3) in page
    assert "一年级绘本" not in page and "南校书法" not in page
    # the school pages are not theirs
    assert client.get(_menu_url(north.school, term)).status_code == 404
    assert client.get(_menu_url(south.school, term)).status_code == 404


# --- seed and demand ---------------------------------------------------------------------


def test_the_seed_is_hidden_on_every_page_until_the_window_closes(client, north_menu, north, term):
    f.offering(north_menu, instructor=f.StaffFactory(school=north.school))
    menu = _open(north_menu, north.admin)
    seed, digest = menu.lottery_seed, menu.lottery_seed_hash
    pages = [
        (north.admin, _menu_url(north.school, term)),
        (north.teacher, _menu_url(north.school, term)),
        (north.county_officer, _menu_url(north.school, term)),
        (north.guardian_user, reverse("catalog:family") + f"?term={term.code}"),
        (north.admin, reverse("catalog:transition", args=[menu.pk, "close"])),
    ]
    for user, url in pages:
        client.force_login(user)
        page = client.get(url).content.decode()
        assert seed not in page, (user, url)
    client.force_login(north.admin)
    page = client.get(_menu_url(north.school, term)).content.decode()
    assert digest in page
    client.post(reverse("catalog:transition", args=[menu.pk, "close"]))
    page = client.get(_menu_url(north.school, term)).content.decode()
    assert seed in page and digest in page


def test_no_demand_is_shown_on_any_page_during_the_window(client, north_menu, north, term):
    offering = f.offering(
        north_menu, "热门足球", capacity=30, instructor=f.StaffFactory(school=north.school)
    )
    menu = _open(north_menu, north.admin)
    # seats already claimed (an FCFS-like counter) must not appear while families choose
    Offering.objects.filter(pk=offering.pk).update(taken=17)
    for user, url in [
        (north.admin, _menu_url(north.school, term)),
        (north.teacher, _menu_url(north.school, term)),
        (north.county_officer, _menu_url(north.school, term)),
        (north.guardian_user, reverse("catalog:family") + f"?term={term.code}"),
    ]:
        client.force_login(user)
        page = client.get(url).content.decode()
        assert ">17<" not in page and "已分配人数" not in page, (user, url)
    # once allocated, the admin sees who was placed
    services.menu_close_window(menu=menu, actor=north.admin)
    services.menu_mark_allocated(menu=menu, actor=north.admin)
    client.force_login(north.admin)
    page = client.get(_menu_url(north.school, term)).content.decode()
    assert ">17<" in page


def test_published_offerings_for_the_service_guide(north_menu, north, term):
    """The rows the public page's guide shows (kehou.public renders them and tests the
    page)."""
    from kehou.catalog.selectors import published_offerings

    f.offering(
        north_menu,
        "足球A班",
        capacity=20,
        grades=(3, 4),
        room="操场",
        instructor=f.StaffFactory(school=north.school),
    )
    assert published_offerings(school=north.school, term=term) == []
    services.menu_publish(menu=north_menu, actor=north.admin)
    rows = published_offerings(school=north.school, term=term)
    assert [(r.content, r.venue, r.capacity) for r in rows] == [("足球A班", "操场", 20)]
    assert rows[0].grades.startswith("3") and rows[0].grades.endswith("4年级")


# --- statuses that stay true, the term switcher, the family's phone -------------------------


def test_the_status_says_closed_once_the_closing_time_has_passed(client, north, term):
    """Issue 8, item 11: the menu still said 选课开放中 after the window closed. The page
    derives what it shows from the closing time and now; the GET writes nothing."""
    menu = f.menu(north.school, term=term, status="window_open")
    f.offering(menu, "三年级足球", grades=(3, 4))
    Menu.objects.filter(pk=menu.pk).update(
        window_closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    client.force_login(north.admin)
    page = client.get(_menu_url(north.school, term)).content.decode()
    assert "选课已截止" in page and "选课开放中" not in page
    assert 'id="window-ended"' in page and 'id="action-close"' in page
    client.force_login(north.guardian_user)
    page = client.get(reverse("catalog:family") + f"?term={term.code}").content.decode()
    assert "选课已截止" in page and "选课开放中" not in page
    assert Menu.objects.get(pk=menu.pk).status == "window_open"  # the school still closes it
    # while it is open, it says so
    Menu.objects.filter(pk=menu.pk).update(window_closes_at=timezone.now() + dt.timedelta(days=1))
    page = client.get(reverse("catalog:family") + f"?term={term.code}").content.decode()
    assert "选课开放中" in page


def test_the_menu_pages_switch_terms(client, north, term):
    spring = f.TermFactory(school_year=term.school_year, semester=2)
    f.menu(north.school, term=spring, status="published")
    client.force_login(north.admin)
    page = client.get(_menu_url(north.school, term)).content.decode()
    assert 'class="term-switcher"' in page and f"?term={spring.code}" in page
    client.force_login(north.guardian_user)
    page = client.get(reverse("catalog:family") + f"?term={term.code}").content.decode()
    assert 'class="term-switcher"' in page and f"?term={spring.code}" in page


def test_a_family_reads_each_offering_as_a_card_not_a_wide_table(client, north, term):
    menu = f.menu(north.school, term=term, status="published")
    f.offering(menu, "三年级足球", grades=(3, 4), room="操场")
    client.force_login(north.guardian_user)
    page = client.get(reverse("catalog:family") + f"?term={term.code}").content.decode()
    assert 'class="card offering-card"' in page and "操场" in page
    assert "<table" not in page


def test_the_activity_form_lists_only_organisations_serving_the_school(client, north, south):
    mine = f.OrganisationFactory(region=north.county, name="吴中区体育俱乐部")
    city_wide = f.OrganisationFactory(region=north.county.parent, name="全市科创中心")
    f.OrganisationFactory(region=south.county, name="相城区艺术培训")
    client.force_login(north.admin)
    page = client.get(reverse("catalog:activity_create", args=[north.school.pk])).content.decode()
    assert mine.name in page and city_wide.name in page
    assert "相城区艺术培训" not in page


def test_the_offering_form_says_which_plan_the_times_must_fit(client, north, north_menu, term):
    client.force_login(north.admin)
    url = reverse("catalog:offering_create", args=[north_menu.pk])
    assert "还没有课后服务方案" in client.get(url).content.decode()
    f.published_plan(north.school, term=term, weekdays=(0, 1, 2, 3))
    page = client.get(url).content.decode()
    assert "第1版" in page and "周一至周四" in page
