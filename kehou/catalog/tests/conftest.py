import datetime as dt

import pytest
from django.utils import timezone

from kehou.catalog import services
from kehou.testing import factories as f


@pytest.fixture
def term(db):
    return f.TermFactory()


@pytest.fixture
def north_menu(north, term):
    return services.menu_for(school=north.school, term=term)


@pytest.fixture
def south_menu(south, term):
    return services.menu_for(school=south.school, term=term)


@pytest.fixture
def closes_later():
    return timezone.now() + dt.timedelta(days=7)
