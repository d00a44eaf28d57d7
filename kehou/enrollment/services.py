"""Writes of applications, choices, FCFS claims, placements and withdrawals (SPEC R10-R13).

Every write checks first that the actor may act (kehou.org.access: a guardian of that
child, the class's head teacher, the school's admin) and that the request holds together,
then changes the data in one transaction; a refusal is a ValidationError with a stable
code, the field and a translatable message, quoting seed 001 where the policy decides.
Nothing half-written is ever left behind.

Application (R10): voluntary (自愿), per child, by a guardian of that child only; the family
signs the school's current safety agreement in the app (which version, when, who). The class
teacher reviews, the school admin approves or refuses with a reason (a DB CHECK backs it).
Refusals are listed for the bureau, since seed 001 forbids refusing a child in need.

Seats change only through kehou.enrollment.seats (the one seat path): claims, placements by
the school, withdrawals with a dated effect (R13) and waiting-list answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehou.accounts.models import User
from kehou.catalog.models import (
    EXTENDED_CATEGORIES,
    WINDOW_NOT_YET,
    WINDOW_OPEN,
    Menu,
    Offering,
)
from kehou.core.errors import Problems, refusal
from kehou.core.labels import weekday_label, weekdays_label
from kehou.enrollment import claim_reads, notices, seats
from kehou.enrollment.models import (
    AgreementSignature,
    Application,
    Choice,
    Enrollment,
    SafetyAgreement,
    WaitlistEntry,
)
from kehou.enrollment.selectors import (
    child_grade,
    child_priority_tier,
    current_agreement,
    head_teacher_user_id,
    plan_weekdays,
)
from kehou.org import access
from kehou.org.models import School, Student
from kehou.policy_rules import DOCUMENT_TITLES
from kehou.terms.models import Term

SEED_001 = DOCUMENT_TITLES["001"]
RULE_NO_REFUSAL = gettext_lazy(
    "Under %(seed)s: “严禁强制或变相强制学生参加，严禁拒绝有需求的学生参加。” A refusal "
    "needs its reason and is reported to the education bureau."
)
RULE_AGREEMENT = gettext_lazy("Under %(seed)s: “学校要与家长签订安全协议，约定双方责任与权利。”")

OPEN = (Application.Status.SUBMITTED, Application.Status.TEACHER_REVIEWED)
ACTIVE_APPLICATION = (*OPEN, Application.Status.APPROVED)


def rule_no_refusal() -> str:
    return str(RULE_NO_REFUSAL) % {"seed": SEED_001}


def rule_agreement() -> str:
    return str(RULE_AGREEMENT) % {"seed": SEED_001}


# --------------------------------------------------------------------------- helpers


def _menu_of(application: Application) -> Menu | None:
    return (
        Menu.objects.filter(school_id=application.student.school_id, term_id=application.term_id)
        .select_related("term")
        .first()
    )


def _date_problem(on, term: Term, *, field: str) -> ValidationError | None:
    if not isinstance(on, dt.date):
        return refusal("date_missing", _("Give a date."), field=field)
    if on < term.start or on > term.end:
        return refusal(
            "date_outside_term",
            _("%(date)s is not in this term (%(start)s to %(end)s)."),
            field=field,
            date=on.isoformat(),
            start=term.start.isoformat(),
            end=term.end.isoformat(),
        )
    return None


def _check_date(on, term: Term, *, field: str) -> None:
    problem = _date_problem(on, term, field=field)
    if problem is not None:
        raise problem


def _status_refusal(app: Application, action: str) -> ValidationError:
    return refusal(
        "wrong_application_status",
        _("The application is “%(status)s”: it cannot be %(action)s."),
        status=app.get_status_display(),
        action=action,
    )


# --------------------------------------------------------------------------- agreements


def agreement_publish(*, school: School, actor: User, title: str, text: str) -> SafetyAgreement:
    """A new version of the school's safety agreement; families sign the newest one."""
    access.require_school_admin(actor, school)
    problems = Problems()
    if not (title or "").strip():
        problems.add("required", _("Give the agreement a title."), field="title")
    if not (text or "").strip():
        problems.add("required", _("Write the agreement's text."), field="text")
    problems.raise_if_any()
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
    actor: User,
    service_weekdays: Sequence[int],
    wants_extended_care: bool,
    has_accident_insurance: bool,
    agreement: SafetyAgreement | None,
) -> Application:
    """A guardian applies for their child (or changes an undecided application, or applies
    again after a withdrawal or refusal). Signing = this call with the agreement shown."""
    guardian = access.require_guardian(actor, student)
    problems = Problems()
    allowed = plan_weekdays(school=student.school, term=term)
    try:
        days = sorted({int(d) for d in service_weekdays})
    except (TypeError, ValueError):
        days = []
        problems.add(
            "weekdays_invalid", _("Choose the days of the week."), field="service_weekdays"
        )
    if not days and not problems:
        problems.add("weekdays_missing", _("Choose at least one day."), field="service_weekdays")
    outside = [d for d in days if d not in allowed]
    if outside:
        problems.add(
            "weekdays_not_served",
            _("%(days)s: not an after-school service day of the school (it serves %(served)s)."),
            field="service_weekdays",
            days="、".join(weekday_label(d) for d in outside),
            served=weekdays_label(allowed),
        )
    newest = current_agreement(student.school)
    if newest is None:
        problems.add(
            "no_agreement",
            _(
                "The school has not published its safety agreement yet, so applications cannot "
                "be made. %(rule)s"
            ),
            field="agreement",
            rule=rule_agreement(),
        )
    elif agreement is None:
        problems.add(
            "agreement_not_signed",
            _("Read the school's safety agreement and tick that you agree. %(rule)s"),
            field="agreement",
            rule=rule_agreement(),
        )
    elif agreement.pk != newest.pk:
        if agreement.school_id == student.school_id:
            problems.add(
                "agreement_outdated",
                _(
                    "The school has published version %(version)d of the agreement: read the new "
                    "version, then sign it."
                ),
                field="agreement",
                version=newest.version,
            )
        else:
            problems.add(
                "agreement_of_other_school",
                _("This is not the school's agreement."),
                field="agreement",
            )
    if child_grade(student, term) is None:
        problems.add(
            "child_without_class",
            _("%(child)s is in no class this school year: please ask the school."),
            field="student",
            child=student.name,
        )
    problems.raise_if_any()
    try:
        return _save_application(
            student=student,
            term=term,
            guardian=guardian,
            actor=actor,
            days=days,
            wants_extended_care=wants_extended_care,
            has_accident_insurance=has_accident_insurance,
            agreement=agreement,
        )
    except IntegrityError as error:  # two submissions at once: the other one won
        raise refusal(
            "submitted_meanwhile",
            _("The application was submitted a moment ago: reload the page to see it."),
        ) from error


def _save_application(
    *, student, term, guardian, actor, days, wants_extended_care, has_accident_insurance, agreement
) -> Application:
    with transaction.atomic():
        existing = (
            Application.objects.select_for_update().filter(student=student, term=term).first()
        )
        if existing is not None and existing.status == Application.Status.APPROVED:
            raise refusal(
                "already_approved",
                _(
                    "The application is approved; to change its days or other details, please "
                    "ask the school."
                ),
            )
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
            application=app, agreement=agreement, defaults={"signed_by": actor}
        )
    return app


def application_teacher_review(
    *, application: Application, actor: User, note: str = ""
) -> Application:
    """The head teacher of the child's class confirms the application (班主任审核)."""
    with transaction.atomic():
        app = seats.lock_application(application.pk)
        if not actor.pk or head_teacher_user_id(app.student, app.term) != actor.pk:
            raise access.OutOfScope
        if app.status != Application.Status.SUBMITTED:
            raise _status_refusal(app, _("reviewed"))
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
        app = seats.lock_application(application.pk)
        access.require_school_admin(actor, app.student.school)
        if app.status not in OPEN:
            raise _status_refusal(app, _("approved"))
        if (
            app.status == Application.Status.SUBMITTED
            and head_teacher_user_id(app.student, app.term) is not None
        ):
            raise refusal(
                "awaiting_teacher_review", _("Wait for the class teacher's review, then approve.")
            )
        starts_on = starts_on or _default_start(app.term)
        _check_date(starts_on, app.term, field="starts_on")
        app.status = Application.Status.APPROVED
        app.decided_by = actor
        app.decided_at = timezone.now()
        app.starts_on = starts_on
        app.save(update_fields=["status", "decided_by", "decided_at", "starts_on"])
        notices.application_decided(app)
    return app


def application_refuse(*, application: Application, actor: User, reason: str) -> Application:
    """Refuse with a reason; the refusal is listed for the bureau (seed 001)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        app = seats.lock_application(application.pk)
        access.require_school_admin(actor, app.student.school)
        if not reason:
            raise refusal(
                "reason_required",
                _("Give the reason for the refusal. %(rule)s"),
                field="reason",
                rule=rule_no_refusal(),
            )
        if app.status not in OPEN:
            raise _status_refusal(app, _("refused"))
        app.status = Application.Status.REFUSED
        app.refusal_reason = reason
        app.decided_by = actor
        app.decided_at = timezone.now()
        app.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at"])
        notices.application_decided(app)
    return app


def application_join(*, application: Application, actor: User, on: dt.date) -> Application:
    """The school admits the child from date `on` (R13: 中途参与): approves an undecided
    application, or re-admits a child who withdrew, without waiting for the review."""
    with transaction.atomic():
        app = seats.lock_application(application.pk)
        access.require_school_admin(actor, app.student.school)
        _check_date(on, app.term, field="on")
        if app.status == Application.Status.APPROVED:
            raise refusal("already_taking_part", _("The child takes part in the service already."))
        if app.status == Application.Status.REFUSED:
            raise refusal(
                "application_refused",
                _("This application was refused; the family can apply again."),
            )
        if not app.signatures.exists():
            raise refusal(
                "agreement_not_signed",
                _(
                    "The family has not signed the safety agreement, so the child cannot join. "
                    "%(rule)s"
                ),
                rule=rule_agreement(),
            )
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
        notices.application_decided(app, joined=True)
    return app


def _check_withdraw_date(on, term: Term, actor: User) -> None:
    _check_date(on, term, field="on")
    if getattr(actor, "role", None) == User.Role.GUARDIAN and on < timezone.localdate():
        raise refusal(
            "guardian_backdating",
            _("A family can choose today or a later day; for an earlier one, ask the school."),
            field="on",
        )


def application_withdraw(
    *, application: Application, actor: User, on: dt.date, reason: str = ""
) -> Application:
    """The child leaves the after-school service from `on` (R13: 中途退出): every seat of
    the term ends that day, the waiting-list places end now, the seats go to the waiting
    lists."""
    with transaction.atomic():
        app = seats.lock_application(application.pk)
        access.require_guardian_or_school_admin(actor, app.student)
        if app.status not in ACTIVE_APPLICATION:
            raise _status_refusal(app, _("withdrawn from the after-school service"))
        _check_withdraw_date(on, app.term, actor)
        reason = (reason or "").strip()[:200]
        held = Enrollment.objects.filter(
            student=app.student, offering__menu__term=app.term, status=Enrollment.Status.ACTIVE
        )
        seats.end(held, on=on, actor=actor, reason=reason or _("left the after-school service"))
        seats.leave_waitlists(app, actor=actor, reason=reason or _("left the after-school service"))
        app.status = Application.Status.WITHDRAWN
        app.withdrawn_on = on
        app.withdrawal_reason = reason
        app.save(update_fields=["status", "withdrawn_on", "withdrawal_reason"])
    return app


def enrollment_withdraw(
    *, enrollment: Enrollment, actor: User, on: dt.date, reason: str = ""
) -> Enrollment:
    """Drop one offering (退选) from `on`, keeping the rest of the service; the seat goes to
    the offering's waiting list. Repeating the call changes nothing."""
    with transaction.atomic():
        current = Enrollment.objects.select_related("student__school").get(pk=enrollment.pk)
        if current.application_id:
            seats.lock_application(current.application_id)
        access.require_guardian_or_school_admin(actor, current.student)
        current = Enrollment.objects.select_related("offering__menu__term").get(pk=enrollment.pk)
        if current.status != Enrollment.Status.ACTIVE:
            return current
        _check_withdraw_date(on, current.offering.menu.term, actor)
        reason = (reason or "").strip() or _("dropped “%(offering)s”") % {
            "offering": current.offering
        }
        seats.end([current], on=on, actor=actor, reason=reason)
    current.refresh_from_db()
    return current


# --------------------------------------------------------------------------- choices


def _grade_refusal(offering: Offering, grade: int | None, *, field: str, **params):
    return refusal(
        "grade_not_eligible",
        _("“%(offering)s” is for grades %(from)d to %(to)d, not for %(grade)s."),
        field=field,
        offering=str(offering),
        **{"from": offering.grade_from, "to": offering.grade_to},
        grade=_("grade %(n)d") % {"n": grade} if grade else _("a child in no class"),
        **params,
    )


def choices_set(*, application: Application, offering_ids: Sequence[int], actor: User) -> list:
    """Replace the family's ranked list: `offering_ids[0]` is the 1st choice. Only while the
    menu's choice window is open, only grade-eligible offerings of the child's school's menu.
    Time conflicts between ranked offerings are allowed: the allocation handles them."""
    now = timezone.now()
    with transaction.atomic():
        app = seats.lock_application(application.pk)
        access.require_guardian(actor, app.student)
        menu = _menu_of(app)
        if menu is None or menu.mode != Menu.Mode.LOTTERY:
            raise refusal(
                "no_ranked_choices",
                _(
                    "The school has no ranked choice this term (where seats go first come, first "
                    "served, sign up for the offerings directly)."
                ),
            )
        _check_window(menu, now, field="choices")
        if app.status not in ACTIVE_APPLICATION:
            raise _status_refusal(app, _("given choices"))
        try:
            ids = [int(pk) for pk in offering_ids]
        except (TypeError, ValueError) as error:
            raise refusal("bad_offering", _("Unknown offering."), field="choices") from error
        if len(set(ids)) != len(ids):
            raise refusal("offering_ranked_twice", _("Rank each offering once."), field="choices")
        grade = child_grade(app.student, app.term)
        offerings = {o.pk: o for o in Offering.objects.filter(menu=menu, pk__in=ids)}
        problems = Problems()
        for rank, pk in enumerate(ids, start=1):
            offering = offerings.get(pk)
            if offering is None:
                problems.add(
                    "not_in_menu",
                    _("Choice %(rank)d is not an offering of the school's menu this term."),
                    field="choices",
                    rank=rank,
                )
            elif grade is None or not offering.grade_from <= grade <= offering.grade_to:
                problems.extend(_grade_refusal(offering, grade, field="choices"))
        problems.raise_if_any()
        Choice.objects.filter(application=app).delete()
        return Choice.objects.bulk_create(
            Choice(application=app, offering_id=pk, rank=rank) for rank, pk in enumerate(ids, 1)
        )


# --------------------------------------------------------------------------- seats


def _check_window(menu: Menu, now: dt.datetime, *, field: str) -> None:
    """Refuse a family's choice or claim outside the menu's window, as families are told it
    (Menu.window_state_at: from the window's dates and now)."""
    state = menu.window_state_at(now)
    if state == WINDOW_OPEN:
        return
    fcfs = menu.mode == Menu.Mode.FCFS
    if state == WINDOW_NOT_YET:
        opens = menu.window_opens_at
        if opens is not None and menu.status != Menu.Status.DRAFT:
            message = (
                _("Sign-up is not open yet: it opens at %(opens)s.")
                if fcfs
                else _("The choice window is not open yet: it opens at %(opens)s.")
            )
            raise refusal(
                "window_not_yet_open",
                message,
                field=field,
                opens=timezone.localtime(opens).strftime("%Y-%m-%d %H:%M"),
            )
        message = (
            _("Sign-up is not open yet: the school has not opened it.")
            if fcfs
            else _("The choice window is not open yet: the school has not opened it.")
        )
        raise refusal("window_not_yet_open", message, field=field)
    message = (
        _("Sign-up has closed: offerings can no longer be taken here; please ask the school.")
        if fcfs
        else _("The choice window has closed: the ranking can no longer change.")
    )
    raise refusal("window_closed", message, field=field)


def _check_claim(app: Application, offering: Offering, grade: int | None, now) -> Menu:
    menu = offering.menu
    if menu.school_id != app.student.school_id or menu.term_id != app.term_id:
        raise access.OutOfScope
    if menu.mode != Menu.Mode.FCFS:
        raise refusal(
            "not_first_come",
            _(
                "The school fills its offerings by ranked choice and a fair allocation: rank "
                "your choices while the window is open."
            ),
        )
    _check_window(menu, now, field="offering")
    if app.status != Application.Status.APPROVED:
        raise refusal(
            "application_not_approved",
            _("The school has not approved the application yet, so offerings cannot be taken."),
        )
    if grade is None or not offering.grade_from <= grade <= offering.grade_to:
        raise _grade_refusal(offering, grade, field="offering")
    return menu


def _check_fits(student_id: int, offering: Offering, menu: Menu, *, held=None) -> None:
    """k extended offerings per child and no time conflict with what the child holds
    (`held`: their seats in the menu as kehou.enrollment.claim_reads.holdings gives them)."""
    if held is None:
        held, _waiting = claim_reads.holdings(student_id, menu.pk, offering.pk)
    meetings = claim_reads.meetings_of([offering.pk, *(other for _pk, other, _c in held)])
    for _pk, other, _category in held:
        if meetings[offering.pk] & meetings[other]:
            raise refusal(
                "time_clash",
                _("At the same time as “%(other)s”, which the child has already."),
                field="offering",
                other=str(Offering.objects.select_related("activity").get(pk=other)),
            )
    if offering.activity.is_extended:
        extended = sum(1 for _pk, _o, category in held if category in EXTENDED_CATEGORIES)
        if extended >= menu.max_extended_per_child:
            raise refusal(
                "extended_limit",
                _("A child takes at most %(k)d extended offerings a week, and has them already."),
                field="offering",
                k=menu.max_extended_per_child,
            )


_RECORD_CHOICE = (
    "INSERT INTO {choice} (application_id, offering_id, rank) "
    "SELECT %s, %s, COALESCE(MAX(rank), 0) + 1 FROM {choice} WHERE application_id = %s "
    "ON CONFLICT (application_id, offering_id) DO NOTHING"
)


def _record_choice(app: Application, offering: Offering) -> None:
    """In FCFS the order of claims is the family's order of preference; recorded as ranks so a
    freed seat can be re-offered by the same rule as after an allocation. One statement (the
    rush's hot path): the next rank, unless the offering is ranked already. The caller holds
    the application's lock, so no other claim of the family numbers a rank meanwhile."""
    sql = _RECORD_CHOICE.format(choice=connection.ops.quote_name(Choice._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, [app.pk, offering.pk, app.pk])


def _pk(value) -> int:
    return value if isinstance(value, int) else value.pk


def fcfs_claim(
    *, application: Application | int, offering: Offering | int, actor: User
) -> Enrollment | WaitlistEntry:
    """Take a seat first come, first served, or join the waiting list when the offering is
    full (a ValidationError for a claim that may not happen). Idempotent: a second click
    returns the seat or waiting-list place the child already has. Takes the application
    and the offering or their ids: a page can pass the ids of its URL, since this service
    checks the actor's scope itself (OutOfScope, a 404)."""
    now = timezone.now()
    with transaction.atomic():
        app = claim_reads.lock_application(_pk(application), actor)
        offering = (
            Offering.objects.select_related("menu", "activity")
            .filter(pk=_pk(offering))
            .order_by()
            .first()
        )
        if offering is None:
            raise access.OutOfScope
        menu = _check_claim(app, offering, app.grade, now)
        held, waiting_pk = claim_reads.holdings(app.student_id, menu.pk, offering.pk)
        held_offerings = {offering_id: pk for pk, offering_id, _category in held}
        if offering.pk in held_offerings:
            return Enrollment.objects.select_related("offering").get(pk=held_offerings[offering.pk])
        if waiting_pk is not None:
            return WaitlistEntry.objects.select_related("offering__menu").get(pk=waiting_pk)
        _check_fits(app.student_id, offering, menu, held=held)
        # Before the seat: the offering's row stays locked from the seat's UPDATE to the
        # commit, so as little as possible comes after it.
        _record_choice(app, offering)
        enrolment = seats.take(
            application=app,
            offering=offering,
            source=Enrollment.Source.FCFS,
            starts_on=max(app.starts_on or app.term.start, timezone.localdate()),
            actor=actor,
        )
        if enrolment is not None:
            enrolment.offering = offering
            return enrolment
        return seats.wait(
            application=app,
            offering=offering,
            tier=child_priority_tier(app.student, menu),
            actor=actor,
        )


def enrollment_place(
    *, application: Application, offering: Offering, on: dt.date, actor: User
) -> Enrollment:
    """The school places an approved child in an offering from `on` (a child who joins
    mid-term, 中途参与), within its seats, grades, times and the k limit."""
    with transaction.atomic():
        app = seats.lock_application(application.pk)
        access.require_school_admin(actor, app.student.school)
        offering = (
            Offering.objects.select_related("menu__term", "activity")
            .prefetch_related("meetings")
            .get(pk=offering.pk)
        )
        menu = offering.menu
        if menu.school_id != app.student.school_id or menu.term_id != app.term_id:
            raise access.OutOfScope
        if app.status != Application.Status.APPROVED:
            raise refusal(
                "application_not_approved",
                _("Approve the application first; then the child can be placed."),
            )
        if menu.window_has_ended:
            raise refusal(
                "menu_not_placing",
                _(
                    "The choice window's closing time has passed, but the menu is not closed "
                    "yet: close the choice window on the menu page first, then place children."
                ),
            )
        if menu.status not in (Menu.Status.ALLOCATED, Menu.Status.RUNNING, Menu.Status.CLOSED):
            raise refusal(
                "menu_not_placing",
                _("Children are placed once the choice window has closed (now: %(status)s)."),
                status=menu.get_shown_status_display(),
            )
        _check_date(on, app.term, field="on")
        grade = child_grade(app.student, app.term)
        if grade is None or not offering.grade_from <= grade <= offering.grade_to:
            raise _grade_refusal(offering, grade, field="offering")
        if Enrollment.objects.filter(
            student_id=app.student_id, offering=offering, status=Enrollment.Status.ACTIVE
        ).exists():
            raise refusal(
                "already_placed", _("The child is in “%(offering)s” already."), offering=offering
            )
        _check_fits(app.student_id, offering, menu)
        enrolment = seats.take(
            application=app,
            offering=offering,
            source=Enrollment.Source.SCHOOL,
            starts_on=max(on, app.starts_on or on),
            actor=actor,
        )
        if enrolment is None:
            raise refusal(
                "offering_full",
                _("“%(offering)s” is full; the child can join its waiting list."),
                field="offering",
                offering=str(offering),
            )
        return enrolment


def waitlist_accept(*, entry: WaitlistEntry, actor: User) -> Enrollment:
    """A guardian takes the seat offered to their child (kehou.enrollment.seats.accept)."""
    access.require_guardian(actor, entry.student)
    with transaction.atomic():
        return seats.accept(entry=entry, actor=actor)


def waitlist_decline(*, entry: WaitlistEntry, actor: User) -> WaitlistEntry:
    """A guardian turns the offered seat down; it goes to the next child."""
    access.require_guardian(actor, entry.student)
    with transaction.atomic():
        return seats.decline(entry=entry, actor=actor)
