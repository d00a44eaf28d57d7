import datetime as dt

import pytest
from django.utils import timezone

from kehou.testing import factories as f


@pytest.fixture
def term(db):
    """The 2026 autumn term, dated around today so dated withdrawals stay in the term
    whenever the suite runs."""
    today = timezone.localdate()
    return f.TermFactory(start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=90))
