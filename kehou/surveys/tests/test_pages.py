"""The survey pages: the builder, sending, the results and their .xlsx, the family's page."""

import io

import openpyxl
import pytest
from django.urls import reverse

import kehou.testing.factories as f
from kehou.notifications.models import Notification
from kehou.surveys import services
from kehou.surveys.models import Answer, Question, Response, Survey
from kehou.surveys.tests.conftest import add_family, good_answers
from kehou.testing import snapshots

pytestmark = pytest.mark.django_db


def test_an_admin_builds_and_sends_a_survey_on_the_pages(client, north):
    client.force_login(north.admin)
    assert client.get(reverse("surveys:index")).status_code == 200
    response = client.post(
        reverse("surveys:new"),
        {
            "title": "秋季课后服务需求调查",
            "kind": "needs",
            "audience": "parents",
            "letter": "告家长一封信：请您根据孩子情况填写。",
        },
    )
    survey = Survey.objects.get()
    assert response.status_code == 302 and survey.school == north.school
    add = reverse("surveys:question_add", args=[survey.pk])
    client.post(
        add, {"text": "是否参加？", "kind": "single", "choices": "参加\n不参加\n", "required": "on"}
    )
    client.post(add, {"text": "接孩子时间", "kind": "single", "choices": "17:00\n18:00"})
    client.post(add, {"text": "总体满意吗？", "kind": "scale", "is_overall_satisfaction": "on"})
    # A refusal stays on the form, in Chinese, and writes nothing.
    refused = client.post(add, {"text": "喜欢哪些？", "kind": "multiple", "choices": "只有一个"})
    assert refused.status_code == 400
    assert "至少" in refused.content.decode()
    questions = list(survey.questions.order_by("order"))
    assert [q.text for q in questions] == ["是否参加？", "接孩子时间", "总体满意吗？"]
    client.post(
        reverse("surveys:question_move", args=[survey.pk, questions[2].pk]), {"direction": "up"}
    )
    assert (
        list(survey.questions.order_by("order").values_list("text", flat=True))[1] == "总体满意吗？"
    )
    page = client.get(reverse("surveys:survey", args=[survey.pk])).content.decode()
    assert "告家长一封信" in page and 'id="send-survey"' in page

    confirm = client.get(reverse("surveys:send", args=[survey.pk]))
    assert 'id="confirm-yes"' in confirm.content.decode()
    unconfirmed = client.post(reverse("surveys:send", args=[survey.pk]))
    assert 'id="confirm-yes"' in unconfirmed.content.decode()
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT
    client.post(reverse("surveys:send", args=[survey.pk]), {"confirmed": "1"})
    survey.refresh_from_db()
    assert survey.status == Survey.Status.SENT
    assert Notification.objects.filter(recipient=north.guardian_user).count() == 1
    # Sent: no more editing.
    client.post(add, {"text": "晚加的", "kind": "text"})
    assert survey.questions.count() == 3


def test_other_schools_and_families_do_not_see_the_builder(client, north, south):
    survey = f.survey(north.school, status="draft")
    question = f.survey_question(survey)
    urls = [
        reverse("surveys:survey", args=[survey.pk]),
        reverse("surveys:results", args=[survey.pk]),
        reverse("surveys:export", args=[survey.pk]),
        reverse("surveys:send", args=[survey.pk]),
        reverse("surveys:question_edit", args=[survey.pk, question.pk]),
    ]
    for user in (south.admin, south.county_officer, north.guardian_user, north.teacher):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    before = snapshots.everything()
    client.force_login(south.admin)
    client.post(reverse("surveys:question_delete", args=[survey.pk, question.pk]))
    client.post(reverse("surveys:send", args=[survey.pk]), {"confirmed": "1"})
    assert snapshots.everything() == before
    # The county officer reads it, but cannot send a school's survey.
    client.force_login(north.county_officer)
    assert client.get(urls[0]).status_code == 200
    assert client.get(urls[3]).status_code == 404


def test_the_family_answers_on_the_phone_page(client, north, needs_survey):
    client.force_login(north.guardian_user)
    inbox = Notification.objects.get(recipient=north.guardian_user)
    url = inbox.link
    page = client.get(url).content.decode()
    assert "尊敬的家长" in page and 'id="answer-form"' in page and north.child.name in page
    q = {question.kind: question for question in needs_survey.questions.all()}
    post = {
        "school": north.school.pk,
        f"question_{q['single'].pk}": "参加",
        f"question_{q['multiple'].pk}": ["科普", "体育"],
        f"question_{q['text'].pk}": "",
    }
    refused = client.post(url, post)  # the scale question is required
    assert refused.status_code == 400
    assert "需要回答" in refused.content.decode() or "请回答" in refused.content.decode()
    assert not Response.objects.exists()
    done = client.post(url, post | {f"question_{q['scale'].pk}": "4"}, follow=True)
    text = done.content.decode()
    assert 'id="answered"' in text and 'id="answer-form"' not in text
    assert sorted(Answer.objects.get(question=q["multiple"]).choices) == ["体育", "科普"]
    # Listed as answered; a second post is refused and writes nothing.
    assert "已填写" in client.get(reverse("surveys:index")).content.decode()
    again = client.post(url, post | {f"question_{q['scale'].pk}": "1"})
    assert Response.objects.count() == 1 and again.status_code == 400
    assert "已填写过" in again.content.decode()


def test_the_other_parent_sees_already_answered(client, north, needs_survey):
    father, _ = add_family(north.school, "", relation="father", children=[north.child])
    services.response_submit(
        survey=needs_survey, answers=good_answers(needs_survey), actor=north.guardian_user
    )
    client.force_login(father)
    page = client.get(reverse("surveys:answer", args=[needs_survey.pk])).content.decode()
    assert 'id="answered"' in page and north.child.name in page
    assert 'id="answer-form"' not in page


def test_a_guardian_of_another_school_gets_404(client, south, needs_survey):
    client.force_login(south.guardian_user)
    assert client.get(reverse("surveys:answer", args=[needs_survey.pk])).status_code == 404


def _answered(survey, north, scores):
    q = {question.kind: question for question in survey.questions.all()}
    users = [north.guardian_user] + [
        add_family(north.school, f"孩子{n}")[0] for n in range(len(scores) - 1)
    ]
    for user, score in zip(users, scores, strict=True):
        services.response_submit(
            survey=survey,
            answers=good_answers(
                survey, scale=score, multiple=["科普"] if score > 3 else ["文艺", "阅读"]
            ),
            actor=user,
        )
    return q


def test_results_page_counts_and_charts(client, north, needs_survey, django_assert_max_num_queries):
    q = _answered(needs_survey, north, [5, 4, 2])
    client.force_login(north.admin)
    page = client.get(reverse("surveys:results", args=[needs_survey.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert f'id="chart-{q["scale"].pk}"' in text and "echarts.min.js" in text
    chart_data = page.context["charts"]
    scale = next(c for c in chart_data if c["id"] == f"chart-{q['scale'].pk}")
    assert scale["counts"] == [0, 1, 0, 1, 1]
    choices = next(c for c in chart_data if c["id"] == f"chart-{q['multiple'].pk}")
    assert choices["labels"] == ["科普", "文艺", "体育", "阅读"]
    assert choices["counts"] == [2, 1, 0, 1]
    assert "3.67" in text and "希望增加足球" in text


def test_results_in_a_fixed_number_of_queries(north, needs_survey, django_assert_num_queries):
    from kehou.surveys import selectors

    _answered(needs_survey, north, [5])
    with django_assert_num_queries(4):
        selectors.results(north.admin, needs_survey)
    _answered_more = [add_family(north.school, f"又{n}")[0] for n in range(4)]
    for user in _answered_more:
        services.response_submit(
            survey=needs_survey, answers=good_answers(needs_survey), actor=user
        )
    with django_assert_num_queries(4):
        result = selectors.results(north.admin, needs_survey)
    assert result.responses == 5


def test_a_bureau_survey_results_by_school(client, north, south, city_officer):
    survey = f.survey(None, region=city_officer.region)
    question = f.survey_question(survey, is_overall_satisfaction=True)
    services.response_submit(survey=survey, answers={question.pk: 5}, actor=north.guardian_user)
    services.response_submit(survey=survey, answers={question.pk: 1}, actor=south.guardian_user)
    from kehou.surveys import selectors

    assert selectors.results(city_officer, survey).questions[0].distribution == [1, 0, 0, 0, 1]
    north_only = selectors.results(north.admin, survey).questions[0]
    assert north_only.distribution == [0, 0, 0, 0, 1]
    assert selectors.results(north.county_officer, survey).responses == 1
    client.force_login(north.admin)
    assert client.get(reverse("surveys:results", args=[survey.pk])).status_code == 200
    listed = client.get(reverse("surveys:index")).content.decode()
    assert survey.title in listed
    # North's admin reads the bureau's survey but does not manage it.
    assert client.get(reverse("surveys:send", args=[survey.pk])).status_code == 404
    client.force_login(south.admin)
    assert north.child.name not in client.get(
        reverse("surveys:export", args=[survey.pk])
    ).content.decode(errors="ignore")


def test_the_xlsx_has_one_row_per_response_and_the_counts(client, north, needs_survey):
    q = _answered(needs_survey, north, [5, 2])
    client.force_login(north.admin)
    response = client.get(reverse("surveys:export", args=[needs_survey.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    responses, counts = book.worksheets
    rows = [r for r in responses.iter_rows(values_only=True) if r and r[0] is not None]
    header = next(r for r in rows if r[1] == "学校")
    data = rows[rows.index(header) + 1 :]
    assert len(data) == 2
    scale_column = header.index(f"3. {q['scale'].text}")
    assert sorted(r[scale_column] for r in data) == [2, 5]
    assert {r[2] for r in data} >= {north.child.name}
    count_rows = [r for r in counts.iter_rows(values_only=True) if r and r[0]]
    assert [
        q["single"].text in (r[0] or "") and r[1] == "参加" and r[2] == 2 for r in count_rows
    ].count(True) == 1


def test_the_pages_read_english(client, north, needs_survey):
    client.cookies["django_language"] = "en"
    client.force_login(north.admin)
    assert (
        "Results and charts"
        in client.get(reverse("surveys:survey", args=[needs_survey.pk])).content.decode()
    )
    client.force_login(north.guardian_user)
    page = client.get(reverse("surveys:answer", args=[needs_survey.pk])).content.decode()
    assert "Submit" in page


def test_the_pages_read_chinese(client, north, needs_survey):
    client.force_login(north.admin)
    assert "结果" in client.get(reverse("surveys:survey", args=[needs_survey.pk])).content.decode()
    client.force_login(north.guardian_user)
    assert "提交" in client.get(reverse("surveys:answer", args=[needs_survey.pk])).content.decode()


def test_builder_edits_a_question(client, north):
    survey = f.survey(north.school, status="draft")
    question = f.survey_question(survey, "满意吗", kind="single", choices=["是", "否"])
    client.force_login(north.admin)
    url = reverse("surveys:question_edit", args=[survey.pk, question.pk])
    assert "是\n否" in client.get(url).content.decode()
    client.post(url, {"text": "满意吗？", "kind": "scale", "required": "on"})
    question.refresh_from_db()
    assert question.kind == Question.Kind.SCALE and question.choices == []


def test_an_officer_builds_a_bureau_survey_on_the_pages(client, north, south, city_officer):
    client.force_login(city_officer)
    response = client.post(
        reverse("surveys:new"),
        {"title": "全市课后服务满意度调查", "kind": "satisfaction", "audience": "students"},
    )
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert survey.school is None and survey.region == city_officer.region
    page = client.get(reverse("surveys:survey", args=[survey.pk])).content.decode()
    assert "家长的账号" in page  # students answer through the guardian's login
    client.post(
        reverse("surveys:question_add", args=[survey.pk]),
        {"text": "你喜欢课后服务吗？", "kind": "scale", "is_overall_satisfaction": "on"},
    )
    client.post(reverse("surveys:send", args=[survey.pk]), {"confirmed": "1"})
    assert set(Notification.objects.values_list("recipient", flat=True)) == {
        north.guardian_user.pk,
        south.guardian_user.pk,
    }
