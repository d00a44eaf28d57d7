"""Reads of allocation runs, results and offers, scoped through kehou.org.access: anything
outside the user's scope is a 404, so a refusal never reveals whether it exists."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, pgettext, pgettext_lazy

from kehou.accounts.models import User
from kehou.catalog.models import PRIORITY_GROUP_LABELS, Menu
from kehou.core.labels import class_label
from kehou.enrollment.models import Choice, Enrollment, SeatEvent, WaitlistEntry
from kehou.enrollment.seats import waiting_position
from kehou.org import access
from kehou.org.models import Student
from kehou.placement.models import AllocationOutcome, AllocationRun

GROUP_LABELS = {**PRIORITY_GROUP_LABELS, "others": pgettext_lazy("children", "Others")}

MECHANISM_SHORT = {"da": gettext_lazy("Round by round"), "rsd": gettext_lazy("Child by child")}
# What each mechanism does, in words a school admin reads without the literature's names.
MECHANISM_PLAIN = {
    "da": gettext_lazy(
        "Round by round: in each round every child can get one more of their choices; where "
        "a choice is over-subscribed the lottery order decides, reversed every second round."
    ),
    "rsd": gettext_lazy(
        "Child by child in lottery order: each child takes all of their choices that still "
        "have a seat (no family gains by ranking differently from what it wants)."
    ),
}


# --------------------------------------------------------------------------- access


def access_menu_to_run(user: User, menu_pk: int) -> Menu:
    """A menu the user may allocate: its school's admin (or a superuser)."""
    menu = (
        Menu.objects.filter(school__in=access.schools_for(user), pk=menu_pk)
        .select_related("school", "term")
        .first()
    )
    if menu is None or not access.may_manage_school(user, menu.school):
        raise Http404
    return menu


def may_read_runs(user: User) -> bool:
    return user.is_superuser or user.role in {User.Role.SCHOOL_ADMIN, User.Role.BUREAU}


def access_run(user: User, run_pk: int) -> AllocationRun:
    """A run of a school in the user's scope, for its admin or the bureau above it."""
    if not may_read_runs(user):
        raise Http404
    run = (
        AllocationRun.objects.filter(menu__school__in=access.schools_for(user), pk=run_pk)
        .select_related("menu__school", "menu__term")
        .first()
    )
    if run is None:
        raise Http404
    return run


def access_run_results(user: User, run_pk: int) -> AllocationRun:
    """A run whose per-child results the user may export: its school's admin."""
    run = access_run(user, run_pk)
    if not access.may_manage_school(user, run.menu.school):
        raise Http404
    return run


def access_offer(user: User, entry_pk: int) -> WaitlistEntry:
    """A waiting-list entry of one of the guardian's own children."""
    if not user.is_authenticated or user.role != User.Role.GUARDIAN:
        raise Http404
    entry = (
        WaitlistEntry.objects.filter(student__in=access.students_for(user), pk=entry_pk)
        .select_related("offering__menu", "student")
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def runs_of(menu: Menu):
    return AllocationRun.objects.filter(menu=menu).order_by("-started_at", "-pk")


@dataclass
class RunPreview:
    children: int
    seats: int
    offerings: int


def run_preview(menu: Menu) -> RunPreview:
    """What a real run of the menu will allocate: the approved applications of its term
    at its school, over the free seats of its offerings (for the confirmation step)."""
    from kehou.catalog.models import Offering
    from kehou.enrollment.models import Application

    children = Application.objects.filter(
        term=menu.term_id, student__school=menu.school_id, status=Application.Status.APPROVED
    ).count()
    offerings = list(Offering.objects.filter(menu=menu).values_list("capacity", "taken", "held"))
    seats = sum(max(cap - taken - held, 0) for cap, taken, held in offerings)
    return RunPreview(children=children, seats=seats, offerings=len(offerings))


# --------------------------------------------------------------------------- metrics


def _pct(x) -> str:
    return f"{x * 100:.1f}%" if x is not None else "—"


def metric_lines(run: AllocationRun) -> list[str]:
    """The metrics of a run as Chinese lines for the console."""
    m = run.metrics or {}
    o = m.get("overall", {})
    lines = [
        f"分配{'（试运行，未写入）' if run.dry_run else ''}：机制 {run.mechanism}，"
        f"每生拓展项目上限 k={run.max_extended_per_child}，轮次 {m.get('rounds')}",
        f"种子 {run.seed}（公布的哈希 {run.seed_hash}）",
        f"结果摘要 {run.result_digest}",
        f"申请学生 {o.get('children', 0)} 人；第一志愿 {_pct(o.get('first_choice'))}；"
        f"前三志愿 {_pct(o.get('top_three'))}；未获任何志愿 {o.get('unassigned', 0)} 人；"
        f"兜底托管 {o.get('fallback', 0)} 人；无任何项目 {o.get('zero_activities', 0)} 人",
        f"志愿名次分布：{o.get('rank_distribution', {})}",
        f"正当嫉妒对 {o.get('justified_envy', 0)}；浪费名额对 {o.get('waste', 0)}；"
        f"兜底托管扩容 {m.get('expanded_seats', 0)} 个名额",
    ]
    for key, label in (("priority_group", "优先群体"), ("grade", "年级")):
        for name, s in m.get("groups", {}).get(key, {}).items():
            lines.append(
                f"  {label} {GROUP_LABELS.get(name, name)}：{s['children']} 人，"
                f"第一志愿 {_pct(s['first_choice'])}，前三志愿 {_pct(s['top_three'])}，"
                f"未获志愿 {s['unassigned']} 人"
            )
    names = m.get("offering_names", {})
    lines.append("项目：第一志愿人数/名额，录取人数，满额率，录取线（优先类别, 抽签号）")
    for pk, s in m.get("offerings", {}).items():
        cut = s.get("cutoff")
        lines.append(
            f"  {names.get(pk, pk)}：{s['first_choice_demand']}/{s['capacity']}，"
            f"{s['filled']}，{_pct(s['fill_rate'])}，"
            f"{f'({cut[0]}, {cut[1]})' if cut else '—'}"
        )
    t = m.get("timing")
    if t:
        lines.append(
            f"用时：读取 {t.get('load_seconds')} 秒，机制 {t.get('mechanism_seconds')} 秒，"
            f"写入 {t.get('write_seconds', 0)} 秒，合计 {t.get('total_seconds')} 秒"
        )
    return lines


@dataclass
class OfferingMetric:
    name: str
    capacity: int
    demand: int
    ratio: float | None
    filled: int
    fill_rate: float | None
    cutoff: str
    waitlist: int


def charts(run: AllocationRun) -> dict:
    """JSON-ready data for the ECharts of the metrics page."""
    m = run.metrics or {}
    overall = m.get("overall", {})
    ranks = sorted(
        {k for k in overall.get("rank_distribution", {})},
        key=lambda k: (k == "none", k.zfill(4)),
    )
    rank_labels = [pgettext("choice rank", "none") if k == "none" else k for k in ranks]

    def dimension(key, label=lambda x: x):
        groups = m.get("groups", {}).get(key, {})
        names = sorted(groups, key=_school_order)
        return {
            "labels": [label(n) for n in names],
            "first": [round(groups[n]["first_choice"] * 100, 1) for n in names],
            "top3": [round(groups[n]["top_three"] * 100, 1) for n in names],
            "children": [groups[n]["children"] for n in names],
            "ranks": {
                label(n): [groups[n]["rank_distribution"].get(k, 0) for k in ranks] for n in names
            },
        }

    names = m.get("offering_names", {})
    per = m.get("offerings", {})
    return {
        "rank_labels": rank_labels,
        "overall_ranks": [overall.get("rank_distribution", {}).get(k, 0) for k in ranks],
        "priority": dimension("priority_group", lambda n: str(GROUP_LABELS.get(n, n))),
        "grade": dimension("grade"),
        "class": dimension("class", class_key_label),
        "offerings": {
            "labels": [names.get(pk, pk) for pk in per],
            "demand": [s["first_choice_demand"] for s in per.values()],
            "capacity": [s["capacity"] for s in per.values()],
            "fill": [round((s["fill_rate"] or 0) * 100, 1) for s in per.values()],
        },
    }


def offering_table(run: AllocationRun) -> list[OfferingMetric]:
    m = run.metrics or {}
    names = m.get("offering_names", {})
    rows = []
    for pk, s in m.get("offerings", {}).items():
        cut = s.get("cutoff")
        rows.append(
            OfferingMetric(
                name=names.get(pk, pk),
                capacity=s["capacity"],
                demand=s["first_choice_demand"],
                ratio=s["demand_ratio"],
                filled=s["filled"],
                fill_rate=s["fill_rate"],
                cutoff=f"({cut[0]}, {cut[1]:04d})" if cut else "—",
                waitlist=s.get("waitlist", 0),
            )
        )
    return rows


# --------------------------------------------------------------------------- families


@dataclass
class Waiting:
    entry: WaitlistEntry
    position: int


@dataclass
class WaitlistSeat:
    """A seat the child holds because the family accepted it from the waiting list, after
    the allocation the "why" sentences explain; `on` is the day it was taken."""

    enrolment: Enrollment
    on: object  # datetime.date


@dataclass
class ChildResult:
    child: Student
    menu: Menu
    enrolments: list[Enrollment]
    outcome: AllocationOutcome | None
    waiting: list[Waiting] = field(default_factory=list)
    offers: list[WaitlistEntry] = field(default_factory=list)
    why: list[str] = field(default_factory=list)  # one sentence per choice, page's language
    from_waitlist: list[WaitlistSeat] = field(default_factory=list)


def explanation_language() -> str:
    """The language of the explanation sentences for the page being rendered."""
    return "zh" if (get_language() or "zh").lower().startswith("zh") else "en"


def family_results(user: User) -> list[ChildResult]:
    """For a guardian: per child and allocated menu, the seats, why (in the page's
    language), the waiting-list places (the one order of kehou.enrollment.seats: priority
    group, then the lottery as drawn) and open offers."""
    if not user.is_authenticated or user.role != User.Role.GUARDIAN:
        raise Http404
    out = []
    children = access.students_for(user).select_related("school").order_by("name")
    for child in children:
        menus = Menu.objects.filter(
            Q(offerings__enrollments__student=child) | Q(offerings__waitlist__student=child),
            school=child.school_id,
            status__in=[Menu.Status.ALLOCATED, Menu.Status.RUNNING],
        )
        for menu in menus.distinct().select_related("term").order_by("-term__start"):
            outcome = (
                AllocationOutcome.objects.filter(
                    run__menu=menu,
                    run__dry_run=False,
                    run__status=AllocationRun.Status.DONE,
                    application__student=child,
                )
                .order_by("-run__started_at")
                .first()
            )
            enrolments = list(
                Enrollment.objects.filter(
                    student=child, offering__menu=menu, status=Enrollment.Status.ACTIVE
                ).select_related("offering")
            )
            result = ChildResult(
                child=child,
                menu=menu,
                enrolments=enrolments,
                outcome=outcome,
                why=outcome.why(explanation_language()) if outcome else [],
            )
            result.from_waitlist = _waitlist_seats(enrolments)
            entries = list(
                WaitlistEntry.objects.filter(student=child, offering__menu=menu).select_related(
                    "offering__menu"
                )
            )
            ranks = dict(
                Choice.objects.filter(
                    application_id__in={e.application_id for e in entries}
                ).values_list("offering_id", "rank")
            )
            for entry in sorted(entries, key=lambda e: ranks.get(e.offering_id, 10**6)):
                if entry.status == WaitlistEntry.Status.OFFERED:
                    result.offers.append(entry)
                elif entry.status == WaitlistEntry.Status.WAITING:
                    result.waiting.append(Waiting(entry=entry, position=waiting_position(entry)))
            out.append(result)
    return out


def _waitlist_seats(enrolments: list[Enrollment]) -> list[WaitlistSeat]:
    """The seats among `enrolments` taken from the waiting list, each with the day the
    seat path recorded it taken (its SeatEvent), or the seat's first day without one."""
    later = [e for e in enrolments if e.source == Enrollment.Source.WAITLIST]
    if not later:
        return []
    taken = {}
    for event in SeatEvent.objects.filter(enrollment__in=later, kind=SeatEvent.Kind.TAKEN).order_by(
        "at"
    ):
        taken.setdefault(event.enrollment_id, timezone.localdate(event.at))
    return [WaitlistSeat(enrolment=e, on=taken.get(e.pk, e.starts_on)) for e in later]


def _school_order(key: str) -> tuple:
    """Grades and classes in school order ("2" before "10", class "2-1" before "3-1"), not
    in the order of their text; any other key after them, alphabetically."""
    parts = key.split("-")
    if all(p.isdigit() for p in parts) and len(parts) <= 2:
        return (int(parts[0]), int(parts[1]) if len(parts) == 2 else 0, key)
    return (99, 0, key)


def class_key_label(key: str) -> str:
    """A class as the metrics store it ("3-1") in the reader's language (三年级1班)."""
    parts = key.split("-")
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return class_label(int(parts[0]), int(parts[1]))
    return key


# --------------------------------------------------------------------------- results per child

# Seats an allocation gives (a waiting-list seat, a claim or a school placement is not one).
ALLOCATED_SOURCES = (
    Enrollment.Source.ALLOCATION,
    Enrollment.Source.SECOND_ROUND,
    Enrollment.Source.FALLBACK,
)


@dataclass
class ChoiceResult:
    rank: int
    offering_id: int
    name: str
    allocated: bool  # the run gave this seat
    waiting_status: str | None  # the child's waiting-list entry for it, if any
    waiting_place: int | None  # its place in line while it waits


@dataclass
class RunChildResult:
    student_id: int
    student_number: str
    name: str
    school_class: object | None
    tier: int
    lottery_number: int
    best_rank: int | None
    choices: list[ChoiceResult]
    seats: list[tuple[int, str, str]]  # (offering id, name, source) the run gave
    explanation: str

    @property
    def class_key(self) -> str:
        c = self.school_class
        return f"{c.grade}-{c.number}" if c is not None else ""


def run_child_results(run: AllocationRun) -> list[RunChildResult]:
    """What a real run gave each child, in class and name order: each choice in rank
    order with whether the run seated the child there and the child's waiting-list place
    for it now (`kehou.enrollment.seats.waiting_positions`: the one order of the lists),
    the seats the run gave, and the family's explanation. A trial run writes no result per
    child: an empty list. A fixed number of queries, whatever the size of the school."""
    from kehou.catalog.models import Offering
    from kehou.enrollment.seats import waiting_positions
    from kehou.org.selectors import classes_in_year

    if run.dry_run or run.status != AllocationRun.Status.DONE:
        return []
    menu = run.menu
    outcomes = list(
        AllocationOutcome.objects.filter(run=run).select_related("application__student")
    )
    app_ids = [o.application_id for o in outcomes]
    student_of = {o.application_id: o.application.student_id for o in outcomes}
    names = {o.pk: str(o) for o in Offering.objects.filter(menu=menu).select_related("activity")}
    ranked: dict[int, list[tuple[int, int]]] = {}
    for app_id, offering_id, rank in Choice.objects.filter(application__in=app_ids).values_list(
        "application_id", "offering_id", "rank"
    ):
        if offering_id in names:
            ranked.setdefault(app_id, []).append((rank, offering_id))
    given: dict[int, list[tuple[int, str, str]]] = {}
    for student_id, offering_id, source in (
        Enrollment.objects.filter(offering__menu=menu, source__in=ALLOCATED_SOURCES)
        .order_by("offering_id")
        .values_list("student_id", "offering_id", "source")
    ):
        given.setdefault(student_id, []).append((offering_id, names[offering_id], source))
    entries = list(
        WaitlistEntry.objects.filter(offering__menu=menu, application__in=app_ids).only(
            "pk", "offering_id", "student_id", "status", "tier", "lottery_number"
        )
    )
    places = waiting_positions([e for e in entries if e.status == WaitlistEntry.Status.WAITING])
    waiting = {(e.student_id, e.offering_id): e for e in entries}
    classes = classes_in_year(list(student_of.values()), menu.term.school_year_id)
    out = []
    for outcome in outcomes:
        student = outcome.application.student
        seats_given = given.get(student.pk, [])
        got = {offering_id for offering_id, _name, _source in seats_given}
        choices = []
        for rank, offering_id in sorted(ranked.get(outcome.application_id, [])):
            entry = waiting.get((student.pk, offering_id))
            choices.append(
                ChoiceResult(
                    rank=rank,
                    offering_id=offering_id,
                    name=names[offering_id],
                    allocated=offering_id in got,
                    waiting_status=entry.status if entry else None,
                    waiting_place=places.get(entry.pk) if entry else None,
                )
            )
        out.append(
            RunChildResult(
                student_id=student.pk,
                student_number=student.student_number,
                name=student.name,
                school_class=classes.get(student.pk),
                tier=outcome.tier,
                lottery_number=outcome.lottery_number,
                best_rank=outcome.best_rank,
                choices=choices,
                seats=seats_given,
                explanation=outcome.explanation,
            )
        )
    out.sort(
        key=lambda r: (
            (r.school_class.grade, r.school_class.number) if r.school_class else (99, 99),
            r.name,
            r.student_id,
        )
    )
    return out


def run_results_json(run: AllocationRun) -> list[dict]:
    """The per-child results in the stable shape of `kehou allocate --json` (its
    docstring documents it)."""
    return [
        {
            "student": r.student_id,
            "student_number": r.student_number,
            "name": r.name,
            "class": r.class_key,
            "tier": r.tier,
            "lottery_number": r.lottery_number,
            "best_rank": r.best_rank,
            "seats": [
                {"offering": pk, "name": name, "source": source} for pk, name, source in r.seats
            ],
            "choices": [
                {
                    "rank": c.rank,
                    "offering": c.offering_id,
                    "name": c.name,
                    "allocated": c.allocated,
                    "waiting_list": (
                        {"status": c.waiting_status, "place": c.waiting_place}
                        if c.waiting_status
                        else None
                    ),
                }
                for c in r.choices
            ],
            "explanation": r.explanation,
        }
        for r in run_child_results(run)
    ]
