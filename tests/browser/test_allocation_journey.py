"""The allocation journey through a browser (issue 4, SPEC R8-R13).

In the demo city the first school's choice window has just passed its closing time and
every child has ranked 5-6 offerings. The school admin closes the window, runs the
allocation from the page and watches its progress, then reads the metrics with their
charts per priority group; a guardian of two children reads each child's result and why on
a phone; a withdrawal frees a seat in a full offering, the next child on its waiting list is
offered it, and that family accepts in the browser. Screenshots go to var/screenshots/.
"""

import json
from pathlib import Path

import pytest
from django.utils import timezone

from kehou.accounts.models import User
from kehou.catalog.models import Menu, Offering
from kehou.demo.seed import DEMO_PASSWORD, PHONE_GUARDIAN, PHONE_SCHOOL_ADMIN, seed_city
from kehou.enrollment.models import Enrollment, WaitlistEntry
from kehou.placement.models import AllocationRun
from kehou.testing.worker import background_worker

from .test_foundation_journey import CHROMIUM, SCREENSHOTS, _log_in, _shot, browser  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def test_admin_allocates_families_see_why_and_a_withdrawal_promotes_the_waiting_list(
    live_server,
    transactional_db,
    browser,  # noqa: F811
):
    # given the demo city: one school, its menu's choice window past its closing time, and
    # kehou's background worker running beside the web server (as `kehou serve` starts it)
    seed_city(schools=1, students=120, sessions=True)
    menu = Menu.objects.get()
    assert menu.status == Menu.Status.WINDOW_OPEN
    base = live_server.url
    with background_worker():
        _journey(browser, base, menu)


def _journey(browser, base, menu):  # noqa: F811

    # when the admin opens the menu from the navigation
    admin = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = admin.new_page()
    _log_in(page, base, PHONE_SCHOOL_ADMIN, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.click("nav.site-nav >> text=课程菜单")
    page.wait_for_url("**/menu/schools/**")
    # its closing time has passed: the page says the window is closed, and that the admin
    # still closes it to reveal the seed
    assert "选课已截止" in page.inner_text("main") and "选课开放中" not in page.inner_text("main")
    assert page.locator("#window-ended").is_visible()
    _shot(page, "30-menu-window-ended")

    # and closes the choice window, confirming on the next page
    page.click("#action-close")
    page.wait_for_url("**/close/")
    _shot(page, "31-close-window-confirm")
    page.click("#confirm")
    page.wait_for_url("**/menu/schools/**")
    menu.refresh_from_db()
    assert menu.status == Menu.Status.CLOSED
    assert page.locator("#seed").inner_text() == menu.lottery_seed
    _shot(page, "32-menu-closed")

    # and follows the link to the allocation and starts the real run
    page.click("#allocation-link")
    page.wait_for_url("**/allocation/menu/**")
    _shot(page, "33-allocation-page")
    page.click("button[name=action][value=run]")
    # and confirms it, after reading what it will do
    page.wait_for_selector("#confirm")
    assert "不可撤销" in page.inner_text("#confirm")
    _shot(page, "33a-allocation-confirm")
    page.click("#confirm-yes")
    page.wait_for_url("**/progress/")
    _shot(page, "33b-allocation-queued")

    # then the worker runs it: the progress page reaches done and links to the metrics
    page.wait_for_selector("#run-status [data-finished]", timeout=60_000)
    status = page.inner_text("#run-status")
    assert "100%" in status, status
    _shot(page, "34-allocation-progress-done")
    run = AllocationRun.objects.get(menu=menu, dry_run=False)
    assert run.status == AllocationRun.Status.DONE
    menu.refresh_from_db()
    assert menu.status == Menu.Status.ALLOCATED

    # and the metrics page draws its charts and shows the priority-group figures
    page.click("#run-status a.button")
    page.wait_for_url(f"**/allocation/run/{run.pk}/")
    page.wait_for_selector("#chart-ranks-group canvas, #chart-ranks-group svg")
    for chart in ("ranks", "ranks-group", "group", "grade", "class", "offerings"):
        assert page.locator(f"#chart-{chart} canvas, #chart-{chart} svg").count() >= 1, chart
    figures = page.inner_text("ul.figures")
    assert str(run.metrics["overall"]["children"]) in figures
    charts = json.loads(page.locator("#placement-charts").text_content())
    groups = dict(zip(charts["priority"]["labels"], charts["priority"]["children"], strict=True))
    assert "其他学生" in groups and sum(groups.values()) >= run.metrics["overall"]["children"], (
        groups
    )
    assert set(charts["priority"]["ranks"]) == set(groups)
    _shot(page, "35-allocation-metrics")
    page.locator("#chart-ranks-group").screenshot(path=str(SCREENSHOTS / "35b-chart-groups.png"))

    # when the guardian of two children opens the results on a phone
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        locale="zh-CN",
    )
    page = phone.new_page()
    _log_in(page, base, PHONE_GUARDIAN, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.click("nav.site-nav >> text=分配结果")
    page.wait_for_url("**/allocation/mine/")

    # then each child has a seat and the reason for it
    records = User.objects.get(phone=PHONE_GUARDIAN).guardian_records.all()
    children = [
        link.student
        for guardian in records
        for link in guardian.student_links.select_related("student")
    ]
    assert len(children) == 2
    cards = page.locator("main section.card")
    assert cards.count() == 2
    for child in children:
        card = page.locator("main section.card", has_text=child.name)
        text = card.inner_text()
        seats = Enrollment.objects.filter(student=child, status=Enrollment.Status.ACTIVE)
        assert seats.exists()
        for seat in seats:
            assert str(seat.offering) in text, text
        assert "第1志愿「" in text and ("已录取" in text or "基础托管" in text), text
        assert "优先类别" not in text and "录取线为" not in text, text
    _shot(page, "36-guardian-results-phone")
    phone.close()

    # given a full offering with children waiting for it
    offering = next(
        (
            o
            for o in Offering.objects.filter(menu=menu, is_fallback=False).order_by("pk")
            if o.taken == o.capacity and o.waitlist.filter(status=WaitlistEntry.Status.WAITING)
        ),
        None,
    )
    assert offering is not None, "the demo allocation left no full offering with a waiting list"
    leaving = Enrollment.objects.filter(offering=offering, status=Enrollment.Status.ACTIVE).first()

    # when the school admin withdraws a child placed in it, from the child's application
    page = admin.new_page()
    page.goto(f"{base}/apply/applications/{leaving.application_id}/")
    page.click(f"a[href$='/enrolments/{leaving.pk}/withdraw/']")
    page.wait_for_url(f"**/enrolments/{leaving.pk}/withdraw/")
    assert page.input_value("#id_on") == timezone.localdate().isoformat()  # today by default
    page.fill("#id_reason", "家长申请退出该项目")
    _shot(page, "37-admin-withdraws-from-offering")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/applications/{leaving.application_id}/")
    assert "已退选" in page.inner_text(f"main li:has-text('{offering}')")
    _shot(page, "38-admin-application-after-withdrawal")
    admin.close()

    # then the seat is offered to the next child on the waiting list, with a deadline
    leaving.refresh_from_db()
    assert leaving.status == Enrollment.Status.WITHDRAWN
    offer = WaitlistEntry.objects.get(offering=offering, status=WaitlistEntry.Status.OFFERED)
    assert offer.respond_by is not None
    # the next in line: no child still waiting comes before it (tier, then the lottery)
    still_waiting = offering.waitlist.filter(status=WaitlistEntry.Status.WAITING)
    assert not still_waiting.filter(tier__lt=offer.tier).exists()
    assert not still_waiting.filter(
        tier=offer.tier, lottery_number__lt=offer.lottery_number
    ).exists()
    offering.refresh_from_db()
    assert offering.taken == offering.capacity - 1 and offering.held == 1  # held for the offer

    # when that family logs in (activating an account for the demo guardian if need be)
    family = offer.application.guardian
    if family.user is None:
        family.user = User.objects.create_user(
            family.phone, DEMO_PASSWORD, name=family.name, role=User.Role.GUARDIAN
        )
        family.save(update_fields=["user"])
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        locale="zh-CN",
    )
    page = phone.new_page()
    _log_in(page, base, family.phone, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/allocation/mine/")

    # then the result page shows the offer with accept and decline, and why it waited
    card = page.locator("main section.card", has_text=offer.student.name)
    text = card.inner_text()
    assert f"{offering}" in text, text
    assert card.locator(f"form[action$='/offer/{offer.pk}/accept/'] button").inner_text() == "接受"
    assert card.locator(f"form[action$='/offer/{offer.pk}/decline/'] button").count() == 1
    assert "第1志愿「" in text and ("抽签号" in text or "基础托管" in text), text
    _shot(page, "39-family-offer-phone")

    # when the family accepts
    card.locator(f"form[action$='/offer/{offer.pk}/accept/'] button").click()
    page.wait_for_url("**/allocation/mine/")

    # then the child holds the seat and the offering is full again
    _shot(page, "40-family-offer-accepted-phone")
    assert Enrollment.objects.filter(
        student=offer.student,
        offering=offering,
        status=Enrollment.Status.ACTIVE,
        source=Enrollment.Source.WAITLIST,
    ).exists()
    offer.refresh_from_db()
    assert offer.status == WaitlistEntry.Status.ACCEPTED
    offering.refresh_from_db()
    assert offering.taken == offering.capacity
    assert (
        f"{offering}" in page.locator("main section.card", has_text=offer.student.name).inner_text()
    )
    phone.close()
