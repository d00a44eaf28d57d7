"""A needs survey from end to end (R20): the school admin builds it on the pages (a letter
to parents and four kinds of question) and sends it; a parent on a 390 px phone opens it
from the inbox, answers, sees the thank-you and then the "already answered" state; the
admin sees the charts. Screenshots go to var/screenshots/ for a human to look at."""

from pathlib import Path

import pytest

from kehou.accounts.models import User
from kehou.org.models import ClassMembership, Region, StudentGuardian
from kehou.surveys.models import Answer, Survey
from kehou.testing import factories as f

from .test_foundation_journey import CHROMIUM, PHONE, _log_in, _shot, browser, fits  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

DESK = {"width": 1280, "height": 900}
LETTER = (
    "尊敬的家长：\n\n为做好本学期课后服务工作，满足学生多样化发展需求，学校将开展"
    "“5+2”课后服务（作业辅导、体育活动及科普、文艺、阅读等拓展服务）。"
    "请您根据孩子的实际情况如实填写以下问卷。\n\n吴中区实验小学 2026年8月"
)


def _world():
    city = f.RegionFactory(code="320500", name="苏州市", level=Region.Level.CITY)
    county = f.RegionFactory(code="320506", name="吴中区", parent=city)
    school = f.SchoolFactory(code="3205060001", name="吴中区实验小学", region=county)
    admin = f.UserFactory(phone="13800000001", role=User.Role.SCHOOL_ADMIN, school=school)
    school_class = f.SchoolClassFactory(school=school, grade=2, number=1)
    child = f.StudentFactory(school=school, name="欧阳小明")
    ClassMembership.objects.create(
        student=child, school_class=school_class, school_year=school_class.school_year
    )
    parent = f.UserFactory(phone="13800000004", role=User.Role.GUARDIAN, name="欧阳妈妈")
    guardian = f.GuardianFactory(school=school, user=parent, phone=parent.phone)
    StudentGuardian.objects.create(student=child, guardian=guardian, relation="mother")
    return admin, parent


def _add_question(page, text, kind, choices="", *, overall=False, required=True):
    page.fill("#question-form #id_text", text)
    page.select_option("#question-form #id_kind", kind)
    page.fill("#question-form #id_choices", choices)
    if not required:
        page.uncheck("#question-form #id_required")
    if overall:
        page.check("#question-form #id_is_overall_satisfaction")
    with page.expect_navigation():
        page.click("#add-question")


def test_a_needs_survey_from_the_builder_to_the_parents_phone(
    live_server,
    transactional_db,
    browser,  # noqa: F811
):
    admin, parent = _world()
    base = live_server.url

    # The admin builds and sends the survey.
    desk = browser.new_context(viewport=DESK)
    page = desk.new_page()
    _log_in(page, base, admin.phone, f.TEST_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/surveys/")
    page.click("#new-survey")
    page.fill("#id_title", "2026年秋季学期课后服务需求调查")
    page.select_option("#id_kind", "needs")
    page.fill("#id_letter", LETTER)
    with page.expect_navigation():
        page.click("#survey-form button[type=submit]")
    _add_question(page, "您的孩子本学期是否参加学校课后服务？", "single", "参加\n不参加")
    _add_question(
        page,
        "希望孩子参加哪些拓展服务？",
        "multiple",
        "科普\n文艺\n体育\n阅读\n劳动",
        required=False,
    )
    _add_question(page, "希望的接孩子时间", "single", "17:00\n17:30\n18:00")
    _add_question(page, "您对学校去年的课后服务总体满意吗？", "scale", overall=True)
    _add_question(page, "其他意见和建议", "text", required=False)
    assert page.locator("ol.questions > li").count() == 5
    _shot(page, "survey-80-survey-builder")
    page.click("#send-survey")
    _shot(page, "survey-81-survey-send-confirm")
    with page.expect_navigation():
        page.click("#confirm-yes")
    assert Survey.objects.get().status == Survey.Status.SENT

    # The parent, on a phone, from the inbox.
    for lang in ("zh-hans", "en"):
        phone = browser.new_context(viewport=PHONE)
        phone.add_cookies([{"name": "django_language", "value": lang, "url": base}])
        mobile = phone.new_page()
        _log_in(mobile, base, parent.phone, f.TEST_PASSWORD)
        mobile.wait_for_url(f"{base}/")
        mobile.goto(f"{base}/inbox/")
        mobile.click(".inbox li:first-child .inbox-open")
        with mobile.expect_navigation():
            mobile.click("form[action$='/open/'] button")
        assert "/surveys/" in mobile.url
        fits(mobile)
        if lang == "zh-hans":
            assert "尊敬的家长" in mobile.inner_text(".letter")
            _shot(mobile, "survey-82-phone-survey-zh-hans")
            # Submitting without the required answers names them, writes nothing.
            with mobile.expect_navigation():
                mobile.click("#submit-answer")
            assert mobile.locator(".question.has-error").count() == 3
            assert not Answer.objects.exists()
            fits(mobile)
            _shot(mobile, "survey-83-phone-survey-refused")
            mobile.check("#answer-form fieldset:nth-of-type(1) input[value='参加']")
            mobile.check("#answer-form fieldset:nth-of-type(2) input[value='科普']")
            mobile.check("#answer-form fieldset:nth-of-type(2) input[value='阅读']")
            mobile.check("#answer-form fieldset:nth-of-type(3) input[value='17:30']")
            mobile.check("#answer-form fieldset:nth-of-type(4) input[value='4']")
            mobile.fill("#answer-form textarea", "希望增加足球和书法。")
            with mobile.expect_navigation():
                mobile.click("#submit-answer")
            assert mobile.locator("#answered").count() == 1
            assert "谢谢" in mobile.inner_text(".messages")
            fits(mobile)
            _shot(mobile, "survey-84-phone-survey-thanks")
        else:
            # Already answered, and it says so.
            assert mobile.locator("#answered").count() == 1
            assert mobile.locator("#answer-form").count() == 0
            fits(mobile)
            _shot(mobile, "survey-85-phone-survey-answered-en")
        phone.close()
    assert Answer.objects.count() == 5

    # The admin sees the charts.
    page.goto(f"{base}/surveys/{Survey.objects.get().pk}/results/")
    page.wait_for_selector(".chart canvas")
    assert page.locator(".chart canvas").count() == 4
    assert page.inner_text("#response-count").strip() == "1"
    _shot(page, "survey-86-survey-results")
    # And the results on a phone fit it.
    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_selector(".chart canvas")
    fits(page)
    _shot(page, "survey-87-phone-survey-results")
    desk.close()
