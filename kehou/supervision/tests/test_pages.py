"""The supervision pages: who sees which, the scoring form and its refusals beside each
item, the rectification form, the public cases; no 500 on bad input."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from kehou.supervision.models import ExemplaryCase, Finding, Review, ScoringSheet
from kehou.testing import factories as f
from kehou.testing import snapshots


@pytest.fixture
def term(db):
    today = timezone.localdate()
    return f.TermFactory(start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=90))


@pytest.fixture
def sheet(north):
    return f.scoring_sheet(north.county, excellent_from=27, good_from=24, pass_from=18)


def _record_url(school, kind="midterm"):
    return reverse("supervision:record", args=[school.pk, kind])


def _post(sheet, term, *points, **extra):
    data = {
        "term": term.code,
        "sheet": sheet.pk,
        "reviewed_on": timezone.localdate().isoformat(),
        "reviewers": "张督学",
    }
    for item, value in zip(sheet.items.all(), points, strict=True):
        data[f"points-{item.pk}"] = value
    return data | extra


def test_bureau_pages_open_for_officers_over_the_school_only(
    client, north, south, city_officer, term, sheet
):
    review = f.final_review(north.school, term, sheet)
    urls = [
        reverse("supervision:overview"),
        reverse("supervision:sheets"),
        reverse("supervision:sheet", args=[sheet.pk]),
        reverse("supervision:school", args=[north.school.pk]),
        _record_url(north.school) + f"?term={term.code}",
        reverse("supervision:review", args=[review.pk]),
        reverse("supervision:cases_manage"),
    ]
    for user in (north.county_officer, city_officer):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code in (200, 302), (user, url)
    client.force_login(south.county_officer)
    for url in urls[2:6]:
        assert client.get(url).status_code == 404, url
    for user in (north.teacher, north.guardian_user, north.gate):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)


def test_the_overview_shows_south_nothing_of_north(client, north, south, term, sheet):
    f.final_review(north.school, term, sheet)
    client.force_login(south.county_officer)
    page = client.get(reverse("supervision:overview")).content.decode()
    assert south.school.name in page and north.school.name not in page
    client.force_login(north.county_officer)
    page = client.get(reverse("supervision:overview")).content.decode()
    assert north.school.name in page and south.school.name not in page
    assert "30" in page and "待整改" in page


def test_the_overview_takes_a_fixed_number_of_queries(
    client, north, term, sheet, django_assert_max_num_queries
):
    for _n in range(5):
        school = f.SchoolFactory(region=north.county)
        f.final_review(school, term, sheet)
    client.force_login(north.county_officer)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("supervision:overview")).status_code == 200


def test_an_officer_records_a_review_on_the_form_and_it_is_audited(client, north, term, sheet):
    client.force_login(north.county_officer)
    page = client.get(_record_url(north.school) + f"?term={term.code}").content.decode()
    assert "课后服务覆盖保障" in page and 'inputmode="decimal"' in page
    data = _post(
        sheet,
        term,
        "9",
        "8.5",
        "10",
        **{
            "finding-text-1": "签到记录不全",
            "finding-severity-1": "minor",
            "requires_rectification": "1",
            "rectification_due": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        },
    )
    response = client.post(_record_url(north.school), data)
    review = Review.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "supervision:review", args=[review.pk]
    )
    assert str(review.total) == "27.5" and review.grade == "excellent"
    assert LogEntry.objects.get_for_object(review).get().actor == north.county_officer
    page = client.get(response.url).content.decode()
    assert "27.5" in page and "优秀" in page and "finalise-form" in page


def test_points_over_the_maximum_come_back_beside_the_item(client, north, term, sheet):
    client.force_login(north.county_officer)
    before = snapshots.everything()
    response = client.post(_record_url(north.school), _post(sheet, term, "11", "abc", ""))
    assert response.status_code == 200
    assert snapshots.everything() == before
    page = response.content.decode()
    first, second, third = sheet.items.all()
    assert "“课后服务覆盖保障”：11 超出 0–10 分的范围。" in page
    assert "“学生及家长满意度”未评分。" in page
    assert 'value="11"' in page  # what was typed stays


def test_garbage_on_the_record_form_is_no_500(client, north, term, sheet):
    client.force_login(north.county_officer)
    for data in (
        {"term": term.code, "sheet": "x", "reviewed_on": "tomorrow"},
        {"term": "bogus"},
        _post(sheet, term, "1e400", "NaN", "Infinity", reviewed_on="2026-13-45"),
    ):
        assert client.post(_record_url(north.school), data).status_code in (200, 404)
    assert client.get(_record_url(north.school, "weekly")).status_code == 404
    assert Review.objects.count() == 0


def test_finalising_asks_to_confirm_then_tells_the_school(client, north, term, sheet):
    client.force_login(north.county_officer)
    client.post(_record_url(north.school), _post(sheet, term, "5", "5", "5"))
    review = Review.objects.get()
    url = reverse("supervision:finalise", args=[review.pk])
    page = client.post(url).content.decode()
    assert 'id="confirm"' in page
    review.refresh_from_db()
    assert not review.is_final
    assert client.post(url, {"confirmed": "1"}).status_code == 302
    review.refresh_from_db()
    assert review.is_final
    # A final review cannot be recorded again: the form leads to the review.
    response = client.get(_record_url(north.school) + f"?term={term.code}")
    assert response.status_code == 302


def test_the_school_admin_sees_only_final_reviews_of_their_school(
    client, north, south, term, sheet
):
    client.force_login(north.county_officer)
    client.post(_record_url(north.school), _post(sheet, term, "5", "5", "5"))
    draft = Review.objects.get()
    client.force_login(north.admin)
    assert client.get(reverse("supervision:review", args=[draft.pk])).status_code == 404
    page = client.get(reverse("supervision:school", args=[north.school.pk])).content.decode()
    assert "中期检查" not in page.split("<main>")[1].split("</h1>")[1]
    final = f.final_review(north.school, term, f.scoring_sheet(north.county, kind="annual"))
    assert client.get(reverse("supervision:review", args=[final.pk])).status_code == 200
    client.force_login(south.admin)
    assert client.get(reverse("supervision:review", args=[final.pk])).status_code == 404
    assert client.get(reverse("supervision:school", args=[north.school.pk])).status_code == 404


def test_the_school_admin_rectifies_and_the_officer_accepts_on_the_pages(
    client, north, south, term, sheet
):
    review = f.final_review(north.school, term, sheet, actor=north.county_officer)
    finding = review.findings.get()
    url = reverse("supervision:rectify", args=[finding.pk])
    client.force_login(south.admin)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "x"}).status_code == 404
    client.force_login(north.admin)
    page = client.get(reverse("supervision:review", args=[review.pk])).content.decode()
    assert url in page
    response = client.post(url, {"action": ""})
    assert response.status_code == 200 and "请说明学校做了什么" in response.content.decode()
    assert client.post(url, {"action": "已补全签到记录"}).status_code == 302
    finding.refresh_from_db()
    assert finding.status == Finding.Status.SUBMITTED
    rect = finding.rectifications.get()
    client.force_login(south.county_officer)
    decide = reverse("supervision:decide", args=[rect.pk])
    assert client.post(decide, {"decision": "accept"}).status_code == 404
    client.force_login(north.county_officer)
    assert client.post(decide, {"decision": "accept"}).status_code == 302
    finding.refresh_from_db()
    assert finding.status == Finding.Status.ACCEPTED


def test_an_officer_makes_and_versions_a_sheet_on_the_page(client, north, term, sheet):
    client.force_login(north.county_officer)
    response = client.post(
        reverse("supervision:sheets"),
        {"name": "年度考核评分表", "kind": "annual", "item-text-1": "覆盖", "item-max-1": "200"},
    )
    assert response.status_code == 200
    assert "第1项：满分是 1 到 100 之间的整数。" in response.content.decode()
    assert not ScoringSheet.objects.filter(kind="annual").exists()
    f.final_review(north.school, term, sheet)
    data = {"name": sheet.name, "item-text-1": "覆盖保障", "item-max-1": "20"}
    response = client.post(reverse("supervision:sheet", args=[sheet.pk]), data)
    new = ScoringSheet.objects.get(is_current=True, kind="midterm")
    assert response.url == reverse("supervision:sheet", args=[new.pk]) and new.version == 2
    old_page = client.get(reverse("supervision:sheet", args=[sheet.pk])).content.decode()
    assert "sheet-form" not in old_page


def test_cases_public_only_when_published(client, north, south):
    draft = f.exemplary_case(north.school)
    shown = f.exemplary_case(north.school, status="published", title="家校社协同育人")
    client.logout()
    page = client.get(reverse("supervision:cases")).content.decode()
    assert "家校社协同育人" in page and draft.title not in page
    assert client.get(reverse("supervision:case", args=[shown.pk])).status_code == 200
    assert client.get(reverse("supervision:case", args=[draft.pk])).status_code == 404
    assert reverse("supervision:cases") in client.get(reverse("public:index")).content.decode()


def test_an_officer_publishes_a_case_on_the_pages(client, north, south):
    client.force_login(south.county_officer)
    response = client.post(
        reverse("supervision:cases_manage"),
        {"school": north.school.pk, "title": "t", "summary": "s", "body": "b"},
    )
    assert response.status_code == 200 and not ExemplaryCase.objects.exists()
    client.force_login(north.county_officer)
    response = client.post(
        reverse("supervision:cases_manage"),
        {"school": north.school.pk, "title": "", "summary": "s", "body": "b"},
    )
    assert "请填写标题" in response.content.decode()
    client.post(
        reverse("supervision:cases_manage"),
        {"school": north.school.pk, "title": "课后服务“5+2”", "summary": "s", "body": "b"},
    )
    case = ExemplaryCase.objects.get()
    client.force_login(south.county_officer)
    assert client.post(reverse("supervision:case_publish", args=[case.pk])).status_code == 404
    client.force_login(north.county_officer)
    client.post(reverse("supervision:case_publish", args=[case.pk]))
    case.refresh_from_db()
    assert case.status == "published"
    assert LogEntry.objects.get_for_object(case).latest("pk").actor == north.county_officer


def test_a_school_admin_proposes_a_case_the_officer_publishes(client, north, south):
    f.exemplary_case(south.school, title="南校的案例")
    client.force_login(north.admin)
    page = client.get(reverse("supervision:school", args=[north.school.pk])).content.decode()
    assert 'id="own-cases"' in page
    form = client.get(reverse("supervision:cases_manage")).content.decode()
    assert 'name="school"' not in form and "南校的案例" not in form and "报送教育局" in form
    response = client.post(
        reverse("supervision:cases_manage"), {"title": "", "summary": "s", "body": "b"}
    )
    assert (
        "请填写标题" in response.content.decode()
        and not ExemplaryCase.objects.filter(school=north.school).exists()
    )
    # a school field slipped into the post is not read: the case is the admin's school's
    response = client.post(
        reverse("supervision:cases_manage"),
        {"school": south.school.pk, "title": "课后托管“一校一案”", "summary": "s", "body": "b"},
    )
    case = ExemplaryCase.objects.get(title="课后托管“一校一案”")
    assert case.school == north.school and case.status == "proposed"
    page = client.get(response.url).content.decode()
    assert 'id="case-waiting"' in page and 'id="publish-form"' not in page
    assert client.post(reverse("supervision:case_publish", args=[case.pk])).status_code == 404
    client.force_login(south.admin)
    assert client.get(reverse("supervision:case_manage", args=[case.pk])).status_code == 404
    client.force_login(north.teacher)
    assert client.get(reverse("supervision:cases_manage")).status_code == 404
    client.force_login(north.county_officer)
    listed = client.get(reverse("supervision:cases_manage")).content.decode()
    assert "课后托管“一校一案”" in listed and "学校推荐" in listed
    client.post(reverse("supervision:case_publish", args=[case.pk]))
    case.refresh_from_db()
    assert case.status == "published"


def test_pages_speak_english_too(client, north, term, sheet):
    client.force_login(north.county_officer)
    client.cookies["django_language"] = "en"
    page = client.get(_record_url(north.school) + f"?term={term.code}").content.decode()
    assert "Mid-term check" in page and "Save as a draft" in page


def test_the_city_officer_sees_every_county_and_the_school_page_switches_terms(
    client, north, south, city_officer, term, sheet
):
    client.force_login(city_officer)
    page = client.get(reverse("supervision:overview")).content.decode()
    assert north.school.name in page and south.school.name in page
    page = client.get(reverse("supervision:school", args=[north.school.pk])).content.decode()
    assert "term-switcher" in page
    assert _record_url(north.school, "planning") in page
    client.force_login(north.admin)
    page = client.get(reverse("supervision:school", args=[north.school.pk])).content.decode()
    assert "term-switcher" not in page and _record_url(north.school, "planning") not in page


def test_the_entry_leads_each_role_to_its_page(client, north):
    client.force_login(north.county_officer)
    assert client.get(reverse("supervision:mine")).url == reverse("supervision:overview")
    client.force_login(north.admin)
    assert client.get(reverse("supervision:mine")).url == reverse(
        "supervision:school", args=[north.school.pk]
    )
    for user in (north.teacher, north.guardian_user):
        client.force_login(user)
        assert client.get(reverse("supervision:mine")).status_code == 404
