"""The supervision services: sheets and their versions, recording and finalising a
review, rectifications, exemplary cases; each refusal with its code and field, writing
nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from kehou.core import errors
from kehou.notifications.models import Notification
from kehou.org.access import OutOfScope
from kehou.supervision import services
from kehou.supervision.models import (
    ExemplaryCase,
    Finding,
    Rectification,
    Review,
)
from kehou.testing import factories as f
from kehou.testing import snapshots

ITEMS = [
    {"text": "课后服务覆盖保障", "max_points": 10},
    {"text": "服务质量与内容", "max_points": 10},
    {"text": "学生及家长满意度", "max_points": 10},
]


@pytest.fixture
def term(db):
    today = timezone.localdate()
    return f.TermFactory(start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=90))


@pytest.fixture
def sheet(north):
    return f.scoring_sheet(north.county, excellent_from=27, good_from=24, pass_from=18)


def _scores(sheet, *points):
    return dict(zip([i.pk for i in sheet.items.all()], points, strict=True))


def _record(north, term, sheet, *points, actor=None, **kw):
    values = {
        "school": north.school,
        "term": term,
        "kind": "midterm",
        "sheet": sheet,
        "reviewed_on": timezone.localdate(),
        "reviewers": "张督学，李督学",
        "scores": _scores(sheet, *points),
        "actor": actor or north.county_officer,
    } | kw
    return services.review_record(**values)


def _refused(call) -> ValidationError:
    before = snapshots.everything()
    with pytest.raises(ValidationError) as caught:
        call()
    assert snapshots.everything() == before
    return caught.value


def _by_field(error):
    return {(i.field, i.code) for i in errors.items(error)}


# --------------------------------------------------------------------------- sheets


def test_an_officer_makes_a_sheet_and_it_is_audited(north):
    sheet = services.sheet_create(
        region=north.county,
        name="中期检查评分表",
        kind="midterm",
        items=ITEMS,
        bands={"excellent_from": "27", "good_from": "24", "pass_from": "18"},
        actor=north.county_officer,
    )
    assert [(i.order, i.text, i.max_points) for i in sheet.items.all()] == [
        (1, "课后服务覆盖保障", 10),
        (2, "服务质量与内容", 10),
        (3, "学生及家长满意度", 10),
    ]
    assert sheet.max_total == 30 and sheet.pass_from == 18
    assert LogEntry.objects.get_for_object(sheet).get().action == LogEntry.Action.CREATE


def test_a_sheet_names_each_bad_item_and_bad_bands(north):
    error = _refused(
        lambda: services.sheet_create(
            region=north.county,
            name="",
            kind="weekly",
            items=[{"text": "覆盖", "max_points": "0"}, {"text": "", "max_points": "5"}],
            bands={"excellent_from": "10", "good_from": "20", "pass_from": "50"},
            actor=north.county_officer,
        )
    )
    found = _by_field(error)
    assert ("name", "name_missing") in found
    assert ("kind", "kind_unknown") in found
    assert ("item-1", "item_points_out_of_range") in found
    assert ("item-2", "item_text_missing") in found
    assert ("pass_from", "band_out_of_range") in found
    assert ("excellent_from", "bands_out_of_order") in found
    assert "第1项" in " ".join(errors.messages(error))


def test_an_unused_sheet_is_changed_in_place(north, sheet):
    saved = services.sheet_edit(
        sheet=sheet, name="新名称", items=ITEMS[:2], actor=north.county_officer
    )
    assert saved.pk == sheet.pk and saved.version == 1
    assert saved.items.count() == 2 and saved.pass_from is None


def test_a_used_sheet_is_frozen_and_a_change_is_a_new_version(north, term, sheet):
    review = _record(north, term, sheet, 8, 9, 10)
    new = services.sheet_edit(
        sheet=sheet,
        name=sheet.name,
        items=[*ITEMS, {"text": "安全管理", "max_points": 10}],
        actor=north.county_officer,
    )
    sheet.refresh_from_db()
    assert new.pk != sheet.pk and new.version == 2 and new.previous == sheet
    assert not sheet.is_current and new.is_current
    assert sheet.items.count() == 3 and new.items.count() == 4
    review.refresh_from_db()
    assert review.sheet == sheet
    error = _refused(
        lambda: services.sheet_edit(sheet=sheet, name="x", items=ITEMS, actor=north.county_officer)
    )
    assert errors.codes(error) == {"sheet_superseded"}


def test_south_cannot_touch_norths_sheet_nor_a_county_the_citys(north, south, city):
    city_sheet = f.scoring_sheet(city)
    with pytest.raises(OutOfScope):
        services.sheet_edit(sheet=city_sheet, name="x", items=ITEMS, actor=north.county_officer)
    with pytest.raises(OutOfScope):
        services.sheet_create(
            region=north.county, name="x", kind="annual", items=ITEMS, actor=south.county_officer
        )


# --------------------------------------------------------------------------- reviews


def test_an_officer_records_a_midterm_check_and_the_total_and_grade_are_computed(
    north, term, sheet
):
    review = _record(
        north,
        term,
        sheet,
        "8.5",
        9,
        (10, "家长问卷满意率98%"),
        findings=[("签到记录不全", "minor")],
        requires_rectification=True,
        rectification_due=timezone.localdate() + dt.timedelta(days=14),
    )
    assert review.status == Review.Status.DRAFT
    assert review.total == Decimal("27.5") and review.grade == "excellent"
    assert [s.points for s in review.scores.all()] == [Decimal("8.5"), 9, 10]
    assert review.scores.all()[2].note == "家长问卷满意率98%"
    assert [(x.text, x.status) for x in review.findings.all()] == [("签到记录不全", "noted")]
    assert LogEntry.objects.get_for_object(review).get().action == LogEntry.Action.CREATE


def test_a_draft_is_recorded_again_not_twice(north, term, sheet):
    first = _record(north, term, sheet, 5, 5, 5, findings=[("a", "minor")])
    again = _record(north, term, sheet, 6, 6, 6)
    assert first.pk == again.pk and again.total == 18 and again.grade == "pass"
    assert Review.objects.count() == 1 and Finding.objects.count() == 0


def test_points_outside_the_item_are_refused_naming_the_item(north, term, sheet):
    error = _refused(lambda: _record(north, term, sheet, 11, "-1", "九"))
    items = list(sheet.items.all())
    found = _by_field(error)
    assert (f"item-{items[0].pk}", "points_out_of_range") in found
    assert (f"item-{items[1].pk}", "points_out_of_range") in found
    assert (f"item-{items[2].pk}", "points_not_a_number") in found
    text = " ".join(errors.messages(error))
    assert "“课后服务覆盖保障”：11" in text and "0–10" in text


def test_every_item_must_be_scored(north, term, sheet):
    scores = _scores(sheet, 5, 5, 5)
    missing = list(scores)[1]
    scores[missing] = ""
    error = _refused(
        lambda: services.review_record(
            school=north.school,
            term=term,
            kind="midterm",
            sheet=sheet,
            reviewed_on=timezone.localdate(),
            reviewers="张督学",
            scores=scores,
            actor=north.county_officer,
        )
    )
    assert _by_field(error) == {(f"item-{missing}", "item_unscored")}


def test_a_review_checks_its_date_reviewers_findings_and_rectification(north, term, sheet):
    error = _refused(
        lambda: _record(
            north,
            term,
            sheet,
            5,
            5,
            5,
            reviewed_on=timezone.localdate() + dt.timedelta(days=1),
            reviewers=" ",
            findings=[("x", "catastrophic")],
            requires_rectification=True,
            rectification_due=None,
        )
    )
    assert _by_field(error) == {
        ("reviewed_on", "in_the_future"),
        ("reviewers", "reviewers_missing"),
        ("finding-1", "severity_unknown"),
        ("rectification_due", "due_date_missing"),
    }
    error = _refused(
        lambda: _record(
            north,
            term,
            sheet,
            5,
            5,
            5,
            requires_rectification=True,
            rectification_due=timezone.localdate(),
        )
    )
    assert _by_field(error) == {("findings", "rectification_without_findings")}


def test_a_sheet_of_another_kind_or_region_is_refused(north, south, term, sheet):
    annual = f.scoring_sheet(north.county, kind="annual")
    error = _refused(lambda: _record(north, term, annual, 5, 5, 5))
    assert _by_field(error) == {("sheet", "sheet_of_another_kind")}
    south_sheet = f.scoring_sheet(south.county)
    error = _refused(lambda: _record(north, term, south_sheet, 5, 5, 5))
    assert _by_field(error) == {("sheet", "sheet_unknown")}


def test_the_city_sheet_serves_a_county_school(north, term, city):
    city_sheet = f.scoring_sheet(city)
    assert _record(north, term, city_sheet, 1, 2, 3).total == 6


def test_south_officer_cannot_review_north(north, south, term, sheet):
    before = snapshots.everything()
    with pytest.raises(OutOfScope):
        _record(north, term, sheet, 5, 5, 5, actor=south.county_officer)
    assert snapshots.everything() == before


def test_finalising_freezes_opens_findings_and_tells_the_school_admin(north, term, sheet):
    review = _record(
        north,
        term,
        sheet,
        5,
        5,
        5,
        findings=[("签到记录不全", "minor"), ("场地安全隐患", "major")],
        requires_rectification=True,
        rectification_due=timezone.localdate() + dt.timedelta(days=14),
    )
    error = _refused(lambda: services.review_finalise(review=review, actor=north.county_officer))
    assert errors.codes(error) == {"confirmation_required"}
    services.review_finalise(review=review, confirmed=True, actor=north.county_officer)
    review.refresh_from_db()
    assert review.is_final and review.finalised_by == north.county_officer
    assert set(review.findings.values_list("status", flat=True)) == {"open"}
    note = Notification.objects.get(recipient=north.admin)
    assert "中期检查" in note.title and str(review.pk) in note.link
    error = _refused(lambda: _record(north, term, sheet, 6, 6, 6))
    assert errors.codes(error) == {"review_final"}
    error = _refused(
        lambda: services.review_finalise(review=review, confirmed=True, actor=north.county_officer)
    )
    assert errors.codes(error) == {"review_final"}


def test_a_new_review_uses_the_current_version_of_a_sheet(north, south, term, sheet):
    f.final_review(south.school, term, f.scoring_sheet(south.county))
    other = f.SchoolFactory(region=north.county)
    _record(north, term, sheet, 1, 1, 1)
    services.sheet_edit(sheet=sheet, name="v2", items=ITEMS, actor=north.county_officer)
    sheet.refresh_from_db()
    error = _refused(
        lambda: services.review_record(
            school=other,
            term=term,
            kind="midterm",
            sheet=sheet,
            reviewed_on=timezone.localdate(),
            reviewers="张督学",
            scores=_scores(sheet, 1, 1, 1),
            actor=north.county_officer,
        )
    )
    assert errors.codes(error) == {"sheet_superseded"}


# --------------------------------------------------------------------------- rectification


@pytest.fixture
def finding(north, term, sheet):
    review = f.final_review(north.school, term, sheet, actor=north.county_officer)
    return review.findings.get()


def test_the_school_submits_and_the_bureau_returns_then_accepts(north, finding):
    first = services.rectification_submit(
        finding=finding, action="已补全签到记录并指定专人负责", actor=north.admin
    )
    finding.refresh_from_db()
    assert finding.status == "submitted" and first.school == north.school
    assert Notification.objects.filter(recipient=north.county_officer).count() == 1
    error = _refused(
        lambda: services.rectification_submit(finding=finding, action="again", actor=north.admin)
    )
    assert errors.codes(error) == {"rectification_pending"}

    error = _refused(
        lambda: services.rectification_return(
            rectification=first, note="", actor=north.county_officer
        )
    )
    assert _by_field(error) == {("decision_note", "note_missing")}
    services.rectification_return(
        rectification=first, note="请附签到表照片", actor=north.county_officer
    )
    finding.refresh_from_db()
    assert finding.status == "open"
    assert Notification.objects.filter(recipient=north.admin, title__contains="退回").exists()

    second = services.rectification_submit(finding=finding, action="已附照片", actor=north.admin)
    services.rectification_accept(rectification=second, actor=north.county_officer)
    finding.refresh_from_db()
    first.refresh_from_db()
    assert finding.status == "accepted" and first.status == "returned"
    assert LogEntry.objects.get_for_object(second).count() == 2
    error = _refused(
        lambda: services.rectification_accept(rectification=second, actor=north.county_officer)
    )
    assert errors.codes(error) == {"rectification_decided"}
    error = _refused(
        lambda: services.rectification_submit(finding=finding, action="x", actor=north.admin)
    )
    assert errors.codes(error) == {"finding_rectified"}


def test_another_schools_admin_cannot_rectify_a_finding(north, south, finding):
    before = snapshots.everything()
    with pytest.raises(OutOfScope):
        services.rectification_submit(finding=finding, action="x", actor=south.admin)
    assert snapshots.everything() == before


def test_no_rectification_of_a_draft_or_of_a_noted_finding(north, term, sheet):
    review = _record(north, term, sheet, 5, 5, 5, findings=[("x", "minor")])
    draft_finding = review.findings.get()
    error = _refused(
        lambda: services.rectification_submit(finding=draft_finding, action="y", actor=north.admin)
    )
    assert errors.codes(error) == {"rectification_not_asked"}
    error = _refused(
        lambda: services.rectification_submit(finding=draft_finding, action=" ", actor=north.admin)
    )
    assert _by_field(error) == {("action", "action_missing")}


def test_south_officer_cannot_decide_norths_rectification(north, south, finding):
    rect = services.rectification_submit(finding=finding, action="x", actor=north.admin)
    with pytest.raises(OutOfScope):
        services.rectification_accept(rectification=rect, actor=south.county_officer)
    assert Rectification.objects.get().status == "submitted"


# --------------------------------------------------------------------------- cases


def test_a_case_is_drafted_published_withdrawn_and_published_again(north):
    case = services.case_create(
        school=north.school,
        title="“2+N”课后服务模式",
        summary="学校开设社团课程。",
        body="做法与成效",
        actor=north.county_officer,
    )
    assert case.status == "draft" and case.published_at is None
    services.case_publish(case=case, actor=north.county_officer)
    case.refresh_from_db()
    assert case.status == "published" and case.published_by == north.county_officer
    error = _refused(lambda: services.case_publish(case=case, actor=north.county_officer))
    assert errors.codes(error) == {"case_published"}
    services.case_withdraw(case=case, actor=north.county_officer)
    case.refresh_from_db()
    assert case.status == "withdrawn"
    error = _refused(lambda: services.case_withdraw(case=case, actor=north.county_officer))
    assert errors.codes(error) == {"case_not_published"}
    services.case_publish(case=case, actor=north.county_officer)
    assert ExemplaryCase.objects.get().status == "published"
    assert LogEntry.objects.get_for_object(case).count() == 4


def test_a_case_needs_its_texts_and_an_officer_over_the_school(north, south):
    error = _refused(
        lambda: services.case_create(
            school=north.school, title="", summary="", body="", actor=north.county_officer
        )
    )
    assert _by_field(error) == {
        ("title", "title_missing"),
        ("summary", "summary_missing"),
        ("body", "body_missing"),
    }
    with pytest.raises(OutOfScope):
        services.case_create(
            school=north.school, title="t", summary="s", body="b", actor=south.county_officer
        )
    for outsider in (south.admin, north.teacher, north.guardian_user):
        with pytest.raises(OutOfScope):
            services.case_create(
                school=north.school, title="t", summary="s", body="b", actor=outsider
            )
    assert not ExemplaryCase.objects.exists()


def test_a_school_proposes_its_own_case_and_only_the_bureau_publishes_it(north, south):
    case = services.case_create(
        school=north.school,
        title="家校社协同育人",
        summary="家长志愿者参与课后服务。",
        body="做法与成效",
        actor=north.admin,
    )
    assert case.status == "proposed" and case.created_by == north.admin
    told = {
        n.recipient for n in Notification.objects.filter(key=f"supervision-case-proposed:{case.pk}")
    }
    assert north.county_officer in told and south.county_officer not in told
    with pytest.raises(OutOfScope):
        services.case_publish(case=case, actor=north.admin)
    services.case_publish(case=case, actor=north.county_officer)
    case.refresh_from_db()
    assert case.status == "published" and case.published_by == north.county_officer
    with pytest.raises(OutOfScope):
        services.case_withdraw(case=case, actor=north.admin)


def test_a_sheet_changed_while_a_review_is_checked_is_refused(north, term, sheet, monkeypatch):
    """Another officer drops an item between the review's checks and its writing."""
    check = services._check_findings

    def meanwhile(problems, findings):
        services.sheet_edit(
            sheet=sheet, name=sheet.name, items=ITEMS[:2], actor=north.county_officer
        )
        return check(problems, findings)

    monkeypatch.setattr(services, "_check_findings", meanwhile)
    with pytest.raises(ValidationError) as caught:
        _record(north, term, sheet, 5, 5, 5)
    assert errors.codes(caught.value) == {"sheet_changed"}
    assert not Review.objects.exists()


def test_grade_bands_give_fail_below_pass_and_nothing_without_bands(north, term, sheet):
    assert _record(north, term, sheet, 5, 5, 7).grade == "fail"
    assert _record(north, term, sheet, 8, 8, 8).grade == "good"
    plain = f.scoring_sheet(north.county, kind="annual")
    review = _record(north, term, plain, 1, 1, 1, kind="annual")
    assert review.grade == "" and review.total == 3
