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
        assert snapshots.everything() == before, (service, name)


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
