"""Synthetic applications and ranked choices for the demo city (called by `kehou seed`).

`demo_choices_seed(menu=..., seed=...)` gives every active student of the menu's school who
has a guardian and no application yet for the term: an approved application, a signature of
the school's current safety agreement (one is created if the school has none), and 5–6 ranked
choices among the grade-eligible extended offerings, drawn with Zipf popularity (a few
offerings are much wanted, most are not), the way real demand looks. Deterministic for a seed.

Signatures: demo guardians mostly have no login; their signature is then recorded as entered by
the school's admin (a paper agreement typed in), or left out when the school has no admin.
Bulk writes, one per table (bulk_create bypasses django-auditlog, as the rest of the demo
seed does on purpose: it is not a change anybody made).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from kehou.accounts.models import User
from kehou.catalog.models import Menu, Offering
from kehou.enrollment.models import AgreementSignature, Application, Choice, SafetyAgreement
from kehou.org.models import ClassMembership, StudentGuardian

AGREEMENT_TITLE = "课后服务安全责任书"
AGREEMENT_TEXT = (
    "一、家长自愿为孩子报名参加学校课后服务，遵守学校课后服务时间安排。\n"
    "二、家长按约定时间接孩子，或书面说明孩子自行回家、乘坐校车等离校方式。\n"
    "三、孩子因病因事不能参加，家长提前向班主任请假。\n"
    "四、学校负责课后服务期间的安全管理；建议家长为孩子购买意外伤害保险。"
)
ZIPF_S = 1.1


@dataclass
class DemoChoices:
    applications: int = 0
    choices: int = 0
    skipped_without_guardian: int = 0


def _agreement(school) -> SafetyAgreement:
    agreement = SafetyAgreement.objects.filter(school=school).order_by("-version").first()
    if agreement is None:
        agreement = SafetyAgreement.objects.create(
            school=school, version=1, title=AGREEMENT_TITLE, text=AGREEMENT_TEXT
        )
    return agreement


def _pick(rng: random.Random, weights: dict[int, float], n: int) -> list[int]:
    """n distinct offerings, each next one drawn with probability proportional to its weight."""
    pool = dict(weights)
    out = []
    while pool and len(out) < n:
        total = sum(pool.values())
        x = rng.random() * total
        picked = None
        for candidate, w in pool.items():
            picked = candidate
            x -= w
            if x <= 0:
                break
        out.append(picked)
        del pool[picked]
    return out


def demo_choices_seed(*, menu: Menu, seed: int | str) -> DemoChoices:
    rng = random.Random(f"choices:{seed}:{menu.pk}")
    school = menu.school
    term = menu.term
    summary = DemoChoices()
    offerings = list(
        Offering.objects.filter(menu=menu, is_fallback=False)
        .select_related("activity")
        .order_by("pk")
    )
    extended = [o for o in offerings if o.activity.is_extended] or offerings
    popularity = list(extended)
    rng.shuffle(popularity)
    weight = {o.pk: 1.0 / (i + 1) ** ZIPF_S for i, o in enumerate(popularity)}
    already = set(Application.objects.filter(term=term).values_list("student_id", flat=True))
    grades = {}
    for m in (
        ClassMembership.objects.filter(student__school=school, student__is_active=True)
        .select_related("school_class")
        .order_by("school_year__start_year")
    ):
        if m.school_year_id == term.school_year_id or m.student_id not in grades:
            grades[m.student_id] = m.school_class.grade
    guardians = {}
    for link in (
        StudentGuardian.objects.filter(student__school=school, student__is_active=True)
        .select_related("guardian__user")
        .order_by("-is_primary", "pk")
    ):
        guardians.setdefault(link.student_id, link.guardian)
    admin = (
        User.objects.filter(school=school, role=User.Role.SCHOOL_ADMIN, is_active=True)
        .order_by("pk")
        .first()
    )
    now = timezone.now()
    with transaction.atomic():
        agreement = _agreement(school)
        new = []
        for student_id in sorted(grades):
            if student_id in already:
                continue
            guardian = guardians.get(student_id)
            if guardian is None:
                summary.skipped_without_guardian += 1
                continue
            new.append(
                Application(
                    student_id=student_id,
                    term=term,
                    guardian=guardian,
                    status=Application.Status.APPROVED,
                    service_weekdays=[0, 1, 2, 3, 4],
                    wants_extended_care=rng.random() < 0.15,
                    has_accident_insurance=rng.random() < 0.7,
                    decided_by=admin,
                    decided_at=now,
                    teacher_reviewed_at=now,
                    starts_on=term.start,
                )
            )
        Application.objects.bulk_create(new, batch_size=1000)
        # PostgreSQL returns the pks from bulk_create; SQLite 3.35+ does as well.
        created = list(
            Application.objects.filter(term=term, student_id__in=[a.student_id for a in new])
        )
        signatures, choices = [], []
        for app in created:
            signer = guardians[app.student_id].user or admin
            if signer is not None:
                signatures.append(
                    AgreementSignature(application=app, agreement=agreement, signed_by=signer)
                )
            grade = grades[app.student_id]
            eligible = {o.pk: weight[o.pk] for o in extended if o.grade_from <= grade <= o.grade_to}
            picks = _pick(rng, eligible, rng.choice((5, 6)))
            choices += [
                Choice(application=app, offering_id=pk, rank=i) for i, pk in enumerate(picks, 1)
            ]
        AgreementSignature.objects.bulk_create(signatures, batch_size=1000)
        Choice.objects.bulk_create(choices, batch_size=2000)
    summary.applications = len(created)
    summary.choices = len(choices)
    return summary
