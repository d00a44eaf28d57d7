"""The dashboard in a browser (SPEC R23): a city officer opens the overview on a desktop
and on a 390 px phone, every chart draws its canvas without a script error, a click on a
school's bar opens that school's page, whose charts draw too; a school admin lands on
their own school. Screenshots go to var/screenshots/ for a human to look at."""

import datetime as dt
from pathlib import Path

import pytest

from kehou.accounts.models import User
from kehou.org.access import SYSTEM
from kehou.org.models import Region
from kehou.policy import services as policy_services
from kehou.testing import factories as f

from .test_foundation_journey import CHROMIUM, PHONE, _log_in, _shot, browser, fits  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

OVERVIEW_CHARTS = (
    "chart-coverage",
    "chart-models",
    "chart-grades",
    "chart-urban",
    "chart-priority",
    "chart-complaints",
    "chart-schools",
    "chart-trend",
    "chart-money",
)
SCHOOL_CHARTS = (
    "chart-school-trend",
    "chart-school-grades",
    "chart-school-priority",
    "chart-school-offerings",
    "chart-school-money",
)


def _month(n: int) -> dt.date:
    """The n-th month before October 2026."""
    index = 2026 * 12 + 9 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def _world():
    city = f.RegionFactory(code="320500", name="苏州市", level=Region.Level.CITY)
    counties = [
        f.RegionFactory(code="320506", name="吴中区", parent=city),
        f.RegionFactory(code="320507", name="相城区", parent=city),
    ]
    # the templates come with a migration, which a transactional test before this one
    # may have flushed
    policy_services.profile_templates_install(actor=SYSTEM)
    policy_services.profile_adopt(template_key="anxi_003", region=city, actor=SYSTEM)
    names = [
        "吴中实验小学",
        "吴中区东山中心小学",
        "木渎镇第二实验小学（本部校区）",
        "吴中区城西中学",
        "相城实验小学",
        "相城区黄桥中心小学",
        "望亭中学",
        "相城区阳澄湖镇太平小学",
    ]
    schools = []
    for n, name in enumerate(names):
        school = f.SchoolFactory(
            region=counties[n // 4],
            name=name,
            code=f"32050{6 + n // 4}{n:04d}",
            is_urban=n % 3 != 2,
        )
        schools.append(school)
        if n % 2 == 0:
            f.published_plan(school)
        for back in range(6):
            in_school = 300 + 40 * n
            taking = int(in_school * (0.45 + 0.06 * n + 0.02 * (5 - back))) if n != 7 else 0
            f.school_month(
                school,
                _month(back),
                service_days=0 if n == 7 else 20 - back % 3,
                sittings=40,
                students_in_school=in_school,
                students_taking_part=min(taking, in_school),
                by_grade={g: (in_school // 6, min(taking, in_school) // 6) for g in range(1, 7)},
                by_priority={"left_behind": (12, 9), "migrant": (20, 11), "low_income": (6, 6)},
                offerings_by_category={"homework": 4, "sports": 3, "arts": 2, "science": 1},
                extended_items=["书法", "机器人", "合唱"],
                meets_two_plus_n=n % 2 == 0,
                satisfaction_answers=40,
                satisfaction_satisfied=30 + n,
                complaints=n % 3,
                billed_fen=in_school * 150_00,
                collected_fen=in_school * 120_00,
                waived_fen=2_000_00,
            )
    f.complaint(schools[0], state="received")
    f.complaint(schools[1], state="replied")
    f.complaint(schools[4], state="closed")
    officer = f.UserFactory(phone="13800000009", role=User.Role.BUREAU, region=city, name="市局")
    admin = f.UserFactory(phone="13800000001", role=User.Role.SCHOOL_ADMIN, school=schools[0])
    return schools, officer, admin


def _watch(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    return errors


def _drawn(page, ids) -> None:
    for chart_id in ids:
        assert page.locator(f"#{chart_id} canvas").count() >= 1, f"{chart_id} drew nothing"
    page.wait_for_timeout(1500)  # ECharts' animations end before a screenshot


def _click_first_bar(page, chart_id: str) -> None:
    """Click the middle of the first bar of a horizontal bar chart."""
    page.locator(f"#{chart_id}").scroll_into_view_if_needed()
    x, y = page.evaluate(
        """id => {
          const chart = echarts.getInstanceByDom(document.getElementById(id));
          const value = chart.getOption().series[0].data[0] || 1;
          return chart.convertToPixel({seriesIndex: 0}, [value / 2, 0]);
        }""",
        chart_id,
    )
    box = page.locator(f"#{chart_id}").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_the_dashboard_draws_its_charts_and_opens_a_school(
    live_server,
    transactional_db,
    browser,  # noqa: F811
):
    schools, officer, admin = _world()
    base = live_server.url

    desktop = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = desktop.new_page()
    errors = _watch(page)
    _log_in(page, base, officer.phone, f.TEST_PASSWORD)
    page.goto(f"{base}/dashboard/")
    assert page.inner_text("h1").startswith("数据看板")
    _drawn(page, OVERVIEW_CHARTS)
    assert "城区学校“2+3”" in page.inner_text("#models")
    _shot(page, "80-dashboard-overview")
    # the lowest participation first: the school that ran nothing
    _click_first_bar(page, "chart-schools")
    page.wait_for_url(f"**/dashboard/schools/{schools[7].pk}/")
    assert schools[7].name in page.inner_text("h1")
    page.goto(f"{base}/dashboard/schools/{schools[0].pk}/")
    _drawn(page, SCHOOL_CHARTS)
    assert "机器人" in page.inner_text("#offerings")
    _shot(page, "81-dashboard-school")
    page.goto(f"{base}/dashboard/schools/")
    assert page.locator("#school-table tbody tr").count() == len(schools)
    assert errors == [], errors
    desktop.close()

    phone = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, locale="zh-CN"
    )
    page = phone.new_page()
    errors = _watch(page)
    _log_in(page, base, officer.phone, f.TEST_PASSWORD)
    page.goto(f"{base}/dashboard/")
    _drawn(page, OVERVIEW_CHARTS)
    fits(page)
    _shot(page, "82-dashboard-overview-phone")
    page.goto(f"{base}/dashboard/schools/{schools[0].pk}/")
    _drawn(page, SCHOOL_CHARTS)
    fits(page)
    _shot(page, "83-dashboard-school-phone")
    # in English
    page.click("header button[value=en]")
    page.wait_for_load_state()
    assert page.inner_text("h1").startswith("Dashboard")
    page.goto(f"{base}/dashboard/")
    _drawn(page, OVERVIEW_CHARTS)
    fits(page)
    _shot(page, "84-dashboard-overview-phone-en")
    assert errors == [], errors
    phone.close()

    own = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN")
    page = own.new_page()
    _log_in(page, base, admin.phone, f.TEST_PASSWORD)
    page.goto(f"{base}/dashboard/")
    page.wait_for_url(f"**/dashboard/schools/{schools[0].pk}/")
    assert page.locator("text=返回地区数据看板").count() == 0
    response = page.goto(f"{base}/dashboard/schools/{schools[1].pk}/")
    assert response.status == 404
    own.close()
