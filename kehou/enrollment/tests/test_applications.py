"""Applications (R10) and dated join/withdraw (R13): services, with refusals changing nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kehou.catalog.models import Menu
from kehou.enrollment import seats, selectors, services
from kehou.enrollment.models import (
    AgreementSignature,
    Application,
    Enrollment,
    SeatEvent,
    WaitlistEntry,
)
from kehou.org.access import OutOfScope
from kehou.testing import factories as f

pytestmark = pytest.mark.django_db


def submit(persona, term, **overrides):
    values = {
        "student": persona.child,
        "term": term,
        "actor": persona.guardian_user,
        "service_weekdays": [0, 2, 4],
        "wants_extended_care": True,
        "has_accident_insurance": False,
        "agreement": selectors.current_agreement(persona.school),
    }
    values.update(overrides)
    return services.application_submit(**values)


def test_guardian_applies_and_signs_the_current_agreement(north, term):
    # given
    f.agreement(north.school, version=1)
    v2 = f.agreement(north.school, version=2)
    # when
    app = submit(north, term)
    # then
    assert app.status == Application.Status.SUBMITTED
    assert app.service_weekdays == [0, 2, 4]
    assert app.wants_extended_care and not app.has_accident_insurance
    assert app.guardian == north.guardian
    signature = AgreementSignature.objects.get(application=app)
    assert signature.agreement == v2
    assert signature.signed_by == north.guardian_user
    assert signature.signed_at is not None


def test_other_guardian_cannot_apply(north, south, term):
    # given
    f.agreement(north.school)
    # when / then
    with pytest.raises(OutOfScope):
        submit(north, term, actor=south.guardian_user)
    assert not Application.objects.exists()


def test_school_admin_cannot_apply_for_the_family(north, term):
    f.agreement(north.school)
    with pytest.raises(OutOfScope):
        submit(north, term, actor=north.admin)
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"service_weekdays": []}, "服务日：至少选择一天"),
        ({"service_weekdays": [5]}, "周六不是本校的课后服务日"),
        ({"agreement": None}, "安全协议：请阅读并勾选"),
    ],
)
def test_bad_application_is_refused_and_nothing_is_written(north, term, overrides, expected):
    f.agreement(north.school)
    with pytest.raises(ValidationError) as error:
        submit(north, term, **overrides)
    assert any(expected in m for m in error.value.messages)
    assert not Application.objects.exists()
    assert not AgreementSignature.objects.exists()


def test_an_old_agreement_version_is_refused(north, term):
    old = f.agreement(north.school, version=1)
    f.agreement(north.school, version=2)
    with pytest.raises(ValidationError, match="第2版"):
        submit(north, term, agreement=old)
    assert not Application.objects.exists()


def test_no_agreement_published_means_no_application(north, term):
    with pytest.raises(ValidationError, match="尚未发布安全协议"):
        submit(north, term, agreement=None)
    assert not Application.objects.exists()


def test_service_days_follow_the_published_plan(north, term):
    from kehou.policy.models import SchoolPlan

    f.agreement(north.school)
    SchoolPlan.objects.create(
        school=north.school,
        term=term,
        status=SchoolPlan.Status.PUBLISHED,
        term_start=term.start,
        term_end=term.end,
        service_weekdays=[0, 1, 2, 3, 4, 5],
    )
    assert submit(north, term, service_weekdays=[5]).service_weekdays == [5]


def test_teacher_reviews_then_admin_approves(north, term):
    f.agreement(north.school)
    app = submit(north, term)
    # the admin may not skip the class teacher
    with pytest.raises(ValidationError, match="班主任审核"):
        services.application_approve(application=app, actor=north.admin)
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED
    # when
    services.application_teacher_review(application=app, actor=north.teacher, note="情况属实")
    services.application_approve(application=app, actor=north.admin)
    # then
    app.refresh_from_db()
    assert app.status == Application.Status.APPROVED
    assert app.teacher_reviewed_by == north.teacher and app.teacher_note == "情况属实"
    assert app.decided_by == north.admin
    assert app.starts_on == max(term.start, timezone.localdate())


def test_only_the_head_teacher_reviews(north, south, term):
    f.agreement(north.school)
    app = submit(north, term)
    for stranger in (south.teacher, north.admin, north.guardian_user):
        with pytest.raises(OutOfScope):
            services.application_teacher_review(application=app, actor=stranger)
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED and app.teacher_reviewed_by is None


def test_other_school_admin_cannot_decide(north, south, term):
    f.agreement(north.school)
    app = submit(north, term)
    services.application_teacher_review(application=app, actor=north.teacher)
    with pytest.raises(OutOfScope):
        services.application_approve(application=app, actor=south.admin)
    with pytest.raises(OutOfScope):
        services.application_refuse(application=app, actor=south.admin, reason="名额不足")
    app.refresh_from_db()
    assert app.status == Application.Status.TEACHER_REVIEWED and app.decided_by is None


def test_refusal_needs_a_reason(north, term):
    f.agreement(north.school)
    app = submit(north, term)
    with pytest.raises(ValidationError) as error:
        services.application_refuse(application=app, actor=north.admin, reason="  ")
    assert "拒绝理由：必填" in error.value.messages[0]
    assert "严禁拒绝有需求的学生参加" in error.value.messages[0]
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED


def test_the_database_refuses_a_refusal_without_reason(north, term):
    f.agreement(north.school)
    app = submit(north, term)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=app.pk).update(status=Application.Status.REFUSED)


def test_refusal_with_reason_and_apply_again(north, term):
    f.agreement(north.school)
    app = submit(north, term)
    services.application_refuse(application=app, actor=north.admin, reason="已在校外托管")
    app.refresh_from_db()
    assert app.status == Application.Status.REFUSED and app.refusal_reason == "已在校外托管"
    # the family may apply again: same row, a fresh start
    again = submit(north, term)
    assert again.pk == app.pk
    assert again.status == Application.Status.SUBMITTED and again.refusal_reason == ""


def test_approved_application_cannot_be_resubmitted(north, term):
    f.agreement(north.school)
    app = f.application(north.child, term)
    with pytest.raises(ValidationError, match="已获批准"):
        submit(north, term, service_weekdays=[1])
    app.refresh_from_db()
    assert app.service_weekdays == [0, 1, 2, 3, 4]


def _seated(persona, term, menu, offering):
    app = f.application(persona.child, term)
    f.enrol(app, offering, source=Enrollment.Source.ALLOCATION)
    return app


def test_withdraw_from_a_later_day_keeps_the_seat_until_then(north, term):
    # given: a seated child who is also waiting for another offering
    menu = f.menu(north.school, status=Menu.Status.RUNNING)
    offering = f.offering(menu, capacity=1)
    other_offering = f.offering(menu, "足球", capacity=1, weekday=1)
    app = _seated(north, term, menu, offering)
    WaitlistEntry.objects.create(
        offering=other_offering, student=north.child, application=app, tier=1, lottery_number=1
    )
    on = timezone.localdate() + dt.timedelta(days=7)
    # when
    services.application_withdraw(application=app, actor=north.guardian_user, on=on, reason="搬家")
    # then the child leaves the service from that day; the seat is held until then
    app.refresh_from_db()
    assert app.status == Application.Status.WITHDRAWN and app.withdrawn_on == on
    enrolment = Enrollment.objects.get(student=north.child)
    assert enrolment.status == Enrollment.Status.ACTIVE and enrolment.ends_on == on
    offering.refresh_from_db()
    assert offering.taken == 1
    # and the waiting-list place ends now
    assert WaitlistEntry.objects.get(student=north.child).status == WaitlistEntry.Status.REMOVED
    # the seat history says who, what, from when and why
    ended = SeatEvent.objects.get(enrollment=enrolment, kind=SeatEvent.Kind.ENDED)
    assert ended.actor == north.guardian_user and ended.effective_on == on
    assert ended.reason == "搬家" and ended.school == north.school
    # on that day the periodic job releases the seat
    assert seats.release_due(on - dt.timedelta(days=1)) == 0
    assert seats.release_due(on) == 1
    enrolment.refresh_from_db()
    offering.refresh_from_db()
    assert enrolment.status == Enrollment.Status.WITHDRAWN and offering.taken == 0
    assert SeatEvent.objects.filter(enrollment=enrolment, kind=SeatEvent.Kind.RELEASED).exists()


def test_withdraw_today_frees_the_seat_for_the_waiting_list_after_commit(
    north, term, django_capture_on_commit_callbacks
):
    menu = f.menu(north.school, status=Menu.Status.RUNNING)
    offering = f.offering(menu, capacity=1)
    app = _seated(north, term, menu, offering)
    other = f.child(north.school, north.school_class)
    other_app = f.application(other, term, choices=[offering])
    WaitlistEntry.objects.create(
        offering=offering, student=other, application=other_app, tier=1, lottery_number=2
    )
    today = timezone.localdate()
    with django_capture_on_commit_callbacks() as callbacks:
        services.application_withdraw(application=app, actor=north.guardian_user, on=today)
        # the seat is not offered before the withdrawal commits
        assert WaitlistEntry.objects.get(student=other).status == WaitlistEntry.Status.WAITING
    for callback in callbacks:
        callback()
    offering.refresh_from_db()
    assert offering.taken == 0 and offering.held == 1
    assert WaitlistEntry.objects.get(student=other).status == WaitlistEntry.Status.OFFERED


def test_guardian_cannot_backdate_a_withdrawal_but_the_school_can(north, term):
    menu = f.menu(north.school, status=Menu.Status.RUNNING)
    offering = f.offering(menu, capacity=1)
    app = _seated(north, term, menu, offering)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="今天或以后"):
        services.application_withdraw(application=app, actor=north.guardian_user, on=yesterday)
    app.refresh_from_db()
    offering.refresh_from_db()
    assert app.status == Application.Status.APPROVED and offering.taken == 1
    services.application_withdraw(application=app, actor=north.admin, on=yesterday)
    assert Enrollment.objects.get().ends_on == yesterday


def test_withdraw_outside_the_term_or_by_a_stranger_is_refused(north, south, term):
    menu = f.menu(north.school, status=Menu.Status.RUNNING)
    offering = f.offering(menu, capacity=1)
    app = _seated(north, term, menu, offering)
    with pytest.raises(ValidationError, match="不在本学期"):
        services.application_withdraw(
            application=app, actor=north.admin, on=term.end + dt.timedelta(days=1)
        )
    for stranger in (south.guardian_user, south.admin, north.teacher):
        with pytest.raises(OutOfScope):
            services.application_withdraw(application=app, actor=stranger, on=timezone.localdate())
    app.refresh_from_db()
    offering.refresh_from_db()
    assert app.status == Application.Status.APPROVED and offering.taken == 1
    assert Enrollment.objects.get().status == Enrollment.Status.ACTIVE


def test_enrollment_withdraw_is_idempotent(north, term):
    menu = f.menu(north.school, status=Menu.Status.RUNNING)
    offering = f.offering(menu, capacity=2)
    _seated(north, term, menu, offering)
    enrolment = Enrollment.objects.get()
    today = timezone.localdate()
    services.enrollment_withdraw(enrollment=enrolment, actor=north.guardian_user, on=today)
    services.enrollment_withdraw(enrollment=enrolment, actor=north.guardian_user, on=today)
    offering.refresh_from_db()
    enrolment.refresh_from_db()
    assert offering.taken == 0
    assert enrolment.status == Enrollment.Status.WITHDRAWN and enrolment.ends_on == today


def test_enrollment_withdraw_by_another_family_changes_nothing(north, south, term):
    menu = f.menu(north.school, status=Menu.Status.RUNNING)
    offering = f.offering(menu, capacity=2)
    _seated(north, term, menu, offering)
    enrolment = Enrollment.objects.get()
    with pytest.raises(OutOfScope):
        services.enrollment_withdraw(
            enrollment=enrolment, actor=south.guardian_user, on=timezone.localdate()
        )
    enrolment.refresh_from_db()
    offering.refresh_from_db()
    assert enrolment.status == Enrollment.Status.ACTIVE and offering.taken == 1


def test_school_joins_a_withdrawn_child_again_from_a_date(north, term):
    f.agreement(north.school)
    app = submit(north, term)
    services.application_withdraw(
        application=app, actor=north.guardian_user, on=timezone.localdate()
    )
    on = timezone.localdate() + dt.timedelta(days=3)
    services.application_join(application=app, actor=north.admin, on=on)
    app.refresh_from_db()
    assert app.status == Application.Status.APPROVED and app.starts_on == on
    assert app.withdrawn_on is None


def test_join_without_a_signature_or_by_another_school_is_refused(north, south, term):
    app = f.application(north.child, term)
    app.status = Application.Status.WITHDRAWN
    app.save()
    on = timezone.localdate()
    with pytest.raises(ValidationError, match="安全协议"):
        services.application_join(application=app, actor=north.admin, on=on)
    with pytest.raises(OutOfScope):
        services.application_join(application=app, actor=south.admin, on=on)
    app.refresh_from_db()
    assert app.status == Application.Status.WITHDRAWN


@pytest.mark.parametrize(
    ("facts", "tiers", "expected"),
    [
        ({}, [["disability", "left_behind", "migrant", "low_income"]], 1),
        ({"is_left_behind": True}, [["disability", "left_behind", "migrant", "low_income"]], 0),
        ({"low_income_basis": "低保"}, [["disability"], ["low_income"]], 1),
        ({"has_disability": True, "is_migrant_child": True}, [["migrant"], ["disability"]], 0),
        ({"is_migrant_child": True}, [["disability"], ["left_behind"]], 2),
        ({"has_disability": True}, [], 0),
    ],
)
def test_child_priority_tier(north, facts, tiers, expected):
    student = f.child(north.school, north.school_class, **facts)
    menu = f.menu(north.school)
    menu.priority_tiers = tiers
    assert selectors.child_priority_tier(student, menu) == expected
