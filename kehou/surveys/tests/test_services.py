"""Building, sending, closing a survey and a family's answer (R20)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

import kehou.testing.factories as f
from kehou.core.errors import items
from kehou.notifications.models import Notification
from kehou.org.access import OutOfScope
from kehou.surveys import services
from kehou.surveys.models import Answer, Response, ResponseChild, Survey, SurveySchool
from kehou.surveys.tests.conftest import add_family, good_answers
from kehou.testing.snapshots import everything

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> set[str]:
    return {item.code for item in items(error)}


def fields(error: ValidationError) -> set[str]:
    return {item.field for item in items(error)}


# --------------------------------------------------------------------------- building


def test_school_admin_builds_only_their_schools_survey(north, south):
    with pytest.raises(OutOfScope):
        services.survey_create(school=south.school, title="x", kind="needs", actor=north.admin)
    for actor in (north.teacher, north.guardian_user, north.county_officer):
        with pytest.raises(OutOfScope):
            services.survey_create(school=north.school, title="x", kind="needs", actor=actor)
    survey = services.survey_create(
        school=north.school, title="需求调查", kind="needs", actor=north.admin
    )
    assert survey.region == north.county and survey.status == Survey.Status.DRAFT
    with pytest.raises(OutOfScope):
        services.question_add(survey=survey, text="?", kind="text", actor=south.admin)


def test_officer_builds_for_their_region_only(north, south, city_officer):
    with pytest.raises(OutOfScope):
        services.survey_create(
            region=south.county, title="x", kind="satisfaction", actor=north.county_officer
        )
    with pytest.raises(OutOfScope):
        services.survey_create(region=north.county, title="x", kind="needs", actor=north.admin)
    survey = services.survey_create(
        region=city_officer.region, title="全市满意度调查", kind="satisfaction", actor=city_officer
    )
    assert survey.school is None
    # A county officer cannot change the city's survey.
    with pytest.raises(OutOfScope):
        services.question_add(survey=survey, text="?", kind="text", actor=north.county_officer)


def test_survey_fields_are_checked_together(north):
    before = everything()
    with pytest.raises(ValidationError) as caught:
        services.survey_create(
            school=north.school,
            title=" ",
            kind="census",
            audience="teachers",
            closes_at=timezone.now() - dt.timedelta(hours=1),
            actor=north.admin,
        )
    assert codes(caught.value) == {
        "title_missing",
        "kind_unknown",
        "audience_unknown",
        "closes_in_the_past",
    }
    assert fields(caught.value) == {"title", "kind", "audience", "closes_at"}
    assert everything() == before


def test_question_checks(north):
    survey = f.survey(north.school, status="draft")
    cases = [
        (dict(text="", kind="text"), "question_missing", "text"),
        (dict(text="?", kind="ranking"), "kind_unknown", "kind"),
        (dict(text="?", kind="single", choices=["只有一个"]), "choices_missing", "choices"),
        (dict(text="?", kind="multiple", choices=["甲", "甲", "乙"]), "choice_twice", "choices"),
        (
            dict(text="?", kind="single", choices=["a", "b"], is_overall_satisfaction=True),
            "overall_not_scale",
            "is_overall_satisfaction",
        ),
    ]
    for values, code, field in cases:
        with pytest.raises(ValidationError) as caught:
            services.question_add(survey=survey, **values, actor=north.admin)
        assert code in codes(caught.value), values
        assert field in fields(caught.value)
    assert not survey.questions.exists()


def test_one_overall_question_per_survey(north):
    survey = f.survey(north.school, status="draft")
    services.question_add(
        survey=survey, text="总体", kind="scale", is_overall_satisfaction=True, actor=north.admin
    )
    with pytest.raises(ValidationError) as caught:
        services.question_add(
            survey=survey,
            text="又一个",
            kind="scale",
            is_overall_satisfaction=True,
            actor=north.admin,
        )
    assert codes(caught.value) == {"overall_taken"}


def test_rating_an_offering_of_another_school_is_refused(north, south):
    foreign = f.offering(f.menu(south.school), "足球", instructor=south.teacher.staff)
    survey = f.survey(north.school, status="draft")
    with pytest.raises(ValidationError) as caught:
        services.question_add(
            survey=survey, text="足球课?", kind="scale", offering=foreign, actor=north.admin
        )
    assert codes(caught.value) == {"offering_of_another_school"}
    own = f.offering(f.menu(north.school), "书法", instructor=north.teacher.staff)
    question = services.question_add(
        survey=survey, text="书法课?", kind="scale", offering=own, actor=north.admin
    )
    assert question.offering == own and question.school == north.school
    with pytest.raises(ValidationError) as caught:
        services.question_update(
            question=question, text="书法课?", kind="text", offering=own, actor=north.admin
        )
    assert codes(caught.value) == {"rating_not_scale"}


def test_questions_change_only_in_a_draft(north, needs_survey):
    question = needs_survey.questions.first()
    for call in (
        lambda: services.question_add(
            survey=needs_survey, text="?", kind="text", actor=north.admin
        ),
        lambda: services.question_update(
            question=question, text="?", kind="text", actor=north.admin
        ),
        lambda: services.question_delete(question=question, actor=north.admin),
        lambda: services.question_move(question=question, up=False, actor=north.admin),
        lambda: services.survey_update(
            survey=needs_survey, title="新", kind="needs", audience="parents", actor=north.admin
        ),
    ):
        with pytest.raises(ValidationError) as caught:
            call()
        assert codes(caught.value) == {"survey_not_draft"}
    assert needs_survey.questions.count() == 4


def test_questions_move_and_keep_their_order(north):
    survey = f.survey(north.school, status="draft")
    a, b, c = (
        services.question_add(survey=survey, text=t, kind="text", actor=north.admin)
        for t in "甲乙丙"
    )
    services.question_move(question=c, up=True, actor=north.admin)
    assert [q.text for q in survey.questions.order_by("order")] == ["甲", "丙", "乙"]
    services.question_move(question=a, up=True, actor=north.admin)  # at the top: stays
    services.question_move(question=a, up=False, actor=north.admin)
    assert [q.text for q in survey.questions.order_by("order")] == ["丙", "甲", "乙"]


# --------------------------------------------------------------------------- sending


def test_send_needs_a_question_and_a_confirmation(north):
    survey = services.survey_create(
        school=north.school, title="需求", kind="needs", actor=north.admin
    )
    with pytest.raises(ValidationError) as caught:
        services.survey_send(survey=survey, confirmed=True, actor=north.admin)
    assert codes(caught.value) == {"no_questions"}
    services.question_add(survey=survey, text="?", kind="text", actor=north.admin)
    with pytest.raises(ValidationError) as caught:
        services.survey_send(survey=survey, actor=north.admin)
    assert codes(caught.value) == {"confirmation_required"}
    assert not Notification.objects.exists()
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT


def test_send_notifies_every_guardian_login_of_the_school_once(north, south):
    mother_of_two, first = add_family(north.school, "大宝")
    second = f.StudentFactory(school=north.school, name="二宝")
    add_family(north.school, "", user=mother_of_two, children=[second])
    father, _ = add_family(north.school, "", relation="father", children=[north.child])
    survey = f.survey(north.school, status="draft")
    f.survey_question(survey)
    services.survey_send(survey=survey, confirmed=True, actor=north.admin)
    notified = Notification.objects.filter(key=f"survey:{survey.pk}")
    assert sorted(n.recipient_id for n in notified) == sorted(
        [north.guardian_user.pk, mother_of_two.pk, father.pk]
    )
    assert {n.link for n in notified} == {f"/surveys/{survey.pk}/answer/"}
    assert {n.school_id for n in notified} == {north.school.pk}
    assert list(SurveySchool.objects.filter(survey=survey).values_list("school", flat=True)) == [
        north.school.pk
    ]
    with pytest.raises(ValidationError) as caught:
        services.survey_send(survey=survey, confirmed=True, actor=north.admin)
    assert codes(caught.value) == {"survey_already_sent"}


def test_a_bureau_survey_goes_to_every_school_of_its_region(north, south, city_officer):
    survey = services.survey_create(
        region=north.county, title="区满意度", kind="satisfaction", actor=north.county_officer
    )
    services.question_add(survey=survey, text="满意吗", kind="scale", actor=north.county_officer)
    services.survey_send(survey=survey, confirmed=True, actor=north.county_officer)
    assert set(SurveySchool.objects.filter(survey=survey).values_list("school", flat=True)) == {
        north.school.pk
    }
    recipients = set(
        Notification.objects.filter(key=f"survey:{survey.pk}").values_list("recipient", flat=True)
    )
    assert recipients == {north.guardian_user.pk}

    city = services.survey_create(
        region=city_officer.region, title="市满意度", kind="satisfaction", actor=city_officer
    )
    services.question_add(survey=city, text="满意吗", kind="scale", actor=city_officer)
    services.survey_send(survey=city, confirmed=True, actor=city_officer)
    assert set(SurveySchool.objects.filter(survey=city).values_list("school", flat=True)) == {
        north.school.pk,
        south.school.pk,
    }


def test_close(north, needs_survey, south):
    with pytest.raises(OutOfScope):
        services.survey_close(survey=needs_survey, actor=south.admin)
    services.survey_close(survey=needs_survey, actor=north.admin)
    needs_survey.refresh_from_db()
    assert needs_survey.status == Survey.Status.CLOSED
    with pytest.raises(ValidationError) as caught:
        services.survey_close(survey=needs_survey, actor=north.admin)
    assert codes(caught.value) == {"survey_already_closed"}


# --------------------------------------------------------------------------- answering


def test_guardian_answers_once(north, needs_survey):
    response = services.response_submit(
        survey=needs_survey, answers=good_answers(needs_survey), actor=north.guardian_user
    )
    assert response.school == north.school and response.by == north.guardian_user
    assert list(ResponseChild.objects.values_list("student", "school")) == [
        (north.child.pk, north.school.pk)
    ]
    answers = {a.question.kind: a for a in Answer.objects.select_related("question")}
    assert answers["single"].choices == ["参加"]
    assert answers["multiple"].choices == ["科普", "阅读"]
    assert answers["scale"].scale == 5
    assert answers["text"].text == "希望增加足球"
    assert {a.school_id for a in answers.values()} == {north.school.pk}

    before = everything()
    with pytest.raises(ValidationError) as caught:
        services.response_submit(
            survey=needs_survey, answers=good_answers(needs_survey), actor=north.guardian_user
        )
    assert codes(caught.value) == {"already_answered"}
    assert "已" in items(caught.value)[0].message  # a Chinese message by default
    assert everything() == before


def test_a_second_guardian_of_the_same_child_cannot_answer_again(north, needs_survey):
    father, _ = add_family(north.school, "", relation="father", children=[north.child])
    services.response_submit(
        survey=needs_survey, answers=good_answers(needs_survey), actor=north.guardian_user
    )
    with pytest.raises(ValidationError) as caught:
        services.response_submit(
            survey=needs_survey, answers=good_answers(needs_survey), actor=father
        )
    assert codes(caught.value) == {"answered_by_other_guardian"}
    assert north.child.name in items(caught.value)[0].message
    assert Response.objects.count() == 1


def test_a_family_is_one_login_and_all_its_children_in_the_school(north, needs_survey):
    second = f.StudentFactory(school=north.school, name="王小二")
    add_family(north.school, "", user=north.guardian_user, children=[second])
    services.response_submit(
        survey=needs_survey, answers=good_answers(needs_survey), actor=north.guardian_user
    )
    assert set(ResponseChild.objects.values_list("student", flat=True)) == {
        north.child.pk,
        second.pk,
    }
    # The other parent of the second child only is the same family: refused.
    other, _ = add_family(north.school, "", relation="father", children=[second])
    with pytest.raises(ValidationError) as caught:
        services.response_submit(
            survey=needs_survey, answers=good_answers(needs_survey), actor=other
        )
    assert codes(caught.value) == {"answered_by_other_guardian"}


def test_answers_are_checked(north, needs_survey):
    q = {question.kind: question for question in needs_survey.questions.all()}
    cases = [
        (good_answers(needs_survey, single="也许"), "choice_unknown", q["single"]),
        (good_answers(needs_survey, single=""), "answer_required", q["single"]),
        (good_answers(needs_survey, multiple=["科普", "编程"]), "choice_unknown", q["multiple"]),
        (good_answers(needs_survey, scale=6), "scale_out_of_range", q["scale"]),
        (good_answers(needs_survey, scale=0), "scale_out_of_range", q["scale"]),
        (good_answers(needs_survey, scale="五"), "scale_out_of_range", q["scale"]),
        (good_answers(needs_survey, scale=None), "answer_required", q["scale"]),
        (good_answers(needs_survey, text="长" * 2001), "text_too_long", q["text"]),
    ]
    before = everything()
    for answers, code, question in cases:
        with pytest.raises(ValidationError) as caught:
            services.response_submit(
                survey=needs_survey, answers=answers, actor=north.guardian_user
            )
        assert codes(caught.value) == {code}, (answers, code)
        assert fields(caught.value) == {f"question_{question.pk}"}
    assert everything() == before
    # Optional questions may stay empty.
    services.response_submit(
        survey=needs_survey,
        answers=good_answers(needs_survey, multiple=[], text=""),
        actor=north.guardian_user,
    )
    assert Answer.objects.count() == 2


def test_only_guardians_of_children_of_a_school_it_was_sent_to(north, south, needs_survey):
    for actor in (south.guardian_user, north.admin, north.teacher, north.county_officer):
        with pytest.raises(OutOfScope):
            services.response_submit(
                survey=needs_survey, answers=good_answers(needs_survey), actor=actor
            )
    draft = f.survey(north.school, status="draft")
    with pytest.raises(OutOfScope):
        services.response_submit(survey=draft, answers={}, actor=north.guardian_user)


def test_no_answer_after_close_or_after_the_closing_time(north, needs_survey):
    services.survey_close(survey=needs_survey, actor=north.admin)
    with pytest.raises(ValidationError) as caught:
        services.response_submit(
            survey=needs_survey, answers=good_answers(needs_survey), actor=north.guardian_user
        )
    assert codes(caught.value) == {"survey_closed"}

    timed = f.survey(north.school, closes_at=timezone.now() - dt.timedelta(minutes=1))
    f.survey_question(timed)
    with pytest.raises(ValidationError) as caught:
        services.response_submit(survey=timed, answers={}, actor=north.guardian_user)
    assert codes(caught.value) == {"survey_closed"}
    assert not Response.objects.exists()


def test_a_family_in_two_schools_names_the_school(north, south, city_officer):
    survey = f.survey(None, region=city_officer.region)
    question = f.survey_question(survey)
    add_family(south.school, "", user=north.guardian_user, children=[south.child])
    with pytest.raises(ValidationError) as caught:
        services.response_submit(survey=survey, answers={question.pk: 4}, actor=north.guardian_user)
    assert codes(caught.value) == {"school_required"}
    services.response_submit(
        survey=survey, answers={question.pk: 4}, school=south.school, actor=north.guardian_user
    )
    services.response_submit(
        survey=survey, answers={question.pk: 5}, school=north.school, actor=north.guardian_user
    )
    assert sorted(Response.objects.values_list("school", flat=True)) == sorted(
        [north.school.pk, south.school.pk]
    )
    # south's own guardian: the child is answered for already.
    with pytest.raises(ValidationError) as caught:
        services.response_submit(survey=survey, answers={question.pk: 1}, actor=south.guardian_user)
    assert codes(caught.value) == {"answered_by_other_guardian"}
