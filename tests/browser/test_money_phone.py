"""The family's money page on a 390 px phone, in Chinese and English: bills, payments, a
refund with its reason and arithmetic, the balance; nothing scrolls sideways."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from kehou.accounts.models import User
from kehou.org.access import SYSTEM
from kehou.org.models import Region, StudentGuardian
from kehou.payments import services
from kehou.payments.tests.helpers import bill, refund
from kehou.testing import factories as f

from .test_foundation_journey import CHROMIUM, PHONE, _log_in, _shot, browser, fits  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def test_the_family_money_page_fits_a_phone(live_server, transactional_db, browser):  # noqa: F811
    city = f.RegionFactory(code="320500", name="苏州市", level=Region.Level.CITY)
    county = f.RegionFactory(code="320506", name="吴中区", parent=city)
    school = f.SchoolFactory(code="3205060001", name="吴中区实验小学（本部校区）", region=county)
    school_class = f.SchoolClassFactory(school=school, grade=3)
    guardian_user = f.UserFactory(phone="13800000004", role=User.Role.GUARDIAN)
    guardian = f.GuardianFactory(user=guardian_user, phone="13800000004")
    child = f.child(school, school_class, guardian=guardian, name="欧阳小明")
    StudentGuardian.objects.filter(student=child).update(is_primary=True)
    october = bill(child, total_fen=123456)
    services.payment_record(
        student=child,
        amount_fen=123456,
        paid_on=timezone.localdate() - dt.timedelta(days=1),
        channel="platform",
        reference="42000012345678901234567890",
        bill=october,
        actor=SYSTEM,
    )
    due = refund(october, due_fen=30864)
    base = live_server.url
    for lang in ("zh-hans", "en"):
        context = browser.new_context(viewport=PHONE)
        context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
        page = context.new_page()
        _log_in(page, base, "13800000004", f.TEST_PASSWORD)
        page.wait_for_url(f"{base}/")
        assert page.goto(f"{base}/payments/family/").status == 200
        fits(page)
        _shot(page, f"70-phone-money-{lang}")
        text = page.inner_text("main")
        assert "1,234.56" in text and "308.64" in text and due.arithmetic in text
        if lang == "en":
            assert "The school holds for you" in text
        else:
            assert "学校代您保管" in text
        context.close()
