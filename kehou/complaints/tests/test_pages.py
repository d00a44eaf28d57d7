"""The complaint pages: the public form and the follow-up without a login, a guardian's
list, the school's list and a complaint's steps, the bureau's list; who sees which."""

import datetime as dt
import re

from django.urls import reverse

import kehou.testing.factories as f
from kehou.complaints.models import Complaint
from kehou.testing import snapshots

from .conftest import TODAY


def _code_on(page: str) -> str:
    match = re.search(r'id="new-code">([A-Z0-9-]+)<', page)
    assert match, page
    return match.group(1)


def test_anyone_files_from_the_public_page_and_keeps_the_code(client, north):
    school_page = client.get(reverse("public:school", args=[north.school.code])).content.decode()
    form_url = reverse("complaints:public_new", args=[north.school.code])
    assert form_url in school_page
    assert client.get(form_url).status_code == 200
    response = client.post(
        form_url,
        {"kind": "report", "topic": "fees", "text": "要求家长另交材料费200元。", "phone": ""},
        follow=True,
    )
    page = response.content.decode()
    assert "请保存好查询码" in page
    code = _code_on(page)
    complaint = Complaint.objects.get()
    assert complaint.code == code.replace("-", "")
    assert complaint.submitted_by is None and complaint.escalation == "fees"
    # Shown once: a reload no longer shows it.
    again = client.get(reverse("complaints:done"))
    assert again.status_code == 302 and again.url == reverse("complaints:follow")
    # The school's pk works as well as its code.
    assert client.get(reverse("complaints:public_new", args=[north.school.pk])).status_code == 200
    assert client.get(reverse("complaints:public_new", args=["9999999999"])).status_code == 404


def test_a_bad_public_form_names_the_field_in_chinese_and_writes_nothing(client, north):
    before = snapshots.everything()
    response = client.post(
        reverse("complaints:public_new", args=[north.school.code]),
        {"kind": "report", "topic": "fees", "text": "收费", "phone": "12345"},
    )
    assert response.status_code == 200
    assert "手机号：请填写11位大陆手机号，或留空。" in response.content.decode()
    response = client.post(
        reverse("complaints:public_new", args=[north.school.code]),
        {"kind": "nonsense", "topic": "", "text": ""},
    )
    assert response.status_code == 200
    assert snapshots.everything() == before


def test_one_network_address_cannot_bury_a_schools_list(client, north, settings):
    # given a limit of three public complaints per address in an hour
    settings.PUBLIC_COMPLAINTS_LIMIT = {"PER_ADDRESS": 3, "WINDOW_MINUTES": 60}
    form_url = reverse("complaints:public_new", args=[north.school.code])
    sent = {"kind": "complaint", "topic": "other", "text": "课后服务结束太早。", "phone": ""}
    for _ in range(3):
        assert client.post(form_url, sent, REMOTE_ADDR="10.0.0.9").status_code == 302
    # when the same address sends a fourth
    before = snapshots.everything()
    refused = client.post(form_url, sent, REMOTE_ADDR="10.0.0.9")
    # then it is refused in Chinese and nothing is written; the address is not stored
    assert refused.status_code == 200
    assert "过去60分钟内已从此网络提交3件" in refused.content.decode()
    assert snapshots.everything() == before
    assert not Complaint.objects.filter(sent_from__contains="10.0.0.9").exists()
    # another address still files, and the first may again once the hour has passed
    assert client.post(form_url, sent, REMOTE_ADDR="10.0.0.10").status_code == 302
    Complaint.objects.update(received_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert client.post(form_url, sent, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_the_schools_admin_is_told_to_sign_out_to_file_as_the_public(client, north):
    client.force_login(north.admin)
    page = client.get(reverse("complaints:public_new", args=[north.school.code])).content.decode()
    assert "请先退出登录" in page and 'id="complaint-form"' not in page


def test_follow_with_the_right_and_a_wrong_code(client, north):
    complaint = f.complaint(north.school, state="replied", reply="已退还材料费。")
    right = client.post(reverse("complaints:follow"), {"code": complaint.code.lower()})
    page = right.content.decode()
    assert "已退还材料费。" in page and "已答复" in page and 'id="not-found"' not in page
    wrong = client.post(reverse("complaints:follow"), {"code": "ABCD-EFGH-JKMN"})
    page = wrong.content.decode()
    assert wrong.status_code == 200
    assert "没有找到这个查询码对应的投诉举报" in page and "已退还材料费。" not in page
    junk = client.post(reverse("complaints:follow"), {"code": "<script>"})
    assert junk.status_code == 200 and 'id="not-found"' in junk.content.decode()


def test_the_follow_page_never_shows_the_handling_or_who(client, north):
    complaint = f.complaint(
        north.school,
        state="handled",
        handling="内部：涉事老师张三已停职。",
        assigned_to=north.teacher,
        name="李先生",
        phone="13912345678",
        due_on=TODAY - dt.timedelta(days=1),
    )
    page = client.post(reverse("complaints:follow"), {"code": complaint.code}).content.decode()
    for secret in ("张三", "李先生", "13912345678", north.teacher.name):
        assert secret not in page
    assert "已逾期" in page


def test_a_guardian_files_with_the_login_and_sees_the_code_in_their_list(client, north, south):
    client.force_login(north.guardian_user)
    response = client.post(
        reverse("complaints:family_new"),
        {"student": north.child.pk, "kind": "complaint", "topic": "teaching", "text": "作业太多。"},
        follow=True,
    )
    code = _code_on(response.content.decode())
    page = client.get(reverse("complaints:family")).content.decode()
    assert code in page and "作业太多。" in page
    client.force_login(south.guardian_user)
    assert code not in client.get(reverse("complaints:family")).content.decode()
    # Another family's child is not a choice.
    response = client.post(
        reverse("complaints:family_new"),
        {"student": north.child.pk, "kind": "complaint", "topic": "teaching", "text": "x"},
    )
    assert response.status_code == 200 and Complaint.objects.count() == 1


def test_the_admin_takes_it_through_every_step_on_the_pages(client, north):
    complaint = f.complaint(north.school)
    client.force_login(north.admin)
    url = reverse("complaints:detail", args=[complaint.pk])
    assert 'id="assign-form"' in client.get(url).content.decode()
    steps = [
        ("complaints:assign", {"assignee": north.teacher.pk}),
        ("complaints:handle", {"handling": "已核实。"}),
        ("complaints:reply", {"reply": "已整改。"}),
        ("complaints:close", {"note": ""}),
    ]
    for name, data in steps:
        response = client.post(reverse(name, args=[complaint.pk]), data)
        assert response.status_code == 302, (name, response.content.decode()[:2000])
    complaint.refresh_from_db()
    assert complaint.state == "closed"
    page = client.get(url).content.decode()
    history = page.split('id="history">')[1].split("</ol>")[0]
    assert history.count("<li>") == 4  # assigned, handled, replied, closed
    # A step from a state that is past: refused on the page, in Chinese, nothing written.
    response = client.post(reverse("complaints:reply", args=[complaint.pk]), {"reply": "再答"})
    assert response.status_code == 200 and "不能进行这一步" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.reply == "已整改。"


def test_an_empty_reply_is_refused_by_field(client, north):
    complaint = f.complaint(north.school, state="handled")
    client.force_login(north.admin)
    response = client.post(reverse("complaints:reply", args=[complaint.pk]), {"reply": "  "})
    assert response.status_code == 200
    complaint.refresh_from_db()
    assert complaint.state == "handled"


def test_the_school_list_filters_and_marks_the_late(client, north, south):
    late = f.complaint(north.school, due_on=TODAY - dt.timedelta(days=2))
    f.complaint(north.school, state="closed")
    hidden = f.complaint(south.school, text="南校的投诉")
    client.force_login(north.admin)
    url = reverse("complaints:school", args=[north.school.pk])
    page = client.get(url).content.decode()
    assert 'class="late"' in page and reverse("complaints:detail", args=[late.pk]) in page
    assert "南校的投诉" not in page
    overdue = client.get(url + "?state=overdue").content.decode()
    assert overdue.count('class="late"') == 1 and overdue.count("<tr") == 2
    assert client.get(url + "?state=closed").content.decode().count("<tr") == 2
    # Scope: south's admin, the teacher, the gate, guardians and the bureau: no school list;
    # nobody outside reads a complaint of another school.
    for user in (south.admin, north.teacher, north.gate, north.guardian_user, north.county_officer):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.force_login(north.admin)
    assert client.get(reverse("complaints:detail", args=[hidden.pk])).status_code == 404


def test_the_public_sees_no_list(client, north):
    complaint = f.complaint(north.school)
    for name, args in (
        ("complaints:school", [north.school.pk]),
        ("complaints:detail", [complaint.pk]),
        ("complaints:region", []),
        ("complaints:family", []),
    ):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and "login" in response.url


def test_the_bureau_lists_the_escalated_and_late_of_its_region(client, north, south):
    escalated = f.complaint(
        north.school, escalated_at=f.complaint(north.school).received_at, escalation="fees"
    )
    late = f.complaint(north.school, due_on=TODAY - dt.timedelta(days=1))
    quiet = f.complaint(north.school, text="学校自己处理的")
    f.complaint(south.school, escalated_at=escalated.received_at, escalation="refused")
    client.force_login(north.county_officer)
    page = client.get(reverse("complaints:region")).content.decode()
    for shown in (escalated, late):
        assert reverse("complaints:detail", args=[shown.pk]) in page
    assert reverse("complaints:detail", args=[quiet.pk]) not in page
    assert page.count("<tr") == 3  # header + two; not south's
    assert client.get(reverse("complaints:detail", args=[escalated.pk])).status_code == 200
    assert client.get(reverse("complaints:detail", args=[quiet.pk])).status_code == 404
    client.force_login(south.county_officer)
    assert client.get(reverse("complaints:detail", args=[escalated.pk])).status_code == 404
    client.force_login(north.admin)
    assert client.get(reverse("complaints:region")).status_code == 404


def test_the_pages_read_in_chinese_and_in_english(client, north):
    complaint = f.complaint(north.school, state="replied", reply="好的")
    client.force_login(north.admin)
    urls = [
        reverse("complaints:school", args=[north.school.pk]),
        reverse("complaints:detail", args=[complaint.pk]),
        reverse("complaints:public_new", args=[north.school.code]),
        reverse("complaints:follow"),
    ]
    for url in urls:
        assert (
            "投诉" in client.get(url).content.decode() or "查询" in client.get(url).content.decode()
        )
    client.cookies["django_language"] = "en"
    english = {url: client.get(url).content.decode() for url in urls}
    assert "Complaints and reports" in english[urls[0]]
    assert "Handling history" in english[urls[1]]
    assert "Complaint or report" in english[urls[2]]
    assert "Follow a complaint" in english[urls[3]]


def test_the_person_assigned_records_the_handling_and_no_more(client, north, south):
    mine = f.complaint(north.school, state="assigned", assigned_to=north.teacher)
    other = f.complaint(north.school, state="assigned", assigned_to=north.admin)
    client.force_login(north.teacher)
    listed = client.get(reverse("complaints:mine")).content.decode()
    assert reverse("complaints:detail", args=[mine.pk]) in listed
    assert reverse("complaints:detail", args=[other.pk]) not in listed
    page = client.get(reverse("complaints:detail", args=[mine.pk])).content.decode()
    assert 'id="handle-form"' in page and 'id="assign-form"' not in page
    assert client.get(reverse("complaints:detail", args=[other.pk])).status_code == 404
    response = client.post(reverse("complaints:handle", args=[mine.pk]), {"handling": "已谈话"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.state == "handled" and mine.handling == "已谈话"
    for name, data in (("complaints:reply", {"reply": "x"}), ("complaints:close", {})):
        assert client.post(reverse(name, args=[mine.pk]), data).status_code == 404
    client.force_login(south.teacher)
    assert client.get(reverse("complaints:detail", args=[mine.pk])).status_code == 404


def _ledger(response) -> list[list]:
    import io

    import openpyxl

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_school_downloads_its_ledger_with_the_filter_and_no_submitters(client, north, south):
    late = f.complaint(
        north.school,
        due_on=TODAY - dt.timedelta(days=2),
        text='=HYPERLINK("http://x")收费不明',
        name="王举报",
        phone="13900000009",
    )
    f.complaint(north.school, state="closed", closed_at=late.received_at)
    f.complaint(south.school, text="南校的投诉")
    client.force_login(north.admin)
    url = reverse("complaints:school", args=[north.school.pk])
    assert 'id="ledger"' in client.get(url).content.decode()
    rows = _ledger(client.get(url + "?format=xlsx"))
    assert rows[0][0] == f"{north.school.name} · 投诉举报"
    assert rows[1][0].startswith("全部 · 打印日期 2026-10-13")
    header = rows[3]
    assert header[:2] == ["序号", "受理日"] and "学校" not in header
    body = rows[4:]
    assert len(body) == 2 and [r[0] for r in body] == [1, 2]
    flat = [str(v) for r in rows for v in r if v is not None]
    assert not any("南校" in v or "王举报" in v or "13900000009" in v for v in flat)
    # a cell a spreadsheet would run as a formula is kept as text
    assert any(v.startswith("'=HYPERLINK") for v in flat)
    overdue = _ledger(client.get(url + "?state=overdue&format=xlsx"))[4:]
    assert len(overdue) == 1 and overdue[0][header.index("已逾期")] == "是"
    client.force_login(south.admin)
    assert client.get(url + "?format=xlsx").status_code == 404


def test_the_bureau_downloads_its_regions_escalated_and_late(client, north, south):
    escalated = f.complaint(
        north.school, escalated_at=f.complaint(north.school).received_at, escalation="fees"
    )
    f.complaint(south.school, escalated_at=escalated.received_at, escalation="refused")
    client.force_login(north.county_officer)
    rows = _ledger(client.get(reverse("complaints:region") + "?format=xlsx"))
    header, body = rows[3], rows[4:]
    assert header[2] == "学校" and len(body) == 1
    assert body[0][2] == north.school.name
    assert body[0][header.index("上报原因")] == "涉及收费"
    client.force_login(north.admin)
    assert client.get(reverse("complaints:region") + "?format=xlsx").status_code == 404
