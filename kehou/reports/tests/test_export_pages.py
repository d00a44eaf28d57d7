import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from kehou.reports import selectors, services
from kehou.reports.figures import refresh_months
from kehou.reports.models import MonthlyReport
from kehou.reports.selectors import FORM_HEADERS
from kehou.reports.tests.conftest import OCTOBER, build_month
from kehou.testing import factories as f

pytestmark = pytest.mark.django_db


def client_for(user, language="zh-hans") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


@pytest.fixture
def region(north, south, city_officer, anxi):
    build_month(north)
    build_month(south)
    rural = f.SchoolFactory(region=north.county, name="乡镇小学", is_urban=False)
    services.monthly_report_submit(
        school=north.school, month=OCTOBER, remark="", confirmed=True, actor=north.admin
    )
    refresh_months([south.school.pk, rural.pk], OCTOBER)
    return rural


def _sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_the_003_form_urban_schools_only_with_the_sum_last(region, north, south, city_officer):
    ws = _sheet(selectors.region_xlsx(city_officer, OCTOBER))
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header_at = next(i for i, row in enumerate(values) if row[0] == "序号")
    assert values[0][0] == "城区义务教育阶段学校课后服务开展情况汇总表"
    assert tuple(values[header_at][: len(FORM_HEADERS)]) == FORM_HEADERS
    body = [row for row in values[header_at + 1 :] if row[1] is not None]
    names = [row[1] for row in body]
    assert names[:2] == [north.school.name, south.school.name]
    assert "乡镇小学" not in names
    north_row, south_row, total = body[0], body[1], body[2]
    assert north_row[2:7] == [1, 5, 3, "是", "剪纸、科普"]
    assert north_row[7] == "已报送（第1版）"
    assert south_row[7] == "系统计算，未报送"
    assert total[1] == "合计"
    assert total[2:5] == [2, 10, 6]
    assert total[5] == "是：2所"


def test_the_export_is_scoped(region, north, south):
    ws = _sheet(selectors.region_xlsx(south.county_officer, OCTOBER))
    names = [row[1].value for row in ws.iter_rows()]
    assert south.school.name in names and north.school.name not in names


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_region_page_and_download(region, city_officer, language):
    client = client_for(city_officer, language)
    page = client.get(reverse("reports:region") + "?month=2026-10").content.decode()
    assert "region-sum" in page and "late-list" in page
    assert ("月报" in page) if language == "zh-hans" else ("Monthly reports" in page)
    download = client.get(reverse("reports:region_xlsx", args=["2026-10"]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("reports:region_xlsx", args=["2026-13"])).status_code == 404


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_school_pages_render(region, north, language):
    client = client_for(north.admin, language)
    assert client.get(reverse("reports:mine")).status_code == 302
    assert client.get(reverse("reports:school", args=[north.school.pk])).status_code == 200
    page = client.get(reverse("reports:month", args=[north.school.pk, "2026-10"])).content
    page = page.decode()
    assert "剪纸、科普" in page and "versions" in page and 'id="correct"' in page
    assert ("按年级" in page) if language == "zh-hans" else ("By grade" in page)
    assert "140.00" in page  # billed 14000 fen, in yuan


def test_submit_through_the_page_confirms_first(north, anxi):
    build_month(north)
    client = client_for(north.admin)
    url = reverse("reports:submit", args=[north.school.pk, "2026-10"])
    page = client.post(url, {"remark": "正常"})
    assert page.status_code == 200 and 'id="confirm"' in page.content.decode()
    assert not MonthlyReport.objects.exists()
    done = client.post(url, {"remark": "正常", "confirmed": "1"})
    assert done.status_code == 302
    assert MonthlyReport.objects.get().remark == "正常"
    again = client.post(url, {"remark": "又一次", "confirmed": "1"})
    assert again.status_code == 200 and "改为更正" in again.content.decode()


def test_a_correction_without_reason_names_the_field(north, anxi):
    build_month(north)
    report = services.monthly_report_submit(
        school=north.school, month=OCTOBER, remark="", confirmed=True, actor=north.admin
    )
    client = client_for(north.admin)
    page = client.post(reverse("reports:correct", args=[report.pk]), {"reason": "", "remark": ""})
    assert page.status_code == 200
    assert MonthlyReport.objects.count() == 1


def test_other_schools_and_teachers_get_404(region, north, south):
    url = reverse("reports:month", args=[north.school.pk, "2026-10"])
    assert client_for(south.admin).get(url).status_code == 404
    assert client_for(south.county_officer).get(url).status_code == 404
    assert client_for(north.teacher).get(url).status_code == 404
    assert client_for(north.county_officer).get(url).status_code == 200
    report = MonthlyReport.objects.get(school=north.school)
    correct = reverse("reports:correct", args=[report.pk])
    assert client_for(south.admin).post(correct, {"reason": "x"}).status_code == 404
    assert (
        client_for(north.county_officer)
        .post(correct, {"reason": "x", "confirmed": "1"})
        .status_code
        == 404
    )
    assert MonthlyReport.objects.count() == 1
    assert (
        client_for(north.admin)
        .get(reverse("reports:month", args=[north.school.pk, "garbage"]))
        .status_code
        == 404
    )
