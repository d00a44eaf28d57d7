"""The reads of a first-come-first-served claim, in plain SQL.

A claim is the rush of a first-come-first-served window: hundreds of families in the same
minute. Compiling these reads through the ORM cost more than running them (bench/fcfs.py
profiles a claim), so they are written once as SQL that SQLite and PostgreSQL both run.
Each returns plain values or model instances built in memory; writes still go through
the ORM and the seat path (kehou.enrollment.seats).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from kehou.accounts.models import User
from kehou.catalog.services import buckets_of
from kehou.enrollment.models import Application, Enrollment, WaitlistEntry
from kehou.org import access
from kehou.org.models import Student
from kehou.terms.models import Term

APPLICATION = """
SELECT a.*,
       s.school_id AS student_school_id, s.has_disability AS student_has_disability,
       s.is_left_behind AS student_is_left_behind,
       s.is_migrant_child AS student_is_migrant_child,
       s.low_income_basis AS student_low_income_basis,
       t.start AS term_start, t."end" AS term_end, t.school_year_id AS term_school_year_id,
       EXISTS (SELECT 1 FROM org_studentguardian sg JOIN org_guardian g ON g.id = sg.guardian_id
               WHERE sg.student_id = a.student_id AND g.user_id = %s) AS actor_is_guardian,
       (SELECT c.grade FROM org_classmembership m
          JOIN org_schoolclass c ON c.id = m.school_class_id
         WHERE m.student_id = a.student_id AND m.school_year_id = t.school_year_id) AS grade
  FROM enrollment_application a
  JOIN org_student s ON s.id = a.student_id
  JOIN terms_term t ON t.id = a.term_id
 WHERE a.id = %s
"""

HOLDINGS = """
SELECT 'held', e.id, e.offering_id, act.category
  FROM enrollment_enrollment e
  JOIN catalog_offering o ON o.id = e.offering_id
  JOIN catalog_activity act ON act.id = o.activity_id
 WHERE e.student_id = %s AND o.menu_id = %s AND e.status = %s
UNION ALL
SELECT 'waiting', w.id, w.offering_id, ''
  FROM enrollment_waitlistentry w
 WHERE w.student_id = %s AND w.offering_id = %s AND w.status IN (%s, %s)
"""

MEETINGS = """
SELECT offering_id, weekday, start, "end" FROM catalog_offeringmeeting WHERE offering_id IN ({})
"""


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _time(value) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)


def lock_application(application_id: int, actor) -> Application:
    """The application of a claim, locked (the first lock of the seat path), with its child
    and term in memory, its `grade` this school year and whether the actor is a guardian
    of the child; OutOfScope unless the actor is that guardian or the school's admin."""
    sql = APPLICATION
    if connection.features.has_select_for_update_of:
        sql += " FOR UPDATE OF a"
    user_id = getattr(actor, "pk", None) or 0
    app = next(iter(Application.objects.raw(sql, [user_id, application_id])), None)
    if app is None:
        raise access.OutOfScope
    app.student = Student(
        pk=app.student_id,
        school_id=app.student_school_id,
        has_disability=bool(app.student_has_disability),
        is_left_behind=bool(app.student_is_left_behind),
        is_migrant_child=bool(app.student_is_migrant_child),
        low_income_basis=app.student_low_income_basis or "",
    )
    app.term = Term(
        pk=app.term_id,
        start=_date(app.term_start),
        end=_date(app.term_end),
        school_year_id=app.term_school_year_id,
    )
    guardian = bool(app.actor_is_guardian) and getattr(actor, "role", None) == User.Role.GUARDIAN
    if not guardian and not access.may_manage_school(actor, app.student.school):
        raise access.OutOfScope
    return app


def holdings(student_id: int, menu_id: int, offering_id: int):
    """The child's active seats in the menu, as (enrolment, offering, category), and the
    pk of their open waiting-list place in `offering` (None if there is none)."""
    params = [
        student_id,
        menu_id,
        Enrollment.Status.ACTIVE,
        student_id,
        offering_id,
        WaitlistEntry.Status.WAITING,
        WaitlistEntry.Status.OFFERED,
    ]
    held, waiting = [], None
    with connection.cursor() as cursor:
        cursor.execute(HOLDINGS, params)
        for kind, pk, offering, category in cursor.fetchall():
            if kind == "held":
                held.append((pk, offering, category))
            else:
                waiting = pk
    return held, waiting


def meetings_of(offering_ids) -> dict[int, frozenset]:
    """The 5-minute buckets each offering meets in, in one statement."""
    found: dict[int, list] = {pk: [] for pk in offering_ids}
    with connection.cursor() as cursor:
        cursor.execute(MEETINGS.format(", ".join(["%s"] * len(found))), list(found))
        for offering_id, weekday, start, end in cursor.fetchall():
            found[offering_id].append((weekday, _time(start), _time(end)))
    return {pk: buckets_of(meetings) for pk, meetings in found.items()}
