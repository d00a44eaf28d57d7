"""Writes of the monthly report (月报, R22): recomputing a school's figures, submitting a
month, correcting a submitted month (a new version with its reason), and the reminders
and late notices kehou sends by itself."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehou.core.errors import Problems, refusal
from kehou.lib.months import first_of, month_end, previous_month
from kehou.org import access
from kehou.org.models import School
from kehou.reports import deadlines
from kehou.reports.figures import figures_of, refresh_months
from kehou.reports.models import MonthlyReport, SchoolMonth

REMARK_MAX = 2000
REASON_MAX = 300


def school_month_refresh(*, school: School, month: dt.date, actor) -> SchoolMonth:
    """Recompute the school's figures of `month` now (the admin's "recompute")."""
    access.require_school_admin(actor, school)
    month = first_of(month)
    if month > timezone.localdate():
        raise refusal("month_in_future", _("That month has not begun yet."), field="month")
    with transaction.atomic():
        refresh_months([school.pk], month)
    return SchoolMonth.objects.get(school=school, month=month)


def _check_remark(problems: Problems, remark: str) -> str:
    remark = (remark or "").strip()
    if len(remark) > REMARK_MAX:
        problems.add(
            "remark_too_long",
            _("Remark: at most %(max)s characters."),
            field="remark",
            max=REMARK_MAX,
        )
    return remark


def _require_confirmation(confirmed: bool) -> None:
    if not confirmed:
        raise refusal(
            "confirmation_required",
            _("A submitted report cannot be changed, only corrected: confirm it first."),
        )


def _frozen(school: School, month: dt.date) -> dict:
    """The figures as they are at this moment (recomputed first), to be frozen."""
    refresh_months([school.pk], month)
    return figures_of(SchoolMonth.objects.get(school=school, month=month))


def _due_on(school: School, month: dt.date) -> dt.date | None:
    return deadlines.due_on(deadlines.rules_by_school([school])[school.pk], month)


def monthly_report_submit(
    *, school: School, month: dt.date, remark: str = "", confirmed: bool = False, actor
) -> MonthlyReport:
    """The school admin submits `month` (ended) with a remark; the figures are computed
    at this moment and frozen. A month already submitted is corrected instead."""
    access.require_school_admin(actor, school)
    month = first_of(month)
    problems = Problems()
    today = timezone.localdate()
    if month_end(month) >= today:
        problems.add(
            "month_not_ended",
            _("The month %(month)s has not ended yet: it is submitted once it is over."),
            field="month",
            month=f"{month:%Y-%m}",
        )
    remark = _check_remark(problems, remark)
    problems.raise_if_any()
    _require_confirmation(confirmed)
    with transaction.atomic():
        # The school's row, locked, orders two first submissions of a month: the second
        # sees the first and is refused instead of colliding with it.
        school = (
            School.objects.select_for_update(of=("self",))
            .select_related("region")
            .get(pk=school.pk)
        )
        in_force = (
            MonthlyReport.objects.filter(school=school, month=month)
            .exclude(status=MonthlyReport.Status.SUPERSEDED)
            .first()
        )
        if in_force is not None:
            raise refusal(
                "already_submitted",
                _("The report of %(month)s was submitted already: correct it instead."),
                field="month",
                month=f"{month:%Y-%m}",
            )
        due = _due_on(school, month)
        now = timezone.now()
        return MonthlyReport.objects.create(
            school=school,
            month=month,
            version=1,
            figures=_frozen(school, month),
            remark=remark,
            submitted_by=access.user_of(actor),
            submitted_at=now,
            due_on=due,
            is_late=due is not None and timezone.localtime(now).date() > due,
        )


def monthly_report_correct(
    *, report: MonthlyReport, reason: str, remark: str = "", confirmed: bool = False, actor
) -> MonthlyReport:
    """A correction of a submitted report: the next version, with the figures as they
    are now and the reason; the report it corrects is superseded (kept as it was)."""
    access.require_school_admin(actor, report.school)
    problems = Problems()
    reason = (reason or "").strip()
    if not reason:
        problems.add(
            "reason_required", _("Reason: say why the report is corrected."), field="reason"
        )
    elif len(reason) > REASON_MAX:
        problems.add(
            "reason_too_long",
            _("Reason: at most %(max)s characters."),
            field="reason",
            max=REASON_MAX,
        )
    remark = _check_remark(problems, remark)
    problems.raise_if_any()
    _require_confirmation(confirmed)
    with transaction.atomic():
        current = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        if current.status != MonthlyReport.Status.SUBMITTED:
            raise refusal(
                "report_superseded",
                _("This version was corrected already: correct the latest one."),
            )
        school = School.objects.select_related("region").get(pk=current.school_id)
        current.status = MonthlyReport.Status.SUPERSEDED
        current.save(update_fields=["status"])
        return MonthlyReport.objects.create(
            school=school,
            month=current.month,
            version=current.version + 1,
            figures=_frozen(school, current.month),
            remark=remark,
            submitted_by=access.user_of(actor),
            submitted_at=timezone.now(),
            due_on=current.due_on,
            # Lateness is the first submission's: a correction does not make it late.
            is_late=current.is_late,
            correction_reason=reason,
            supersedes=current,
        )


def report_reminders_send(*, actor, today: dt.date | None = None) -> dict:
    """For last month: remind the admins of each school that has not submitted, from
    `report_reminder_days` before the due day; once the due day has passed, tell the
    county's officers that the school is late. Once each (the notification key)."""
    from kehou.accounts.models import User
    from kehou.notifications.services import notify

    if actor is not access.SYSTEM:
        raise access.OutOfScope
    today = today or timezone.localdate()
    month = previous_month(today)
    schools = list(School.objects.select_related("region").order_by("pk"))
    rules = deadlines.rules_by_school(schools)
    submitted = set(
        MonthlyReport.objects.filter(month=month)
        .exclude(status=MonthlyReport.Status.SUPERSEDED)
        .values_list("school_id", flat=True)
    )
    waiting = [s for s in schools if s.pk not in submitted]
    admins: dict[int, list] = {}
    for user in User.objects.filter(
        role=User.Role.SCHOOL_ADMIN, is_active=True, school__in=[s.pk for s in waiting]
    ):
        admins.setdefault(user.school_id, []).append(user)
    officers: dict[int, list] = {}
    for user in User.objects.filter(
        role=User.Role.BUREAU, is_active=True, region__in={s.region_id for s in waiting}
    ):
        officers.setdefault(user.region_id, []).append(user)
    label = f"{month:%Y-%m}"
    reminded = late = 0
    with transaction.atomic():
        for school in waiting:
            due = deadlines.due_on(rules[school.pk], month)
            if due is None:
                continue
            remind_from = deadlines.reminder_on(rules[school.pk], month)
            link = reverse("reports:month", args=[school.pk, label])
            if remind_from is not None and remind_from <= today <= due:
                reminded += len(
                    notify(
                        recipients=admins.get(school.pk, []),
                        kind="report-reminder",
                        title=_("The monthly report of %(month)s is due on %(day)s")
                        % {"month": label, "day": due.isoformat()},
                        body=_("Review the figures of %(school)s, add a remark and submit.")
                        % {"school": school.name},
                        link=link,
                        key=f"report-reminder:{school.pk}:{label}",
                        school=school,
                    )
                )
            elif today > due:
                late += len(
                    notify(
                        recipients=officers.get(school.region_id, []),
                        kind="report-late",
                        title=_("%(school)s has not submitted the report of %(month)s")
                        % {"school": school.name, "month": label},
                        body=_("It was due on %(day)s.") % {"day": due.isoformat()},
                        link=reverse("reports:region") + f"?month={label}",
                        key=f"report-late:{school.pk}:{label}",
                        school=school,
                    )
                )
    return {"reminded": reminded, "late": late}
