import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404

from kehou.core import errors
from kehou.notifications.models import Notification
from kehou.org.access import SYSTEM, OutOfScope
from kehou.reports import selectors, services
from kehou.reports.models import MonthlyReport, SchoolMonth
from kehou.reports.selectors import State
from kehou.reports.tests.conftest import BEIJING, NOVEMBER, OCTOBER, anxi_profile, build_month
from kehou.testing.clock import freeze_now

pytestmark = pytest.mark.django_db


def submit(personas, month=OCTOBER, remark="十月正常开展", **kw):
    return services.monthly_report_submit(
        school=personas.school,
        month=month,
        remark=remark,
        confirmed=True,
        actor=personas.admin,
        **kw,
    )


def codes(call) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        call()
    return errors.codes(caught.value)


def test_submit_freezes_the_figures_and_is_on_time(north, anxi):
    month = build_month(north)
    report = submit(north)
    assert report.version == 1
    assert report.status == MonthlyReport.Status.SUBMITTED
    assert report.due_on == dt.date(2026, 11, 24)
    assert report.is_late is False
    assert report.figures["students_taking_part"] == 3
    assert report.figures["extended_items"] == ["剪纸", "科普"]
    assert report.submitted_by == north.admin
    # Later data changes the computed month, never the submitted figures.
    month.regular[0].attendance.all().delete()
    services.school_month_refresh(school=north.school, month=OCTOBER, actor=north.admin)
    assert SchoolMonth.objects.get(school=north.school, month=OCTOBER).students_taking_part == 1
    report.refresh_from_db()
    assert report.figures["students_taking_part"] == 3
    row = selectors.region_table(north.county_officer, OCTOBER).rows[0]
    assert row.source == "submitted" and row.figures["students_taking_part"] == 3
    assert row.state == State.ON_TIME


def test_submit_asks_for_confirmation_first(north, anxi):
    build_month(north)
    assert codes(
        lambda: services.monthly_report_submit(
            school=north.school, month=OCTOBER, remark="", actor=north.admin
        )
    ) == {"confirmation_required"}
    assert not MonthlyReport.objects.exists()


def test_a_month_not_over_is_refused_and_a_second_submission_too(north, anxi):
    assert codes(lambda: submit(north, month=NOVEMBER)) == {"month_not_ended"}
    submit(north)
    assert codes(lambda: submit(north)) == {"already_submitted"}
    assert MonthlyReport.objects.count() == 1


def test_a_correction_is_a_new_version_with_a_reason(north, anxi):
    month = build_month(north)
    first = submit(north)
    assert codes(
        lambda: services.monthly_report_correct(
            report=first, reason="  ", confirmed=True, actor=north.admin
        )
    ) == {"reason_required"}
    month.regular[0].attendance.all().delete()
    second = services.monthly_report_correct(
        report=first, reason="漏记考勤已更正", remark="更正", confirmed=True, actor=north.admin
    )
    first.refresh_from_db()
    assert first.status == MonthlyReport.Status.SUPERSEDED
    assert first.figures["students_taking_part"] == 3
    assert (second.version, second.supersedes, second.correction_reason) == (
        2,
        first,
        "漏记考勤已更正",
    )
    assert second.figures["students_taking_part"] == 1
    assert codes(
        lambda: services.monthly_report_correct(
            report=first, reason="再改", confirmed=True, actor=north.admin
        )
    ) == {"report_superseded"}
    view = selectors.month_view(north.admin, north.school, OCTOBER)
    assert [r.version for r in view.versions] == [2, 1]
    assert view.row.report == second


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_make_one_report_and_one_refusal(north, anxi):
    # given two admins' tabs sending October's report at the same moment
    build_month(north)
    barrier = threading.Barrier(2)
    outcomes: list = []

    def send():
        try:
            barrier.wait()
            submit(north)
            outcomes.append("submitted")
        except ValidationError as refused:
            outcomes.append(sorted(errors.codes(refused)))
        except Exception as error:  # what a user would see as a 500
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then one report is in force and the other tab is told it was submitted already
    assert sorted(outcomes, key=str) == [["already_submitted"], "submitted"]
    assert MonthlyReport.objects.filter(school=north.school, month=OCTOBER).count() == 1


def test_the_database_holds_one_report_in_force(north):
    MonthlyReport.objects.create(school=north.school, month=OCTOBER, version=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyReport.objects.create(
            school=north.school, month=OCTOBER, version=2, correction_reason="x"
        )


def test_late_after_the_due_day(north, south, anxi):
    build_month(north)
    with freeze_now(dt.datetime(2026, 11, 25, 9, 0, tzinfo=BEIJING)):
        table = selectors.region_table(north.county_officer, OCTOBER)
        assert [r.state for r in table.rows] == [State.LATE]
        assert [r.school for r in table.late] == [north.school]
        report = submit(north)
        assert report.is_late is True
        row = selectors.region_table(north.county_officer, OCTOBER).rows[0]
        assert row.state == State.SUBMITTED_LATE


def test_no_due_day_means_never_late(north, city):
    anxi_profile(city, due_day=None)
    with freeze_now(dt.datetime(2027, 1, 25, 9, 0, tzinfo=BEIJING)):
        report = submit(north)
        assert report.due_on is None and report.is_late is False
        assert selectors.region_table(north.county_officer, NOVEMBER).rows[0].state == State.OPEN


def test_region_states_before_the_month_ends(north, anxi):
    assert selectors.region_table(north.county_officer, NOVEMBER).rows[0].state == State.NOT_DUE
    assert selectors.region_table(north.county_officer, OCTOBER).rows[0].state == State.OPEN


def test_reminder_once_before_the_due_day_then_the_county_once_late(north, south, anxi):
    def reminders():
        return Notification.objects.filter(kind="report-reminder")

    with freeze_now(dt.datetime(2026, 11, 20, 8, 0, tzinfo=BEIJING)):
        services.report_reminders_send(actor=SYSTEM)
        assert not reminders().exists()  # 21 November is the first reminder day
    with freeze_now(dt.datetime(2026, 11, 21, 8, 0, tzinfo=BEIJING)):
        services.report_reminders_send(actor=SYSTEM)
        services.report_reminders_send(actor=SYSTEM)
        assert {n.recipient for n in reminders()} == {north.admin, south.admin}
        assert reminders().first().key.startswith("report-reminder:")
        submit(south)
    with freeze_now(dt.datetime(2026, 11, 25, 8, 0, tzinfo=BEIJING)):
        services.report_reminders_send(actor=SYSTEM)
        services.report_reminders_send(actor=SYSTEM)
        late = Notification.objects.filter(kind="report-late")
        assert [n.recipient for n in late] == [north.county_officer]
    assert reminders().count() == 2


def test_reminders_are_kehou_s_own_work(north):
    with pytest.raises(OutOfScope):
        services.report_reminders_send(actor=north.admin)


def test_scoping_south_never_sees_north(north, south, anxi):
    submit(north)
    rows = selectors.region_table(south.county_officer, OCTOBER).rows
    assert [r.school for r in rows] == [south.school]
    with pytest.raises(Http404):
        selectors.access_school_reports(south.admin, north.school.pk)
    with pytest.raises(Http404):
        selectors.access_school_reports(south.county_officer, north.school.pk)
    with pytest.raises(Http404):
        selectors.access_school_reports(north.teacher, north.school.pk)
    with pytest.raises(Http404):
        selectors.region_table(north.admin, OCTOBER)
    city_rows = selectors.region_table(
        type(north.county_officer).objects.get(pk=north.county_officer.pk), OCTOBER
    ).rows
    assert [r.school for r in city_rows] == [north.school]


def test_region_sum(north, south, city_officer, anxi):
    build_month(north)
    build_month(south)
    submit(north)
    from kehou.reports.figures import refresh_months

    refresh_months([south.school.pk], OCTOBER)
    table = selectors.region_table(city_officer, OCTOBER)
    assert {r.school: r.source for r in table.rows} == {
        north.school: "submitted",
        south.school: "computed",
    }
    assert table.total["students_taking_part"] == 6
    assert table.total["by_grade"]["5"] == {"in_school": 4, "taking_part": 2}
    assert table.schools_with_service == 2
    assert table.two_plus_n == 2


def test_the_periodic_jobs_refresh_the_months_and_remind(north, south, anxi):
    from kehou.core import scheduler
    from kehou.reports import tasks
    from kehou.testing.worker import run_queued_tasks

    assert {
        "kehou.reports.tasks.school_months_refresh_task",
        "kehou.reports.tasks.report_reminders_task",
    } <= set(scheduler.discover())
    build_month(north)
    tasks.school_months_refresh_task.enqueue()
    run_queued_tasks()
    months = set(SchoolMonth.objects.values_list("school_id", "month"))
    assert months == {(s.pk, m) for s in (north.school, south.school) for m in (OCTOBER, NOVEMBER)}
    assert SchoolMonth.objects.get(school=north.school, month=OCTOBER).service_days == 2
    with freeze_now(dt.datetime(2026, 11, 22, 8, 0, tzinfo=BEIJING)):
        tasks.report_reminders_task.enqueue()
        run_queued_tasks()
    assert Notification.objects.filter(kind="report-reminder").count() == 2


def test_recompute_is_the_school_admin_s(north, south):
    build_month(north)
    row = services.school_month_refresh(school=north.school, month=OCTOBER, actor=north.admin)
    assert row.service_days == 2
    with pytest.raises(OutOfScope):
        services.school_month_refresh(school=north.school, month=OCTOBER, actor=south.admin)
    assert codes(
        lambda: services.school_month_refresh(
            school=north.school, month=dt.date(2026, 12, 1), actor=north.admin
        )
    ) == {"month_in_future"}


def test_the_region_table_reads_a_fixed_number_of_queries(north, south, city_officer, city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kehou.reports.figures import refresh_months
    from kehou.testing import factories as f

    anxi_profile(north.county, key="north-county")
    submit(north)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            table = selectors.region_table(city_officer, OCTOBER)
            selectors.region_xlsx(city_officer, OCTOBER)
        return len(captured.captured_queries), len(table.rows)

    few, rows = count()
    for _ in range(3):
        school = f.SchoolFactory(region=f.RegionFactory(parent=city))
        refresh_months([school.pk], OCTOBER)
    many, more_rows = count()
    assert (rows, more_rows) == (2, 5)
    assert few == many
