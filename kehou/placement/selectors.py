"""Reads of allocation runs, results and offers, scoped through kehou.org.access: anything
outside the user's scope is a 404, so a refusal never reveals whether it exists."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehou.accounts.models import User
from kehou.catalog.models import PRIORITY_GROUP_LABELS, Menu
from kehou.core.labels import class_label
from kehou.enrollment.models import Enrollment, WaitlistEntry
from kehou.enrollment.seats import waiting_position
from kehou.org import access
from kehou.org.models import Student
from kehou.placement.models import AllocationOutcome, AllocationRun

GROUP_LABELS = {**PRIORITY_GROUP_LABELS, "others": gettext_lazy("Others")}


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
    rank_labels = [_("none") if k == "none" else k for k in ranks]

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
class ChildResult:
    child: Student
    menu: Menu
    enrolments: list[Enrollment]
    outcome: AllocationOutcome | None
    waiting: list[Waiting] = field(default_factory=list)
    offers: list[WaitlistEntry] = field(default_factory=list)


def family_results(user: User) -> list[ChildResult]:
    """For a guardian: per child and allocated menu, the seats, why, the waiting-list
    positions (order of the next offer: tier, then reversed lottery) and open offers."""
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
            result = ChildResult(child=child, menu=menu, enrolments=enrolments, outcome=outcome)
            for entry in WaitlistEntry.objects.filter(
                student=child, offering__menu=menu
            ).select_related("offering__menu"):
                if entry.status == WaitlistEntry.Status.OFFERED:
                    result.offers.append(entry)
                elif entry.status == WaitlistEntry.Status.WAITING:
                    result.waiting.append(Waiting(entry=entry, position=waiting_position(entry)))
            out.append(result)
    return out


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
