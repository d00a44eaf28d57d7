"""The old `Activity.online_resource_url` moves into the school's resources, attached to
the activity's offerings, and the field is dropped."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("catalog", "0002_offering_held_seats"), ("resources", "0001_initial")]
AFTER = [("catalog", "0003_remove_activity_online_resource_url")]


@pytest.mark.django_db(transaction=True)
def test_each_address_becomes_one_school_resource_attached_to_the_offerings():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Region = apps.get_model("org", "Region")
    School = apps.get_model("org", "School")
    Term = apps.get_model("terms", "Term")
    SchoolYear = apps.get_model("org", "SchoolYear")
    Menu = apps.get_model("catalog", "Menu")
    Activity = apps.get_model("catalog", "Activity")
    Offering = apps.get_model("catalog", "Offering")
    county = Region.objects.create(code="320506", name="吴中区", level="county", path="/320506/")
    school = School.objects.create(
        code="3205060001", name="吴中实验小学", region=county, school_type="primary"
    )
    year = SchoolYear.objects.create(start_year=2026)
    term = Term.objects.create(school_year=year, semester=1, start="2026-09-01", end="2027-01-20")
    menu = Menu.objects.create(school=school, term=term)
    url = "https://basic.smartedu.cn/reading"
    reading = Activity.objects.create(
        school=school, name="课外阅读", category="reading", online_resource_url=url
    )
    again = Activity.objects.create(
        school=school, name="绘本阅读", category="reading", online_resource_url=url
    )
    Activity.objects.create(
        school=school, name="ftp", category="arts", online_resource_url="ftp://x.cn/a"
    )
    Activity.objects.create(
        school=school,
        name="书法",
        category="arts",
        online_resource_url="HTTP://Www.zxx.edu.cn/Shufa",
    )
    plain = Activity.objects.create(school=school, name="足球", category="sports")
    offerings = [
        Offering.objects.create(
            menu=menu, activity=a, name=a.name, grade_from=g[0], grade_to=g[1], capacity=10
        )
        for a, g in ((reading, (1, 3)), (reading, (4, 6)), (again, (2, 2)), (plain, (1, 6)))
    ]
    # when
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    # then
    apps = executor.loader.project_state(AFTER).apps
    Resource = apps.get_model("resources", "Resource")
    Link = apps.get_model("resources", "OfferingResource")
    # one per school and address; the ftp one is not a page; a scheme in capitals is kept
    # in small letters, as the table's check reads it (case-sensitive on PostgreSQL)
    assert set(Resource.objects.values_list("url", flat=True)) == {
        url,
        "http://Www.zxx.edu.cn/Shufa",
    }
    resource = Resource.objects.get(url=url)
    assert (resource.school_id, resource.region_id, resource.url, resource.title) == (
        school.pk,
        county.pk,
        url,
        "课外阅读",
    )
    assert (resource.category, resource.grade_from, resource.grade_to, resource.is_free) == (
        "reading",
        1,
        6,
        True,
    )
    attached = set(Link.objects.values_list("offering_id", "school_id"))
    assert attached == {(o.pk, school.pk) for o in offerings[:3]}
    field_names = {f.name for f in apps.get_model("catalog", "Activity")._meta.get_fields()}
    assert "online_resource_url" not in field_names
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
