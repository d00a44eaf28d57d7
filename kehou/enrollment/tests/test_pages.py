"""Pages of families, class teachers, school admins and the bureau: each tried by the persona
who must not see it (404, and nothing changed)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kehou.catalog.models import Menu
from kehou.enrollment import selectors, services
from kehou.enrollment.models import AgreementSignature, Application, Choice, Enrollment
from kehou.testing import factories as f

pytestmark = pytest.mark.django_db


def url(name, *args, term=None):
    base = reverse(f"enrollment:{name}", args=args)
    return f"{base}?term={term.code}" if term else base


def texts(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --------------------------------------------------------------------------- families


def test_family_page_lists_only_my_children(client, north, south, term):
    client.force_login(north.guardian_user)
    response = client.get(url("family", term=term))
    assert response.status_code == 200
    body = response.content.decode()
    assert north.child.name in body and south.child.name not in body


def test_guardian_applies_through_the_form(client, north, term):
    agreement = f.agreement(north.school, version=3)
    client.force_login(north.guardian_user)
    page = client.get(url("apply", north.child.pk, term=term))
    assert agreement.text in page.content.decode()
    response = client.post(
        url("apply", north.child.pk, term=term),
        {
            "service_weekdays": ["0", "3"],
            "has_accident_insurance": "yes",
            "agreement_version": "3",
            "sign": "on",
        },
    )
    assert response.status_code == 302
    app = Application.objects.get()
    assert app.service_weekdays == [0, 3] and app.has_accident_insurance
    assert AgreementSignature.objects.get().agreement == agreement


def test_apply_without_signing_writes_nothing(client, north, term):
    f.agreement(north.school)
    client.force_login(north.guardian_user)
    response = client.post(
        url("apply", north.child.pk, term=term),
        {"service_weekdays": ["0"], "has_accident_insurance": "no", "agreement_version": "1"},
    )
    assert response.status_code == 200
    assert "请阅读并签署安全协议" in response.content.decode()
    assert not Application.objects.exists()


def test_apply_for_someone_elses_child_is_404(client, north, south, term):
    f.agreement(north.school)
    for user in (south.guardian_user, north.admin, north.teacher):
        client.force_login(user)
        response = client.post(
            url("apply", north.child.pk, term=term),
            {"service_weekdays": ["0"], "has_accident_insurance": "no", "sign": "on"},
        )
        assert response.status_code == 404
    assert not Application.objects.exists()


def test_ranking_with_rank_numbers_without_javascript(client, north, term):
    menu = f.menu(north.school)
    a, b, c = (f.offering(menu, name) for name in ("剪纸", "足球", "合唱"))
    app = f.application(north.child, term)
    client.force_login(north.guardian_user)
    page = client.get(url("choices", app.pk))
    assert page.status_code == 200
    assert "已选" not in page.content.decode()  # no demand counts
    # ranks 1 and 3 become 1 and 2 (contiguous)
    response = client.post(url("choices", app.pk), {f"rank_{b.pk}": "1", f"rank_{a.pk}": "3"})
    assert response.status_code == 302
    assert list(Choice.objects.values_list("offering__name", "rank")) == [("足球", 1), ("剪纸", 2)]
    # the same rank twice is refused and changes nothing
    response = client.post(url("choices", app.pk), {f"rank_{c.pk}": "1", f"rank_{a.pk}": "1"})
    assert response.status_code == 200
    assert any("第1志愿同时填了" in t for t in texts(response))
    assert list(Choice.objects.values_list("offering__name", "rank")) == [("足球", 1), ("剪纸", 2)]


def test_ranking_another_familys_application_is_404(client, north, south, term):
    menu = f.menu(north.school)
    a = f.offering(menu)
    app = f.application(north.child, term)
    client.force_login(south.guardian_user)
    assert client.get(url("choices", app.pk)).status_code == 404
    assert client.post(url("choices", app.pk), {f"rank_{a.pk}": "1"}).status_code == 404
    assert not Choice.objects.exists()


def test_fcfs_claim_button_then_full(client, north, term):
    menu = f.menu(north.school, mode=Menu.Mode.FCFS)
    offering = f.offering(menu, capacity=1)
    app = f.application(north.child, term)
    other = f.application(f.child(north.school, north.school_class), term)
    services.fcfs_claim(application=other, offering=offering, actor=north.admin)
    client.force_login(north.guardian_user)
    assert client.get(url("fcfs", app.pk)).status_code == 200
    response = client.post(url("claim", app.pk, offering.pk), follow=True)
    assert any("名额已满，已加入候补名单" in t for t in texts(response))
    assert not Enrollment.objects.filter(student=north.child).exists()


def test_fcfs_claim_for_another_family_is_404(client, north, south, term):
    menu = f.menu(north.school, mode=Menu.Mode.FCFS)
    offering = f.offering(menu)
    app = f.application(north.child, term)
    client.force_login(south.guardian_user)
    assert client.post(url("claim", app.pk, offering.pk)).status_code == 404
    offering.refresh_from_db()
    assert offering.taken == 0 and not Enrollment.objects.exists()


def test_guardian_withdraws_with_a_date(client, north, south, term):
    app = f.application(north.child, term)
    on = timezone.localdate() + dt.timedelta(days=2)
    client.force_login(south.guardian_user)
    assert client.post(url("withdraw", app.pk), {"on": on.isoformat()}).status_code == 404
    app.refresh_from_db()
    assert app.status == Application.Status.APPROVED
    client.force_login(north.guardian_user)
    response = client.post(url("withdraw", app.pk), {"on": on.isoformat(), "reason": "接送方便"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Application.Status.WITHDRAWN and app.withdrawn_on == on


# --------------------------------------------------------------------------- school staff


def _submitted(persona, term):
    f.agreement(persona.school)
    return services.application_submit(
        student=persona.child,
        term=term,
        actor=persona.guardian_user,
        service_weekdays=[0],
        wants_extended_care=False,
        has_accident_insurance=True,
        agreement=selectors.current_agreement(persona.school),
    )


def test_class_teacher_sees_and_reviews_only_their_classes(client, north, south, term):
    app = _submitted(north, term)
    _submitted(south, term)
    client.force_login(south.teacher)
    body = client.get(url("review", term=term)).content.decode()
    assert north.child.name not in body and south.child.name in body
    assert client.post(url("review_application", app.pk)).status_code == 404
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED
    client.force_login(north.teacher)
    assert client.post(url("review_application", app.pk), {"note": "好"}).status_code == 302
    app.refresh_from_db()
    assert app.status == Application.Status.TEACHER_REVIEWED


def test_admin_list_filters_and_scope(client, north, south, term, django_assert_max_num_queries):
    _submitted(north, term)
    _submitted(south, term)
    client.force_login(north.admin)
    with django_assert_max_num_queries(15):
        response = client.get(url("school", term=term) + "&status=submitted")
    body = response.content.decode()
    assert north.child.name in body and south.child.name not in body
    body = client.get(url("school", term=term) + "&status=approved").content.decode()
    assert north.child.name not in body


def test_admin_refuses_only_with_a_reason_and_only_in_their_school(client, north, south, term):
    app = _submitted(north, term)
    client.force_login(south.admin)
    assert client.get(url("detail", app.pk)).status_code == 404
    response = client.post(url("decide", app.pk, "refuse"), {"reason": "不需要"})
    assert response.status_code == 404
    client.force_login(north.admin)
    response = client.post(url("decide", app.pk, "refuse"), {"reason": " "}, follow=True)
    assert any("拒绝理由：必填" in t for t in texts(response))
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED
    client.post(url("decide", app.pk, "refuse"), {"reason": "家长已在校外托管"})
    app.refresh_from_db()
    assert app.status == Application.Status.REFUSED


def test_admin_approves_and_withdraws_on_behalf(client, north, term):
    app = _submitted(north, term)
    services.application_teacher_review(application=app, actor=north.teacher)
    client.force_login(north.admin)
    on = timezone.localdate()
    client.post(url("decide", app.pk, "approve"), {"on": on.isoformat()})
    app.refresh_from_db()
    assert app.status == Application.Status.APPROVED and app.starts_on == on
    client.post(url("withdraw", app.pk), {"on": on.isoformat(), "reason": "家长电话告知"})
    app.refresh_from_db()
    assert app.status == Application.Status.WITHDRAWN
    client.post(url("decide", app.pk, "join"), {"on": on.isoformat()})
    app.refresh_from_db()
    assert app.status == Application.Status.APPROVED


def test_admin_publishes_a_new_agreement_version(client, north, south):
    client.force_login(north.admin)
    client.post(url("agreement"), {"title": "安全协议", "text": "第一版"})
    client.post(url("agreement"), {"title": "安全协议", "text": "第二版"})
    assert selectors.current_agreement(north.school).version == 2
    assert selectors.current_agreement(south.school) is None
    client.force_login(north.teacher)
    assert client.post(url("agreement"), {"title": "x", "text": "y"}).status_code == 404
    assert selectors.current_agreement(north.school).text == "第二版"


# --------------------------------------------------------------------------- bureau


def test_bureau_sees_refusals_of_its_region_with_priority_groups_first(
    client, city_officer, north, south, term
):
    app = _submitted(north, term)
    services.application_refuse(application=app, actor=north.admin, reason="校车不到")
    needy = f.child(south.school, south.school_class, has_disability=True)
    south_app = f.application(needy, term)
    Application.objects.filter(pk=south_app.pk).update(
        status=Application.Status.REFUSED, refusal_reason="无人照护"
    )
    client.force_login(city_officer)
    body = client.get(url("refusals", term=term)).content.decode()
    assert "校车不到" in body and "无人照护" in body
    assert body.index("无人照护") < body.index("校车不到")  # a child in need comes first
    assert "残疾儿童" in body and "严禁拒绝有需求的学生参加" in body
    client.force_login(north.county_officer)
    body = client.get(url("refusals", term=term)).content.decode()
    assert "校车不到" in body and "无人照护" not in body


@pytest.mark.parametrize("who", ["admin", "teacher", "guardian_user", "gate"])
def test_refusals_page_is_for_the_bureau_only(client, north, term, who):
    client.force_login(getattr(north, who))
    assert client.get(url("refusals", term=term)).status_code == 404


def test_home_sends_each_role_to_its_page(client, north, city_officer):
    for user, name in (
        (north.guardian_user, "family"),
        (north.teacher, "review"),
        (north.admin, "school"),
        (city_officer, "refusals"),
    ):
        client.force_login(user)
        assert client.get(url("home"))["Location"] == url(name)
    client.force_login(north.gate)
    assert client.get(url("home")).status_code == 404


def test_family_page_links_to_ranking_or_claiming_by_mode(client, north, south, term):
    app = f.application(north.child, term)
    menu = f.menu(north.school)
    f.offering(menu, capacity=7)
    client.force_login(north.guardian_user)
    body = client.get(url("family", term=term)).content.decode()
    assert url("choices", app.pk) in body and url("fcfs", app.pk) not in body
    menu.mode = Menu.Mode.FCFS
    menu.save()
    body = client.get(url("family", term=term)).content.decode()
    assert url("fcfs", app.pk) in body and url("choices", app.pk) not in body
    assert client.get(url("fcfs", app.pk)).status_code == 200
    south_app = f.application(south.child, term)
    assert client.get(url("fcfs", south_app.pk)).status_code == 404
