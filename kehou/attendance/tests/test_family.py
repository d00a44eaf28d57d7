"""The guardian's view of the day (issue 9 item 7): arrived, at which activity, with whom
now, how the day ended, today's pickup code; the month's attendance; who may not see it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kehou.accounts.models import User
from kehou.attendance import family
from kehou.attendance.models import Attendance, LeaveRequest
from kehou.custody import chain, codes
from kehou.custody.models import Custody, Dismissal
from kehou.custody.services import dismissal_sentence
from kehou.org.access import SYSTEM
from kehou.org.models import AuthorisedCollector, StudentGuardian
from kehou.sittings import selectors as sitting_selectors
from kehou.sittings import services as sitting_services
from kehou.sittings.models import Sitting
from kehou.testing import factories as f
from kehou.testing import snapshots
from kehou.testing.clock import freeze_now

D, T = dt.date, dt.time
TUESDAY = D(2026, 11, 3)
BEIJING = ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, T(hour, minute), tzinfo=BEIJING)


def _term(north):
    """North's plan (grades 1-6, 16:00-18:00 in 三(1)班教室, led by north's teacher), 足球
    on Tuesdays 16:40-17:30 on the playground with 赵教练, north's child approved and in
    足球; generated."""
    plan = f.published_plan(north.school)
    menu = f.menu(north.school, term=plan.term, status="running")
    coach = f.external_instructor(north.school, name="赵教练", phone="13711110000")
    football = f.offering(
        menu, "足球", meetings=[(1, T(16, 40), T(17, 30))], instructor=coach, room="操场"
    )
    app = f.application(north.child, plan.term)
    f.enrol(app, football)
    sitting_services.sittings_generate(school=north.school, term=plan.term, actor=SYSTEM)
    Sitting.objects.filter(school=north.school, offering__isnull=True).update(
        responsible=north.teacher.staff, room="三(1)班教室"
    )
    Sitting.objects.filter(offering=football).update(responsible=coach)
    return plan, football, coach


def _sittings(day: dt.date, school) -> tuple[Sitting, Sitting]:
    basic = Sitting.objects.get(school=school, date=day, offering__isnull=True)
    football = Sitting.objects.get(school=school, date=day, offering__isnull=False)
    return basic, football


def _mark(sitting, student, status, when, by) -> Attendance:
    return Attendance.objects.create(
        school_id=sitting.school_id,
        sitting=sitting,
        day=sitting.date,
        student=student,
        status=status,
        marked_by=by,
        marked_at=when,
    )


def _receive(student, holder, when, sitting, by):
    with transaction.atomic():
        chain.receive(
            students=[student],
            holder=holder,
            at=when,
            by=by,
            school_id=student.school_id,
            sitting=sitting,
        )


def _dismiss(student, when, by, **fields) -> Dismissal:
    with transaction.atomic():
        ended = chain.end(student_ids=[student.pk], at=when, ended=Custody.Ended.DISMISSED)
        return Dismissal.objects.create(
            school_id=student.school_id,
            student=student,
            custody=ended[student.pk],
            date=timezone_day(when),
            at=when,
            recorded_by=by,
            **fields,
        )


def timezone_day(when: dt.datetime) -> dt.date:
    return when.astimezone(BEIJING).date()


def _page(client, user, name="attendance:family", *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


# --- the day ------------------------------------------------------------------------------


def test_a_guardian_sees_arrival_each_activity_and_who_has_the_child_now(client, north):
    # given 王小北 marked present at the basic service at 16:05 and late at 足球 at 16:47,
    # now with the coach at 足球
    _plan, _football, coach = _term(north)
    basic, football = _sittings(TUESDAY, north.school)
    child = north.child
    _mark(basic, child, "present", at(TUESDAY, 16, 5), north.teacher)
    _receive(child, north.teacher.staff, at(TUESDAY, 16, 5), basic, north.teacher)
    _mark(football, child, "late", at(TUESDAY, 16, 47), north.teacher)
    _receive(child, coach, at(TUESDAY, 16, 47), football, north.teacher)
    # when the mother opens the page at 17:10
    with freeze_now(at(TUESDAY, 17, 10)):
        response = _page(client, north.guardian_user)
    # then
    assert response.status_code == 200
    page = response.content.decode()
    timeline = page[page.index(f'id="timeline-{child.pk}"') :]
    assert "16:05" in timeline and "到校" in timeline
    assert "16:00–18:00" in timeline and "出勤 16:05" in timeline
    assert "16:40–17:30" in timeline and "足球" in timeline and "迟到 16:47" in timeline
    assert north.teacher.staff.name in timeline and "三(1)班教室" in timeline
    assert "现在" in timeline and "赵教练" in timeline and "操场" in timeline
    # staff are shown by name only
    assert coach.phone not in page and north.teacher.staff.phone not in page


def test_the_pickup_code_and_its_qr_are_today_s_and_written_nowhere(client, north):
    # given north's child is expected today; an authorised collector valid today and one
    # whose authorisation ended yesterday
    _term(north)
    AuthorisedCollector.objects.create(
        student=north.child, name="邻居张阿姨", relation="邻居", phone="13722223333"
    )
    AuthorisedCollector.objects.create(
        student=north.child,
        name="旧司机",
        relation="司机",
        phone="13722224444",
        valid_until=TUESDAY - dt.timedelta(days=1),
    )
    before = snapshots.everything() | snapshots.rows(Attendance, Custody, Dismissal)
    # when the mother opens the page in the morning
    with freeze_now(at(TUESDAY, 8, 0)):
        page = _page(client, north.guardian_user).content.decode()
    # then the six digits, the QR code of the day's payload, and who may collect
    code = codes.pickup_code(north.child.pk, TUESDAY)
    assert f'id="pickup-code-{north.child.pk}">{code}<' in page
    qr = page[page.index(f'id="pickup-qr-{north.child.pk}"') :]
    assert qr.index("<svg") < qr.index("</svg>") and 'class="pickup-qr"' in qr
    assert "扫描" in page and "六位" in page
    assert north.guardian.name in page and "邻居张阿姨" in page and "旧司机" not in page
    assert snapshots.everything() | snapshots.rows(Attendance, Custody, Dismissal) == before
    # the QR is the day's payload, which the gate reads back
    svg = family.pickup_qr_svg(north.child.pk, TUESDAY)
    assert svg in page
    assert codes.read_qr(codes.qr_payload(north.child.pk, TUESDAY)) == (
        north.child.pk,
        TUESDAY,
        code,
    )
    # a week later, that week's code
    next_week = TUESDAY + dt.timedelta(days=7)
    with freeze_now(at(next_week, 8, 0)):
        later = _page(client, north.guardian_user).content.decode()
    assert f">{codes.pickup_code(north.child.pk, next_week)}<" in later


def test_how_the_day_ended_and_no_code_after_it(client, north):
    # given the child was collected by the mother at 18:12, 12 minutes late, by the QR code
    _term(north)
    basic, _football = _sittings(TUESDAY, north.school)
    _mark(basic, north.child, "present", at(TUESDAY, 16, 2), north.teacher)
    _receive(north.child, north.teacher.staff, at(TUESDAY, 16, 2), basic, north.teacher)
    _dismiss(
        north.child,
        at(TUESDAY, 18, 12),
        north.gate,
        how=Dismissal.How.COLLECTED,
        guardian=north.guardian,
        collected_by=north.guardian.name,
        verified=Dismissal.Verified.QR,
        minutes_late=12,
    )
    # when
    with freeze_now(at(TUESDAY, 18, 30)):
        page = _page(client, north.guardian_user).content.decode()
    # then
    assert f"由{north.guardian.name}于18:12接走" in page
    assert "12分钟" in page
    assert 'id="pickup-code-' not in page and "<svg" not in page


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"how": "escort", "escort": "刘老师", "route": "东线"}, ["护送", "刘老师", "东线"]),
        ({"how": "bus", "route": "2号校车"}, ["校车", "2号校车"]),
        ({"how": "dormitory"}, ["宿舍"]),
    ],
)
def test_each_way_a_day_ends_reads_in_words(north, fields, expected):
    dismissal = Dismissal(at=at(TUESDAY, 18, 0), **fields)
    text = dismissal_sentence(dismissal)
    assert "18:00" in text
    assert all(word in text for word in expected)


def test_walking_home_alone_reads_in_words(north):
    text = dismissal_sentence(Dismissal(at=at(TUESDAY, 17, 55), how="walks_alone"))
    assert "17:55" in text and "自行" in text


def test_no_code_on_leave_when_absent_or_without_service(client, north):
    # given a leave for Tuesday, an absence on Wednesday, nothing on Saturday
    _term(north)
    LeaveRequest.objects.create(
        school=north.school,
        student=north.child,
        first_day=TUESDAY,
        last_day=TUESDAY,
        reason="看牙医",
        filed_by=north.guardian_user,
    )
    wednesday = TUESDAY + dt.timedelta(days=1)
    (basic,) = Sitting.objects.filter(school=north.school, date=wednesday)
    _mark(basic, north.child, "absent", at(wednesday, 16, 3), north.teacher)
    for moment, words in (
        (at(TUESDAY, 15, 0), ["今天请假", "看牙医"]),
        (at(wednesday, 17, 0), ["缺勤"]),
        (at(TUESDAY + dt.timedelta(days=4), 15, 0), ["今天没有课后服务"]),
    ):
        with freeze_now(moment):
            page = _page(client, north.guardian_user).content.decode()
        assert 'id="pickup-code-' not in page
        assert all(word in page for word in words), words


def test_the_day_of_a_child_follows_the_rosters(north):
    # given a plan with the basic service for grades 1-4, extended care and the boarders'
    # service, and 足球; children of each kind
    plan = f.published_plan(
        north.school,
        slots=[
            {"grade_from": 1, "grade_to": 4, "start": T(15, 50), "end": T(17, 50)},
            {
                "grade_from": 1,
                "grade_to": 6,
                "start": T(17, 50),
                "end": T(18, 30),
                "kind": "extended_care",
            },
            {
                "grade_from": 1,
                "grade_to": 6,
                "start": T(18, 40),
                "end": T(20, 0),
                "kind": "boarding",
            },
        ],
    )
    menu = f.menu(north.school, term=plan.term, status="running")
    football = f.offering(menu, "足球", meetings=[(d, T(16, 40), T(17, 30)) for d in range(5)])
    senior_class = f.SchoolClassFactory(school=north.school, grade=5, number=1)
    kids = {
        "plain": f.application(north.child, plan.term, weekdays=(0, 2)),
        "care": f.application(
            f.child(north.school, north.school_class), plan.term, wants_extended_care=True
        ),
        "boarder": f.application(f.child(north.school, senior_class, is_boarder=True), plan.term),
        "late_joiner": f.application(
            f.child(north.school, north.school_class), plan.term, starts_on=D(2026, 11, 4)
        ),
    }
    f.enrol(kids["care"], football, starts_on=D(2026, 11, 3))
    sitting_services.sittings_generate(school=north.school, term=plan.term, actor=SYSTEM)
    students = [app.student for app in kids.values()]
    for day in (D(2026, 11, 2), D(2026, 11, 3), D(2026, 11, 4)):
        # when
        ours = {
            d.student.pk: {line.sitting.pk for line in d.lines}
            for d in family.days_of(students, day)
        }
        # then the same sittings the rosters put each child on
        theirs = {s.pk: set() for s in students}
        for roster in sitting_selectors.day_rosters(north.school, day):
            for pk in roster.student_ids:
                theirs.setdefault(pk, set()).add(roster.sitting.pk)
        assert ours == theirs, day


def test_a_child_at_two_schools_families_sees_each_school_s_own_day(client, north, south):
    # given north's mother is also the guardian of a child at south (her own record there)
    _term(north)
    _term(south)
    south_record = f.GuardianFactory(
        school=south.school, user=north.guardian_user, phone=north.guardian_user.phone
    )
    StudentGuardian.objects.create(student=south.child, guardian=south_record, relation="mother")
    south_basic, _ = _sittings(TUESDAY, south.school)
    _mark(south_basic, south.child, "present", at(TUESDAY, 16, 9), south.teacher)
    # when
    with freeze_now(at(TUESDAY, 16, 30)):
        days = family.family_today(north.guardian_user)
        page = _page(client, north.guardian_user).content.decode()
    # then each child is on their own school's sittings only
    by_child = {d.student.pk: d for d in days}
    assert {line.sitting.school_id for line in by_child[north.child.pk].lines} == {north.school.pk}
    assert {line.sitting.school_id for line in by_child[south.child.pk].lines} == {south.school.pk}
    assert by_child[south.child.pk].arrived_at == at(TUESDAY, 16, 9)
    assert by_child[north.child.pk].arrived_at is None
    assert north.school.name in page and south.school.name in page
    # and south's own guardian still sees only south's child
    assert [d.student.pk for d in family.family_today(south.guardian_user)] == [south.child.pk]


def test_the_family_page_reads_in_a_fixed_number_of_queries(
    client, north, django_assert_max_num_queries
):
    # given the mother has two children at north, each with marks and a custody
    _term(north)
    sibling = f.child(north.school, north.school_class, guardian=north.guardian, name="王小二")
    f.application(sibling, north.child.applications.get().term)
    basic, _football = _sittings(TUESDAY, north.school)
    client.force_login(north.guardian_user)
    url = reverse("attendance:family")

    def queries() -> int:
        with freeze_now(at(TUESDAY, 17, 0)), CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    one_child = queries()
    for kid in (north.child, sibling):
        _mark(basic, kid, "present", at(TUESDAY, 16, 1), north.teacher)
        _receive(kid, north.teacher.staff, at(TUESDAY, 16, 1), basic, north.teacher)
    # when / then: the same number of queries with more children and more rows
    assert queries() == one_child, one_child
    with freeze_now(at(TUESDAY, 17, 0)), django_assert_max_num_queries(18):
        client.get(url)


def test_the_home_page_shows_today_and_links_to_the_day(client, north):
    _term(north)
    basic, _ = _sittings(TUESDAY, north.school)
    _mark(basic, north.child, "present", at(TUESDAY, 16, 5), north.teacher)
    _receive(north.child, north.teacher.staff, at(TUESDAY, 16, 5), basic, north.teacher)
    with freeze_now(at(TUESDAY, 16, 30)):
        page = _page(client, north.guardian_user, "home:index").content.decode()
    assert reverse("attendance:family_child", args=[north.child.pk]) in page
    assert reverse("attendance:family_history", args=[north.child.pk]) in page
    assert north.teacher.staff.name in page and "接送码" in page


def test_the_page_reads_in_english(client, north):
    _term(north)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with freeze_now(at(TUESDAY, 8, 0)):
        page = _page(client, north.guardian_user).content.decode()
    assert "Today&#x27;s pickup code" in page or "Today's pickup code" in page
    assert "Who may collect today" in page and "Roll call not yet taken" in page


# --- who may not see it -------------------------------------------------------------------


def _family_urls(child) -> list[str]:
    return [
        reverse("attendance:family_child", args=[child.pk]),
        reverse("attendance:family_history", args=[child.pk]),
        reverse("attendance:family_walk_home", args=[child.pk]),
    ]


def test_another_guardian_gets_404_for_north_s_child(client, north, south):
    _term(north)
    client.force_login(south.guardian_user)
    for url in _family_urls(north.child):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("attendance:family_child", args=[999999])).status_code == 404
    # and the family page shows south's own child only
    page = client.get(reverse("attendance:family")).content.decode()
    assert south.child.name in page and north.child.name not in page


@pytest.mark.parametrize("persona", ["admin", "teacher", "gate", "county_officer"])
def test_staff_get_404_on_the_family_pages(client, north, persona):
    client.force_login(getattr(north, persona))
    assert client.get(reverse("attendance:family")).status_code == 404
    for url in _family_urls(north.child):
        assert client.get(url).status_code == 404, url


def test_the_family_pages_need_a_login(client, north):
    response = client.get(reverse("attendance:family"))
    assert response.status_code == 302
    assert response.url.startswith(reverse(settings.LOGIN_URL))


def test_a_superuser_is_no_guardian(client, north):
    boss = f.UserFactory(role=User.Role.SCHOOL_ADMIN, school=north.school, is_superuser=True)
    client.force_login(boss)
    assert client.get(reverse("attendance:family")).status_code == 404


# --- the month ----------------------------------------------------------------------------


def test_the_month_shows_each_day_with_marks_leave_and_dismissal_and_counts(client, north):
    # given November: Monday 2nd present, Tuesday 3rd present at the basic service and
    # late at 足球 then collected, Wednesday 4th on leave (filed), Thursday 5th absent,
    # and an October mark that is not November's
    _term(north)
    child = north.child

    def basic(day):
        return Sitting.objects.get(school=north.school, date=day, offering__isnull=True)

    _mark(basic(D(2026, 11, 2)), child, "present", at(D(2026, 11, 2), 16, 1), north.teacher)
    tuesday_basic, tuesday_football = _sittings(TUESDAY, north.school)
    _mark(tuesday_basic, child, "present", at(TUESDAY, 16, 3), north.teacher)
    _mark(tuesday_football, child, "late", at(TUESDAY, 16, 50), north.teacher)
    _receive(child, north.teacher.staff, at(TUESDAY, 16, 50), tuesday_football, north.teacher)
    _dismiss(
        child,
        at(TUESDAY, 17, 58),
        north.gate,
        how="collected",
        collected_by="王爸爸",
        verified="code",
    )
    leave = LeaveRequest.objects.create(
        school=north.school,
        student=child,
        first_day=D(2026, 11, 4),
        last_day=D(2026, 11, 4),
        reason="发烧",
        filed_by=north.guardian_user,
    )
    _mark(basic(D(2026, 11, 4)), child, "leave", at(D(2026, 11, 4), 16, 0), north.teacher)
    Attendance.objects.filter(student=child, status="leave").update(leave=leave)
    _mark(basic(D(2026, 11, 5)), child, "absent", at(D(2026, 11, 5), 16, 0), north.teacher)
    _mark(basic(D(2026, 10, 30)), child, "absent", at(D(2026, 10, 30), 16, 0), north.teacher)
    # when the mother opens November on the 6th at noon
    with freeze_now(at(D(2026, 11, 6), 12, 0)):
        response = _page(
            client, north.guardian_user, "attendance:family_history", child.pk, month="2026-11"
        )
        history = family.month_history(north.guardian_user, child.pk, D(2026, 11, 1))
    # then
    assert response.status_code == 200
    assert history.counts == {
        "present": 2,
        "late": 1,
        "absent": 1,
        "leave": 1,
        "not_taken": 1,  # Friday 6th, later today
    }
    page = response.content.decode()
    assert 'id="count-present">2<' in page and 'id="count-absent">1<' in page
    assert 'id="count-late">1<' in page and 'id="count-leave">1<' in page
    tuesday = page[page.index('id="day-2026-11-03"') :]
    tuesday = tuesday[: tuesday.index("</section>")]
    assert "足球" in tuesday and "迟到 16:50" in tuesday and "王爸爸" in tuesday
    assert "17:58" in tuesday
    assert "发烧" in page
    assert 'id="day-2026-10-30"' not in page and 'id="day-2026-11-09"' not in page
    # the month switcher: October before, no month ahead of this one
    assert "?month=2026-10" in page and 'id="next-month"' not in page
    with freeze_now(at(D(2026, 11, 6), 12, 0)):
        october = _page(
            client, north.guardian_user, "attendance:family_history", child.pk, month="2026-10"
        ).content.decode()
    assert 'id="day-2026-10-30"' in october and "?month=2026-11" in october
    # a past sitting nobody marked the child at reads "no mark", not "not yet taken"
    october_29 = october[october.index('id="day-2026-10-29"') :]
    assert "未点名" in october_29[: october_29.index("</section>")]


@pytest.mark.parametrize("month", ["2026-13", "nov", "1999-01", "2026-11-01"])
def test_a_month_that_is_no_month_is_404(client, north, month):
    url = reverse("attendance:family_history", args=[north.child.pk])
    client.force_login(north.guardian_user)
    assert client.get(url, {"month": month}).status_code == 404


def test_a_future_month_is_empty(client, north):
    _term(north)
    with freeze_now(at(D(2026, 11, 6), 12, 0)):
        history = family.month_history(north.guardian_user, north.child.pk, D(2026, 12, 1))
    assert history.days == [] and history.next is None


# --- walk-home consent --------------------------------------------------------------------


def test_a_guardian_gives_and_withdraws_the_walk_home_consent(client, north):
    from kehou.custody.models import WalkHomeConsent

    url = reverse("attendance:family_walk_home", args=[north.child.pk])
    client.force_login(north.guardian_user)
    # given the page offers a statement in Chinese naming the child
    with freeze_now(at(TUESDAY, 9, 0)):
        page = client.get(url).content.decode()
        assert f"本人是{north.child.name}的监护人" in page
        # when she puts it on file for the rest of the term
        response = client.post(
            url,
            {
                "statement": f"本人同意{north.child.name}自行回家，路线：学校—东门—小区。",
                "valid_from": "2026-11-03",
                "valid_until": "2027-01-22",
            },
        )
    # then
    assert response.status_code == 302
    consent = WalkHomeConsent.objects.get()
    assert consent.guardian == north.guardian and consent.student == north.child
    assert consent.recorded_by == north.guardian_user and not consent.on_paper
    assert consent.valid_until == D(2027, 1, 22)
    with freeze_now(at(TUESDAY, 9, 5)):
        page = client.get(url).content.decode()
        day = _page(client, north.guardian_user).content.decode()
    assert "东门" in page and "有效" in page
    # when she withdraws it
    withdraw = reverse("attendance:family_walk_home_withdraw", args=[north.child.pk, consent.pk])
    with freeze_now(at(TUESDAY, 9, 10)):
        assert client.post(withdraw).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at == at(TUESDAY, 9, 10)
    assert day  # the day page reads with a consent on file


def test_a_consent_refused_shows_why_and_writes_nothing(client, north):
    url = reverse("attendance:family_walk_home", args=[north.child.pk])
    client.force_login(north.guardian_user)
    before = snapshots.everything()
    with freeze_now(at(TUESDAY, 9, 0)):
        response = client.post(
            url, {"statement": "同意", "valid_from": "2026-11-10", "valid_until": "2026-11-09"}
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="errorlist' in page and "consent-form" in page
    assert snapshots.everything() == before


def test_another_guardian_cannot_give_or_withdraw_north_s_consent(client, north, south):
    from kehou.custody import services as custody
    from kehou.custody.models import WalkHomeConsent

    with freeze_now(at(TUESDAY, 9, 0)):
        consent = custody.walk_home_consent_give(
            student=north.child,
            guardian=north.guardian,
            statement="同意自行回家",
            valid_from=TUESDAY,
            valid_until=None,
            on_paper=False,
            actor=north.guardian_user,
        )
    client.force_login(south.guardian_user)
    give = reverse("attendance:family_walk_home", args=[north.child.pk])
    withdraw = reverse("attendance:family_walk_home_withdraw", args=[north.child.pk, consent.pk])
    before = snapshots.rows(WalkHomeConsent)
    assert client.post(give, {"statement": "x", "valid_from": "2026-11-03"}).status_code == 404
    assert client.post(withdraw).status_code == 404
    # nor through their own child's address
    sneaky = reverse("attendance:family_walk_home_withdraw", args=[south.child.pk, consent.pk])
    assert client.post(sneaky).status_code == 404
    assert snapshots.rows(WalkHomeConsent) == before
    assert client.get(withdraw).status_code == 405


def test_a_child_marked_absent_is_not_expected_later_nor_shown_a_pickup_code():
    # given two sittings today: absent at the first, the second's roll not taken yet
    first, second = Sitting(label="作业辅导"), Sitting(label="足球")
    absent = Attendance(status=Attendance.Status.ABSENT)
    day = family.ChildDay(
        student=None,
        day=dt.date(2026, 10, 13),
        lines=[family.SittingLine(first, absent, None), family.SittingLine(second, None, None)],
        is_today=True,
    )
    # then the family reads "not at school today", and no pickup code is offered
    assert not day.expected
    assert not day.shows_pickup_code
