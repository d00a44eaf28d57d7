"""The service refusal matrix (issue step 4, item 1; SPEC R26): every write service, called
directly as a page, a command, the API or a task would call it, by every persona who must
not use it, refuses with OutOfScope and changes nothing. And every write service of every
app is in the matrix, so a new one cannot be left unguarded."""

import ast
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from kehou.catalog import services as catalog
from kehou.catalog.models import Menu
from kehou.enrollment import seats
from kehou.enrollment import services as enrollment
from kehou.enrollment.models import Application, WaitlistEntry
from kehou.notifications import services as notifications
from kehou.org import services as org
from kehou.org.access import SYSTEM, OutOfScope
from kehou.placement import services as placement
from kehou.policy import services as policy
from kehou.roster import services as roster
from kehou.roster.workbook import build_workbook
from kehou.sittings import services as sittings
from kehou.terms import services as terms
from kehou.testing import factories as f
from kehou.testing import snapshots

ROOT = Path(__file__).resolve().parents[1]

# Who must not use a service, by what the service is for.
NOT_THE_SCHOOL_ADMIN = [
    "south.admin",
    "north.teacher",
    "north.gate",
    "north.guardian_user",
    "north.county_officer",
    "city_officer",
    "anonymous",
]
NOT_A_GUARDIAN_OF_THE_CHILD = [
    "south.guardian_user",
    "north.admin",
    "north.teacher",
    "north.gate",
    "north.county_officer",
    "anonymous",
]
NOT_THE_FAMILY_NOR_THE_SCHOOL = [
    "south.guardian_user",
    "south.admin",
    "north.teacher",
    "north.gate",
    "north.county_officer",
    "anonymous",
]
NOT_THE_HEAD_TEACHER = [
    "south.teacher",
    "north.admin",
    "north.gate",
    "north.guardian_user",
    "north.county_officer",
    "anonymous",
]
NOT_A_BUREAU_OFFICER = [
    "north.admin",
    "north.teacher",
    "north.gate",
    "north.guardian_user",
    "anonymous",
]
NOT_THE_CALENDAR_AUTHORITY = [  # settings.CALENDAR_AUTHORITY = "city" (the default)
    "north.county_officer",
    "south.county_officer",
    "north.admin",
    "north.teacher",
    "north.guardian_user",
    "anonymous",
]
NOT_THE_COUNTY_OFFICER = [
    "south.county_officer",
    "city_officer",
    "north.admin",
    "north.teacher",
    "north.guardian_user",
    "anonymous",
]
NOT_A_BUREAU_OVER_THE_COUNTY = [
    "south.county_officer",
    "north.admin",
    "north.teacher",
    "north.gate",
    "north.guardian_user",
    "anonymous",
]
NOT_THE_SCHOOL_NOR_A_BUREAU_OVER_IT = [  # the school's admin or its bureau: complaints, cases
    "south.admin",
    "south.county_officer",
    "north.teacher",
    "north.gate",
    "north.guardian_user",
    "anonymous",
]
NOT_A_GUARDIAN_LOGIN = [  # a school's code is taken on by a guardian's own login only
    "north.admin",
    "north.teacher",
    "north.gate",
    "north.county_officer",
    "city_officer",
    "anonymous",
]
NOBODY_BUT_KEHOU = [
    "north.admin",
    "north.county_officer",
    "city_officer",
    "north.guardian_user",
    "anonymous",
]


@dataclass
class World:
    north: object
    south: object
    city_officer: object
    term: object

    def persona(self, name: str):
        if name == "anonymous":
            return AnonymousUser()
        if name == "city_officer":
            return self.city_officer
        side, role = name.split(".")
        return getattr(getattr(self, side), role)


def _unconfirmed_code(w) -> str:
    """South's record of north's guardian (a sibling there), not yet confirmed."""
    from kehou.org.models import Guardian, StudentGuardian
    from kehou.roster.guardian_links import link_code

    record = Guardian.objects.create(
        school=w.south.school, name="王母", phone=w.north.guardian_user.phone
    )
    StudentGuardian.objects.create(student=w.south.child, guardian=record, relation="mother")
    return link_code(record)


def _menu(w, status=Menu.Status.DRAFT, **kw):
    menu = f.menu(w.north.school, term=w.term, status=status, **kw)
    f.offering(menu, "剪纸", instructor=f.StaffFactory(school=w.north.school))
    return menu


def _application(w, status=Application.Status.APPROVED, **kw):
    return f.application(w.north.child, w.term, status=status, **kw)


def _offer(w):
    menu = _menu(w, status=Menu.Status.ALLOCATED)
    offering = menu.offerings.get()
    app = _application(w, choices=[offering])
    WaitlistEntry.objects.create(
        offering=offering, student=w.north.child, application=app, tier=1, lottery_number=1
    )
    [entry] = seats.offer_free_seats(offering_id=offering.pk, actor=SYSTEM)
    return entry


def _seated(w):
    menu = _menu(w, status=Menu.Status.RUNNING)
    return f.enrol(_application(w), menu.offerings.get())


def _north_profile(w):
    policy.profile_templates_install(actor=SYSTEM)
    return policy.profile_adopt(template_key="jiangsu_000", region=w.north.county, actor=SYSTEM)


# service -> (who must not use it, given the world: a call with the actor)
MATRIX = {
    "catalog.menu_create": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: lambda a: catalog.menu_create(school=w.north.school, term=w.term, actor=a),
    ),
    "catalog.activity_save": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda a: catalog.activity_save(
                school=w.north.school, actor=a, name="书法", category="arts"
            )
        ),
    ),
    "catalog.offering_save": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda menu, activity: (
                lambda a: catalog.offering_save(
                    menu=menu,
                    actor=a,
                    meetings=[(1, dt.time(16), dt.time(17))],
                    activity=activity,
                    grade_from=1,
                    grade_to=6,
                    capacity=20,
                )
            )
        )(_menu(w), f.ActivityFactory(school=w.north.school)),
    ),
    "catalog.offering_delete": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda menu: lambda a: catalog.offering_delete(offering=menu.offerings.get(), actor=a)
        )(_menu(w)),
    ),
    "catalog.menu_settings_save": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda menu: (
                lambda a: catalog.menu_settings_save(
                    menu=menu,
                    actor=a,
                    mode="fcfs",
                    mechanism="da",
                    max_extended_per_child=2,
                    window_opens_at=None,
                    window_closes_at=None,
                )
            )
        )(_menu(w)),
    ),
    "catalog.menu_publish": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (lambda menu: lambda a: catalog.menu_publish(menu=menu, actor=a))(_menu(w)),
    ),
    "catalog.menu_open_window": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (lambda menu: lambda a: catalog.menu_open_window(menu=menu, actor=a))(
            _menu(w, status=Menu.Status.PUBLISHED)
        ),
    ),
    "catalog.menu_close_window": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (lambda menu: lambda a: catalog.menu_close_window(menu=menu, actor=a))(
            _menu(w, status=Menu.Status.WINDOW_OPEN)
        ),
    ),
    "catalog.menu_mark_allocated": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (lambda menu: lambda a: catalog.menu_mark_allocated(menu=menu, actor=a))(
            _menu(w, status=Menu.Status.CLOSED)
        ),
    ),
    "catalog.menu_start_running": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (lambda menu: lambda a: catalog.menu_start_running(menu=menu, actor=a))(
            _menu(w, status=Menu.Status.ALLOCATED)
        ),
    ),
    "enrollment.agreement_publish": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda a: enrollment.agreement_publish(
                school=w.north.school, actor=a, title="安全协议", text="正文"
            )
        ),
    ),
    "enrollment.application_submit": (
        NOT_A_GUARDIAN_OF_THE_CHILD,
        lambda w: (
            lambda agreement: (
                lambda a: enrollment.application_submit(
                    student=w.north.child,
                    term=w.term,
                    actor=a,
                    service_weekdays=[0, 1],
                    wants_extended_care=False,
                    has_accident_insurance=False,
                    agreement=agreement,
                )
            )
        )(f.agreement(w.north.school)),
    ),
    "enrollment.application_teacher_review": (
        NOT_THE_HEAD_TEACHER,
        lambda w: (
            lambda app: lambda a: enrollment.application_teacher_review(application=app, actor=a)
        )(_application(w, status=Application.Status.SUBMITTED)),
    ),
    "enrollment.application_approve": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (lambda app: lambda a: enrollment.application_approve(application=app, actor=a))(
            _application(w, status=Application.Status.TEACHER_REVIEWED)
        ),
    ),
    "enrollment.application_refuse": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda app: (
                lambda a: enrollment.application_refuse(application=app, actor=a, reason="名额不足")
            )
        )(_application(w, status=Application.Status.TEACHER_REVIEWED)),
    ),
    "enrollment.application_join": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda app: (
                lambda a: enrollment.application_join(
                    application=app, actor=a, on=timezone.localdate()
                )
            )
        )(_application(w, status=Application.Status.WITHDRAWN)),
    ),
    "enrollment.application_withdraw": (
        NOT_THE_FAMILY_NOR_THE_SCHOOL,
        lambda w: (
            lambda app: (
                lambda a: enrollment.application_withdraw(
                    application=app, actor=a, on=timezone.localdate()
                )
            )
        )(_application(w)),
    ),
    "enrollment.enrollment_withdraw": (
        NOT_THE_FAMILY_NOR_THE_SCHOOL,
        lambda w: (
            lambda seat: (
                lambda a: enrollment.enrollment_withdraw(
                    enrollment=seat, actor=a, on=timezone.localdate()
                )
            )
        )(_seated(w)),
    ),
    "enrollment.choices_set": (
        NOT_A_GUARDIAN_OF_THE_CHILD,
        lambda w: (
            lambda menu, app: (
                lambda a: enrollment.choices_set(
                    application=app, offering_ids=[menu.offerings.get().pk], actor=a
                )
            )
        )(_menu(w, status=Menu.Status.WINDOW_OPEN), _application(w)),
    ),
    "enrollment.fcfs_claim": (
        NOT_THE_FAMILY_NOR_THE_SCHOOL,
        lambda w: (
            lambda menu, app: (
                lambda a: enrollment.fcfs_claim(
                    application=app, offering=menu.offerings.get(), actor=a
                )
            )
        )(_menu(w, status=Menu.Status.WINDOW_OPEN, mode=Menu.Mode.FCFS), _application(w)),
    ),
    "enrollment.enrollment_place": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda menu, app: (
                lambda a: enrollment.enrollment_place(
                    application=app, offering=menu.offerings.get(), on=timezone.localdate(), actor=a
                )
            )
        )(_menu(w, status=Menu.Status.RUNNING), _application(w)),
    ),
    "enrollment.waitlist_accept": (
        NOT_A_GUARDIAN_OF_THE_CHILD,
        lambda w: (lambda entry: lambda a: enrollment.waitlist_accept(entry=entry, actor=a))(
            _offer(w)
        ),
    ),
    "enrollment.waitlist_decline": (
        NOT_A_GUARDIAN_OF_THE_CHILD,
        lambda w: (lambda entry: lambda a: enrollment.waitlist_decline(entry=entry, actor=a))(
            _offer(w)
        ),
    ),
    "placement.allocation_start": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda menu: lambda a: placement.allocation_start(menu=menu, actor=a, confirmed=True)
        )(_menu(w, status=Menu.Status.CLOSED)),
    ),
    "placement.allocation_run": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda menu: lambda a: placement.allocation_run(menu=menu, actor=a, confirmed=True)
        )(_menu(w, status=Menu.Status.CLOSED)),
    ),
    "policy.plan_update": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda plan: (
                lambda a: policy.plan_update(plan=plan, actor=a, data=policy.plan_input_of(plan))
            )
        )(f.SchoolPlanFactory(school=w.north.school, term=w.term)),
    ),
    "policy.plan_start_draft": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: lambda a: policy.plan_start_draft(school=w.north.school, term=w.term, actor=a),
    ),
    "policy.plan_publish": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (lambda plan: lambda a: policy.plan_publish(plan=plan, actor=a))(
            f.PlanSlotFactory(plan=f.SchoolPlanFactory(school=w.north.school, term=w.term)).plan
        ),
    ),
    "policy.leadership_replace": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda a: policy.leadership_replace(
                school=w.north.school,
                actor=a,
                members=[policy.LeaderInput(name="陈校长", post="校长", group_role="head")],
            )
        ),
    ),
    "policy.profile_templates_install": (
        NOBODY_BUT_KEHOU,
        lambda w: lambda a: policy.profile_templates_install(actor=a),
    ),
    "policy.profile_adopt": (
        NOT_THE_COUNTY_OFFICER,
        lambda w: (
            lambda _installed: (
                lambda a: policy.profile_adopt(
                    template_key="changzhi_001", region=w.north.county, actor=a
                )
            )
        )(policy.profile_templates_install(actor=SYSTEM)),
    ),
    "policy.profile_update": (
        NOT_THE_COUNTY_OFFICER,
        lambda w: (
            lambda profile: (
                lambda a: policy.profile_update(
                    profile=profile,
                    actor=a,
                    values=policy.ProfileValues(service_days_per_week=4),
                    note="县局通知",
                )
            )
        )(_north_profile(w)),
    ),
    "terms.calendar_year_enter": (
        NOT_THE_CALENDAR_AUTHORITY,
        lambda w: (
            lambda a: terms.calendar_year_enter(
                year=2027,
                days=[(dt.date(2027, 1, 1), "holiday", "元旦", None)],
                source="国办发明电",
                actor=a,
            )
        ),
    ),
    "roster.roster_import": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda a: roster.roster_import(school=w.north.school, data=build_workbook({}), actor=a)
        ),
    ),
    "roster.roster_export": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: lambda a: roster.roster_export(school=w.north.school, actor=a),
    ),
    "roster.guardian_link_confirm": (
        NOT_A_GUARDIAN_LOGIN,
        lambda w: (
            lambda code: lambda a: roster.guardian_link_confirm(code=code, actor=a, confirmed=True)
        )(_unconfirmed_code(w)),
    ),
    "sittings.sittings_generate": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda _plan: (
                lambda a: sittings.sittings_generate(school=w.north.school, term=w.term, actor=a)
            )
        )(f.published_plan(w.north.school, term=w.term)),
    ),
    # Everyday records: the school's own admin only (the bureau does not edit children).
    "org.student_update": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: lambda a: org.student_update(student=w.north.child, actor=a, name="王北北"),
    ),
    "org.guardian_update": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda a: org.guardian_update(
                student=w.north.child,
                guardian=w.north.guardian,
                actor=a,
                name="张丽",
                phone="13912345678",
                relation="mother",
                is_primary=True,
                may_collect=True,
            )
        ),
    ),
    "org.staff_update": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda a: org.staff_update(
                staff=w.north.teacher.staff, actor=a, name="周老师", is_active=False
            )
        ),
    ),
    "org.account_update": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda a: org.account_update(
                account=w.north.teacher,
                actor=a,
                name="周老师",
                phone="13812340000",
                is_active=False,
            )
        ),
    ),
    # Passwords a school admin gives: the school's own admin only.
    "org.staff_password_reset": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda a: org.staff_password_reset(staff=w.north.teacher.staff, actor=a, confirmed=True)
        ),
    ),
    "org.staff_first_passwords_give": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda _imported: (
                lambda a: org.staff_first_passwords_give(
                    school=w.north.school, actor=a, confirmed=True
                )
            )
        )(f.StaffFactory(school=w.north.school)),
    ),
    "org.account_password_reset": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda a: org.account_password_reset(account=w.north.gate, actor=a, confirmed=True)
        ),
    ),
    "org.guardian_password_reset": (
        NOT_THE_SCHOOL_ADMIN,
        lambda w: (
            lambda a: org.guardian_password_reset(
                guardian=w.north.guardian, school=w.north.school, actor=a, confirmed=True
            )
        ),
    ),
    # External organisations: the bureau of the region or above.
    "org.organisation_register": (
        NOT_A_BUREAU_OVER_THE_COUNTY,
        lambda w: (
            lambda a: org.organisation_register(
                region=w.north.county,
                actor=a,
                name="吴中青少年体育俱乐部",
                credit_code="91320506MA1ABCDE1T",
                offers=["sports"],
            )
        ),
    ),
    "org.organisation_update": (
        NOT_A_BUREAU_OVER_THE_COUNTY,
        lambda w: (
            lambda o: lambda a: org.organisation_update(organisation=o, actor=a, name="改名")
        )(f.OrganisationFactory(region=w.north.county)),
    ),
    "org.organisation_vet": (
        NOT_A_BUREAU_OVER_THE_COUNTY,
        lambda w: (
            lambda o: (
                lambda a: org.organisation_vet(
                    organisation=o, actor=a, status="suspended", reason="家长投诉"
                )
            )
        )(f.OrganisationFactory(region=w.north.county)),
    ),
}

# Notifications: a user's inbox and channels are their own.
NOT_THE_USER = [
    "south.guardian_user",
    "north.admin",
    "north.teacher",
    "north.gate",
    "north.county_officer",
    "city_officer",
    "anonymous",
]


def _notice(w):
    from kehou.notifications.services import notify

    [notification] = notify(
        recipients=[w.north.guardian_user], kind="general", title="通知", body="内容", key="t:1"
    )
    return notification


MATRIX.update(
    {
        "notifications.channel_choice_save": (
            NOT_THE_USER,
            lambda w: (
                lambda a: notifications.channel_choice_save(
                    user=w.north.guardian_user, actor=a, by_email=True, email="mum@example.cn"
                )
            ),
        ),
        "notifications.notification_read": (
            NOT_THE_USER,
            lambda w: (
                lambda n: lambda a: notifications.notification_read(notification=n, actor=a)
            )(_notice(w)),
        ),
        # everyone marks their own inbox: only a caller who is nobody is refused
        "notifications.notifications_read_all": (
            ["anonymous"],
            lambda w: lambda a: notifications.notifications_read_all(actor=a),
        ),
    }
)


# Roll call, leave, custody and dismissal, the gate's register, safety records (step 6).
NOT_A_ROLL_TAKER = [  # the sitting's responsible adult, a duty teacher, the school admin
    "south.admin",
    "south.teacher",
    "north.gate",
    "north.guardian_user",
    "north.county_officer",
    "city_officer",
    "anonymous",
]
NOT_A_DISMISSER = [  # the school's gate, admin and own teachers end a child's day
    "south.gate",
    "south.admin",
    "south.teacher",
    "north.guardian_user",
    "north.county_officer",
    "city_officer",
    "anonymous",
]
NOT_THE_GATE_NOR_THE_ADMIN = [
    "south.gate",
    "south.admin",
    "north.teacher",
    "north.guardian_user",
    "north.county_officer",
    "city_officer",
    "anonymous",
]
NOT_THE_SCHOOL_STAFF = [  # the school's admin and its own teachers keep the safety records
    "south.admin",
    "south.teacher",
    "north.gate",
    "north.guardian_user",
    "north.county_officer",
    "city_officer",
    "anonymous",
]
NOBODY_AT_ALL_BUT_KEHOU = [*NOBODY_BUT_KEHOU, "north.teacher", "north.gate"]


def _today_sitting(w, *, day=None, **fields):
    """North's basic service today 16:00-17:30, north's teacher responsible, north's child
    on the roster."""
    sitting = f.roll_sitting(
        w.north.school,
        day=day or timezone.localdate(),
        responsible=w.north.teacher.staff,
        plan=f.SchoolPlanFactory(school=w.north.school, term=w.term, status="published"),
        **fields,
    )
    _application(w)
    return sitting


def _taken_roll_of_yesterday(w):
    """A roll taken yesterday and left open: kehou's next round closes it."""
    sitting = _today_sitting(
        w,
        day=timezone.localdate() - dt.timedelta(days=1),
        roll_taken_at=timezone.now() - dt.timedelta(days=1),
    )
    return sitting


def _leave(w):
    from kehou.attendance.models import LeaveRequest

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return LeaveRequest.objects.create(
        school_id=w.north.school.pk,
        student=w.north.child,
        first_day=tomorrow,
        last_day=tomorrow,
        reason="看病",
        filed_by=w.north.guardian_user,
    )


def _consent(w):
    from kehou.custody.models import WalkHomeConsent

    return WalkHomeConsent.objects.create(
        school_id=w.north.school.pk,
        student=w.north.child,
        guardian=w.north.guardian,
        statement="沿人民路步行回家",
        valid_from=timezone.localdate(),
        recorded_by=w.north.guardian_user,
    )


def _in_custody(w, holder=None):
    """North's child at today's sitting, in `holder`'s custody (the responsible teacher)."""
    from django.db import transaction

    from kehou.custody import chain

    sitting = _today_sitting(w)
    with transaction.atomic():
        chain.receive(
            students=[w.north.child],
            holder=holder or w.north.teacher.staff,
            at=timezone.now(),
            by=w.north.admin,
            school_id=w.north.school.pk,
            sitting=sitting,
        )
    return sitting


def _alert(w):
    from kehou.custody.models import Alert

    today = timezone.localdate()
    return Alert.objects.create(
        school=w.north.school,
        kind=Alert.Kind.UNACCOUNTED,
        date=today,
        student=w.north.child,
        key=f"unaccounted:{today.isoformat()}:{w.north.child.pk}",
    )


def _duty(w):
    from kehou.custody.models import Duty

    return Duty.objects.create(
        school=w.north.school,
        date=timezone.localdate(),
        staff=f.StaffFactory(school=w.north.school),
        assigned_by=w.north.admin,
    )


def _visit(w):
    from kehou.custody.models import GateVisit

    return GateVisit.objects.create(
        school=w.north.school, name="刘师傅", purpose="维修空调", recorded_by=w.north.gate
    )


def _incident(w):
    return f.incident(w.north.school, actor=w.north.admin, students=[w.north.child])


def _told_incident(w):
    return f.incident(
        w.north.school,
        actor=w.north.admin,
        guardian_informed_at=timezone.now() - dt.timedelta(hours=1),
        guardian_informed_by=w.north.teacher.staff,
        guardian_informed_how="phone",
    )


def _defect(w):
    return f.inspection_with_defect(
        w.north.school, actor=w.north.admin, responsible=w.north.teacher.staff
    )


def _rectified_defect(w):
    from kehou.safety import services as safety

    return safety.defect_rectify(
        defect=_defect(w),
        rectification="杂物已清走",
        rectified_on=timezone.localdate(),
        actor=w.north.teacher,
    )


def _checklist_item(w):
    from kehou.safety import services as safety

    return safety.checklist_item_add(
        school=w.north.school, area="fire", text="厨房灭火毯在位", actor=w.north.admin
    )


def _attendance_entries():
    from kehou.attendance import services as attendance

    return {
        "attendance.roll_mark": (
            NOT_A_ROLL_TAKER,
            lambda w: (
                lambda sitting: (
                    lambda a: attendance.roll_mark(
                        sitting=sitting,
                        marks=[(w.north.child.pk, "present", timezone.now(), "")],
                        actor=a,
                    )
                )
            )(_today_sitting(w)),
        ),
        "attendance.roll_close": (
            NOT_A_ROLL_TAKER,
            lambda w: (lambda sitting: lambda a: attendance.roll_close(sitting=sitting, actor=a))(
                _today_sitting(w)
            ),
        ),
        # kehou's own round, every minute: nobody else closes every school's rolls
        "attendance.rolls_close_due": (
            NOBODY_AT_ALL_BUT_KEHOU,
            lambda w: (lambda _open: lambda a: attendance.rolls_close_due(actor=a))(
                _taken_roll_of_yesterday(w)
            ),
        ),
        "attendance.leave_file": (
            NOT_THE_FAMILY_NOR_THE_SCHOOL,
            lambda w: (
                lambda a: attendance.leave_file(
                    student=w.north.child,
                    first_day=timezone.localdate(),
                    last_day=None,
                    reason="发烧",
                    actor=a,
                )
            ),
        ),
        "attendance.leave_withdraw": (
            NOT_THE_FAMILY_NOR_THE_SCHOOL,
            lambda w: (lambda leave: lambda a: attendance.leave_withdraw(leave=leave, actor=a))(
                _leave(w)
            ),
        ),
    }


def _custody_entries():
    from kehou.custody import services as custody

    return {
        "custody.walk_home_consent_give": (
            NOT_THE_FAMILY_NOR_THE_SCHOOL,
            lambda w: (
                lambda a: custody.walk_home_consent_give(
                    student=w.north.child,
                    guardian=w.north.guardian,
                    statement="沿人民路步行回家",
                    valid_from=timezone.localdate(),
                    valid_until=None,
                    on_paper=True,
                    actor=a,
                )
            ),
        ),
        "custody.walk_home_consent_withdraw": (
            NOT_THE_FAMILY_NOR_THE_SCHOOL,
            lambda w: (
                lambda consent: (
                    lambda a: custody.walk_home_consent_withdraw(consent=consent, actor=a)
                )
            )(_consent(w)),
        ),
        # the giver, the receiver or the school admin: north's teacher is neither here
        "custody.handover_record": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda giver, receiver: (
                    lambda sitting: (
                        lambda a: custody.handover_record(
                            from_staff=giver,
                            to_staff=receiver,
                            students=[w.north.child],
                            sitting=sitting,
                            actor=a,
                        )
                    )
                )(_in_custody(w, holder=giver))
            )(f.StaffFactory(school=w.north.school), f.StaffFactory(school=w.north.school)),
        ),
        "custody.dismissal_record": (
            NOT_A_DISMISSER,
            lambda w: (
                lambda _sitting: (
                    lambda a: custody.dismissal_record(
                        student=w.north.child,
                        how="collected",
                        guardian=w.north.guardian,
                        verified="list",
                        actor=a,
                    )
                )
            )(_in_custody(w)),
        ),
        # the school admin or a teacher on duty that day (north's teacher is not)
        "custody.alert_resolve": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda alert: (
                    lambda a: custody.alert_resolve(alert=alert, resolution="已联系家长", actor=a)
                )
            )(_alert(w)),
        ),
        "custody.duty_assign": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda a: custody.duty_assign(
                    school=w.north.school,
                    date=timezone.localdate(),
                    staff=w.north.teacher.staff,
                    actor=a,
                )
            ),
        ),
        "custody.duty_remove": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (lambda duty: lambda a: custody.duty_remove(duty=duty, actor=a))(_duty(w)),
        ),
        "custody.day_rules_set": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda a: custody.day_rules_set(
                    school=w.north.school,
                    roll_closes_after=20,
                    collection_grace=15,
                    alert_after=30,
                    actor=a,
                )
            ),
        ),
        "custody.visit_record": (
            NOT_THE_GATE_NOR_THE_ADMIN,
            lambda w: (
                lambda a: custody.visit_record(
                    school=w.north.school,
                    name="刘师傅",
                    phone="13912345678",
                    organisation="空调维修公司",
                    purpose="维修空调",
                    host="总务处",
                    actor=a,
                )
            ),
        ),
        "custody.visit_leave": (
            NOT_THE_GATE_NOR_THE_ADMIN,
            lambda w: (lambda visit: lambda a: custody.visit_leave(visit=visit, actor=a))(
                _visit(w)
            ),
        ),
    }


def _safety_entries():
    from kehou.safety import services as safety

    return {
        "safety.incident_record": (
            NOT_THE_SCHOOL_STAFF,
            lambda w: (
                lambda a: safety.incident_record(
                    school=w.north.school,
                    occurred_at=timezone.now() - dt.timedelta(hours=1),
                    place="操场",
                    kind="injury",
                    description="跑步时摔倒，膝盖擦伤。",
                    severity="minor",
                    students=[w.north.child],
                    actor=a,
                )
            ),
        ),
        "safety.incident_update": (
            NOT_THE_SCHOOL_STAFF,
            lambda w: (
                lambda incident: (
                    lambda a: safety.incident_update(
                        incident=incident, actor=a, follow_up="操场跑道已修补"
                    )
                )
            )(_incident(w)),
        ),
        "safety.incident_close": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda incident: (
                    lambda a: safety.incident_close(
                        incident=incident, conclusion="轻微擦伤，已处理", actor=a
                    )
                )
            )(_told_incident(w)),
        ),
        "safety.checklist_item_add": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda a: safety.checklist_item_add(
                    school=w.north.school, area="fire", text="厨房灭火毯在位", actor=a
                )
            ),
        ),
        "safety.checklist_item_retire": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (lambda item: lambda a: safety.checklist_item_retire(item=item, actor=a))(
                _checklist_item(w)
            ),
        ),
        "safety.inspection_record": (
            NOT_THE_SCHOOL_STAFF,
            lambda w: (
                lambda a: safety.inspection_record(
                    school=w.north.school,
                    inspected_on=timezone.localdate(),
                    inspectors=[w.north.teacher.staff],
                    checks=[safety.Check(key="d:fire.extinguishers", ok=True)],
                    actor=a,
                )
            ),
        ),
        "safety.defect_rectify": (
            NOT_THE_SCHOOL_STAFF,
            lambda w: (
                lambda defect: (
                    lambda a: safety.defect_rectify(
                        defect=defect,
                        rectification="杂物已清走",
                        rectified_on=timezone.localdate(),
                        actor=a,
                    )
                )
            )(_defect(w)),
        ),
        "safety.defect_close": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (lambda defect: lambda a: safety.defect_close(defect=defect, actor=a))(
                _rectified_defect(w)
            ),
        ),
        "safety.drill_record": (
            NOT_THE_SCHOOL_STAFF,
            lambda w: (
                lambda a: safety.drill_record(
                    school=w.north.school,
                    held_on=timezone.localdate(),
                    kind="fire",
                    children_count=40,
                    staff_count=4,
                    duration_minutes=15,
                    classes=[w.north.school_class],
                    actor=a,
                )
            ),
        ),
    }


MATRIX.update(_attendance_entries() | _custody_entries() | _safety_entries())


def _billing_entries():
    from kehou.billing import services as billing
    from kehou.billing.models import SittingCancellation, Waiver

    def cancellation(w):
        return SittingCancellation.objects.create(
            sitting=f.roll_sitting(w.north.school), reason="台风停课"
        )

    def waiver(w):
        return Waiver.objects.create(
            school=w.north.school, student=w.north.child, term=w.term, reason="家庭突发困难"
        )

    def run_args(w):
        return {"school": w.north.school, "term": w.term, "period": "term", "confirmed": True}

    return {
        "billing.fee_standard_enter": (
            [
                "south.county_officer",
                "city_officer",
                "north.admin",
                "north.teacher",
                "north.guardian_user",
                "anonymous",
            ],
            lambda w: (
                lambda a: billing.fee_standard_enter(
                    region=w.north.county,
                    covers="basic",
                    funding_mode="service_fee",
                    unit="service_day",
                    amount_yuan="5",
                    document_title="关于进一步做好中小学课后服务工作的通知",
                    valid_from=w.term.start,
                    actor=a,
                )
            ),
        ),
        "billing.sitting_cancel": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda sitting: (
                    lambda a: billing.sitting_cancel(sitting=sitting, reason="台风停课", actor=a)
                )
            )(f.roll_sitting(w.north.school)),
        ),
        "billing.sitting_cancellation_revoke": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda c: lambda a: billing.sitting_cancellation_revoke(cancellation=c, actor=a)
            )(cancellation(w)),
        ),
        "billing.waiver_record": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda a: billing.waiver_record(
                    student=w.north.child, term=w.term, reason="家庭突发困难", actor=a
                )
            ),
        ),
        "billing.waiver_revoke": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda found: (
                    lambda a: billing.waiver_revoke(waiver=found, reason="情况已改善", actor=a)
                )
            )(waiver(w)),
        ),
        "billing.bill_run_start": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: lambda a: billing.bill_run_start(**run_args(w), actor=a),
        ),
        "billing.bill_run": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: lambda a: billing.bill_run(**run_args(w), actor=a),
        ),
    }


MATRIX.update(_billing_entries())


def _payments_entries():
    from kehou.payments import services as payments
    from kehou.payments.models import Statement, StatementRow
    from kehou.payments.tests.helpers import bill, refund, xlsx

    def payment(w):
        return payments.payment_record(
            student=w.north.child,
            amount_fen=30000,
            paid_on=timezone.localdate(),
            channel="wechat",
            reference="4200000001",
            actor=SYSTEM,
        )

    def row(w):
        statement = Statement.objects.create(
            school=w.north.school, channel="platform", file_name="流水.xlsx", sha256="0" * 64
        )
        return StatementRow.objects.create(
            statement=statement,
            row_number=2,
            paid_on=timezone.localdate(),
            amount_fen=30000,
            reference="T1",
            payer="某人",
            status="unmatched",
        )

    def paid_refund(w):
        the_bill = bill(w.north.child, total_fen=30000)
        payment(w)
        return refund(the_bill, due_fen=5000)

    def payout(w):
        return payments.payout_record(
            refund=paid_refund(w),
            amount_fen=5000,
            paid_on=timezone.localdate(),
            channel="cash",
            actor=SYSTEM,
        )

    return {
        "payments.payment_record": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda a: payments.payment_record(
                    student=w.north.child,
                    amount_fen=30000,
                    paid_on=timezone.localdate(),
                    channel="cash",
                    actor=a,
                )
            ),
        ),
        "payments.payment_void": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda p: lambda a: payments.payment_void(payment=p, reason="录错", actor=a)
            )(payment(w)),
        ),
        "payments.statement_import": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda a: payments.statement_import(
                    school=w.north.school,
                    data=xlsx([[timezone.localdate().isoformat(), 300, "T1", "王小北", ""]]),
                    file_name="流水.xlsx",
                    channel="platform",
                    actor=a,
                )
            ),
        ),
        "payments.statement_row_match": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda r: (
                    lambda a: payments.statement_row_match(row=r, student=w.north.child, actor=a)
                )
            )(row(w)),
        ),
        "payments.payout_record": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda r: (
                    lambda a: payments.payout_record(
                        refund=r,
                        amount_fen=100,
                        paid_on=timezone.localdate(),
                        channel="cash",
                        actor=a,
                    )
                )
            )(paid_refund(w)),
        ),
        "payments.payout_void": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (lambda p: lambda a: payments.payout_void(payout=p, reason="录错", actor=a))(
                payout(w)
            ),
        ),
    }


MATRIX.update(_payments_entries())


# Staff pay (step 7): the school's admin sets rates, computes and finalises pay sheets.


def _pay_sheet(w):
    from kehou.payroll.models import PaySheet

    return PaySheet.objects.create(school=w.north.school, month=timezone.localdate().replace(day=1))


def _payroll_entries():
    from kehou.payroll import services as payroll

    return {
        "payroll.pay_rates_set": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda a: payroll.pay_rates_set(
                    school=w.north.school,
                    effective_from=timezone.localdate(),
                    per_class_hour="60",
                    per_tutoring_hour="60",
                    per_club_session="80",
                    per_duty_day="50",
                    class_hour_minutes=40,
                    actor=a,
                )
            ),
        ),
        "payroll.pay_sheet_compute": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda a: payroll.pay_sheet_compute(
                    school=w.north.school, month=timezone.localdate(), actor=a
                )
            ),
        ),
        "payroll.pay_sheet_finalise": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda sheet: (
                    lambda a: payroll.pay_sheet_finalise(sheet=sheet, confirmed=True, actor=a)
                )
            )(_pay_sheet(w)),
        ),
    }


MATRIX.update(_payroll_entries())


def _surveys_entries():
    from kehou.surveys import services as surveys

    def draft(w):
        survey = f.survey(w.north.school, status="draft")
        f.survey_question(
            survey, "您的孩子是否参加课后服务？", kind="single", choices=["参加", "不参加"]
        )
        f.survey_question(survey, "总体满意吗？")
        return survey

    def sent(w):
        survey = f.survey(w.north.school)
        f.survey_question(survey, "总体满意吗？")
        return survey

    def question_values():
        return {"text": "其他建议", "kind": "text", "required": False}

    return {
        "surveys.survey_create": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda a: surveys.survey_create(
                    school=w.north.school, title="需求调查", kind="needs", actor=a
                )
            ),
        ),
        "surveys.survey_update": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda s: (
                    lambda a: surveys.survey_update(
                        survey=s, title="新标题", kind="needs", audience="parents", actor=a
                    )
                )
            )(draft(w)),
        ),
        "surveys.question_add": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda s: lambda a: surveys.question_add(survey=s, **question_values(), actor=a)
            )(draft(w)),
        ),
        "surveys.question_update": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda q: (
                    lambda a: surveys.question_update(question=q, **question_values(), actor=a)
                )
            )(draft(w).questions.first()),
        ),
        "surveys.question_delete": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (lambda q: lambda a: surveys.question_delete(question=q, actor=a))(
                draft(w).questions.first()
            ),
        ),
        "surveys.question_move": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (lambda q: lambda a: surveys.question_move(question=q, up=False, actor=a))(
                draft(w).questions.first()
            ),
        ),
        "surveys.survey_send": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (lambda s: lambda a: surveys.survey_send(survey=s, confirmed=True, actor=a))(
                draft(w)
            ),
        ),
        "surveys.survey_close": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (lambda s: lambda a: surveys.survey_close(survey=s, actor=a))(sent(w)),
        ),
        "surveys.response_submit": (
            NOT_A_GUARDIAN_OF_THE_CHILD,
            lambda w: (
                lambda s: (
                    lambda a: surveys.response_submit(
                        survey=s, answers={s.questions.first().pk: 5}, actor=a
                    )
                )
            )(sent(w)),
        ),
    }


MATRIX.update(_surveys_entries())


def _reports_entries():
    from kehou.reports import services as reports
    from kehou.reports.models import MonthlyReport

    def last_month():
        return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)

    def north_report(w):
        return MonthlyReport.objects.create(school=w.north.school, month=last_month())

    return {
        "reports.school_month_refresh": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda a: reports.school_month_refresh(
                    school=w.north.school, month=last_month(), actor=a
                )
            ),
        ),
        "reports.monthly_report_submit": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda a: reports.monthly_report_submit(
                    school=w.north.school, month=last_month(), confirmed=True, actor=a
                )
            ),
        ),
        "reports.monthly_report_correct": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda report: (
                    lambda a: reports.monthly_report_correct(
                        report=report, reason="更正", confirmed=True, actor=a
                    )
                )
            )(north_report(w)),
        ),
        "reports.report_reminders_send": (
            NOBODY_BUT_KEHOU,
            lambda w: lambda a: reports.report_reminders_send(actor=a),
        ),
    }


MATRIX.update(_reports_entries())


def _supervision_entries():
    from kehou.supervision import services as supervision

    items = [{"text": "课后服务覆盖保障", "max_points": 10}]

    def sheet(w):
        return f.scoring_sheet(w.north.county)

    def review(w):
        return f.final_review(w.north.school, w.term, sheet(w), actor=w.north.county_officer)

    def draft(w):
        used = sheet(w)
        return supervision.review_record(
            school=w.north.school,
            term=w.term,
            kind="midterm",
            sheet=used,
            reviewed_on=timezone.localdate(),
            reviewers="督学组",
            scores={i.pk: 5 for i in used.items.all()},
            actor=w.north.county_officer,
        )

    def submitted(w):
        finding = review(w).findings.get()
        return supervision.rectification_submit(
            finding=finding, action="已整改", actor=w.north.admin
        )

    return {
        "supervision.sheet_create": (
            NOT_A_BUREAU_OVER_THE_COUNTY,
            lambda w: (
                lambda a: supervision.sheet_create(
                    region=w.north.county, name="评分表", kind="annual", items=items, actor=a
                )
            ),
        ),
        "supervision.sheet_edit": (
            NOT_A_BUREAU_OVER_THE_COUNTY,
            lambda w: (
                lambda s: lambda a: supervision.sheet_edit(sheet=s, name="新", items=items, actor=a)
            )(sheet(w)),
        ),
        "supervision.review_record": (
            NOT_A_BUREAU_OVER_THE_COUNTY,
            lambda w: (
                lambda s: (
                    lambda a: supervision.review_record(
                        school=w.north.school,
                        term=w.term,
                        kind="midterm",
                        sheet=s,
                        reviewed_on=timezone.localdate(),
                        reviewers="督学组",
                        scores={i.pk: 5 for i in s.items.all()},
                        actor=a,
                    )
                )
            )(sheet(w)),
        ),
        "supervision.review_finalise": (
            NOT_A_BUREAU_OVER_THE_COUNTY,
            lambda w: (
                lambda r: lambda a: supervision.review_finalise(review=r, confirmed=True, actor=a)
            )(draft(w)),
        ),
        "supervision.rectification_submit": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda finding: (
                    lambda a: supervision.rectification_submit(
                        finding=finding, action="已整改", actor=a
                    )
                )
            )(review(w).findings.get()),
        ),
        "supervision.rectification_accept": (
            NOT_A_BUREAU_OVER_THE_COUNTY,
            lambda w: (
                lambda r: lambda a: supervision.rectification_accept(rectification=r, actor=a)
            )(submitted(w)),
        ),
        "supervision.rectification_return": (
            NOT_A_BUREAU_OVER_THE_COUNTY,
            lambda w: (
                lambda r: (
                    lambda a: supervision.rectification_return(
                        rectification=r, note="请补充材料", actor=a
                    )
                )
            )(submitted(w)),
        ),
        "supervision.case_create": (
            NOT_THE_SCHOOL_NOR_A_BUREAU_OVER_IT,
            lambda w: (
                lambda a: supervision.case_create(
                    school=w.north.school, title="案例", summary="摘要", body="正文", actor=a
                )
            ),
        ),
        "supervision.case_publish": (
            NOT_A_BUREAU_OVER_THE_COUNTY,
            lambda w: (lambda c: lambda a: supervision.case_publish(case=c, actor=a))(
                f.exemplary_case(w.north.school)
            ),
        ),
        "supervision.case_withdraw": (
            NOT_A_BUREAU_OVER_THE_COUNTY,
            lambda w: (lambda c: lambda a: supervision.case_withdraw(case=c, actor=a))(
                f.exemplary_case(w.north.school, status="published")
            ),
        ),
    }


MATRIX.update(_supervision_entries())


def _resources_entries():
    from kehou.resources import services as resources

    fields = {"title": "书法录播课", "kind": "recorded_lesson", "url": "https://a.edu.cn/1"}

    def offering(w):
        return _menu(w).offerings.get()

    return {
        "resources.resource_add": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: lambda a: resources.resource_add(school=w.north.school, **fields, actor=a),
        ),
        "resources.resource_edit": (
            NOT_A_BUREAU_OVER_THE_COUNTY,
            lambda w: (lambda r: lambda a: resources.resource_edit(resource=r, **fields, actor=a))(
                f.resource(w.north.county)
            ),
        ),
        "resources.resource_retire": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (lambda r: lambda a: resources.resource_retire(resource=r, actor=a))(
                f.resource(w.north.school)
            ),
        ),
        "resources.resource_attach": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda o, r: lambda a: resources.resource_attach(offering=o, resource=r, actor=a)
            )(offering(w), f.resource(w.north.county)),
        ),
        "resources.resource_detach": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda o, r: (
                    resources.resource_attach(offering=o, resource=r, actor=SYSTEM),
                    lambda a: resources.resource_detach(offering=o, resource=r, actor=a),
                )[1]
            )(offering(w), f.resource(w.north.county)),
        ),
    }


MATRIX.update(_resources_entries())


def _complaints_entries():
    import datetime as dt

    from kehou.complaints import services as complaints

    # The public form is for anyone but those who answer the school's complaints.
    those_who_answer_north = ["north.admin", "north.county_officer", "city_officer"]

    def filed(w, state, **fields):
        return f.complaint(w.north.school, state=state, **fields)

    def escalated(w, state):
        return filed(w, state, escalated_at=timezone.now(), escalation="fees")

    return {
        "complaints.complaint_submit": (
            NOT_A_GUARDIAN_OF_THE_CHILD,
            lambda w: (
                lambda a: complaints.complaint_submit(
                    student=w.north.child, kind="complaint", topic="fees", text="乱收费", actor=a
                )
            ),
        ),
        "complaints.complaint_submit_public": (
            those_who_answer_north,
            lambda w: (
                lambda a: complaints.complaint_submit_public(
                    school=w.north.school, kind="report", topic="fees", text="乱收费", actor=a
                )
            ),
        ),
        "complaints.complaint_assign": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda c: (
                    lambda a: complaints.complaint_assign(
                        complaint=c, assignee=w.north.teacher, actor=a
                    )
                )
            )(filed(w, "received")),
        ),
        "complaints.complaint_record_handling": (
            NOT_THE_SCHOOL_ADMIN,
            lambda w: (
                lambda c: (
                    lambda a: complaints.complaint_record_handling(
                        complaint=c, handling="已核实", actor=a
                    )
                )
            )(filed(w, "assigned", assigned_to=w.north.admin)),
        ),
        "complaints.complaint_reply": (
            NOT_THE_SCHOOL_NOR_A_BUREAU_OVER_IT,
            lambda w: (
                lambda c: lambda a: complaints.complaint_reply(complaint=c, reply="已退费", actor=a)
            )(escalated(w, "handled")),
        ),
        "complaints.complaint_close": (
            NOT_THE_SCHOOL_NOR_A_BUREAU_OVER_IT,
            lambda w: (lambda c: lambda a: complaints.complaint_close(complaint=c, actor=a))(
                escalated(w, "replied")
            ),
        ),
        "complaints.complaint_escalate": (
            NOBODY_AT_ALL_BUT_KEHOU,
            lambda w: (
                lambda c: (
                    lambda a: complaints.complaint_escalate(complaint=c, reason="late", actor=a)
                )
            )(filed(w, "received")),
        ),
        "complaints.complaints_escalate_late": (
            NOBODY_AT_ALL_BUT_KEHOU,
            lambda w: (lambda c: lambda a: complaints.complaints_escalate_late(actor=a))(
                filed(w, "received", due_on=timezone.localdate() - dt.timedelta(days=3))
            ),
        ),
    }


MATRIX.update(_complaints_entries())


@pytest.fixture
def world(north, south, city_officer):
    today = timezone.localdate()
    term = f.TermFactory(start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=90))
    return World(north=north, south=south, city_officer=city_officer, term=term)


@pytest.mark.parametrize("service", sorted(MATRIX))
def test_a_service_refuses_everyone_who_must_not_use_it_and_changes_nothing(world, service):
    outsiders, given = MATRIX[service]
    call = given(world)
    before = snapshots.everything()
    for name in outsiders:
        with pytest.raises(OutOfScope):
            call(world.persona(name))
    assert snapshots.everything() == before, (service, outsiders)


def _write_services() -> set[str]:
    """Every public function of every app's services.py that takes an `actor`."""
    found = set()
    for path in sorted((ROOT / "kehou").glob("*/services.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                names = [a.arg for a in node.args.kwonlyargs + node.args.args]
                if "actor" in names:
                    found.add(f"{path.parent.name}.{node.name}")
    return found


def test_every_write_service_is_in_the_matrix():
    assert _write_services() == set(MATRIX)
