"""Writes of staff pay (R19): a school's rates, computing a month's pay sheet, finalising
it. Keyword-only `<entity>_<verb>(*, ..., actor)`; each checks the scope first (the
school's admin: `access.require_school_admin`), validates everything, then writes in one
transaction; a refusal writes nothing.

- `pay_rates_set`: the rates from a day on. A rate per class-hour (or per homework
  tutoring hour, also counted in 课时) below the profile's floor is refused, the rule named
  and quoted (000: "每课时不低于60元").
- `pay_sheet_compute`: the month's sheet from the sittings and duty days
  (kehou.payroll.selectors.month_pay). A draft is computed again on request; when nothing
  it was made from has changed, nothing is written. A final sheet is refused.
- `pay_sheet_finalise`: freezes a month that is over, after confirmation.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehou import money
from kehou.core.errors import Problems, refusal
from kehou.lib.months import month_end, parse_month
from kehou.money import pay
from kehou.org import access
from kehou.org.audit import log_bulk_created
from kehou.org.models import School
from kehou.payroll import selectors
from kehou.payroll.models import PayItem, PayLine, PayRates, PaySheet

MAX_RATE_FEN = 10_000_00  # 10,000 yuan a class-hour or a day: beyond that, a typing slip
MIN_CLASS_HOUR, MAX_CLASS_HOUR = 10, 120
NOTE_MAX = 200

RATE_FIELDS = (
    ("per_class_hour", gettext_lazy("per class-hour")),
    ("per_tutoring_hour", gettext_lazy("per homework-tutoring hour")),
    ("per_club_session", gettext_lazy("per club session")),
    ("per_duty_day", gettext_lazy("per duty day")),
)
FLOORED = {"per_class_hour": pay.Work.CLASS, "per_tutoring_hour": pay.Work.TUTORING}


def _amount(problems: Problems, value, *, field: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.add("rate_missing", _("Give the amount in yuan."), field=field)
        return None
    try:
        fen = money.fen_of(value)
    except money.MoneyError:
        problems.add(
            "rate_invalid",
            _("Give an amount in yuan with at most two decimal places, such as 60 or 62.50."),
            field=field,
        )
        return None
    if fen < 0:
        problems.add("rate_negative", _("An amount is not negative."), field=field)
        return None
    if fen > MAX_RATE_FEN:
        problems.add(
            "rate_too_large",
            _("%(amount)s yuan is more than kehou accepts (at most %(max)s yuan)."),
            field=field,
            amount=money.yuan_text(fen),
            max=money.yuan_text(MAX_RATE_FEN),
        )
        return None
    return fen


def pay_rates_set(
    *,
    school: School,
    effective_from: dt.date,
    per_class_hour,
    per_tutoring_hour,
    per_club_session,
    per_duty_day,
    class_hour_minutes,
    note: str = "",
    actor,
) -> PayRates:
    """The school's rates from `effective_from` on (amounts in yuan, as typed). Setting the
    rates of a day that has rates already replaces them (the audit log keeps the old)."""
    access.require_school_admin(actor, school)
    problems = Problems()
    if not isinstance(effective_from, dt.date) or isinstance(effective_from, dt.datetime):
        problems.add("date_missing", _("Give a date."), field="effective_from")
    values = {
        name: _amount(problems, value, field=name)
        for name, value in (
            ("per_class_hour", per_class_hour),
            ("per_tutoring_hour", per_tutoring_hour),
            ("per_club_session", per_club_session),
            ("per_duty_day", per_duty_day),
        )
    }
    minutes = class_hour_minutes
    if isinstance(minutes, str) and minutes.strip().isdigit():
        minutes = int(minutes.strip())
    if not isinstance(minutes, int) or isinstance(minutes, bool):
        problems.add(
            "class_hour_minutes_invalid",
            _("Give the minutes of one class-hour as a whole number."),
            field="class_hour_minutes",
        )
    elif not MIN_CLASS_HOUR <= minutes <= MAX_CLASS_HOUR:
        problems.add(
            "class_hour_minutes_out_of_range",
            _("A class-hour lasts %(min)d to %(max)d minutes."),
            field="class_hour_minutes",
            min=MIN_CLASS_HOUR,
            max=MAX_CLASS_HOUR,
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        problems.add(
            "text_too_long", _("Keep it under %(max)d characters."), field="note", max=NOTE_MAX
        )
    floor = selectors.floor_of(school)
    if floor.fen is not None:
        for name, _work in FLOORED.items():
            fen = values.get(name)
            if fen is not None and fen < floor.fen:
                problems.add(
                    "rate_below_floor",
                    _(
                        "%(amount)s yuan is below the floor of %(floor)s yuan per class-hour "
                        "that %(source)s sets: “%(quote)s”"
                    ),
                    field=name,
                    amount=money.yuan_text(fen),
                    floor=money.yuan_text(floor.fen),
                    source=floor.source,
                    quote=floor.quote,
                )
    problems.raise_if_any()
    with transaction.atomic():
        existing = (
            PayRates.objects.select_for_update()
            .filter(school=school, effective_from=effective_from)
            .first()
        )
        row = existing or PayRates(school=school, effective_from=effective_from)
        row.per_class_hour_fen = values["per_class_hour"]
        row.per_tutoring_hour_fen = values["per_tutoring_hour"]
        row.per_club_session_fen = values["per_club_session"]
        row.per_duty_day_fen = values["per_duty_day"]
        row.class_hour_minutes = minutes
        row.note = note
        row.set_by = access.user_of(actor)
        row.set_at = timezone.now()
        row.save()
    return row


# --------------------------------------------------------------------------- the sheet


def _line_fields(person: selectors.PersonMonth) -> dict:
    line = person.line
    parts = line.parts
    return {
        "staff_id": person.staff.pk,
        "name": person.staff.name,
        "external": line.external,
        "class_count": parts[pay.Work.CLASS].count,
        "class_hours": parts[pay.Work.CLASS].shown_hours,
        "class_fen": parts[pay.Work.CLASS].amount,
        "tutoring_count": parts[pay.Work.TUTORING].count,
        "tutoring_hours": parts[pay.Work.TUTORING].shown_hours,
        "tutoring_fen": parts[pay.Work.TUTORING].amount,
        "club_sessions": parts[pay.Work.CLUB].count,
        "club_fen": parts[pay.Work.CLUB].amount,
        "duty_days": parts[pay.Work.DUTY].count,
        "duty_fen": parts[pay.Work.DUTY].amount,
        "increment_fen": line.increment,
        "labour_fen": line.labour,
        "total_fen": line.total,
        "unpaid_sittings": len(line.unpaid),
        "agreed_fen": person.agreement.per_class_hour if person.agreement else None,
        "below_floor_agreement": line.below_floor_agreement,
    }


def _item_fields(priced: pay.Priced) -> dict:
    task = priced.task
    fields = {
        "work": task.work.value,
        "sitting_id": None,
        "duty_id": None,
        "date": task.day,
        "start": None,
        "end": None,
        "label": task.label[:100],
        "minutes": task.minutes,
        "hours": pay.shown_hours(priced.hours),
        "rate_fen": priced.rate,
        "amount_fen": priced.amount,
        "note": priced.note.value if priced.note else "",
    }
    kind, pk, *rest = task.ref
    if kind == "sitting":
        fields.update(sitting_id=pk, start=rest[0], end=rest[1])
    else:
        fields["duty_id"] = pk
    return fields


LINE_KEYS = tuple(
    f.attname for f in PayLine._meta.concrete_fields if f.attname not in ("id", "sheet_id")
)
ITEM_KEYS = tuple(
    f.attname for f in PayItem._meta.concrete_fields if f.attname not in ("id", "line_id")
)


def _normal(value):
    return Decimal(value).quantize(Decimal("0.01")) if isinstance(value, Decimal) else value


def _content(lines: list[tuple[dict, list[dict]]]) -> list[tuple]:
    return sorted(
        (
            tuple(_normal(line[k]) for k in LINE_KEYS),
            tuple(tuple(_normal(item[k]) for k in ITEM_KEYS) for item in items),
        )
        for line, items in lines
    )


def _stored(sheet: PaySheet) -> list[tuple[dict, list[dict]]]:
    items: dict[int, list[dict]] = {}
    for item in (
        PayItem.objects.filter(line__sheet=sheet).order_by("pk").values("line_id", *ITEM_KEYS)
    ):
        items.setdefault(item.pop("line_id"), []).append(item)
    return [
        (line, items.get(line.pop("id"), []))
        for line in PayLine.objects.filter(sheet=sheet).order_by("pk").values("id", *LINE_KEYS)
    ]


def _month(value) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.replace(day=1)
    if isinstance(value, str):
        return parse_month(value)
    return None


def _fresh(school: School, month: dt.date) -> tuple[list[tuple[dict, list[dict]]], dict]:
    computed = selectors.month_pay(school, month)
    fresh = [(_line_fields(p), [_item_fields(i) for i in p.line.items]) for p in computed.people]
    sheet_facts = {
        "floor_fen": computed.floor.fen,
        "floor_source": computed.floor.text[:300],
        "unassigned_sittings": computed.unassigned,
        "total_fen": computed.totals.total,
    }
    return fresh, sheet_facts


def _unchanged(sheet: PaySheet, fresh, sheet_facts: dict) -> bool:
    same_facts = all(getattr(sheet, k) == v for k, v in sheet_facts.items())
    return same_facts and _content(_stored(sheet)) == _content(fresh)


def pay_sheet_compute(*, school: School, month, actor) -> tuple[PaySheet, bool]:
    """The school's pay sheet for `month` (a date in it, or "2026-10"), computed from the
    sittings and duty days; returns (sheet, whether anything changed)."""
    access.require_school_admin(actor, school)
    first = _month(month)
    if first is None:
        raise refusal("month_invalid", _("Give a month such as 2026-10."), field="month")
    if first > timezone.localdate():
        raise refusal(
            "month_not_begun",
            _("%(month)s has not begun: there is nothing to pay yet."),
            field="month",
            month=f"{first:%Y-%m}",
        )
    with transaction.atomic():
        sheet = PaySheet.objects.select_for_update().filter(school=school, month=first).first()
        if sheet is not None and sheet.is_final:
            raise refusal(
                "pay_sheet_final",
                _("The pay sheet of %(month)s is final: it is not computed again."),
                field="month",
                month=f"{first:%Y-%m}",
            )
        fresh, sheet_facts = _fresh(school, first)
        if sheet is not None:
            if _unchanged(sheet, fresh, sheet_facts):
                return sheet, False
            PayLine.objects.filter(sheet=sheet).delete()
            for key, value in sheet_facts.items():
                setattr(sheet, key, value)
            sheet.computed_at = timezone.now()
            sheet.computed_by = access.user_of(actor)
            sheet.save()
        else:
            sheet = PaySheet.objects.create(
                school=school, month=first, computed_by=access.user_of(actor), **sheet_facts
            )
        _write_lines(sheet, fresh, actor=actor)
    return sheet, True


def _write_lines(sheet: PaySheet, fresh: list[tuple[dict, list[dict]]], *, actor) -> None:
    lines = PayLine.objects.bulk_create([PayLine(sheet=sheet, **line) for line, _ in fresh])
    items = [
        PayItem(line=line, **item)
        for line, (_fields, line_items) in zip(lines, fresh, strict=True)
        for item in line_items
    ]
    PayItem.objects.bulk_create(items)
    log_bulk_created(
        lines,
        actor=access.user_of(actor),
        fields=["sheet", "staff", "total_fen", "increment_fen", "labour_fen"],
    )


def pay_sheet_finalise(*, sheet: PaySheet, confirmed: bool = False, actor) -> PaySheet:
    """Freeze a draft sheet of a month that is over (after confirmation): a final sheet is
    never computed again, and teachers read their pay from it."""
    target = PaySheet.objects.select_related("school").filter(pk=sheet.pk).first()
    if target is None:
        raise access.OutOfScope
    access.require_school_admin(actor, target.school)
    with transaction.atomic():
        target = PaySheet.objects.select_for_update().get(pk=target.pk)
        if target.is_final:
            raise refusal(
                "pay_sheet_final",
                _("The pay sheet of %(month)s is final already."),
                month=f"{target.month:%Y-%m}",
            )
        if month_end(target.month) >= timezone.localdate():
            raise refusal(
                "month_not_over",
                _("%(month)s is not over yet: finalise its pay sheet once it has ended."),
                month=f"{target.month:%Y-%m}",
            )
        if not _unchanged(target, *_fresh(target.school, target.month)):
            raise refusal(
                "pay_sheet_outdated",
                _(
                    "Sittings or duty days of %(month)s changed after the sheet was computed: "
                    "compute it again and check it before finalising."
                ),
                month=f"{target.month:%Y-%m}",
            )
        if not confirmed:
            raise refusal(
                "confirmation_required",
                _("Confirm that the pay sheet is final: it cannot be computed again."),
            )
        target.status = PaySheet.Status.FINAL
        target.finalised_at = timezone.now()
        target.finalised_by = access.user_of(actor)
        target.save()
    return target
