"""The record pages (issue 8 items 9, 14): the school admin edits in the pages; the
bureau registers and vets external organisations; schools see the approved list."""

import pytest
from django.urls import reverse

from kehou.org.models import ExternalOrganisation, Staff
from kehou.testing import factories as f
from kehou.testing import snapshots


def _client(client, user):
    client.force_login(user)
    return client


def test_the_admin_edits_a_child_in_the_page(client, north):
    c = _client(client, north.admin)
    url = reverse("org:student_edit", args=[north.child.pk])
    assert c.get(url).status_code == 200
    response = c.post(
        url,
        {
            "name": "王北北",
            "student_number": north.child.student_number,
            "gender": "F",
            "school_class": north.school_class.pk,
            "is_boarder": "on",
            "low_income_basis": "",
        },
    )
    assert response.status_code == 302
    north.child.refresh_from_db()
    assert (north.child.name, north.child.is_boarder) == ("王北北", True)
    page = c.get(reverse("org:student_detail", args=[north.child.pk])).content.decode()
    assert "王北北" in page and reverse("org:student_edit", args=[north.child.pk]) in page


@pytest.mark.parametrize("who", ["county_officer", "teacher"])
def test_only_the_admin_opens_the_edit_pages(client, north, who):
    c = _client(client, getattr(north, who))
    for url in (
        reverse("org:student_edit", args=[north.child.pk]),
        reverse("org:guardian_edit", args=[north.child.pk, north.guardian.pk]),
        reverse("org:staff_edit", args=[Staff.objects.get(user=north.teacher).pk]),
    ):
        assert c.get(url).status_code == 404, url
        assert c.post(url, {"name": "x"}).status_code == 404, url


def test_a_taken_phone_shows_a_chinese_message_on_the_form(client, north, south):
    c = _client(client, north.admin)
    before = snapshots.everything()
    response = c.post(
        reverse("org:guardian_edit", args=[north.child.pk, north.guardian.pk]),
        {"name": "张丽", "phone": south.guardian.phone, "relation": "mother", "is_primary": "on"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "此号码不能在这里使用" in page and south.guardian.name not in page
    assert snapshots.everything() == before


def test_a_guardians_phone_is_read_by_the_one_normaliser(client, north):
    """The form passes what was typed to the one normaliser (kehou.lib.validators)."""
    c = _client(client, north.admin)
    c.post(
        reverse("org:guardian_edit", args=[north.child.pk, north.guardian.pk]),
        {"name": "张丽", "phone": "+86 139-1234-5678", "relation": "mother", "is_primary": "on"},
    )
    north.guardian.refresh_from_db()
    assert north.guardian.phone == "13912345678"


def test_the_bureau_registers_and_vets_an_organisation_in_the_pages(client, north):
    c = _client(client, north.county_officer)
    assert c.get(reverse("org:organisation_create")).status_code == 200
    response = c.post(
        reverse("org:organisation_create"),
        {
            "region": north.county.pk,
            "name": "吴中青少年体育俱乐部",
            "credit_code": "91320506MA1ABCDE1T",
            "licence_number": "体字2026001",
            "licence_valid_until": "2030-12-31",
            "offers": ["sports"],
        },
    )
    organisation = ExternalOrganisation.objects.get(credit_code="91320506MA1ABCDE1T")
    assert response.status_code == 302 and organisation.status == "pending"
    response = c.post(
        reverse("org:organisation_vet", args=[organisation.pk]),
        {"status": "approved", "reason": ""},
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.status == "approved" and organisation.status_on is not None
    page = c.get(reverse("org:organisation_detail", args=[organisation.pk])).content.decode()
    assert "已准入" in page and north.county_officer.name in page  # the change history
    assert "体育活动" in page and "sports" not in page  # categories by name, not code


def test_subject_training_is_refused_at_registration(client, north):
    c = _client(client, north.county_officer)
    response = c.post(
        reverse("org:organisation_create"),
        {
            "region": north.county.pk,
            "name": "某学科辅导中心",
            "credit_code": "91320506MA1ABCDE1T",
            "offers": ["sports", "tutoring"],
        },
    )
    # Tutoring is not even a choice: the form refuses it before the service would.
    assert response.status_code == 200
    assert not ExternalOrganisation.objects.exists()


def test_a_suspension_needs_a_reason(client, north):
    organisation = f.OrganisationFactory(region=north.county)
    c = _client(client, north.county_officer)
    response = c.post(
        reverse("org:organisation_vet", args=[organisation.pk]), {"status": "suspended"}
    )
    assert response.status_code == 400 and "理由：不予准入或暂停时必填" in response.content.decode()


def test_schools_see_only_the_approved_organisations_they_may_engage(client, north, south):
    approved = f.OrganisationFactory(region=north.county, name="吴中艺术团")
    f.OrganisationFactory(region=north.county, name="待审机构", status="pending")
    f.OrganisationFactory(region=south.county, name="相城体育")
    c = _client(client, north.admin)
    page = c.get(reverse("org:organisation_list")).content.decode()
    assert approved.name in page and "待审机构" not in page and "相城体育" not in page
    assert c.get(reverse("org:organisation_create")).status_code == 404
    guardian = _client(client, north.guardian_user)
    assert guardian.get(reverse("org:organisation_list")).status_code == 404


def test_a_school_page_links_to_its_plan_menu_public_page_and_allocation(client, north):
    c = _client(client, north.county_officer)
    page = c.get(reverse("org:school_detail", args=[north.school.pk])).content.decode()
    for url in (
        reverse("policy:school_plans", args=[north.school.pk]),
        reverse("catalog:menu", args=[north.school.pk]),
        reverse("catalog:menu", args=[north.school.pk]) + "#allocation-link",
        reverse("public:school", args=[north.school.code]),
        reverse("org:school_accounts", args=[north.school.pk]),
    ):
        assert f'href="{url}"' in page, url


def test_the_county_officer_manages_the_school_admins_login_only(client, north):
    c = _client(client, north.county_officer)
    page = c.get(reverse("org:school_accounts", args=[north.school.pk])).content.decode()
    assert reverse("org:account_edit", args=[north.admin.pk]) in page
    assert reverse("org:account_edit", args=[north.teacher.pk]) not in page
    assert c.get(reverse("org:account_edit", args=[north.teacher.pk])).status_code == 404
