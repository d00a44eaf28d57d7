import pytest

import kehou.testing.factories as f
from kehou.accounts.models import User
from kehou.org.models import Guardian, StudentGuardian
from kehou.surveys import services


def add_family(school, name, *, relation="father", user=None, children=None):
    """A guardian login of a new child (or of `children`) of `school`; returns (user, child)."""
    child = None
    if children is None:
        child = f.StudentFactory(school=school, name=name)
        children = [child]
    user = user or f.UserFactory(role=User.Role.GUARDIAN)
    guardian = Guardian.objects.filter(school=school, user=user).first() or f.GuardianFactory(
        school=school, user=user, phone=user.phone
    )
    for c in children:
        StudentGuardian.objects.create(student=c, guardian=guardian, relation=relation)
    return user, child or children[0]


@pytest.fixture
def needs_survey(north):
    """A sent needs survey of north with one question of each kind."""
    survey = services.survey_create(
        school=north.school,
        title="2026年秋季课后服务需求调查",
        kind="needs",
        letter="尊敬的家长：为做好本学期课后服务工作，请您填写以下问卷。",
        actor=north.admin,
    )
    services.question_add(
        survey=survey,
        text="您的孩子是否参加课后服务？",
        kind="single",
        choices=["参加", "不参加"],
        actor=north.admin,
    )
    services.question_add(
        survey=survey,
        text="希望参加哪些拓展服务？",
        kind="multiple",
        choices=["科普", "文艺", "体育", "阅读"],
        required=False,
        actor=north.admin,
    )
    services.question_add(
        survey=survey,
        text="您对课后服务总体满意吗？",
        kind="scale",
        is_overall_satisfaction=True,
        actor=north.admin,
    )
    services.question_add(
        survey=survey, text="其他建议", kind="text", required=False, actor=north.admin
    )
    return services.survey_send(survey=survey, confirmed=True, actor=north.admin)


def good_answers(survey, **overrides):
    q = {question.kind: question for question in survey.questions.all()}
    answers = {
        q["single"].pk: "参加",
        q["multiple"].pk: ["科普", "阅读"],
        q["scale"].pk: 5,
        q["text"].pk: "希望增加足球",
    }
    for kind, value in overrides.items():
        answers[q[kind].pk] = value
    return answers
