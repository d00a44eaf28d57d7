"""Writes of applications, choices, FCFS claims and withdrawals (SPEC R10, R11, R12 FCFS, R13).

Every write validates first and changes the data in one transaction; a refusal raises
ValidationError whose messages are Chinese and name the field or the rule (quoting seed 001
where the policy decides). Nothing half-written is ever left behind.

Application (R10): voluntary (自愿), per child, by a guardian of that child only; the family
signs the school's current safety agreement in the app (which version, when, who). The class
teacher reviews, the school admin approves or refuses with a reason (a DB CHECK backs it).
Refusals are listed for the bureau, since seed 001 forbids refusing a child in need.

Join and withdraw at any time with a dated effect (R13): withdrawing ends the child's active
enrolments on that date, gives their seats back with a conditional UPDATE, and after commit
offers them to the waiting list (kehou.placement.services.waitlist_refill).

Seats (FCFS, research/reliability.md §2): a seat is taken ONLY by the conditional UPDATE
`taken = taken + 1 WHERE taken < capacity`, inside atomic() with the Enrollment insert; the
partial UNIQUE(student, offering) constraint stops a second seat for the same child and the
CHECK taken <= capacity stops an over-fill, whatever the isolation level. Claims of one child
are serialised by a row lock on the application (its k limit and time conflicts are checked
under that lock); the lock order is always application → offering.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from kehou.accounts.models import User
from kehou.catalog.models import Menu, Offering, priority_tier, student_priority_groups
from kehou.catalog.services import buckets_of
from kehou.enrollment.models import (
    AgreementSignature,
    Application,
    Choice,
    Enrollment,
    SafetyAgreement,
    WaitlistEntry,
)
from kehou.org import access
from kehou.org.audit import log_bulk_changes
from kehou.org.models import ClassMembership, Guardian, School, Student
from kehou.terms.models import Term

SEED_000 = "种子000《关于全面推进中小学课后服务进一步提升课后服务水平的实施方案》"
SEED_001 = "种子001《长治市教育局关于进一步推进义务教育阶段公办学校课后服务工作的实施方案》"
RULE_NO_REFUSAL = (
    "依据" + SEED_001 + "：“严禁强制或变相强制学生参加，严禁拒绝有需求的学生参加。”"
    "拒绝须写明理由，并报教育局备查。"
)
RULE_VOLUNTARY = (
    "依据" + SEED_001 + "：“课后服务坚持学生家长自愿原则，由学生家长自主选择、自愿申报。”"
)
RULE_AGREEMENT = "依据" + SEED_001 + "：“学校要与家长签订安全协议，约定双方责任与权利。”"
RULE_JOIN_LEAVE = "依据" + SEED_001 + "：“应允许学生中途参与或退出课后服务”"

MON_FRI = [0, 1, 2, 3, 4]
WEEKDAY_ZH = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
OPEN = (Application.Status.SUBMITTED, Application.Status.TEACHER_REVIEWED)
ACTIVE_APPLICATION = (*OPEN, Application.Status.APPROVED)
WAITING = (WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED)

MSG_FULL = "名额已满，已加入候补名单"


# --------------------------------------------------------------------------- helpers


def guardian_link(user: User, student: Student) -> Guardian | None:
    """The user's Guardian record if they are a guardian of this child, else None."""
    if not user.is_authenticated or user.role != User.Role.GUARDIAN:
        return None
    return Guardian.objects.filter(user=user, student_links__student=student).first()


def _require_guardian(user: User, student: Student) -> Guardian:
    guardian = guardian_link(user, student)
    if guardian is None:
        raise ValidationError(f"只有“{student.name}”的监护人才能为其办理课后服务报名")
    return guardian


def _require_school_admin(user: User, school: School) -> None:
    if not access.may_manage_school(user, school):
        raise ValidationError("只有本校的学校管理员才能办理此事项")


def _may_act_for_child(user: User, student: Student) -> bool:
    return guardian_link(user, student) is not None or access.may_manage_school(
        user, student.school
    )


def plan_weekdays(*, school: School, term: Term) -> list[int]:
    """Service days of the school's published plan for the term, else Monday to Friday."""
    from kehou.policy.models import SchoolPlan

    plan = (
        SchoolPlan.objects.filter(school=school, term=term, status=SchoolPlan.Status.PUBLISHED)
        .only("service_weekdays")
        .first()
    )
    days = sorted({int(d) for d in (plan.service_weekdays if plan else []) if 0 <= int(d) <= 6})
    return days or list(MON_FRI)


def current_agreement(school: School) -> SafetyAgreement | None:
    return SafetyAgreement.objects.filter(school=school).order_by("-version").first()


def child_grade(student: Student, term: Term) -> int | None:
    membership = (
        ClassMembership.objects.filter(student=student, school_year_id=term.school_year_id)
        .select_related("school_class")
        .first()
    )
    return membership.school_class.grade if membership else None


def head_teacher_user_id(student: Student, term: Term) -> int | None:
    membership = (
        ClassMembership.objects.filter(student=student, school_year_id=term.school_year_id)
        .select_related("school_class__head_teacher")
        .first()
    )
    if membership is None or membership.school_class.head_teacher is None:
        return None
    return membership.school_class.head_teacher.user_id


def child_priority_tier(student: Student, menu: Menu) -> int:
    """The child's tier under `menu.priority_tiers` (lower goes first)."""
    return priority_tier(student_priority_groups(student), menu.priority_tiers)


def _menu_of(application: Application) -> Menu | None:
    return (
        Menu.objects.filter(school_id=application.student.school_id, term_id=application.term_id)
        .select_related("term")
        .first()
    )


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("student__school", "term")
        .get(pk=application.pk)
    )


def _check_date(on: dt.date, term: Term, *, label: str) -> None:
    if not isinstance(on, dt.date):
        raise ValidationError(f"{label}：请填写日期")
    if on < term.start or on > term.end:
        raise ValidationError(
            f"{label}：{on:%Y-%m-%d}不在本学期（{term.start:%Y-%m-%d}至{term.end:%Y-%m-%d}）内"
        )


# --------------------------------------------------------------------------- agreements


def agreement_publish(*, school: School, actor: User, title: str, text: str) -> SafetyAgreement:
    """A new version of the school's safety agreement; families sign the newest one."""
    _require_school_admin(actor, school)
    errors = []
    if not (title or "").strip():
        errors.append("协议标题：必填")
    if not (text or "").strip():
        errors.append("协议正文：必填")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        School.objects.select_for_update().get(pk=school.pk)
        latest = SafetyAgreement.objects.filter(school=school).aggregate(v=Max("version"))["v"]
        return SafetyAgreement.objects.create(
            school=school, version=(latest or 0) + 1, title=title.strip(), text=text.strip()
        )


# --------------------------------------------------------------------------- applications


def application_submit(
    *,
    student: Student,
    term: Term,
    guardian_user: User,
    service_weekdays: Sequence[int],
    wants_extended_care: bool,
    has_accident_insurance: bool,
    agreement: SafetyAgreement | None,
) -> Application:
    """A guardian applies for their child (or changes an undecided application, or applies
    again after a withdrawal or refusal). Signing = this call with the agreement shown."""
    guardian = _require_guardian(guardian_user, student)
    errors = []
    allowed = plan_weekdays(school=student.school, term=term)
    try:
        days = sorted({int(d) for d in service_weekdays})
    except (TypeError, ValueError):
        days = []
        errors.append("服务日：请选择星期几")
    if not days and not errors:
        errors.append("服务日：至少选择一天")
    outside = [d for d in days if d not in allowed]
    if outside:
        errors.append(
            "服务日："
            + "、".join(WEEKDAY_ZH[d] if 0 <= d <= 6 else str(d) for d in outside)
            + "不是本校的课后服务日（本校为"
            + "、".join(WEEKDAY_ZH[d] for d in allowed)
            + "）"
        )
    newest = current_agreement(student.school)
    if newest is None:
        errors.append("安全协议：学校尚未发布安全协议，暂不能报名。" + RULE_AGREEMENT)
    elif agreement is None:
        errors.append("安全协议：请阅读并勾选同意学校的安全协议。" + RULE_AGREEMENT)
    elif agreement.pk != newest.pk:
        errors.append(
            f"安全协议：学校已更新为第{newest.version}版，请阅读新版本后再签署"
            if agreement.school_id == student.school_id
            else "安全协议：不是本校的协议"
        )
    if child_grade(student, term) is None:
        errors.append(f"学生：“{student.name}”在本学年没有编入班级，请联系学校")
    if errors:
        raise ValidationError(errors)
    try:
        return _save_application(
            student=student,
            term=term,
            guardian=guardian,
            guardian_user=guardian_user,
            days=days,
            wants_extended_care=wants_extended_care,
            has_accident_insurance=has_accident_insurance,
            agreement=agreement,
        )
    except IntegrityError as error:  # two submissions at once: the other one won
        raise ValidationError("报名刚刚已经提交，请刷新页面查看") from error


def _save_application(
    *,
    student,
    term,
    guardian,
    guardian_user,
    days,
    wants_extended_care,
    has_accident_insurance,
    agreement,
) -> Application:
    with transaction.atomic():
        existing = (
            Application.objects.select_for_update().filter(student=student, term=term).first()
        )
        if existing is not None and existing.status == Application.Status.APPROVED:
            raise ValidationError("报名已获批准；如需更改服务日等信息，请联系学校")
        app = existing or Application(student=student, term=term)
        app.guardian = guardian
        app.status = Application.Status.SUBMITTED
        app.service_weekdays = days
        app.wants_extended_care = bool(wants_extended_care)
        app.has_accident_insurance = bool(has_accident_insurance)
        app.teacher_reviewed_by = None
        app.teacher_reviewed_at = None
        app.teacher_note = ""
        app.decided_by = None
        app.decided_at = None
        app.refusal_reason = ""
        app.starts_on = None
        app.withdrawn_on = None
        app.withdrawal_reason = ""
        app.save()
        AgreementSignature.objects.get_or_create(
            application=app, agreement=agreement, defaults={"signed_by": guardian_user}
        )
    return app


def application_teacher_review(
    *, application: Application, actor: User, note: str = ""
) -> Application:
    """The head teacher of the child's class confirms the application (班主任审核)."""
    with transaction.atomic():
        app = _lock(application)
        if head_teacher_user_id(app.student, app.term) != actor.pk or not actor.pk:
            raise ValidationError(f"只有“{app.student.name}”所在班级的班主任才能审核")
        if app.status != Application.Status.SUBMITTED:
            raise ValidationError(f"该报名现在是“{app.get_status_display()}”，不需要班主任审核")
        app.status = Application.Status.TEACHER_REVIEWED
        app.teacher_reviewed_by = actor
        app.teacher_reviewed_at = timezone.now()
        app.teacher_note = (note or "").strip()[:200]
        app.save(
            update_fields=["status", "teacher_reviewed_by", "teacher_reviewed_at", "teacher_note"]
        )
    return app


def _default_start(term: Term) -> dt.date:
    return max(term.start, timezone.localdate())


def application_approve(
    *, application: Application, actor: User, starts_on: dt.date | None = None
) -> Application:
    """The school approves (学校审批). The class teacher reviews first, unless the child's
    class has no head teacher with an account."""
    with transaction.atomic():
        app = _lock(application)
        _require_school_admin(actor, app.student.school)
        if app.status not in OPEN:
            raise ValidationError(f"该报名现在是“{app.get_status_display()}”，不能批准")
        if (
            app.status == Application.Status.SUBMITTED
            and head_teacher_user_id(app.student, app.term) is not None
        ):
            raise ValidationError("请等班主任审核后再批准")
        starts_on = starts_on or _default_start(app.term)
        _check_date(starts_on, app.term, label="参加日期")
        app.status = Application.Status.APPROVED
        app.decided_by = actor
        app.decided_at = timezone.now()
        app.starts_on = starts_on
        app.save(update_fields=["status", "decided_by", "decided_at", "starts_on"])
    return app


def application_refuse(*, application: Application, actor: User, reason: str) -> Application:
    """Refuse with a reason; the refusal is listed for the bureau (seed 001)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        app = _lock(application)
        _require_school_admin(actor, app.student.school)
        if not reason:
            raise ValidationError("拒绝理由：必填。" + RULE_NO_REFUSAL)
        if app.status not in OPEN:
            raise ValidationError(f"该报名现在是“{app.get_status_display()}”，不能拒绝")
        app.status = Application.Status.REFUSED
        app.refusal_reason = reason
        app.decided_by = actor
        app.decided_at = timezone.now()
        app.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at"])
    return app


def application_join(*, application: Application, actor: User, on: dt.date) -> Application:
    """The school admits the child from date `on` (R13: 中途参与): approves an undecided
    application, or re-admits a child who withdrew, without waiting for the review."""
    with transaction.atomic():
        app = _lock(application)
        _require_school_admin(actor, app.student.school)
        _check_date(on, app.term, label="参加日期")
        if app.status == Application.Status.APPROVED:
            raise ValidationError("该学生已在参加课后服务")
        if app.status == Application.Status.REFUSED:
            raise ValidationError("该报名已被拒绝；请家长重新报名")
        if not app.signatures.exists():
            raise ValidationError("家长尚未签署安全协议，不能加入。" + RULE_AGREEMENT)
        app.status = Application.Status.APPROVED
        app.decided_by = actor
        app.decided_at = timezone.now()
        app.starts_on = on
        app.withdrawn_on = None
        app.withdrawal_reason = ""
        app.save(
            update_fields=[
                "status",
                "decided_by",
                "decided_at",
                "starts_on",
                "withdrawn_on",
                "withdrawal_reason",
            ]
        )
    return app


def _end_enrolments(enrolments, *, on: dt.date, reason: str, actor: User) -> list[int]:
    """End active enrolments on `on` and give their seats back; returns the offerings freed.
    The caller holds the application lock; offerings are updated in pk order. The UPDATEs
    send no signals, so the history entries are written here."""
    freed, ended = [], []
    for enrolment in sorted(enrolments, key=lambda e: (e.offering_id, e.pk)):
        changed = Enrollment.objects.filter(
            pk=enrolment.pk, status=Enrollment.Status.ACTIVE
        ).update(status=Enrollment.Status.WITHDRAWN, ends_on=on, withdrawn_reason=reason[:200])
        if changed:
            Offering.objects.filter(pk=enrolment.offering_id, taken__gt=0).update(
                taken=F("taken") - 1
            )
            freed.append(enrolment.offering_id)
            ended.append(
                (
                    enrolment,
                    {
                        "status": [Enrollment.Status.ACTIVE, Enrollment.Status.WITHDRAWN],
                        "ends_on": [str(enrolment.ends_on), str(on)],
                        "withdrawn_reason": ["", reason[:200]],
                    },
                )
            )
    if ended:
        log_bulk_changes(ended, actor=actor if getattr(actor, "pk", None) else None)
    return freed


def _refill_after_commit(offering_ids) -> None:
    def refill(pk: int) -> None:
        from kehou.placement.services import waitlist_refill

        waitlist_refill(offering_id=pk)

    for pk in sorted(set(offering_ids)):
        transaction.on_commit(lambda pk=pk: refill(pk))


def _check_withdraw_date(on, term: Term, actor: User) -> None:
    _check_date(on, term, label="退出日期")
    if actor.role == User.Role.GUARDIAN and on < timezone.localdate():
        raise ValidationError("退出日期：家长只能选择今天或以后的日期；补办请联系学校")


def application_withdraw(
    *, application: Application, actor: User, on: dt.date, reason: str = ""
) -> Application:
    """The child leaves the service from `on` (R13: 中途退出): every active enrolment ends on
    that date, waiting-list places are given up, seats go to the waiting lists."""
    with transaction.atomic():
        app = _lock(application)
        if not _may_act_for_child(actor, app.student):
            raise ValidationError("只有监护人或本校管理员才能办理退出")
        if app.status not in ACTIVE_APPLICATION:
            raise ValidationError(f"该报名现在是“{app.get_status_display()}”，不能退出")
        _check_withdraw_date(on, app.term, actor)
        reason = (reason or "").strip()[:200]
        active = list(
            Enrollment.objects.filter(
                student=app.student,
                offering__menu__term=app.term,
                status=Enrollment.Status.ACTIVE,
            )
        )
        freed = _end_enrolments(active, on=on, reason=reason or "退出课后服务", actor=actor)
        offered = list(
            WaitlistEntry.objects.filter(
                student=app.student, offering__menu__term=app.term, status__in=WAITING
            ).values_list("offering_id", "status")
        )
        WaitlistEntry.objects.filter(
            student=app.student, offering__menu__term=app.term, status__in=WAITING
        ).update(status=WaitlistEntry.Status.REMOVED)
        freed += [o for o, s in offered if s == WaitlistEntry.Status.OFFERED]
        app.status = Application.Status.WITHDRAWN
        app.withdrawn_on = on
        app.withdrawal_reason = reason
        app.save(update_fields=["status", "withdrawn_on", "withdrawal_reason"])
        _refill_after_commit(freed)
    return app


def enrollment_withdraw(
    *, enrollment: Enrollment, actor: User, on: dt.date, reason: str = ""
) -> Enrollment:
    """Leave one offering from `on`; the seat goes to its waiting list after commit.
    Repeating the call changes nothing."""
    with transaction.atomic():
        current = Enrollment.objects.select_related("student__school", "offering__menu__term").get(
            pk=enrollment.pk
        )
        if current.application_id:
            _lock(current.application)
        if not _may_act_for_child(actor, current.student):
            raise ValidationError("只有监护人或本校管理员才能办理退出")
        current = Enrollment.objects.select_related("offering__menu__term").get(pk=enrollment.pk)
        if current.status != Enrollment.Status.ACTIVE:
            return current
        _check_withdraw_date(on, current.offering.menu.term, actor)
        freed = _end_enrolments(
            [current],
            on=on,
            reason=(reason or "").strip() or f"退出“{current.offering}”",
            actor=actor,
        )
        _refill_after_commit(freed)
    current.refresh_from_db()
    return current


# --------------------------------------------------------------------------- choices


def _window_open(menu: Menu | None, now: dt.datetime) -> bool:
    return (
        menu is not None
        and menu.status == Menu.Status.WINDOW_OPEN
        and (menu.window_opens_at is None or menu.window_opens_at <= now)
        and (menu.window_closes_at is None or now < menu.window_closes_at)
    )


def choices_set(*, application: Application, offering_ids: Sequence[int], actor: User) -> list:
    """Replace the family's ranked list: `offering_ids[0]` is the 1st choice. Only while the
    menu's choice window is open, only grade-eligible offerings of the child's school's menu.
    Time conflicts between ranked offerings are allowed: the allocation handles them."""
    now = timezone.now()
    with transaction.atomic():
        app = _lock(application)
        _require_guardian(actor, app.student)
        menu = _menu_of(app)
        if menu is None or menu.mode != Menu.Mode.LOTTERY:
            raise ValidationError("本校本学期没有需要排序的选课（先到先得的学校请直接报名项目）")
        if not _window_open(menu, now):
            raise ValidationError("选课窗口未开放或已截止，志愿不能再改")
        if app.status not in ACTIVE_APPLICATION:
            raise ValidationError(f"报名现在是“{app.get_status_display()}”，不能填报志愿")
        try:
            ids = [int(pk) for pk in offering_ids]
        except (TypeError, ValueError) as error:
            raise ValidationError("志愿：项目编号无效") from error
        if len(set(ids)) != len(ids):
            raise ValidationError("志愿：同一个项目只能填一次")
        grade = child_grade(app.student, app.term)
        offerings = {o.pk: o for o in Offering.objects.filter(menu=menu, pk__in=ids)}
        errors = []
        for rank, pk in enumerate(ids, start=1):
            offering = offerings.get(pk)
            if offering is None:
                errors.append(f"第{rank}志愿：不是本校本学期菜单中的项目")
            elif grade is None or not offering.grade_from <= grade <= offering.grade_to:
                errors.append(
                    f"第{rank}志愿：“{offering}”面向{offering.grade_from}至"
                    f"{offering.grade_to}年级，不适合{grade or '未编班'}年级的学生"
                )
        if errors:
            raise ValidationError(errors)
        Choice.objects.filter(application=app).delete()
        return Choice.objects.bulk_create(
            Choice(application=app, offering_id=pk, rank=rank) for rank, pk in enumerate(ids, 1)
        )


# --------------------------------------------------------------------------- FCFS


def _check_claim(app: Application, offering: Offering, actor: User, now) -> Menu:
    student = app.student
    if guardian_link(actor, student) is None and not access.may_manage_school(
        actor, student.school
    ):
        raise ValidationError(f"只有“{student.name}”的监护人才能为其报名项目")
    menu = offering.menu
    if menu.school_id != student.school_id or menu.term_id != app.term_id:
        raise ValidationError("该项目不在孩子学校本学期的菜单中")
    if menu.mode != Menu.Mode.FCFS:
        raise ValidationError("本校采用选课排序和公平分配，不能抢报；请在选课窗口内填报志愿")
    if not _window_open(menu, now):
        raise ValidationError("报名未开放或已截止")
    if app.status != Application.Status.APPROVED:
        raise ValidationError("课后服务报名尚未获学校批准，暂不能报名项目")
    grade = child_grade(student, app.term)
    if grade is None or not offering.grade_from <= grade <= offering.grade_to:
        raise ValidationError(
            f"“{offering}”面向{offering.grade_from}至{offering.grade_to}年级，"
            f"不适合{grade or '未编班'}年级的学生"
        )
    return menu


def _check_fits(app: Application, offering: Offering, menu: Menu) -> None:
    """k extended offerings per child and no time conflict with what the child holds."""
    held = list(
        Enrollment.objects.filter(
            student_id=app.student_id, offering__menu=menu, status=Enrollment.Status.ACTIVE
        )
        .select_related("offering__activity")
        .prefetch_related("offering__meetings")
    )
    mine = buckets_of((m.weekday, m.start, m.end) for m in offering.meetings.all())
    for enrolment in held:
        other = enrolment.offering
        theirs = buckets_of((m.weekday, m.start, m.end) for m in other.meetings.all())
        if mine & theirs:
            raise ValidationError(f"与已报名的“{other}”上课时间冲突")
    if offering.activity.is_extended:
        extended = sum(1 for e in held if e.offering.activity.is_extended)
        if extended >= menu.max_extended_per_child:
            raise ValidationError(
                f"每名学生每周最多参加{menu.max_extended_per_child}个拓展项目，已达上限"
            )


def _record_choice(app: Application, offering: Offering) -> None:
    """In FCFS the order of claims is the family's order of preference; recorded as ranks so a
    freed seat can be re-offered by the same rule as after an allocation."""
    if Choice.objects.filter(application=app, offering=offering).exists():
        return
    last = Choice.objects.filter(application=app).aggregate(r=Max("rank"))["r"] or 0
    Choice.objects.create(application=app, offering=offering, rank=last + 1)


def fcfs_claim(
    *, application: Application, offering: Offering, actor: User
) -> Enrollment | WaitlistEntry:
    """Take a seat first come, first served, or join the waiting list when the offering is
    full (ValidationError for a claim that may not happen). Idempotent: a second click
    returns the seat or waiting-list place the child already has."""
    now = timezone.now()
    offering = (
        Offering.objects.select_related("menu", "activity")
        .prefetch_related("meetings")
        .get(pk=offering.pk)
    )
    with transaction.atomic():
        app = _lock(application)
        menu = _check_claim(app, offering, actor, now)
        held = Enrollment.objects.filter(
            student_id=app.student_id, offering=offering, status=Enrollment.Status.ACTIVE
        ).first()
        if held is not None:
            return held
        waiting = WaitlistEntry.objects.filter(
            offering=offering, student_id=app.student_id, status__in=WAITING
        ).first()
        if waiting is not None:
            return waiting
        _check_fits(app, offering, menu)
        took = Offering.objects.filter(pk=offering.pk, taken__lt=F("capacity")).update(
            taken=F("taken") + 1
        )
        if took:
            try:
                with transaction.atomic():
                    enrolment = Enrollment.objects.create(
                        student_id=app.student_id,
                        offering=offering,
                        application=app,
                        source=Enrollment.Source.FCFS,
                        starts_on=max(app.starts_on or app.term.start, now.date()),
                    )
            except IntegrityError:
                # Seated meanwhile by another path (school placement, waiting list):
                # give the seat back and return the seat the child has.
                Offering.objects.filter(pk=offering.pk, taken__gt=0).update(taken=F("taken") - 1)
                return Enrollment.objects.get(
                    student_id=app.student_id, offering=offering, status=Enrollment.Status.ACTIVE
                )
            _record_choice(app, offering)
            return enrolment
        # Full: the waiting list, in order of priority tier, then arrival.
        Offering.objects.select_for_update().filter(pk=offering.pk).first()
        arrival = (
            WaitlistEntry.objects.filter(offering=offering).aggregate(n=Max("lottery_number"))["n"]
            or 0
        ) + 1
        entry, _created = WaitlistEntry.objects.update_or_create(
            offering=offering,
            student_id=app.student_id,
            defaults={
                "application": app,
                "tier": child_priority_tier(app.student, menu),
                "lottery_number": arrival,
                "status": WaitlistEntry.Status.WAITING,
                "offered_at": None,
                "respond_by": None,
            },
        )
        _record_choice(app, offering)
        return entry


def waiting_position(entry: WaitlistEntry, *, mode: str) -> int:
    """1 = next in line: by tier, then arrival (FCFS) or the reversed lottery (after an
    allocation, the order kehou.placement.services.waitlist_refill offers seats in)."""
    same = WaitlistEntry.objects.filter(
        offering_id=entry.offering_id, status=WaitlistEntry.Status.WAITING
    )
    ahead = same.filter(tier__lt=entry.tier).count()
    if mode == Menu.Mode.FCFS:
        ahead += same.filter(tier=entry.tier, lottery_number__lt=entry.lottery_number).count()
    else:
        ahead += same.filter(tier=entry.tier, lottery_number__gt=entry.lottery_number).count()
    return ahead + 1
