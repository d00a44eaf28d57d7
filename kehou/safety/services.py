"""Writes of the safety records (R17): incidents, inspections and their defects, the
school's own checklist items, emergency drills. Keyword-only `<entity>_<verb>(*, ...,
actor)`.

Who may do what:
- the school's admin and its own teachers record incidents, inspections, rectifications
  and drills (`access.require_school_staff`);
- only the school's admin closes an incident, verifies and closes a defect, and changes
  the school's checklist (`access.require_school_admin`);
- bureau officers read (kehou.safety.selectors) and write nothing here.

Every write checks the scope first, then validates everything (every problem at once, with
a stable code and the field), then writes in one transaction; a refusal writes nothing.
Rows that change state are locked first, so two phones cannot close one thing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehou.core.errors import Problems, refusal
from kehou.org import access
from kehou.org.models import School, SchoolClass, Staff, Student
from kehou.safety import checklists
from kehou.safety.models import (
    Area,
    ChecklistItem,
    Defect,
    Drill,
    Incident,
    Inspection,
    InspectionResult,
)

TEXT_MAX = 4000
MAX_DRILL_MINUTES = 600
MAX_DRILL_PEOPLE = 20000


# --------------------------------------------------------------------------- helpers


def _text(value) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value)


def _require_text(problems: Problems, value, *, field: str, code: str, message) -> str:
    text = _text(value)
    if not text:
        problems.add(code, message, field=field)
    elif len(text) > TEXT_MAX:
        problems.add(
            "text_too_long",
            _("Keep it under %(max)d characters."),
            field=field,
            max=TEXT_MAX,
        )
    return text


def _check_people(
    problems: Problems, school: School, students: Iterable, staff: Iterable
) -> tuple[list[Student], list[Staff]]:
    students, staff = list(students or ()), list(staff or ())
    for student in students:
        if not isinstance(student, Student) or student.school_id != school.pk:
            problems.add(
                "student_of_another_school",
                _("%(name)s is not a child of this school."),
                field="students",
                name=getattr(student, "name", str(student)),
            )
    for person in staff:
        if not isinstance(person, Staff) or person.school_id != school.pk:
            problems.add(
                "staff_of_another_school",
                _("%(name)s is not on this school's staff."),
                field="staff",
                name=getattr(person, "name", str(person)),
            )
    return students, staff


def _check_moment(problems: Problems, moment, *, field: str, now: dt.datetime) -> None:
    if not isinstance(moment, dt.datetime):
        problems.add("time_missing", _("Give the date and time."), field=field)
    elif timezone.is_naive(moment):
        problems.add("time_missing", _("Give the date and time."), field=field)
    elif moment > now:
        problems.add(
            "in_the_future",
            _("%(when)s is still to come: record what has happened."),
            field=field,
            when=timezone.localtime(moment).strftime("%Y-%m-%d %H:%M"),
        )


def _check_day(problems: Problems, day, *, field: str, today: dt.date) -> None:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        problems.add("date_missing", _("Give a date."), field=field)
    elif day > today:
        problems.add(
            "in_the_future",
            _("%(when)s is still to come: record what has happened."),
            field=field,
            when=day.isoformat(),
        )


# --------------------------------------------------------------------------- incidents


INCIDENT_FIELDS = (
    "occurred_at",
    "place",
    "kind",
    "description",
    "severity",
    "treatment",
    "guardian_informed_at",
    "guardian_informed_by",
    "guardian_informed_how",
    "follow_up",
)


def _incident_values(school: School, values: dict, *, now: dt.datetime) -> dict:
    """Every field of an incident checked together; the clean values, or a refusal."""
    problems = Problems()
    occurred_at = values.get("occurred_at")
    _check_moment(problems, occurred_at, field="occurred_at", now=now)
    clean = {
        "occurred_at": occurred_at,
        "place": _require_text(
            problems,
            values.get("place"),
            field="place",
            code="place_missing",
            message=_("Say where it happened."),
        ),
        "description": _require_text(
            problems,
            values.get("description"),
            field="description",
            code="description_missing",
            message=_("Say what happened."),
        ),
        "treatment": _text(values.get("treatment")),
        "follow_up": _text(values.get("follow_up")),
    }
    if len(clean["place"]) > 100:
        problems.add(
            "text_too_long", _("Keep it under %(max)d characters."), field="place", max=100
        )
    kind = values.get("kind")
    if kind not in Incident.Kind.values:
        problems.add("kind_unknown", _("Choose what kind of incident it was."), field="kind")
    severity = values.get("severity")
    if severity not in Incident.Severity.values:
        problems.add(
            "severity_unknown", _("Choose how serious the injuries are."), field="severity"
        )
    clean |= {"kind": kind, "severity": severity}

    told_at = values.get("guardian_informed_at")
    told_by = values.get("guardian_informed_by")
    told_how = values.get("guardian_informed_how") or ""
    if told_at is not None:
        _check_moment(problems, told_at, field="guardian_informed_at", now=now)
        if (
            isinstance(told_at, dt.datetime)
            and isinstance(occurred_at, dt.datetime)
            and timezone.is_aware(told_at)
            and timezone.is_aware(occurred_at)
            and told_at < occurred_at
        ):
            problems.add(
                "told_before_incident",
                _("The guardian cannot have been told before it happened."),
                field="guardian_informed_at",
            )
        if told_how not in Incident.Informed.values:
            problems.add(
                "told_how_missing",
                _("Say how the guardian was told."),
                field="guardian_informed_how",
            )
        if told_by is None:
            problems.add(
                "told_by_missing",
                _("Say who told the guardian."),
                field="guardian_informed_by",
            )
    elif told_by is not None or told_how:
        problems.add(
            "told_when_missing",
            _("Say when the guardian was told."),
            field="guardian_informed_at",
        )
    if told_by is not None and (not isinstance(told_by, Staff) or told_by.school_id != school.pk):
        problems.add(
            "staff_of_another_school",
            _("%(name)s is not on this school's staff."),
            field="guardian_informed_by",
            name=getattr(told_by, "name", str(told_by)),
        )
    clean |= {
        "guardian_informed_at": told_at,
        "guardian_informed_by": told_by,
        "guardian_informed_how": told_how if told_at is not None else "",
    }
    students, staff = _check_people(
        problems, school, values.get("students", ()), values.get("staff", ())
    )
    problems.raise_if_any()
    return clean | {"students": students, "staff": staff}


def incident_record(
    *,
    school: School,
    occurred_at: dt.datetime,
    place: str,
    kind: str,
    description: str,
    severity: str,
    actor,
    students: Sequence[Student] = (),
    staff: Sequence[Staff] = (),
    treatment: str = "",
    guardian_informed_at: dt.datetime | None = None,
    guardian_informed_by: Staff | None = None,
    guardian_informed_how: str = "",
    follow_up: str = "",
) -> Incident:
    """Record an incident (安全事故/意外伤害): the school's admin or one of its teachers.
    Refuses a time still to come, children or staff of another school, a guardian told
    before it happened or told without saying when, by whom and how."""
    access.require_school_staff(actor, school)
    clean = _incident_values(school, dict(locals()), now=timezone.now())
    students, staff = clean.pop("students"), clean.pop("staff")
    with transaction.atomic():
        incident = Incident.objects.create(
            school=school,
            recorded_by=access.user_of(actor),
            status=Incident.Status.FOLLOWED_UP if clean["follow_up"] else Incident.Status.OPEN,
            **clean,
        )
        incident.students.set(students)
        incident.staff.set(staff)
    return incident


def incident_update(*, incident: Incident, actor, **changes) -> Incident:
    """Change an open incident (what the school learnt since, the guardian told, the
    follow-up): the school's admin or one of its teachers. Fields not given keep their
    value; `students` and `staff` replace the lists. Once follow-up actions are written
    the incident reads "followed up". A closed incident is not changed."""
    access.require_school_staff(actor, incident.school)
    unknown = set(changes) - set(INCIDENT_FIELDS) - {"students", "staff"}
    if unknown:
        raise TypeError(f"incident_update() got unexpected fields {sorted(unknown)}")
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.status == Incident.Status.CLOSED:
            raise refusal(
                "incident_closed",
                _("The incident is closed: it is no longer changed."),
            )
        values = {name: getattr(locked, name) for name in INCIDENT_FIELDS}
        before = {
            "students": {s.pk for s in locked.students.all()},
            "staff": {s.pk for s in locked.staff.all()},
        }
        values["students"] = list(locked.students.all())
        values["staff"] = list(locked.staff.all())
        values |= changes
        clean = _incident_values(locked.school, values, now=timezone.now())
        students, staff = clean.pop("students"), clean.pop("staff")
        for name, value in clean.items():
            setattr(locked, name, value)
        locked.status = Incident.Status.FOLLOWED_UP if locked.follow_up else Incident.Status.OPEN
        locked.save()
        if {s.pk for s in students} != before["students"]:
            locked.students.set(students)
        if {s.pk for s in staff} != before["staff"]:
            locked.staff.set(staff)
    return locked


def incident_close(*, incident: Incident, conclusion: str, actor) -> Incident:
    """Close the incident with its conclusion: the school's admin only. Refuses an incident
    already closed, an empty conclusion, and, when children were involved, closing before
    their guardians were told."""
    access.require_school_admin(actor, incident.school)
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.status == Incident.Status.CLOSED:
            raise refusal("incident_closed", _("The incident is closed already."))
        problems = Problems()
        text = _require_text(
            problems,
            conclusion,
            field="conclusion",
            code="conclusion_missing",
            message=_("Write the conclusion before closing the incident."),
        )
        if locked.guardian_informed_at is None and locked.students.exists():
            problems.add(
                "guardian_not_told",
                _("Record when and how the guardians were told before closing the incident."),
                field="guardian_informed_at",
            )
        problems.raise_if_any()
        locked.status = Incident.Status.CLOSED
        locked.conclusion = text
        locked.closed_at = timezone.now()
        locked.closed_by = access.user_of(actor)
        locked.save()
    return locked


# --------------------------------------------------------------------------- checklist


def checklist_item_add(*, school: School, area: str, text: str, actor) -> ChecklistItem:
    """One more item of the school's own checklist: the school's admin."""
    access.require_school_admin(actor, school)
    problems = Problems()
    if area not in Area.values:
        problems.add("area_unknown", _("Choose the area the item belongs to."), field="area")
    text = _text(text)
    if not text:
        problems.add("item_missing", _("Write what is checked."), field="text")
    elif len(text) > 200:
        problems.add("text_too_long", _("Keep it under %(max)d characters."), field="text", max=200)
    problems.raise_if_any()
    with transaction.atomic():
        School.objects.select_for_update().get(pk=school.pk)
        if ChecklistItem.objects.filter(
            school=school, area=area, text=text, is_active=True
        ).exists():
            raise refusal("item_exists", _("The checklist has this item already."), field="text")
        return ChecklistItem.objects.create(
            school=school, area=area, text=text, added_by=access.user_of(actor)
        )


def checklist_item_retire(*, item: ChecklistItem, actor) -> ChecklistItem:
    """Take one of the school's own items off the checklist (past inspections keep it)."""
    access.require_school_admin(actor, item.school)
    with transaction.atomic():
        locked = ChecklistItem.objects.select_for_update().get(pk=item.pk)
        if not locked.is_active:
            raise refusal("item_retired", _("The item is off the checklist already."))
        locked.is_active = False
        locked.save()
    return locked


# --------------------------------------------------------------------------- inspections


@dataclass
class Check:
    """One item as the inspector marked it: OK, or a defect with what is wrong, who puts it
    right and by when. `key` names the item (kehou.safety.checklists.item_key)."""

    key: str
    ok: bool
    note: str = ""
    description: str = ""
    responsible: Staff | None = None
    deadline: dt.date | None = None


def inspection_record(
    *,
    school: School,
    inspected_on: dt.date,
    inspectors: Sequence[Staff],
    checks: Sequence[Check],
    actor,
    note: str = "",
) -> Inspection:
    """Record an inspection (安全检查) with every item checked and a tracked defect for each
    item not OK: the school's admin or one of its teachers. Refuses a day still to come,
    no inspector or one of another school, nothing checked, an item not on the school's
    checklist, a defect without what, who or by when, and a deadline before the
    inspection."""
    access.require_school_staff(actor, school)
    today = timezone.localdate()
    problems = Problems()
    _check_day(problems, inspected_on, field="inspected_on", today=today)
    inspectors = list(inspectors or ())
    if not inspectors:
        problems.add("inspector_missing", _("Name who inspected."), field="inspectors")
    for person in inspectors:
        if not isinstance(person, Staff) or person.school_id != school.pk:
            problems.add(
                "staff_of_another_school",
                _("%(name)s is not on this school's staff."),
                field="inspectors",
                name=getattr(person, "name", str(person)),
            )
    if not checks:
        problems.add(
            "nothing_checked", _("Mark at least one item OK or as a defect."), field="checks"
        )
    own = {item.pk: item for item in ChecklistItem.objects.filter(school=school, is_active=True)}
    rows: list[tuple[InspectionResult, dict | None]] = []
    seen: set[str] = set()
    for check in checks:
        parsed = checklists.parse_key(check.key)
        if parsed is None or (parsed[1] is not None and parsed[1] not in own):
            problems.add(
                "item_unknown",
                _("An item is not on this school's checklist."),
                field=f"item-{check.key}",
            )
            continue
        if check.key in seen:
            problems.add("item_twice", _("An item is marked twice."), field=f"item-{check.key}")
            continue
        seen.add(check.key)
        code, own_pk = parsed
        if code:
            default = checklists.BY_CODE[code]
            result = InspectionResult(area=default.area, item_code=code, text=default.text)
            label = _(default.text)
        else:
            item = own[own_pk]
            result = InspectionResult(area=item.area, item=item, text=item.text)
            label = item.text
        result.ok = bool(check.ok)
        result.note = _text(check.note)[:200]
        defect = None
        if not check.ok:
            defect = _defect_values(problems, school, check, label, inspected_on)
        rows.append((result, defect))
    problems.raise_if_any()
    with transaction.atomic():
        inspection = Inspection.objects.create(
            school=school,
            inspected_on=inspected_on,
            note=_text(note),
            recorded_by=access.user_of(actor),
        )
        inspection.inspectors.set(inspectors)
        for result, defect in rows:
            result.inspection = inspection
            result.save()
            if defect is not None:
                Defect.objects.create(school=school, result=result, **defect)
    return inspection


def _defect_values(problems, school, check: Check, label: str, inspected_on) -> dict:
    key = check.key
    description = _text(check.description)
    if not description:
        problems.add(
            "defect_missing",
            _("“%(item)s”: describe the defect."),
            field=f"desc-{key}",
            item=label,
        )
    elif len(description) > TEXT_MAX:
        problems.add(
            "text_too_long",
            _("Keep it under %(max)d characters."),
            field=f"desc-{key}",
            max=TEXT_MAX,
        )
    person = check.responsible
    if person is None:
        problems.add(
            "responsible_missing",
            _("“%(item)s”: name who puts it right."),
            field=f"resp-{key}",
            item=label,
        )
    elif not isinstance(person, Staff) or person.school_id != school.pk:
        problems.add(
            "staff_of_another_school",
            _("%(name)s is not on this school's staff."),
            field=f"resp-{key}",
            name=getattr(person, "name", str(person)),
        )
    deadline = check.deadline
    if not isinstance(deadline, dt.date):
        problems.add(
            "deadline_missing",
            _("“%(item)s”: give the day it must be put right by."),
            field=f"due-{key}",
            item=label,
        )
    elif isinstance(inspected_on, dt.date) and deadline < inspected_on:
        problems.add(
            "deadline_before_inspection",
            _("“%(item)s”: the deadline %(deadline)s is before the inspection."),
            field=f"due-{key}",
            item=label,
            deadline=deadline.isoformat(),
        )
    return {"description": description, "responsible": person, "deadline": deadline}


def defect_rectify(*, defect: Defect, rectification: str, rectified_on: dt.date, actor) -> Defect:
    """Record what was done to put a defect right, and when (整改): the school's admin or
    one of its teachers. The admin then verifies and closes it. Refuses a closed defect,
    nothing said, and a day before the inspection or still to come."""
    access.require_school_staff(actor, defect.school)
    with transaction.atomic():
        locked = (
            Defect.objects.select_for_update()
            .select_related("result__inspection")
            .get(pk=defect.pk)
        )
        if locked.status == Defect.Status.CLOSED:
            raise refusal("defect_closed", _("The defect is closed: it is no longer changed."))
        problems = Problems()
        text = _require_text(
            problems,
            rectification,
            field="rectification",
            code="rectification_missing",
            message=_("Say what was done to put it right."),
        )
        _check_day(problems, rectified_on, field="rectified_on", today=timezone.localdate())
        inspected_on = locked.result.inspection.inspected_on
        if isinstance(rectified_on, dt.date) and rectified_on < inspected_on:
            problems.add(
                "rectified_before_inspection",
                _("%(day)s is before the inspection that found the defect (%(inspected)s)."),
                field="rectified_on",
                day=rectified_on.isoformat(),
                inspected=inspected_on.isoformat(),
            )
        problems.raise_if_any()
        locked.rectification = text
        locked.rectified_on = rectified_on
        locked.rectified_by = access.user_of(actor)
        locked.status = Defect.Status.RECTIFIED
        locked.save()
    return locked


def defect_close(*, defect: Defect, actor, note: str = "") -> Defect:
    """Verify the rectification and close the defect: the school's admin only. Refuses a
    defect whose rectification nobody recorded, and one already closed."""
    access.require_school_admin(actor, defect.school)
    with transaction.atomic():
        locked = Defect.objects.select_for_update().get(pk=defect.pk)
        if locked.status == Defect.Status.CLOSED:
            raise refusal("defect_closed", _("The defect is closed already."))
        if locked.status != Defect.Status.RECTIFIED:
            raise refusal(
                "not_rectified",
                _("Nobody has recorded the rectification yet: it cannot be verified."),
            )
        locked.status = Defect.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.closed_by = access.user_of(actor)
        locked.closing_note = _text(note)[:200]
        locked.save()
    return locked


# --------------------------------------------------------------------------- drills


def drill_record(
    *,
    school: School,
    held_on: dt.date,
    kind: str,
    children_count: int,
    staff_count: int,
    duration_minutes: int,
    actor,
    classes: Sequence[SchoolClass] = (),
    observations: str = "",
    follow_ups: str = "",
) -> Drill:
    """Record an emergency drill (应急演练): the school's admin or one of its teachers.
    Refuses a day still to come, nobody taking part, a duration outside 1 to 600 minutes
    and classes of another school."""
    access.require_school_staff(actor, school)
    problems = Problems()
    _check_day(problems, held_on, field="held_on", today=timezone.localdate())
    if kind not in Drill.Kind.values:
        problems.add("kind_unknown", _("Choose what the drill practised."), field="kind")
    counts = {}
    for field, value in (("children_count", children_count), ("staff_count", staff_count)):
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or not 0 <= value <= MAX_DRILL_PEOPLE
        ):
            problems.add(
                "count_invalid",
                _("Give a number from 0 to %(max)d."),
                field=field,
                max=MAX_DRILL_PEOPLE,
            )
        counts[field] = value
    if counts["children_count"] == 0 and counts["staff_count"] == 0:
        problems.add("nobody_took_part", _("Say how many took part."), field="children_count")
    if (
        not isinstance(duration_minutes, int)
        or isinstance(duration_minutes, bool)
        or not 1 <= duration_minutes <= MAX_DRILL_MINUTES
    ):
        problems.add(
            "duration_invalid",
            _("The duration is between 1 and %(max)d minutes."),
            field="duration_minutes",
            max=MAX_DRILL_MINUTES,
        )
    classes = list(classes or ())
    for school_class in classes:
        if not isinstance(school_class, SchoolClass) or school_class.school_id != school.pk:
            problems.add(
                "class_of_another_school",
                _("%(name)s is not a class of this school."),
                field="classes",
                name=getattr(school_class, "name", str(school_class)),
            )
    problems.raise_if_any()
    with transaction.atomic():
        drill = Drill.objects.create(
            school=school,
            held_on=held_on,
            kind=kind,
            children_count=children_count,
            staff_count=staff_count,
            duration_minutes=duration_minutes,
            observations=_text(observations),
            follow_ups=_text(follow_ups),
            recorded_by=access.user_of(actor),
        )
        drill.classes.set(classes)
    return drill
