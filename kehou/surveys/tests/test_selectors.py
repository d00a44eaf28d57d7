"""Who sees which survey, and the guardian's list."""

import pytest
from django.db import IntegrityError

import kehou.testing.factories as f
from kehou.surveys import selectors, services
from kehou.surveys.models import Question
from kehou.surveys.tests.conftest import good_answers

pytestmark = pytest.mark.django_db


def titles(rows):
    return sorted(row.survey.title for row in rows)


def test_each_role_lists_its_own_surveys(north, south, city_officer):
    f.survey(north.school, title="北校问卷")
    f.survey(south.school, title="南校问卷", status="draft")
    f.survey(None, region=north.county, title="吴中区问卷")
    f.survey(None, region=city_officer.region, title="市问卷")
    f.survey(None, region=south.county, title="相城区草稿", status="draft")

    assert titles(selectors.survey_list(north.admin)) == ["北校问卷", "吴中区问卷", "市问卷"]
    assert titles(selectors.survey_list(south.admin)) == ["南校问卷", "市问卷"]
    assert titles(selectors.survey_list(north.county_officer)) == [
        "北校问卷",
        "吴中区问卷",
        "市问卷",
    ]
    assert titles(selectors.survey_list(city_officer)) == [
        "北校问卷",
        "南校问卷",
        "吴中区问卷",
        "市问卷",
        "相城区草稿",
    ]
    for user in (north.teacher, north.gate, north.guardian_user):
        assert selectors.survey_list(user) == []
    managed = {r.survey.title for r in selectors.survey_list(north.admin) if r.may_manage}
    assert managed == {"北校问卷"}


def test_a_guardian_lists_the_surveys_to_answer_first(north, south):
    answered = f.survey(north.school, title="已答")
    question = f.survey_question(answered)
    services.response_submit(survey=answered, answers={question.pk: 5}, actor=north.guardian_user)
    f.survey(north.school, title="待答")
    f.survey(north.school, title="草稿", status="draft")
    f.survey(south.school, title="南校")
    rows = selectors.guardian_surveys(north.guardian_user)
    assert [(r.survey.title, r.answered) for r in rows] == [("待答", False), ("已答", True)]


def test_response_counts_in_the_list_are_the_users_schools(
    north, south, city_officer, needs_survey
):
    services.response_submit(
        survey=needs_survey, answers=good_answers(needs_survey), actor=north.guardian_user
    )
    bureau = f.survey(None, region=city_officer.region, title="市问卷")
    q = f.survey_question(bureau)
    services.response_submit(survey=bureau, answers={q.pk: 3}, actor=north.guardian_user)
    services.response_submit(survey=bureau, answers={q.pk: 3}, actor=south.guardian_user)
    counts = {r.survey.title: r.responses for r in selectors.survey_list(south.admin)}
    assert counts == {"市问卷": 1}
    counts = {r.survey.title: r.responses for r in selectors.survey_list(city_officer)}
    assert counts == {"市问卷": 2, needs_survey.title: 1}


def test_the_database_keeps_one_overall_question_per_survey(north):
    survey = f.survey(north.school, status="draft")
    f.survey_question(survey, is_overall_satisfaction=True)
    with pytest.raises(IntegrityError):
        Question.objects.create(
            survey=survey, text="又一个", kind="scale", is_overall_satisfaction=True
        )
