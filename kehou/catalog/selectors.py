"""Reads of menus for each role (SPEC R8, R9, R11, R25), scoped through kehou.org.access.

- school admin: their school's menus, every status, with the controls
- teacher: their school's menus, read-only
- bureau officer: the menus of the schools in their region, read-only
- guardian: the published menus of their children's schools, filtered to each child's grade
- gate staff: nothing

No page shows demand: choice counts are never read here, and the seats taken are shown
only once the menu is allocated or running, so nobody sees live demand while families
choose. The lottery seed is shown only once the choice window has closed; before that
only its hash is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehou.accounts.models import User
from kehou.catalog.models import Activity, Menu, Offering
from kehou.catalog.rules import citation, no_fee_standard, school_rules, stated
from kehou.core.labels import grades_label, weekday_label
from kehou.org import access
from kehou.org.models import School, Student
from kehou.org.selectors import grade_in_year
from kehou.policy.selectors import current_plan
from kehou.terms.models import Term

MENU_READERS = {User.Role.SCHOOL_ADMIN, User.Role.TEACHER, User.Role.BUREAU}
SEED_VISIBLE = (Menu.Status.CLOSED, Menu.Status.ALLOCATED, Menu.Status.RUNNING)
TAKEN_VISIBLE = (Menu.Status.ALLOCATED, Menu.Status.RUNNING)
PUBLIC_STATUSES = (
    Menu.Status.PUBLISHED,
    Menu.Status.WINDOW_OPEN,
    Menu.Status.CLOSED,
    Menu.Status.ALLOCATED,
    Menu.Status.RUNNING,
)


# --- access -----------------------------------------------------------------------------


def may_read_menus(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in MENU_READERS)


def access_school_menus(user: User, school_pk: int) -> School:
    if not may_read_menus(user):
        raise Http404
    return access.access_school(user, school_pk)


def access_school_for_edit(user: User, school_pk: int) -> School:
    school = access_school_menus(user, school_pk)
    if not access.may_manage_school(user, school):
        raise Http404
    return school


def access_menu(user: User, menu_pk: int) -> Menu:
    if not may_read_menus(user):
        raise Http404
    menu = (
        Menu.objects.filter(school__in=access.schools_for(user), pk=menu_pk)
        .select_related("school", "term__school_year")
        .first()
    )
    if menu is None:
        raise Http404
    return menu


def access_menu_for_edit(user: User, menu_pk: int) -> Menu:
    menu = access_menu(user, menu_pk)
    if not access.may_manage_school(user, menu.school):
        raise Http404
    return menu


def access_offering_for_edit(user: User, offering_pk: int) -> Offering:
    offering = (
        Offering.objects.filter(pk=offering_pk, menu__school__in=access.schools_for(user))
        .select_related("menu__school", "menu__term", "activity")
        .first()
    )
    if offering is None or not access.may_manage_school(user, offering.menu.school):
        raise Http404
    return offering


def access_activity_for_edit(user: User, activity_pk: int) -> Activity:
    activity = (
        Activity.objects.filter(pk=activity_pk, school__in=access.schools_for(user))
        .select_related("school")
        .first()
    )
    if activity is None or not access.may_manage_school(user, activity.school):
        raise Http404
    return activity


# --- menus ------------------------------------------------------------------------------


def school_menu(*, school: School, term: Term) -> Menu | None:
    """The school's menu for the term, or None before the school has created it. Takes a
    school already found in the reader's scope (`access_school_menus`)."""
    return Menu.objects.filter(school=school, term=term).select_related("term").first()


def menu_plan(menu: Menu):
    """The school plan a menu's meetings are checked against (the published version, else
    the draft), or None; for a menu already found in the reader's scope."""
    return current_plan(school=menu.school, term=menu.term)


def eligible_offerings(*, menu: Menu, grade: int):
    """The offerings of `menu` open to a child in `grade`."""
    return (
        Offering.objects.filter(menu=menu, grade_from__lte=grade, grade_to__gte=grade)
        .select_related("activity", "instructor")
        .prefetch_related("meetings")
    )


# --- the rules a menu is checked against ---------------------------------------------------


@dataclass
class RuleNote:
    """One rule of the school's policy profile, as the activity and offering forms show it."""

    text: str
    source: str
    quote: str
    note: str = ""


ACTIVITY_RULES = {
    "no_subject_training_by_organisations": gettext_lazy(
        "External organisations may not deliver subject training."
    ),
    "no_new_lessons": gettext_lazy("No new lessons may be taught."),
    "no_commercial_promotion": gettext_lazy("No commercial promotion."),
    "no_high_risk_activities": gettext_lazy("No high-risk activities."),
    "instructors_vetted": gettext_lazy(
        "Organisations and external instructors must be vetted and their agreements in force."
    ),
}
OFFERING_RULES = {
    "instructors_vetted": ACTIVITY_RULES["instructors_vetted"],
    "agency_fee_for_organisations_only": gettext_lazy(
        "A fee may be collected only for what an external organisation delivers."
    ),
    "evening_study_weekdays_only": gettext_lazy("Evening study on weekdays only."),
    "evening_study_latest_end": gettext_lazy("Evening study ends by %(value)s."),
    "evening_study_max_minutes": gettext_lazy("Evening study lasts at most %(value)s minutes."),
}


def _note(text, rule) -> RuleNote:
    cited = citation(rule)
    value = rule.value
    if hasattr(value, "strftime"):
        value = f"{value:%H:%M}"
    return RuleNote(
        text=str(text) % {"value": value},
        source=str(cited["source"]),
        quote=cited["quote"],
        note=rule.cite.note,
    )


def rule_notes(school: School, *, for_offerings: bool = False) -> list[RuleNote] | None:
    """The menu rules the school's profile states, for the activity form (or the offering
    form); None when the school follows no profile."""
    rules = school_rules(school)
    if rules is None:
        return None
    texts = OFFERING_RULES if for_offerings else ACTIVITY_RULES
    notes = [_note(text, rule) for name, text in texts.items() if (rule := stated(rules, name))]
    fee_rule = no_fee_standard(rules) if for_offerings else None
    if fee_rule is not None:
        notes.insert(
            0,
            _note(
                gettext_lazy("No fee standard has been issued yet: no fee may be collected."),
                fee_rule,
            ),
        )
    return notes


# --- presentation -----------------------------------------------------------------------


def schedule_label(meetings) -> str:
    return _("; ").join(
        f"{weekday_label(m.weekday)} {m.start:%H:%M}–{m.end:%H:%M}" for m in meetings
    )


def fee_label(fee) -> str:
    if not fee:
        return ""
    return _("Collected fee: %(amount)s yuan per term") % {"amount": f"{fee.normalize():f}"}


@dataclass
class OfferingRow:
    """One offering as a page or the service guide shows it (no demand, ever)."""

    pk: int
    category: str
    activity: str
    content: str
    description: str
    instructor: str
    grades: str
    capacity: int
    schedule: str
    venue: str
    fee: str
    is_fallback: bool = False
    # Free online resources attached to the offering (R25): kehou.resources writes them;
    # read here through the reverse relation `resource_links`, never imported.
    resources: list = field(default_factory=list)
    taken: int | None = None  # only once allocated or running


def _rows(offerings, *, with_taken: bool = False) -> list[OfferingRow]:
    rows = []
    for offering in offerings:
        activity = offering.activity
        rows.append(
            OfferingRow(
                pk=offering.pk,
                category=activity.get_category_display(),
                activity=activity.name,
                content=str(offering),
                description=activity.description,
                instructor=offering.instructor.name if offering.instructor_id else "",
                grades=grades_label(offering.grade_from, offering.grade_to),
                capacity=offering.capacity,
                schedule=schedule_label(offering.meetings.all()),
                venue=offering.off_campus_venue or offering.room,
                fee=fee_label(offering.fee_per_term),
                is_fallback=offering.is_fallback,
                resources=[link.resource for link in offering.resource_links.all()],
                taken=offering.taken if with_taken else None,
            )
        )
    return rows


def _offerings(menu: Menu, grade: int | None = None):
    queryset = (
        Offering.objects.filter(menu=menu)
        .select_related("activity", "instructor")
        .prefetch_related("meetings", "resource_links__resource")
    )
    if grade is not None:
        queryset = queryset.filter(grade_from__lte=grade, grade_to__gte=grade)
    return queryset


def revealed_seed(menu: Menu) -> str:
    """The lottery seed, once the window has closed; "" before (it must stay secret)."""
    return menu.lottery_seed if menu.status in SEED_VISIBLE else ""


@dataclass
class MenuPage:
    menu: Menu
    rows: list[OfferingRow]
    activities: list[Activity]
    seed: str
    show_taken: bool
    may_manage: bool
    actions: list[tuple[str, str]] = field(default_factory=list)


ACTIONS = {
    Menu.Status.DRAFT: [("publish", gettext_lazy("Publish the menu"))],
    Menu.Status.PUBLISHED: [("open", gettext_lazy("Open the choice window"))],
    Menu.Status.WINDOW_OPEN: [("close", gettext_lazy("Close the choice window"))],
    Menu.Status.ALLOCATED: [("run", gettext_lazy("Start running"))],
}


def actions_for(menu: Menu) -> list[tuple[str, str]]:
    actions = list(ACTIONS.get(menu.status, []))
    if menu.status == Menu.Status.CLOSED and menu.mode == Menu.Mode.FCFS:
        actions.append(("run", gettext_lazy("Start running")))
    return actions


def menu_page(user: User, menu: Menu) -> MenuPage:
    may_manage = access.may_manage_school(user, menu.school)
    show_taken = menu.status in TAKEN_VISIBLE
    return MenuPage(
        menu=menu,
        rows=_rows(_offerings(menu), with_taken=show_taken),
        activities=list(Activity.objects.filter(school=menu.school)) if may_manage else [],
        seed=revealed_seed(menu),
        show_taken=show_taken,
        may_manage=may_manage,
        actions=actions_for(menu) if may_manage else [],
    )


def published_offerings(*, school: School, term: Term) -> list[OfferingRow]:
    """The service guide (课后服务指南) of a published menu, for the public; [] before."""
    menu = Menu.objects.filter(school=school, term=term, status__in=PUBLIC_STATUSES).first()
    if menu is None:
        return []
    return _rows(_offerings(menu))


# --- bureau and families ----------------------------------------------------------------


@dataclass
class SchoolMenuStatus:
    school: School
    menu: Menu | None
    offerings: int = 0


def region_menus(user: User, term: Term | None) -> list[SchoolMenuStatus]:
    if not may_read_menus(user) or term is None:
        return []
    schools = access.schools_for(user).select_related("region").order_by("region__code", "code")
    menus = {
        m.school_id: m
        for m in Menu.objects.filter(school__in=schools, term=term).select_related("term")
    }
    counts: dict[int, int] = {}
    for school_id in Offering.objects.filter(menu__in=menus.values()).values_list(
        "menu__school_id", flat=True
    ):
        counts[school_id] = counts.get(school_id, 0) + 1
    return [
        SchoolMenuStatus(school=s, menu=menus.get(s.pk), offerings=counts.get(s.pk, 0))
        for s in schools
    ]


@dataclass
class ChildMenu:
    child: Student
    grade: int | None
    menu: Menu | None
    rows: list[OfferingRow]


def family_menus(user: User, term: Term | None) -> list[ChildMenu]:
    """For a guardian: each child's school's published menu, only their grade's offerings."""
    if not user.is_authenticated or user.role != User.Role.GUARDIAN:
        raise Http404
    if term is None:
        return []
    result = []
    for child in access.students_for(user).select_related("school").order_by("name"):
        grade = grade_in_year(child, term.school_year_id)
        menu = (
            Menu.objects.filter(school=child.school_id, term=term, status__in=PUBLIC_STATUSES)
            .select_related("term")
            .first()
        )
        rows = _rows(_offerings(menu, grade)) if menu is not None and grade else []
        result.append(ChildMenu(child=child, grade=grade, menu=menu, rows=rows))
    return result
