import datetime as dt

import pytest
from django.utils import timezone

from kehou.catalog import services
from kehou.org.access import SYSTEM
from kehou.policy import services as policy
from kehou.testing import factories as f


@pytest.fixture
def term(db):
    return f.TermFactory()


@pytest.fixture
def adopt(city):
    """Give `region` (the persona city by default) the rules of a policy template."""

    def adopt(template_key: str, region=None):
        policy.profile_templates_install(actor=SYSTEM)
        return policy.profile_adopt(template_key=template_key, region=region or city, actor=SYSTEM)

    return adopt


@pytest.fixture
def jiangsu(adopt):
    """The persona city (苏州市) follows the Jiangsu template of seed 000."""
    return adopt("jiangsu_000")


@pytest.fixture
def north_menu(north, term):
    return services.menu_create(school=north.school, term=term, actor=north.admin)


@pytest.fixture
def south_menu(south, term):
    return services.menu_create(school=south.school, term=term, actor=south.admin)


@pytest.fixture
def closes_later():
    return timezone.now() + dt.timedelta(days=7)
