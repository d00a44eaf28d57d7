"""The demo city lists the national platform for its schools and attaches it to their
homework, reading and science groups (kehou.demo.menus)."""

from kehou.demo.menus import seed_resources
from kehou.resources.models import OfferingResource, Resource
from kehou.testing import factories as f


def test_the_demo_city_lists_the_national_platform_and_attaches_it(north, south, city):
    homework = f.offering(f.menu(north.school, status="published"), "作业辅导", category="homework")
    f.offering(homework.menu, "足球", category="sports")
    reading = f.offering(f.menu(south.school, status="published"), "课外阅读", category="reading")
    assert seed_resources(schools=[north.school, south.school]) == 2
    platform = Resource.objects.get(title="国家中小学智慧教育平台")
    assert (platform.school, platform.region, platform.url) == (
        None,
        city,
        "https://basic.smartedu.cn",
    )
    attached = {(link.offering, link.resource.kind) for link in OfferingResource.objects.all()}
    assert attached == {(homework, "platform"), (reading, "reading")}
