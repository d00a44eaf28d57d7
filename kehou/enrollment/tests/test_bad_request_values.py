"""A bad value in a query string or a form is ignored or refused with a message, never a
500 (issue 8, item 5)."""

import pytest
from django.urls import reverse

from kehou.enrollment.forms import ApplyForm
from kehou.testing import factories as f

pytestmark = pytest.mark.django_db

BAD = ["abc", "²", "٣", "99999999999999999999999", "-1", ""]


@pytest.mark.parametrize("value", BAD)
def test_the_school_list_ignores_a_bad_class(client, north, term, value):
    client.force_login(north.admin)
    response = client.get(reverse("enrollment:school"), {"class": value, "term": term.code})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["²", "abc", "0", "-1"])
def test_a_bad_rank_is_refused_with_a_message(client, north, term, value):
    """Before, a rank "²" re-rendered the page and sorted with int("²"): a 500."""
    menu = f.menu(north.school, term=term)
    a, b = f.offering(menu, "剪纸"), f.offering(menu, "足球")
    app = f.application(north.child, term)
    client.force_login(north.guardian_user)
    response = client.post(
        reverse("enrollment:choices", args=[app.pk]), {f"rank_{a.pk}": value, f"rank_{b.pk}": "1"}
    )
    assert response.status_code == 200
    assert "剪纸" in response.content.decode()
    assert not app.choices.exists()


@pytest.mark.parametrize("value", ["2147483648", "-1", "1e9", "²"])
def test_a_forged_agreement_version_is_refused(value):
    form = ApplyForm(
        {
            "service_weekdays": ["0"],
            "has_accident_insurance": "yes",
            "agreement_version": value,
            "sign": "on",
        },
        weekdays=[0],
    )
    assert not form.is_valid()
    assert form.errors["agreement_version"] == ["此页上的安全协议无法识别：请刷新页面后重新签署。"]
