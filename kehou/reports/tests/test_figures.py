import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehou.reports.figures import compute, refresh_months
from kehou.reports.models import SchoolMonth
from kehou.reports.tests.conftest import BEIJING, OCTOBER, build_month
from kehou.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def october(north):
    month = build_month(north)
    f.incident(
        north.school,
        actor=north.admin,
        occurred_at=dt.datetime(2026, 10, 13, 16, 30, tzinfo=BEIJING),
    )
    f.incident(
        north.school,
        actor=north.admin,
        occurred_at=dt.datetime(2026, 11, 2, 16, 30, tzinfo=BEIJING),
    )
    return month


def test_the_month_of_one_school_from_its_records(north, october):
    figures = compute([north.school.pk], OCTOBER)[north.school.pk]
    # 12 and 13 October ran; the 14th was cancelled (its plan and its club sitting).
    assert figures["service_days"] == 2
    assert figures["sittings"] == 2 + 2 + 1
    # Taking part: the child, 小五 (late counts), 小八 (in October, before leaving); in
    # school: those on roll (the child, 小五, 小六, 小七) and 小八, who was that month.
    assert figures["students_in_school"] == 5
    assert figures["students_taking_part"] == 3
    assert figures["by_grade"] == {
        "3": {"in_school": 2, "taking_part": 2},
        "5": {"in_school": 2, "taking_part": 1},
        "none": {"in_school": 1, "taking_part": 0},
    }
    assert figures["by_priority"] == {
        "low_income": {"in_school": 1, "taking_part": 1},
        "left_behind": {"in_school": 1, "taking_part": 1},
        "migrant": {"in_school": 1, "taking_part": 0},
        "disability": {"in_school": 0, "taking_part": 0},
    }
    assert figures["marks"] == 7
    assert figures["marks_present"] == 5
    # The cancelled 象棋 club did not run.
    assert figures["offerings_by_category"] == {"arts": 1, "science": 1}
    assert figures["extended_items"] == ["剪纸", "科普"]
    assert figures["has_homework_guidance"] is True
    assert figures["meets_two_plus_n"] is True
    # The teacher (two 90-minute sittings) and the coach (two 60-minute ones); the 科普
    # sitting had nobody responsible.
    assert figures["staff_count"] == 2
    assert figures["staff_minutes"] == 2 * 90 + 2 * 60
    assert figures["external_instructors"] == 1
    assert figures["incidents"] == 1
    assert figures["billed_fen"] == 14000
    assert figures["waived_fen"] == 9000
    assert figures["collected_fen"] == 3000


def test_without_an_extended_service_the_school_does_not_run_two_plus_n(north):
    month = build_month(north)
    from kehou.billing.models import SittingCancellation

    for sitting in month.offerings["剪纸"].sittings.all():
        SittingCancellation.objects.create(sitting=sitting, reason="停课")
    month.offerings["科普"].sittings.all().delete()
    figures = compute([north.school.pk], OCTOBER)[north.school.pk]
    assert figures["extended_items"] == []
    assert figures["meets_two_plus_n"] is False
    assert figures["has_homework_guidance"] is True


def test_a_school_teacher_is_not_an_external_instructor(north):
    build_month(north, external=False)
    assert compute([north.school.pk], OCTOBER)[north.school.pk]["external_instructors"] == 0


def test_a_sitting_that_has_not_ended_yet_has_not_run(north):
    from kehou.testing.clock import freeze_now

    build_month(north)
    with freeze_now(dt.datetime(2026, 10, 13, 17, 0, tzinfo=BEIJING)):
        figures = compute([north.school.pk], OCTOBER)[north.school.pk]
    assert figures["service_days"] == 1  # the 13th's sittings end at 17:30 and 18:30


def test_the_schools_are_kept_apart(north, south, october):
    figures = compute([north.school.pk, south.school.pk], OCTOBER)
    assert figures[south.school.pk]["service_days"] == 0
    assert figures[south.school.pk]["students_in_school"] == 1  # south's own child
    assert figures[south.school.pk]["billed_fen"] == 0
    assert figures[north.school.pk]["service_days"] == 2


def test_refresh_upserts_one_row_per_school_and_month(north, south, october):
    assert refresh_months([north.school.pk, south.school.pk], OCTOBER) == 2
    row = SchoolMonth.objects.get(school=north.school, month=OCTOBER)
    assert row.students_taking_part == 3
    october.regular[0].attendance.filter(student=north.child).delete()
    october.regular[1].attendance.filter(student=north.child).delete()
    from kehou.attendance.models import Attendance

    Attendance.objects.filter(student=north.child).delete()
    assert refresh_months([north.school.pk], dt.date(2026, 10, 17)) == 1
    assert SchoolMonth.objects.filter(month=OCTOBER).count() == 2
    row.refresh_from_db()
    assert row.students_taking_part == 2
    assert row.participation == 2 / 5


def test_complaints_and_satisfaction_come_from_their_apps(north, south, october):
    f.complaint(north.school, received_on=dt.date(2026, 10, 20))
    f.complaint(north.school, received_on=dt.date(2026, 11, 2))
    f.complaint(south.school, received_on=dt.date(2026, 10, 20))
    survey = f.survey(north.school)
    question = f.survey_question(survey, is_overall_satisfaction=True)
    october_day = dt.datetime(2026, 10, 25, 10, 0, tzinfo=BEIJING)
    f.survey_response(
        survey, north.guardian_user, [north.child], {question: 5}, submitted_at=october_day
    )
    f.survey_response(
        survey, north.admin, [october.students["小五"]], {question: 2}, submitted_at=october_day
    )
    figures = compute([north.school.pk], OCTOBER)[north.school.pk]
    assert figures["complaints"] == 1
    assert (figures["satisfaction_answers"], figures["satisfaction_satisfied"]) == (2, 1)


def _queries(school_ids) -> int:
    with CaptureQueriesContext(connection) as captured:
        refresh_months(school_ids, OCTOBER)
    return len(captured.captured_queries)


def test_a_fixed_number_of_queries_for_one_school_or_five(north, south, city):
    build_month(north)
    build_month(south)
    one = _queries([north.school.pk])
    more = []
    for n in range(3):
        region = f.RegionFactory(parent=city)
        school = f.SchoolFactory(region=region)
        personas = type(
            "P",
            (),
            {
                "school": school,
                "teacher": type("T", (), {"staff": f.StaffFactory(school=school)}),
                "school_class": f.SchoolClassFactory(school=school, grade=3, number=n + 1),
                "child": f.StudentFactory(school=school),
            },
        )
        build_month(personas)
        more.append(school.pk)
    five = _queries([north.school.pk, south.school.pk, *more])
    assert one == five
    assert SchoolMonth.objects.filter(month=OCTOBER).count() == 5


def test_a_child_who_left_without_taking_part_is_not_counted(north, october):
    before = compute([north.school.pk], OCTOBER)[north.school.pk]["students_in_school"]
    f.StudentFactory(school=north.school, is_active=False)
    after = compute([north.school.pk], OCTOBER)[north.school.pk]["students_in_school"]
    assert after == before == 5
