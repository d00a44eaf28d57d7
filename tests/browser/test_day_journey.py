"""A school day in the demo city through phones (issue 9, "Done means").

The small demo city is seeded on a Wednesday of term with kehou's clock running from
16:00 that day (the live server's thread reads the same clock). A head teacher takes her
class's roll on a phone at the plan's sitting — present for most, the demo family's child
absent, tapped without signal and sent once when the signal returns — closes her class's
part and hands the class to the duty teacher (the demo teacher). A mother shows today's
pickup code, the gate types it in and records the collection; the rest leave, one child is
deliberately left on site, and at 19:05 the end-of-day sweep raises the alert that the duty
teacher sees on the board and resolves with a reason. The absence reached the demo
guardian's inbox and mail, and each family's day page shows what happened. Phones are
390 x 844; screenshots go to var/screenshots/ (95-...).
"""

import datetime as dt
import time
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from kehou.attendance.models import Attendance, RollCallBatch
from kehou.custody import codes
from kehou.custody import services as custody
from kehou.custody.models import Alert, Custody, Dismissal, Duty, Handover
from kehou.custody.sweeps import alerts_sweep
from kehou.demo.seed import DEMO_PASSWORD, PHONE_GATE, PHONE_GUARDIAN, PHONE_TEACHER, seed_city
from kehou.lib.school_calendar import school_year_start
from kehou.notifications.models import Notification
from kehou.org.models import ClassMembership, Guardian, Staff, StudentGuardian
from kehou.sittings.models import Sitting
from kehou.sittings.selectors import day_rosters
from kehou.testing.worker import run_queued_tasks

from .test_foundation_journey import CHROMIUM, _log_in, _shot, browser  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

PHONE = {"width": 390, "height": 844}


class Clock:
    """kehou's clock for the journey: runs from `start`, and can be moved forward."""

    def __init__(self, start: dt.datetime) -> None:
        self.start, self.began = start, time.monotonic()

    def now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=time.monotonic() - self.began)

    def jump(self, to: dt.datetime) -> None:
        self.start, self.began = to, time.monotonic()


def _phone(browser, clock: Clock):  # noqa: F811
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, locale="zh-CN"
    )
    # the phone's clock shows the journey's day (its taps are stamped with it)
    context.clock.set_fixed_time(clock.now())
    return context


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a phone"


def _wednesday_at_four() -> dt.datetime:
    year = school_year_start(timezone.localdate())
    return timezone.make_aware(dt.datetime(year, 11, 18, 16, 0))


def test_a_school_day_on_phones(live_server, transactional_db, browser, settings):  # noqa: F811
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock = Clock(_wednesday_at_four())
    with mock.patch.object(timezone, "now", side_effect=clock.now):
        _journey(browser, live_server.url, clock)


def _journey(browser, base, clock: Clock):  # noqa: F811, PLR0915
    # given the small demo city with its month so far; today is untaken
    seed_city(schools=2, students=500, sessions=True)
    today = timezone.localdate()
    assert not Attendance.objects.filter(sitting__date=today).exists()
    parent = Guardian.objects.get(phone=PHONE_GUARDIAN)
    family = list(
        StudentGuardian.objects.filter(guardian=parent)
        .select_related("student")
        .order_by("student__birth_date")
    )
    absentee = family[0].student  # the elder child, absent today
    membership = ClassMembership.objects.select_related("school_class__head_teacher__user").get(
        student=absentee
    )
    school_class = membership.school_class
    head = school_class.head_teacher
    duty_teacher = Staff.objects.get(user__phone=PHONE_TEACHER)
    if head.pk == duty_teacher.pk:  # the demo teacher heads this class: hand to the colleague
        duty_teacher = Duty.objects.exclude(staff=head).get(date=today).staff
    assert head.user is not None
    plan_sitting = next(
        r.sitting
        for r in day_rosters(absentee.school, today)
        if r.sitting.offering_id is None
        and absentee.pk in r.student_ids
        and r.sitting.grade_from <= school_class.grade <= r.sitting.grade_to
    )

    # --- 1. the head teacher takes her class's roll on a phone ---------------------------
    teacher = _phone(browser, clock)
    page = teacher.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    _log_in(page, base, head.user.phone, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/attendance/today/")
    assert school_class.name in page.inner_text("main") or plan_sitting.get_kind_display()
    _fits(page)
    _shot(page, "95-01-teacher-today")
    page.goto(f"{base}/attendance/sittings/{plan_sitting.pk}/")
    page.wait_for_selector("#roll-list")
    rows = page.eval_on_selector_all(
        "#roll-list li[data-student]", "els => els.map(e => +e.dataset.student)"
    )
    assert absentee.pk in rows and len(rows) >= 3
    for pk in rows:
        if pk != absentee.pk:
            page.click(f'li[data-student="{pk}"] .mark.present span')
    page.wait_for_function(
        "document.querySelector('#sync-status').textContent.includes('全部记录已上传')"
    )
    # the absence is tapped without signal: kept on the phone
    teacher.set_offline(True)
    page.click(f'li[data-student="{absentee.pk}"] .mark.absent span')
    page.wait_for_timeout(800)
    assert "尚未上传" in page.inner_text("#sync-status")
    assert not Attendance.objects.filter(student=absentee, sitting=plan_sitting).exists()
    _fits(page)
    _shot(page, "95-02-roll-offline")
    teacher.set_offline(False)
    page.wait_for_function(
        "document.querySelector('#sync-status').textContent.includes('全部记录已上传')"
    )
    _shot(page, "95-03-roll-sent")
    # then it arrived once: one mark, from one batch applied once
    marks = Attendance.objects.filter(sitting=plan_sitting)
    assert marks.count() == len(rows)
    absent = marks.get(student=absentee)
    assert absent.status == "absent" and absent.batch_id is not None
    assert RollCallBatch.objects.get(pk=absent.batch_id).applied == 1
    assert marks.filter(status="present").count() == len(rows) - 1
    # she closes her class's part: the absence is told to the family
    with page.expect_navigation():
        page.click("#roll-close button[type=submit]")
    _shot(page, "95-04-roll-closed")
    assert Attendance.objects.get(pk=absent.pk).guardian_told_at is not None

    # --- 2. she hands her class over to the duty teacher ---------------------------------
    page.goto(f"{base}/custody/handover/?to={duty_teacher.pk}&sitting={plan_sitting.pk}")
    _fits(page)
    with page.expect_navigation():
        page.click(f"text=交接给{duty_teacher.name}")
    _shot(page, "95-05-handed-over")
    handover = Handover.objects.get(from_staff=head, to_staff=duty_teacher)
    assert handover.children == len(rows) - 1
    on_site = Custody.objects.filter(until__isnull=True, holder=duty_teacher)
    assert on_site.count() == len(rows) - 1
    teacher.close()

    # --- 3. a mother shows today's pickup code, the gate types it in -----------------------
    collected = next(
        link
        for link in StudentGuardian.objects.filter(
            student_id__in=[pk for pk in rows if pk != absentee.pk],
            may_collect=True,
            guardian__user__isnull=False,
        ).select_related("student", "guardian__user")
    )
    child, mother = collected.student, collected.guardian
    code = codes.pickup_code(child.pk, today)
    family_phone = _phone(browser, clock)
    page = family_phone.new_page()
    _log_in(page, base, mother.phone, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/attendance/family/")
    assert code in page.inner_text(f"#pickup-code-{child.pk}")
    _fits(page)
    _shot(page, "95-06-family-pickup-code")

    clock.jump(timezone.make_aware(dt.datetime.combine(today, plan_sitting.end)))
    gate = _phone(browser, clock)
    gate_page = gate.new_page()
    _log_in(gate_page, base, PHONE_GATE, DEMO_PASSWORD)
    gate_page.wait_for_url(f"{base}/")
    gate_page.goto(f"{base}/custody/gate/")
    gate_page.fill("#gate-code", code)
    with gate_page.expect_navigation():
        gate_page.click("#gate-form button[type=submit]")
    assert child.name in gate_page.inner_text("main")
    _fits(gate_page)
    _shot(gate_page, "95-07-gate-found")
    gate_page.select_option(f"#who-{child.pk}", str(mother.pk))
    with gate_page.expect_navigation():
        gate_page.click(f"text={child.name}已接走")
    _shot(gate_page, "95-08-gate-collected")
    dismissal = Dismissal.objects.get(student=child, date=today)
    assert dismissal.verified == "code" and dismissal.guardian_id == mother.pk
    assert dismissal.collected_by == mother.name
    gate.close()

    # the mother's day page: arrived, present, collected by whom at what time
    page.goto(f"{base}/attendance/family/")
    day_text = page.inner_text("main")
    assert (
        mother.name in day_text and timezone.localtime(dismissal.at).strftime("%H:%M") in day_text
    )
    assert "出勤" in day_text or "到" in day_text
    _shot(page, "95-09-family-day-collected")
    family_phone.close()

    # --- 4. the rest leave; one child is deliberately left on site -------------------------
    left = [c for c in on_site.exclude(student=child).order_by("student_id")]
    forgotten = left[0].student
    gate_user = _user(PHONE_GATE)
    for item in left[1:]:
        custody.dismissal_record(
            student=item.student, how="escort", escort="托管班老师", actor=gate_user
        )
    last_end = Sitting.objects.filter(school=absentee.school, date=today).order_by("-end")[0].end
    clock.jump(timezone.make_aware(dt.datetime.combine(today, last_end)) + dt.timedelta(minutes=35))
    raised = alerts_sweep()
    assert raised["unaccounted"] == 1
    alert = Alert.objects.get(kind="unaccounted", date=today)
    assert alert.student_id == forgotten.pk and alert.resolved_at is None
    assert Notification.objects.filter(kind="alert", recipient=duty_teacher.user).exists()

    # --- 5. the duty teacher sees it on the board and resolves it with a reason -------------
    duty = _phone(browser, clock)
    page = duty.new_page()
    _log_in(page, base, duty_teacher.user.phone, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/custody/board/")
    board = page.inner_text("main")
    assert forgotten.name in board
    _fits(page)
    _shot(page, "95-10-board-alert")
    page.goto(f"{base}/custody/alerts/{alert.pk}/")
    page.fill("#resolution", "孩子在图书室写作业，已联系家长，奶奶19:20接走")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    _shot(page, "95-11-alert-resolved")
    alert.refresh_from_db()
    assert alert.resolved_at is not None and "图书室" in alert.resolution
    assert alert.resolved_by_id == duty_teacher.user_id
    duty.close()

    # --- 6. the absence reached the demo guardian's inbox and mail ---------------------------
    run_queued_tasks()
    told = Notification.objects.get(recipient=parent.user, key=f"absence:{absent.pk}")
    assert absentee.name in told.title
    assert any(absentee.name in m.subject or absentee.name in m.body for m in mail.outbox)
    assert any(parent.user.phone in "".join(m.to) for m in mail.outbox)
    guardian = _phone(browser, clock)
    page = guardian.new_page()
    _log_in(page, base, PHONE_GUARDIAN, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/inbox/")
    assert told.title in page.inner_text("main")
    _fits(page)
    _shot(page, "95-12-guardian-inbox")
    page.goto(f"{base}/attendance/family/")
    assert absentee.name in page.inner_text("main")
    _fits(page)
    _shot(page, "95-13-guardian-day")
    guardian.close()


def _user(phone):
    from kehou.accounts.models import User

    return User.objects.get(phone=phone)
