"""The figures the monthly report, the dashboard and the staff record read."""

import datetime as dt

import pytest
from django.utils import timezone

import kehou.testing.factories as f
from kehou.org.models import StudentGuardian
from kehou.surveys.selectors import ratings_by_staff, satisfaction

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 10, 15)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def family(school, name):
    child = f.StudentFactory(school=school, name=name)
    user = f.UserFactory(role="guardian")
    guardian = f.GuardianFactory(school=school, user=user, phone=user.phone)
    StudentGuardian.objects.create(student=child, guardian=guardian, relation="father")
    return user, child


def test_satisfaction_counts_overall_answers_in_range_per_school(north, south):
    survey = f.survey(north.school)
    overall = f.survey_question(survey, is_overall_satisfaction=True)
    other = f.survey_question(survey, "作业辅导满意吗？")
    scores = [5, 4, 3, 2]
    for n, score in enumerate(scores):
        user, child = family(north.school, f"孩子{n}")
        f.survey_response(survey, user, [child], {overall: score, other: 5}, submitted_at=at(DAY))
    # Outside the range (the day after) and in another school.
    user, child = family(north.school, "晚答")
    f.survey_response(survey, user, [child], {overall: 1}, submitted_at=at(DAY + dt.timedelta(1)))
    south_survey = f.survey(south.school)
    south_q = f.survey_question(south_survey, is_overall_satisfaction=True)
    f.survey_response(
        south_survey, south.guardian_user, [south.child], {south_q: 5}, submitted_at=at(DAY)
    )

    figures = satisfaction([north.school.pk, south.school.pk], DAY, DAY)

    assert figures == {north.school.pk: (4, 2), south.school.pk: (1, 1)}
    assert satisfaction([north.school.pk], DAY, DAY + dt.timedelta(1)) == {north.school.pk: (5, 2)}
    assert satisfaction([south.school.pk], DAY + dt.timedelta(1), DAY + dt.timedelta(9)) == {}


def test_satisfaction_range_is_local_days_inclusive(north):
    survey = f.survey(north.school)
    overall = f.survey_question(survey, is_overall_satisfaction=True)
    # 00:30 local on DAY is still DAY, though in UTC it is the day before.
    f.survey_response(
        survey,
        north.guardian_user,
        [north.child],
        {overall: 4},
        submitted_at=at(DAY, 0).replace(minute=30),
    )
    assert satisfaction([north.school.pk], DAY, DAY) == {north.school.pk: (1, 1)}
    assert satisfaction([north.school.pk], DAY - dt.timedelta(1), DAY - dt.timedelta(1)) == {}


def test_satisfaction_in_one_query_for_any_number_of_schools(
    north, south, django_assert_num_queries
):
    schools = [north.school.pk, south.school.pk] + [f.SchoolFactory().pk for _ in range(5)]
    with django_assert_num_queries(1):
        satisfaction(schools, DAY, DAY)
    with django_assert_num_queries(0):
        assert satisfaction([], DAY, DAY) == {}


def test_ratings_by_staff_from_offering_questions(north, django_assert_num_queries):
    coach = f.StaffFactory(school=north.school, name="足球教练")
    other_coach = f.StaffFactory(school=north.school, name="书法老师")
    menu = f.menu(north.school)
    football = f.offering(menu, "足球", instructor=coach)
    calligraphy = f.offering(menu, "书法", instructor=other_coach)
    survey = f.survey(north.school)
    q_football = f.survey_question(survey, "足球课怎么样？", offering=football)
    q_calligraphy = f.survey_question(survey, "书法课怎么样？", offering=calligraphy)
    plain = f.survey_question(survey, "总体满意吗？", is_overall_satisfaction=True)
    for n, (a, b) in enumerate([(5, 3), (4, None), (2, None)]):
        user, child = family(north.school, f"孩子{n}")
        answers = {q_football: a, plain: 1}
        if b is not None:
            answers[q_calligraphy] = b
        f.survey_response(survey, user, [child], answers, submitted_at=at(DAY))

    with django_assert_num_queries(1):
        figures = ratings_by_staff([coach.pk, other_coach.pk, north.teacher.staff.pk], DAY, DAY)

    assert figures == {coach.pk: (3, pytest.approx(11 / 3, abs=0.01)), other_coach.pk: (1, 3.0)}
    assert ratings_by_staff([coach.pk], DAY + dt.timedelta(1), DAY + dt.timedelta(5)) == {}
