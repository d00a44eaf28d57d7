"""Class lists and waiting lists per offering (issue 8, item 6): on screen, printable and
as .xlsx, for the school's admin and the offering's own instructor only; the children are
those whose dated enrolment is in effect that day (one definition with the sittings)."""

import datetime as dt
import io

import openpyxl
import pytest
from django.http import Http404
from django.urls import reverse

from kehou.accounts.models import User
from kehou.enrollment import selectors
from kehou.enrollment.models import WaitlistEntry
from kehou.enrollment.seats import waiting_position
from kehou.sittings.selectors import sitting_roster
from kehou.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(north, term):
    """An offering of north's school taught by an external coach with a login, the
    north child seated in it, and a second offering taught by someone else."""
    coach_user = f.UserFactory(role=User.Role.TEACHER, school=north.school, name="张教练")
    coach = f.external_instructor(north.school, user=coach_user, name="张教练")
    menu = f.menu(north.school, term=term, status="running")
    football = f.offering(menu, "足球", instructor=coach, room="操场", weekday=1)
    other_user = f.UserFactory(role=User.Role.TEACHER, school=north.school)
    other = f.StaffFactory(school=north.school, user=other_user, phone=other_user.phone)
    choir = f.offering(menu, "合唱", instructor=other)
    app = f.application(north.child, term)
    f.enrol(app, football)
    return {"coach": coach_user, "other": other_user, "football": football, "choir": choir}


def roster_url(offering, name="roster", **query):
    url = reverse(f"enrollment:{name}", args=[offering.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_admin_and_the_instructor_read_the_class_list(client, north, course):
    for user in (north.admin, course["coach"]):
        client.force_login(user)
        response = client.get(roster_url(course["football"]))
        assert response.status_code == 200
        body = response.content.decode()
        assert north.child.name in body
        assert north.guardian.phone in body
        assert north.school_class.name in body
        assert "操场" in body and "张教练" in body and north.school.name in body


def test_nobody_else_reads_a_class_list(client, north, south, course):
    """Another offering's instructor, a class teacher, another school's admin, a
    guardian, the gate and the bureau: 404, on the page and the download alike."""
    outsiders = (
        course["other"],
        north.teacher,
        south.admin,
        south.teacher,
        north.guardian_user,
        north.gate,
        north.county_officer,
    )
    for user in outsiders:
        client.force_login(user)
        for name in ("roster", "roster_xlsx"):
            response = client.get(roster_url(course["football"], name))
            assert response.status_code == 404, (user, name)


def test_selectors_refuse_outsiders_too(north, south, course, term):
    football = course["football"]
    for user in (course["other"], south.admin, north.guardian_user, north.gate):
        with pytest.raises(Http404):
            selectors.access_roster_offering(user, football.pk)
        with pytest.raises(Http404):
            selectors.offering_roster(user, football, term.start)


def test_the_instructor_sees_only_their_own_offerings(client, north, course, term):
    client.force_login(course["coach"])
    response = client.get(reverse("enrollment:rosters") + f"?term={term.code}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "足球" in body and "合唱" not in body
    client.force_login(north.admin)
    body = client.get(reverse("enrollment:rosters") + f"?term={term.code}").content.decode()
    assert "足球" in body and "合唱" in body
    client.force_login(north.guardian_user)
    assert client.get(reverse("enrollment:rosters")).status_code == 404


def test_the_xlsx_is_the_class_list_to_take_to_the_room(client, north, course, term):
    client.force_login(course["coach"])
    day = term.start + dt.timedelta(days=3)
    response = client.get(roster_url(course["football"], "roster_xlsx", day=day.isoformat()))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    cells = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    title = " ".join(str(row[0]) for row in cells[:5])
    assert north.school.name in title and "足球" in title and "张教练" in title
    assert "操场" in title and "周二" in title and day.isoformat() in title
    header = cells.index(["序号", "姓名", "班级", "家长电话", "签到"])
    assert cells[header + 1] == [
        1,
        north.child.name,
        north.school_class.name,
        north.guardian.phone,
        None,
    ]
    assert len(cells) == header + 2
    assert book.worksheets[1].title == "候补名单"


def test_the_roster_follows_the_dated_enrolments(north, course, term):
    """A child who leaves on day D is on the list until the day before; one who joins
    later is not on it before; the sittings' roster of that day says the same."""
    from kehou.enrollment import services

    football = course["football"]
    enrolment = football.enrollments.get()
    leaving = term.start + dt.timedelta(days=40)
    services.enrollment_withdraw(enrollment=enrolment, actor=north.admin, on=leaving, reason="")
    before = selectors.offering_roster(north.admin, football, leaving - dt.timedelta(days=1))
    after = selectors.offering_roster(north.admin, football, leaving)
    assert [r.student for r in before.rows] == [north.child]
    assert after.rows == []

    plan = f.published_plan(north.school, start=term.start, end=term.end)
    for day, expected in ((leaving - dt.timedelta(days=1), {north.child.pk}), (leaving, set())):
        sitting = f.SittingFactory(
            plan=plan, term=term, date=day, offering=football, kind="offering", label="足球"
        )
        assert sitting_roster(sitting).student_ids == expected


def test_the_waiting_list_is_shown_in_its_order_with_each_place(client, north, course, term):
    """Places are those the seat path offers seats in (kehou.enrollment.seats: the
    priority tier first, then the draw), the same as each family's "number N in line"."""
    football = course["football"]
    entries = []
    for tier, number, name in ((2, 900, "丙"), (1, 125, "乙"), (1, 820, "甲"), (2, 100, "丁")):
        student = f.child(north.school, north.school_class, name=name)
        app = f.application(student, term)
        entries.append(
            WaitlistEntry.objects.create(
                offering=football,
                student=student,
                application=app,
                tier=tier,
                lottery_number=number,
            )
        )
    roster = selectors.offering_roster(north.admin, football, term.start)
    expected = sorted(entries, key=waiting_position)
    assert [row.entry for row in roster.waiting] == expected
    assert [row.place for row in roster.waiting] == [1, 2, 3, 4]
    for row in roster.waiting:
        assert row.place == waiting_position(row.entry)
    assert [e.tier for e in expected] == [1, 1, 2, 2]  # the priority tier first

    client.force_login(north.admin)
    body = client.get(roster_url(football)).content.decode()
    first, second = (e.student.name for e in expected[:2])
    assert body.index("第 1 位") < body.index(first) < body.index("第 2 位") < body.index(second)
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(roster_url(football, "roster_xlsx")).content)
    )
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    start = [r[0] for r in rows].index("位次")
    assert [r[:2] for r in rows[start + 1 :]] == [
        (n, e.student.name) for n, e in enumerate(expected, start=1)
    ]


def test_an_external_instructor_sees_how_many_wait_not_who(client, north, course, term):
    """Their scope is the children of their group (kehou.org.access); a school teacher
    who instructs sees the waiting list's names."""
    football = course["football"]
    waiting = f.child(north.school, north.school_class, name="候补孩")
    WaitlistEntry.objects.create(
        offering=football,
        student=waiting,
        application=f.application(waiting, term),
        tier=1,
        lottery_number=7,
    )
    roster = selectors.offering_roster(course["coach"], football, term.start)
    assert roster.waiting == [] and roster.waiting_hidden == 1
    client.force_login(course["coach"])
    body = client.get(roster_url(football)).content.decode()
    assert "候补孩" not in body and "1名学生正在候补" in body
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(roster_url(football, "roster_xlsx")).content)
    )
    assert "候补孩" not in str(list(book.worksheets[1].iter_rows(values_only=True)))

    football.instructor = course["choir"].instructor
    football.save()
    roster = selectors.offering_roster(course["other"], football, term.start)
    assert [row.entry.student for row in roster.waiting] == [waiting]
