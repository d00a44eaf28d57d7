"""Roll call on a 390 px phone: 40 children tapped present, a mark taken without signal
kept on the phone and sent once when the connection returns; nothing scrolls sideways.
Screenshots go to var/screenshots/ for a human to look at."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from kehou.accounts.models import User
from kehou.attendance.models import Attendance, RollCallBatch
from kehou.org.models import Region
from kehou.testing import factories as f
from tests.browser.test_foundation_journey import CHROMIUM, PHONE, _log_in, _shot, browser, fits  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def test_forty_children_on_a_phone_with_a_mark_taken_offline(
    live_server,
    transactional_db,
    browser,  # noqa: F811
):
    city = f.RegionFactory(code="320500", name="苏州市", level=Region.Level.CITY)
    school = f.SchoolFactory(name="吴中区实验小学（本部校区）", region=f.RegionFactory(parent=city))
    school_class = f.SchoolClassFactory(school=school, grade=3, number=1)
    teacher = f.UserFactory(
        phone="13800000002", role=User.Role.TEACHER, school=school, name="陈老师"
    )
    staff = f.StaffFactory(school=school, user=teacher, phone=teacher.phone, name="陈老师")
    today = timezone.localdate()
    sitting = f.roll_sitting(
        school,
        day=today,
        responsible=staff,
        start=dt.time(0, 1),
        end=dt.time(23, 59),
        label="三年级课后服务",
    )
    kids = []
    for n in range(40):
        kid = f.child(school, school_class, name=f"欧阳{'一二三四五六七八九十'[n % 10]}{n:02d}")
        f.application(kid, sitting.term, weekdays=(0, 1, 2, 3, 4, 5, 6))
        kids.append(kid)
    base = live_server.url
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    _log_in(page, base, "13800000002", f.TEST_PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/attendance/today/")
    assert "三年级课后服务" in page.inner_text("main")
    fits(page)
    _shot(page, "rollcall-today-phone")
    page.click("text=点名 >> nth=-1")
    page.wait_for_selector("#roll-list")
    fits(page)
    # one tap per child on the big button
    for kid in kids[:39]:
        page.click(f'li[data-student="{kid.pk}"] .mark.present span')
    page.wait_for_function(
        "document.querySelector('#sync-status').textContent.includes('全部记录已上传')"
    )
    # the last child is tapped absent without signal: kept on the phone, not sent
    context.set_offline(True)
    page.click(f'li[data-student="{kids[39].pk}"] .mark.absent span')
    page.wait_for_timeout(800)
    assert "尚未上传" in page.inner_text("#sync-status")
    assert "尚未上传" in page.inner_text(f'li[data-student="{kids[39].pk}"] .state')
    assert page.evaluate(f"localStorage.getItem('kehou.roll.{sitting.pk}')")
    _shot(page, "rollcall-offline-phone")
    context.set_offline(False)
    page.wait_for_function(
        "document.querySelector('#sync-status').textContent.includes('全部记录已上传')"
    )
    assert page.evaluate(f"localStorage.getItem('kehou.roll.{sitting.pk}')") is None
    _shot(page, "rollcall-sent-phone")
    marks = dict(Attendance.objects.values_list("student_id", "status"))
    assert len(marks) == 40 and marks[kids[39].pk] == "absent"
    assert sum(b.applied for b in RollCallBatch.objects.all()) == 40
    context.close()
