"""The resource pages: who sees which, the forms and their refusals, families' page."""

from django.conf import settings
from django.urls import reverse

from kehou.resources.models import OfferingResource, Resource
from kehou.testing import factories as f
from kehou.testing import snapshots


def _running(school, name="课外阅读"):
    return f.offering(f.menu(school, status="running"), name, category="reading")


def test_staff_see_their_schools_and_the_regions_resources(client, north, south, city):
    f.resource(city, title="国家中小学智慧教育平台")
    f.resource(north.school, title="北校录播课", kind="recorded_lesson")
    f.resource(south.school, title="南校录播课", kind="recorded_lesson")
    f.resource(south.county, title="相城区阅读资源", kind="reading")
    for user in (north.admin, north.teacher):
        client.force_login(user)
        page = client.get(reverse("resources:list")).content.decode()
        assert "国家中小学智慧教育平台" in page and "北校录播课" in page
        assert "南校录播课" not in page and "相城区阅读资源" not in page
        assert 'rel="noopener noreferrer" target="_blank"' in page
    client.force_login(north.gate)
    assert client.get(reverse("resources:list")).status_code == 404


def test_the_list_filters_by_category_and_grade(client, north, city):
    f.resource(city, title="全学段平台", grade_from=1, grade_to=9)
    f.resource(city, title="低年级阅读", kind="reading", category="reading", grade_to=2)
    f.resource(city, title="高年级科学", kind="other", category="science", grade_from=5)
    client.force_login(north.teacher)
    page = client.get(reverse("resources:list"), {"grade": 6}).content.decode()
    assert "全学段平台" in page and "高年级科学" in page and "低年级阅读" not in page
    page = client.get(reverse("resources:list"), {"category": "reading"}).content.decode()
    assert "低年级阅读" in page and "全学段平台" not in page


def test_an_admin_lists_a_resource_and_a_bad_address_is_named(client, north):
    client.force_login(north.admin)
    data = {
        "title": "书法录播课",
        "kind": "recorded_lesson",
        "url": "javascript:alert(1)",
        "grade_from": 1,
        "grade_to": 6,
        "is_free": "on",
    }
    before = snapshots.everything()
    page = client.post(reverse("resources:new"), data)
    assert page.status_code == 200
    assert "网址" in page.content.decode() and "http://" in page.content.decode()
    assert snapshots.everything() == before
    page = client.post(reverse("resources:new"), data | {"is_free": ""})
    assert "免费" in page.content.decode()
    response = client.post(reverse("resources:new"), data | {"url": "https://a.edu.cn/v/1"})
    assert response.status_code == 302
    assert Resource.objects.get().school == north.school


def test_a_bureau_officer_lists_for_their_region(client, north):
    client.force_login(north.county_officer)
    data = {"title": "区级资源", "kind": "platform", "url": "https://basic.smartedu.cn"}
    response = client.post(reverse("resources:new"), data | {"grade_from": 1, "grade_to": 9,
                                                             "is_free": "on"})  # fmt: skip
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.region == north.county and resource.school is None


def test_editing_and_retiring_are_for_the_owner(client, north, south):
    resource = f.resource(north.school, title="北校录播课")
    for user in (south.admin, north.teacher, north.county_officer):
        client.force_login(user)
        assert client.get(reverse("resources:edit", args=[resource.pk])).status_code == 404
        assert client.post(reverse("resources:retire", args=[resource.pk])).status_code == 404
    client.force_login(north.admin)
    assert client.get(reverse("resources:edit", args=[resource.pk])).status_code == 200
    client.post(reverse("resources:retire", args=[resource.pk]))
    resource.refresh_from_db()
    assert resource.is_retired


def test_the_offering_page_attaches_and_detaches(client, north, south, city):
    offering = _running(north.school)
    platform = f.resource(city)
    f.resource(south.school, title="南校录播课")
    url = reverse("resources:offering", args=[offering.pk])
    for user in (south.admin, north.teacher, north.county_officer):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(north.admin)
    page = client.get(url).content.decode()
    assert "国家中小学智慧教育平台" in page and "南校录播课" not in page
    client.post(url, {"resource": platform.pk})
    assert OfferingResource.objects.get().resource == platform
    menu_page = client.get(reverse("catalog:menu", args=[north.school.pk])).content.decode()
    assert "https://basic.smartedu.cn" in menu_page and url in menu_page
    client.post(reverse("resources:offering_detach", args=[offering.pk, platform.pk]))
    assert not OfferingResource.objects.exists()


def _enrolled(persona, offering, term):
    app = f.application(persona.child, term)
    return f.enrol(app, offering)


def test_a_guardian_sees_the_resources_of_their_childs_groups(client, north, south, city):
    offering = _running(north.school)
    _enrolled(north, offering, offering.menu.term)
    theirs = _running(south.school, "南校阅读")
    _enrolled(south, theirs, theirs.menu.term)
    platform = f.resource(city, title="国家中小学智慧教育平台·课外阅读", kind="reading")
    OfferingResource.objects.create(school=north.school, offering=offering, resource=platform)
    lesson = f.resource(south.school, title="南校录播课")
    OfferingResource.objects.create(school=south.school, offering=theirs, resource=lesson)
    client.force_login(north.guardian_user)
    page = client.get(reverse("resources:family")).content.decode()
    assert north.child.name in page and "国家中小学智慧教育平台·课外阅读" in page
    assert 'target="_blank"' in page
    assert south.child.name not in page and "南校录播课" not in page
    assert client.get(reverse("resources:list")).status_code == 302
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Free online resources" in client.get(reverse("resources:family")).content.decode()
    client.force_login(north.teacher)
    assert client.get(reverse("resources:family")).status_code == 404


def test_the_pages_in_chinese_and_english(client, north, city):
    f.resource(city)
    client.force_login(north.admin)
    assert "免费线上资源" in client.get(reverse("resources:list")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("resources:list")).content.decode()
    assert "Free online resources" in page and "Platform" in page
