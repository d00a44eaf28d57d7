"""The demo city: consistent, deterministic, refusing to seed twice (SPEC R1, R2)."""

import datetime
import io
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.test import RequestFactory
from django.utils import timezone

from kehou.accounts.models import User
from kehou.catalog.models import Menu
from kehou.demo import seed as demo
from kehou.enrollment.models import Application, Enrollment
from kehou.lib import school_calendar
from kehou.lib.school_calendar import school_year_start
from kehou.lib.validators import is_mobile
from kehou.org.models import (
    ClassMembership,
    Guardian,
    LeadershipMember,
    School,
    SchoolClass,
    SchoolYear,
    Staff,
    Student,
)
from kehou.placement.models import AllocationRun
from kehou.sittings import selectors
from kehou.sittings.models import Sitting
from kehou.terms.models import CalendarYear, SpecialDay

pytestmark = pytest.mark.django_db


def this_year() -> SchoolYear:
    return SchoolYear.objects.get(start_year=school_year_start(timezone.localdate()))


@pytest.fixture
def small_city():
    return demo.seed_city(schools=3, students=300)


def _counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (School, SchoolClass, Student, ClassMembership, Guardian, Staff, User)
    }


def test_every_student_is_in_exactly_one_class_of_the_current_year(small_city):
    # given
    year = this_year()
    # then
    assert Student.objects.count() == 300 == small_city.students
    per_student = Counter(
        ClassMembership.objects.filter(school_year=year).values_list("student_id", flat=True)
    )
    assert set(per_student.values()) == {1}
    assert len(per_student) == 300
    mismatched = ClassMembership.objects.exclude(school_class__school=F("student__school"))
    assert not mismatched.exists()


def test_classes_fit_the_school_type_and_have_a_head_teacher_of_the_school(small_city):
    for school_class in SchoolClass.objects.select_related("school", "head_teacher"):
        assert school_class.grade in school_class.school.grades
        assert school_class.head_teacher.school_id == school_class.school_id
        assert school_class.school_year == this_year()


def test_birth_dates_fit_the_grade(small_city):
    start = this_year().start_year
    for m in ClassMembership.objects.select_related("student", "school_class"):
        youngest_born_in = start - 6 - m.school_class.grade + 1
        # one year older for a child held back or started late
        assert youngest_born_in - 2 <= m.student.birth_date.year <= youngest_born_in


def test_phones_are_valid_and_unique(small_city):
    guardian_phones = list(Guardian.objects.values_list("phone", flat=True))
    user_phones = list(User.objects.values_list("phone", flat=True))
    assert all(is_mobile(p) for p in guardian_phones + user_phones)
    assert len(set(user_phones)) == len(user_phones)
    staff_phones = list(Staff.objects.values_list("phone", flat=True))
    assert len(set(staff_phones)) == len(staff_phones)
    # every guardian and every staff member can log in with their own phone
    assert not Guardian.objects.filter(user__isnull=True).exists()
    assert not Staff.objects.filter(user__isnull=True).exists()
    assert not Guardian.objects.exclude(user__phone=F("phone")).exists()


def test_city_shows_every_kind_of_school_and_the_teaching_point_has_its_central_school(
    small_city,
):
    # then: 3 schools are an urban primary, a rural boarding nine-year central school and
    # its teaching point
    point = School.objects.get(school_type=School.Type.TEACHING_POINT)
    assert point.central_school.school_type != School.Type.TEACHING_POINT
    assert point.central_school.region_id == point.region_id
    assert School.objects.filter(is_urban=True).exists()
    assert School.objects.filter(is_boarding=True).exists()
    assert all(len(s.code) == 10 and s.code.isdigit() for s in School.objects.all())


def test_each_school_has_a_leading_group_with_one_head(small_city):
    for school in School.objects.all():
        roles = Counter(school.leadership.values_list("group_role", flat=True))
        assert roles[LeadershipMember.GroupRole.HEAD] == 1
    principal = LeadershipMember.objects.filter(post="校长").first()
    assert principal is not None


def test_external_instructors_of_every_kind_with_vetting_and_pay():
    # given: the first school gets one external instructor of every kind
    demo.seed_city(schools=1, students=200)
    external = Staff.objects.filter(kind=Staff.Kind.EXTERNAL)
    # then
    assert set(external.values_list("external_kind", flat=True)) == set(Staff.ExternalKind)
    assert all(s.qualification for s in external)
    assert all(s.pay_per_class_hour >= 60 for s in Staff.objects.all())
    passed = external.filter(background_check_result=Staff.CheckResult.PASSED)
    assert not passed.filter(agreement_start__isnull=True).exists()


def test_priority_shares_are_realistic():
    # given
    demo.seed_city(schools=6, students=2000)
    n = Student.objects.count()

    def share(**kw):
        return Student.objects.filter(**kw).count() / n

    # then
    assert 0.002 < share(has_disability=True) < 0.04
    assert 0.005 < share(is_left_behind=True) < 0.15
    assert 0.02 < share(is_migrant_child=True) < 0.25
    assert 0.01 < share(low_income_basis__in=["poverty_file", "dibao"]) < 0.12
    assert 0.01 < share(is_boarder=True) < 0.4
    assert not Student.objects.filter(is_boarder=True, school__is_boarding=False).exists()
    # some siblings share guardians
    shared = Guardian.objects.annotate(k=Count("student_links")).filter(k__gte=2)
    assert shared.exists()


def test_demo_users_exist_with_their_roles_and_can_log_in(small_city):
    # given
    first = School.objects.get(name="滨城区第一实验小学")
    expected = {
        demo.PHONE_SUPERUSER: (User.Role.BUREAU, None),
        demo.PHONE_CITY_OFFICER: (User.Role.BUREAU, None),
        demo.PHONE_COUNTY_OFFICER: (User.Role.BUREAU, None),
        demo.PHONE_SCHOOL_ADMIN: (User.Role.SCHOOL_ADMIN, first),
        demo.PHONE_TEACHER: (User.Role.TEACHER, first),
        demo.PHONE_GATE: (User.Role.GATE, first),
        demo.PHONE_GUARDIAN: (User.Role.GUARDIAN, None),
    }
    request = RequestFactory().post("/")
    # when
    guardian = authenticate(
        request=request, username=demo.PHONE_GUARDIAN, password=demo.DEMO_PASSWORD
    )
    teacher = authenticate(
        request=request, username=demo.PHONE_TEACHER, password=demo.DEMO_PASSWORD
    )
    # then
    assert guardian is not None and teacher is not None
    for phone, (role, school) in expected.items():
        user = User.objects.get(phone=phone)
        assert user.role == role and user.is_active
        if school:
            assert user.school == school
    # every account holds the one demo hash, so every phone logs in as these two did
    assert set(User.objects.values_list("password", flat=True)) == {guardian.password}
    assert User.objects.get(phone=demo.PHONE_SUPERUSER).is_superuser
    assert User.objects.get(phone=demo.PHONE_CITY_OFFICER).region.code == "371600"
    assert User.objects.get(phone=demo.PHONE_COUNTY_OFFICER).region.name == "滨城区"
    # any other guardian logs in too
    other = Guardian.objects.exclude(phone=demo.PHONE_GUARDIAN).first()
    assert authenticate(request=request, username=other.phone, password=demo.DEMO_PASSWORD)
    assert not authenticate(request=request, username=other.phone, password="wrong-password")
    # without menus no school waits to be allocated, so that login is not printed
    assert [login.phone for login in small_city.logins] == [
        p for p, _l in demo.LOGIN_ROLES if p != demo.PHONE_ALLOCATING_ADMIN
    ]
    assert not User.objects.filter(phone=demo.PHONE_ALLOCATING_ADMIN).exists()


def test_demo_guardian_has_two_children_and_demo_teacher_heads_a_class(small_city):
    guardian = Guardian.objects.get(phone=demo.PHONE_GUARDIAN)
    children = Student.objects.filter(guardian_links__guardian=guardian)
    assert children.count() == 2
    assert {c.school.name for c in children} == {"滨城区第一实验小学"}
    teacher = Staff.objects.get(phone=demo.PHONE_TEACHER)
    assert teacher.head_of_classes.exists()
    assert teacher.user.phone == demo.PHONE_TEACHER


def test_seeding_again_is_refused_and_changes_nothing(small_city):
    # given
    before = _counts()
    # when
    with pytest.raises(demo.SeedRefused):
        demo.seed_city(schools=2, students=50)
    with pytest.raises(CommandError, match="--flush"):
        call_command("seed", "--schools", "2", "--students", "50", stdout=io.StringIO())
    # then
    assert _counts() == before


def test_if_empty_does_nothing_the_second_time_but_prints_the_logins():
    # given
    out = io.StringIO()
    call_command("seed", "--schools", "2", "--students", "80", "--if-empty", stdout=out)
    before = _counts()
    assert before["Student"] == 80
    # when
    out = io.StringIO()
    call_command("seed", "--schools", "2", "--students", "80", "--if-empty", stdout=out)
    # then
    assert _counts() == before
    text = out.getvalue()
    assert demo.PHONE_GUARDIAN in text and demo.DEMO_PASSWORD in text


def test_same_seed_same_city_and_flush_replaces_it():
    # given
    demo.seed_city(schools=2, students=100, seed=7)
    first = list(Student.objects.order_by("student_number").values_list("name", "student_number"))
    staff = sorted(Staff.objects.values_list("name", flat=True))
    # when
    demo.seed_city(schools=2, students=100, seed=7, flush=True)
    # then
    assert (
        list(Student.objects.order_by("student_number").values_list("name", "student_number"))
        == first
    )
    assert sorted(Staff.objects.values_list("name", flat=True)) == staff
    assert School.objects.count() == 2
    # and another seed builds another city
    demo.seed_city(schools=2, students=100, seed=8, flush=True)
    assert (
        list(Student.objects.order_by("student_number").values_list("name", "student_number"))
        != first
    )


def test_the_command_prints_counts_and_logins():
    out = io.StringIO()
    call_command("seed", "--schools", "2", "--students", "60", stdout=out)
    text = out.getvalue()
    assert "60" in text
    for phone, _label in demo.LOGIN_ROLES:
        assert phone in text


def test_seeding_over_leftover_demo_accounts_is_refused():
    # given: no schools, but an account holds a demo phone
    from kehou.testing.factories import UserFactory

    UserFactory(phone=demo.PHONE_GUARDIAN, role=User.Role.GUARDIAN)
    before = _counts()
    # when
    with pytest.raises(demo.SeedRefused):
        demo.seed_city(schools=1, students=10)
    # then
    assert _counts() == before


# --- the autumn term so far: allocation, October, sittings with rosters -------------------


def _enter_unknown_years() -> None:
    """The demo's sittings need the holidays of the school year; a year the calendar
    library does not know yet is entered as the bureau would (a bare notice)."""
    year = school_year_start(timezone.localdate())
    for y in (year, year + 1):
        if not school_calendar.is_covered(y):
            entered = CalendarYear.objects.create(year=y, source="演示")
            SpecialDay.objects.create(
                calendar_year=entered, date=datetime.date(y, 1, 1), kind="holiday", name="元旦"
            )


def _expected_roster(sitting, day, seats, applications, grades) -> set[int]:
    """Who should be at `sitting` on `day`, from the Enrollment and Application rows."""
    if sitting.offering_id is not None:
        return {
            student
            for offering, student, starts, ends in seats
            if offering == sitting.offering_id and starts <= day and (ends is None or day < ends)
        }
    return {
        app.student_id
        for app in applications
        if app.status in ("approved", "withdrawn")
        and app.starts_on is not None
        and app.starts_on <= day
        and (app.withdrawn_on is None or day < app.withdrawn_on)
        and sitting.timetable_weekday in app.service_weekdays
        and sitting.grade_from <= grades.get(app.student_id, 0) <= sitting.grade_to
        and (sitting.kind != "extended_care" or app.wants_extended_care)
        and (sitting.kind != "boarding" or app.student.is_boarder)
    }


def test_the_main_school_allocated_before_term_and_its_october_rosters_follow_the_seats():
    # given the small demo (fewer children, the same story)
    _enter_unknown_years()
    summary = demo.seed_city(schools=2, students=500, sessions=True)
    main = School.objects.get(name="滨城区第一实验小学")
    menu = Menu.objects.select_related("term__school_year").get(school=main)
    term = menu.term
    y = term.school_year.start_year
    # then its allocation ran on 31 August and seated the children from the first day
    assert summary.history.school == main.name
    assert menu.status == Menu.Status.RUNNING
    run = AllocationRun.objects.get(menu=menu)
    assert run.status == AllocationRun.Status.DONE
    assert timezone.localtime(run.finished_at).date() == datetime.date(y, 8, 31)
    seated = Enrollment.objects.filter(offering__menu=menu).exclude(source="school")
    assert seated.count() == summary.history.enrolments > 0
    assert set(seated.values_list("starts_on", flat=True)) == {term.start}
    # one child left an offering from 15 October, another joined one from 19 October
    left, joined = summary.history.left, summary.history.joined
    assert left.ends_on == datetime.date(y, 10, 15) and left.status == "withdrawn"
    assert joined.starts_on == datetime.date(y, 10, 19) and joined.source == "school"
    assert left.student_id != joined.student_id
    # and the other school's window is ready to close and allocate from the page
    other = Menu.objects.exclude(school=main).get()
    assert other.status == Menu.Status.WINDOW_OPEN and other.window_closes_at < timezone.now()
    assert summary.menus.closing_school == other.school.name
    # whose admin is a printed login
    allocating = User.objects.get(phone=demo.PHONE_ALLOCATING_ADMIN)
    assert allocating.role == User.Role.SCHOOL_ADMIN and allocating.school == other.school
    assert demo.PHONE_ALLOCATING_ADMIN in [login.phone for login in summary.logins]

    # every October sitting of the main school has the roster of that day's seats and
    # applications, computed here from the rows
    seats = list(
        Enrollment.objects.filter(offering__menu=menu).values_list(
            "offering_id", "student_id", "starts_on", "ends_on"
        )
    )
    applications = list(
        Application.objects.filter(term=term, student__school=main).select_related("student")
    )
    grades = dict(
        ClassMembership.objects.filter(
            school_year=term.school_year, student__school=main
        ).values_list("student_id", "school_class__grade")
    )
    october = Sitting.objects.filter(school=main, date__year=y, date__month=10)
    days = sorted(set(october.values_list("date", flat=True)))
    assert october.filter(kind="offering").exists() and october.filter(kind="regular").exists()
    checked = 0
    for day in days:
        for roster in selectors.day_rosters(main, day):
            expected = _expected_roster(roster.sitting, day, seats, applications, grades)
            assert roster.student_ids == expected, (day, roster.sitting)
            checked += len(expected)
    assert checked > 0
    # around the dated changes the rosters differ
    left_days = october.filter(offering_id=left.offering_id)
    assert any(
        left.student_id in selectors.sitting_roster(s).student_ids
        for s in left_days.filter(date__lt=left.ends_on)
    )
    assert not any(
        left.student_id in selectors.sitting_roster(s).student_ids
        for s in left_days.filter(date__gte=left.ends_on)
    )
    joined_days = october.filter(offering_id=joined.offering_id)
    assert not any(
        joined.student_id in selectors.sitting_roster(s).student_ids
        for s in joined_days.filter(date__lt=joined.starts_on)
    )
    assert all(
        joined.student_id in selectors.sitting_roster(s).student_ids
        for s in joined_days.filter(date__gte=joined.starts_on)
    )
    # and every school's sittings were generated (plan slots and offering meetings)
    assert summary.plans.sessions == Sitting.objects.count()
    assert Sitting.objects.filter(school=other.school, kind="offering").exists()


def test_a_one_school_city_keeps_its_window_ready_to_close():
    summary = demo.seed_city(schools=1, students=80, sessions=True)
    menu = Menu.objects.get()
    assert menu.status == Menu.Status.WINDOW_OPEN and menu.window_closes_at < timezone.now()
    assert summary.history is None and not Enrollment.objects.exists()


def test_flush_replaces_a_city_with_allocations_and_sittings():
    demo.seed_city(schools=2, students=120, sessions=True)
    demo.seed_city(schools=2, students=120, sessions=True, flush=True)
    assert School.objects.count() == 2 and Student.objects.count() == 120
    assert Sitting.objects.exists()


# --- the main school's days this month (kehou.demo.day) ------------------------------------


def _a_wednesday_in_term() -> datetime.datetime:
    """Wednesday 18 November of this school year at 07:00: a service day with past days
    of the month before it."""
    year = school_year_start(timezone.localdate())
    return timezone.make_aware(datetime.datetime(year, 11, 18, 7))


def test_the_main_schools_month_so_far_is_taken_and_today_waits_for_the_teacher():
    from kehou.attendance.models import Attendance, LeaveRequest
    from kehou.custody.models import Custody, DayRules, Dismissal, Duty, WalkHomeConsent
    from kehou.notifications.models import ChannelChoice
    from kehou.org.models import AuthorisedCollector
    from kehou.safety.models import Defect, Drill, Incident
    from kehou.testing.clock import freeze_now

    # given the small demo seeded on a Wednesday in term
    _enter_unknown_years()
    with freeze_now(_a_wednesday_in_term()) as now:
        out = io.StringIO()
        summary = demo.seed_city(schools=2, students=500, sessions=True, stdout=out)
    today = now.date()
    main = School.objects.get(name="滨城区第一实验小学")
    teacher = Staff.objects.get(user__phone=demo.PHONE_TEACHER)
    story = summary.day
    # then the story is told in one line
    assert f"{story.days}" in out.getvalue() and teacher.name in out.getvalue()
    assert story.days == 3 and story.dismissals > 0 and story.late > 0
    # the demo teacher is on duty today, with a colleague, and the week has its duty
    assert Duty.objects.filter(school=main, date=today, staff=teacher).exists()
    assert Duty.objects.filter(school=main, date=today).count() == 2
    assert Duty.objects.filter(school=main, date__gt=today).exists()
    assert DayRules.objects.filter(school=main).exists()
    # today is untaken: no mark, no custody, no dismissal
    assert Sitting.objects.filter(school=main, date=today).count() == story.today_sittings > 0
    assert not Attendance.objects.filter(sitting__date=today).exists()
    assert not Dismissal.objects.filter(date=today).exists()
    # every child received on a past day left: nobody is in custody now
    assert Custody.objects.exists() and not Custody.objects.filter(until__isnull=True).exists()
    this_month = Attendance.objects.filter(day__gte=today.replace(day=1), day__lt=today)
    assert this_month.count() == story.marks
    # and the full months before it hold every school's roll calls, each roll closed
    months = summary.months
    assert months.months and months.months[-1] < today.replace(day=1)
    earlier = Attendance.objects.filter(day__lt=today.replace(day=1))
    assert earlier.count() == months.marks > 0
    assert set(earlier.values_list("school", flat=True)) == set(
        School.objects.values_list("pk", flat=True)
    )
    marked = Sitting.objects.filter(attendance__day__lt=today.replace(day=1)).distinct()
    assert marked.count() == months.sittings
    assert not marked.filter(roll_closed_at__isnull=True).exists()
    # the family's children were there and collected, one child walked home on a consent
    family = list(
        Student.objects.filter(guardian_links__guardian__phone=demo.PHONE_GUARDIAN).order_by(
            "birth_date"
        )
    )
    assert Attendance.objects.filter(student__in=family, status="present").exists()
    assert Dismissal.objects.filter(student__in=family, how="collected").exists()
    walked = Dismissal.objects.filter(how="walks_alone").select_related("consent")
    assert walked.exists() and all(d.consent.on_paper for d in walked)
    assert WalkHomeConsent.objects.get().student.memberships.get().school_class.grade >= 3
    assert Dismissal.objects.filter(minutes_late__gt=0).count() == story.late
    # the grandmother may collect the younger child; the parent chose e-mail
    assert AuthorisedCollector.objects.filter(student=family[-1], relation="奶奶").exists()
    choice = ChannelChoice.objects.get(user__phone=demo.PHONE_GUARDIAN)
    assert choice.by_email and choice.email
    # a leave is filed for a coming day
    assert LeaveRequest.objects.filter(student=family[0], first_day__gt=today).exists()
    # and the safety records: an open defect, a drill, a minor injury
    assert Defect.objects.filter(school=main, status="open").exists()
    assert Drill.objects.filter(school=main).exists()
    assert Incident.objects.filter(school=main, severity="minor").exists()


def test_flush_replaces_a_city_with_its_days_records():
    # given a city with roll calls, custody, dismissals, notifications and safety records
    _enter_unknown_years()
    from kehou.attendance.models import Attendance
    from kehou.notifications.models import Notification
    from kehou.safety.models import Incident
    from kehou.testing.clock import freeze_now

    with freeze_now(_a_wednesday_in_term()):
        demo.seed_city(schools=2, students=300, sessions=True)
        assert Attendance.objects.exists() and Notification.objects.exists()
        assert Incident.objects.exists()
        # when it is seeded again with --flush
        out = io.StringIO()
        call_command("seed", "--schools", "2", "--students", "300", "--flush", stdout=out)
    # then the new city stands, with its own story
    assert School.objects.count() == 2 and Student.objects.count() == 300
    assert Attendance.objects.exists()


def test_flush_replaces_a_city_with_its_money():
    # given a city with a fee standard, bills, waivers, payments, a statement and pay
    _enter_unknown_years()
    from kehou.billing.models import Bill, BillRun, FeeStandard, Waiver
    from kehou.payments.models import Payment, Statement
    from kehou.payroll.models import PayLine, PayRates, PaySheet
    from kehou.testing.clock import freeze_now

    money = (Bill, BillRun, FeeStandard, Waiver, Payment, Statement, PayLine, PayRates, PaySheet)
    with freeze_now(_a_wednesday_in_term()):
        demo.seed_city(schools=2, students=300, sessions=True)
        before = {m: set(m.objects.values_list("pk", flat=True)) for m in money}
        assert all(before.values())
        # when it is seeded again with --flush
        call_command("seed", "--schools", "2", "--students", "300", "--flush", stdout=io.StringIO())
    # then every money row is the new city's, none of the old is left
    for model in money:
        after = set(model.objects.values_list("pk", flat=True))
        assert after and not after & before[model], model.__name__
    assert FeeStandard.objects.count() == 1


def test_the_demo_seeds_in_mid_october():
    # 20 October, before the money story's month is over: the day story's replayed days
    # hand over and dismiss every child (a duty teacher who teaches the family's group
    # keeps the children rather than handing them to themself)
    from kehou.custody.models import Custody
    from kehou.testing.clock import freeze_now

    _enter_unknown_years()
    year = school_year_start(timezone.localdate())
    with freeze_now(timezone.make_aware(datetime.datetime(year, 10, 20, 7))):
        summary = demo.seed_city(schools=2, students=500, sessions=True, stdout=io.StringIO())
    assert summary.day.dismissals > 0
    assert not Custody.objects.filter(until__isnull=True).exists()


def test_the_bureau_has_reports_surveys_complaints_and_a_review_to_oversee():
    from kehou.complaints.models import Complaint
    from kehou.reports.models import MonthlyReport, SchoolMonth
    from kehou.reports.selectors import region_table
    from kehou.supervision.models import ExemplaryCase, Review
    from kehou.surveys.models import Response, Survey
    from kehou.testing.clock import freeze_now

    # given the demo city seeded on a Wednesday in November
    with freeze_now(_a_wednesday_in_term()) as now:
        summary = demo.seed_city(schools=3, students=600, sessions=True)
        story = summary.oversight
        september, october = summary.months.months
        main = School.objects.get(name="滨城区第一实验小学")
        late = School.objects.exclude(pk=main.pk).order_by("-pk").first()
        officer = User.objects.get(phone=demo.PHONE_CITY_OFFICER)
        # then every school's months are computed from its roll calls
        assert SchoolMonth.objects.filter(month=october).count() == 3
        assert SchoolMonth.objects.get(school=main, month=october).students_taking_part > 0
        # September's reports are in, but one school's, which the bureau sees as late
        in_force = MonthlyReport.objects.exclude(status=MonthlyReport.Status.SUPERSEDED)
        assert set(in_force.filter(month=september).values_list("school", flat=True)) == set(
            School.objects.exclude(pk=late.pk).values_list("pk", flat=True)
        )
        assert story.late_school == late.name
        assert late.pk in {row.school.pk for row in region_table(officer, september).late}
        # October's are in but the main school's, which its admin submits in the demo
        assert not in_force.filter(month=october, school=main).exists()
        assert in_force.filter(month=october).count() == 2
        assert not in_force.filter(is_late=True).exists()
    # the bureau's satisfaction survey was answered in every school, once per family
    satisfaction = Survey.objects.get(kind=Survey.Kind.SATISFACTION)
    answered = Response.objects.filter(survey=satisfaction)
    assert answered.count() == story.survey_answers > 0
    assert set(answered.values_list("school", flat=True)) == set(
        School.objects.values_list("pk", flat=True)
    )
    # the main school's needs survey waits for the demo guardian
    needs = Survey.objects.get(kind=Survey.Kind.NEEDS, school=main)
    assert needs.status == Survey.Status.SENT and "告家长" in needs.title
    assert not Response.objects.filter(survey=needs).exists()
    # complaints: one replied, the fee report and the refused child escalated, one late
    assert Complaint.objects.count() == story.complaints == 4
    assert Complaint.objects.filter(state=Complaint.State.REPLIED).count() == 1
    assert Complaint.objects.filter(escalated_at__isnull=False).count() == 3
    assert Complaint.objects.filter(due_on__lt=now.date(), replied_at__isnull=True).exists()
    # and the main school's mid-term check is final, one case published and the school's
    # own proposal waiting for the bureau
    assert Review.objects.get(school=main).status == Review.Status.FINAL
    cases = ExemplaryCase.objects.filter(school=main)
    assert sorted(cases.values_list("status", flat=True)) == ["proposed", "published"]
