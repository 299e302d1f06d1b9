"""Complaints on the staff side: who may read and change what over the API, the handling
workflow, contact data kept out of logs, and the pages in a real browser."""
import logging

import pytest

from procedure_kb import accounts, complaints
from procedure_kb.accounts import Role
from procedure_kb.complaints import Contact
from procedure_kb.db import session_scope
from scripts.stack import Stack
from tests.conftest import (
    api_client,
    chromium_page,
    log_in,
    needs_chromium,
    seeded_database,
)
from tests.test_staff_api import PASSWORD, token

STAFF = {
    "quantri": [Role.admin],
    "xuly": [Role.complaint_handler],
    "quay": [Role.counter_officer],
    "bientap": [Role.kb_editor],
}
NAME, PHONE = "Nguyễn Thị Lan", "0912345678"
LATE_STORY = "Hẹn trả kết quả khai sinh từ thứ hai mà đến nay vẫn chưa có. Mong Trung tâm kiểm tra giúp."
HOSTILE = "<script>alert(1)</script> <b>đậm</b>"


def prepare(url: str) -> None:
    with session_scope(url) as session:
        for username, roles in STAFF.items():
            accounts.create_user(session, username, PASSWORD, roles)


def submit(url: str, content: str = LATE_STORY, category: str = "late") -> str:
    """A complaint sent with the citizen's contact data; its code."""
    with session_scope(url) as session:
        return complaints.submit(session, category, content, "zalo", "s1",
                                 contact=Contact(NAME, PHONE), consent=True).code


@pytest.fixture()
def url(tmp_path):
    database = seeded_database(tmp_path)
    prepare(database)
    return database


@pytest.fixture()
def client(url):
    with api_client(url) as test_client:
        yield test_client


def headers(client, username):
    return token(client, username, PASSWORD)


@pytest.mark.parametrize("username, reads, changes, sees_contact", [
    ("quantri", 200, 200, True),
    ("xuly", 200, 200, True),
    ("quay", 200, 403, False),
    ("bientap", 403, 403, False),
])
def test_roles(client, url, username, reads, changes, sees_contact):
    code = submit(url)
    auth = headers(client, username)
    listed = client.get("/api/complaints", headers=auth)
    one = client.get(f"/api/complaints/{code}", headers=auth)
    assert (listed.status_code, one.status_code) == (reads, reads)
    if reads == 200:
        assert [c["code"] for c in listed.json()] == [code] and one.json()["content"] == LATE_STORY
        assert one.json()["contact_hidden"] is not sees_contact
        assert (PHONE in listed.text, PHONE in one.text, NAME in one.text) == (sees_contact,) * 3
    answered = client.post(f"/api/complaints/{code}/answer", json={"answer": "Đã trả kết quả."}, headers=auth)
    assert answered.status_code == changes
    if changes == 403:
        for action, body in (("assign", {"assignee": "xuly"}), ("processing", {}),
                             ("transfer", {"agency": "Thanh tra tỉnh"})):
            assert client.post(f"/api/complaints/{code}/{action}", json=body, headers=auth).status_code == 403


def test_a_login_is_needed(client, url):
    code = submit(url)
    assert client.get("/api/complaints").status_code == 401
    assert client.get(f"/api/complaints/{code}").status_code == 401
    assert client.post(f"/api/complaints/{code}/answer", json={"answer": "x"}).status_code == 401


def test_handler_assigns_then_answers_and_transfers_another(client, url):
    code, other = submit(url), submit(url, "Nhà vệ sinh tầng 1 bị hỏng vòi nước.", "facilities")
    auth = headers(client, "xuly")

    def post(path, body=None):
        response = client.post(f"/api/complaints/{path}", json=body, headers=auth)
        return response.status_code, response.json()

    received = client.get("/api/complaints?state=received", headers=auth).json()
    assert [c["code"] for c in received] == [other, code]  # newest first
    assert (received[1]["state_label"], received[1]["category_label"]) == ("Đã tiếp nhận", "Trễ hẹn trả kết quả")
    status, assigned = post(f"{code}/assign", {"assignee": "xuly", "version": 1})
    assert (status, assigned["assignee"], assigned["state"], assigned["version"]) == (200, "xuly", "processing", 2)
    assert [c["code"] for c in client.get("/api/complaints?assignee=xuly", headers=auth).json()] == [code]
    status, answered = post(f"{code}/answer", {"answer": "Trung tâm đã trả kết quả ngày 25/11.", "version": 2})
    assert (status, answered["state_label"], answered["version"]) == (200, "Đã trả lời", 3)
    status, refused = post(f"{code}/transfer", {"agency": "Thanh tra tỉnh"})
    assert status == 400 and "đã đóng" in refused["detail"]
    assert post(f"{other}/processing")[1]["state"] == "processing"
    status, moved = post(f"{other}/transfer", {"agency": "Ban Quản lý chợ"})
    assert (status, moved["state"], moved["transferred_to"]) == (200, "transferred", "Ban Quản lý chợ")
    assert [c["code"] for c in client.get("/api/complaints?state=transferred", headers=auth).json()] == [other]


def test_refusals_say_why(client, url):
    code = submit(url)
    auth = headers(client, "xuly")
    unknown = client.get("/api/complaints/PA-20200101-0001", headers=auth)
    assert unknown.status_code == 404 and unknown.json()["detail"] == "Không có phản ánh mã PA-20200101-0001."
    empty = client.post(f"/api/complaints/{code}/answer", json={"answer": "   "}, headers=auth)
    assert empty.status_code == 400 and "nội dung trả lời" in empty.json()["detail"]
    stranger = client.post(f"/api/complaints/{code}/assign", json={"assignee": "bientap"}, headers=auth)
    assert stranger.status_code == 400 and "cán bộ xử lý phản ánh" in stranger.json()["detail"]
    assert client.get("/api/complaints?state=closed", headers=auth).status_code == 422


def test_a_stale_version_gets_409_and_changes_nothing(client, url):
    code = submit(url)
    auth = headers(client, "xuly")
    assert client.post(f"/api/complaints/{code}/assign", json={"assignee": "xuly", "version": 1},
                       headers=auth).json()["version"] == 2
    stale = client.post(f"/api/complaints/{code}/answer", json={"answer": "Đã xử lý.", "version": 1},
                        headers=auth)
    assert stale.status_code == 409 and "phiên bản hiện tại 2" in stale.json()["detail"]
    assert client.get(f"/api/complaints/{code}", headers=auth).json()["state"] == "processing"


def test_contact_data_never_reaches_the_logs(client, url, caplog):
    caplog.set_level(logging.DEBUG)
    code = submit(url)
    auth = headers(client, "xuly")
    client.get("/api/complaints", headers=auth)
    client.get(f"/api/complaints/{code}", headers=auth)
    client.post(f"/api/complaints/{code}/assign", json={"assignee": "xuly"}, headers=auth)
    client.post(f"/api/complaints/{code}/answer", json={"answer": "Đã trả kết quả."}, headers=auth)
    assert caplog.records  # the capture works: requests are logged, without contact data
    assert PHONE not in caplog.text and NAME not in caplog.text


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The staff app on its own, with a hostile complaint and an ordinary one."""
    workdir = tmp_path_factory.mktemp("complaint_pages")
    stack = Stack(workdir=workdir, database_url=seeded_database(workdir))
    prepare(stack.database_url)
    codes = {"hostile": submit(stack.database_url, HOSTILE, "other"), "late": submit(stack.database_url)}
    stack.start_api()
    yield stack, codes
    stack.stop()


@needs_chromium
def test_handler_reads_the_content_as_text_assigns_and_answers(pages):
    stack, codes = pages
    with chromium_page(stack.api_url) as page:
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        log_in(page, "xuly", PASSWORD)
        page.click("header a:has-text('Phản ánh')")
        page.wait_for_selector("#complaints")
        page.select_option("#state", "received")
        page.click("button:has-text('Lọc')")
        page.wait_for_url("**state=received**")
        page.click(f"a:has-text('{codes['hostile']}')")
        page.wait_for_selector("#content")
        assert page.inner_text("#content") == HOSTILE
        assert page.locator("#content b, #content script").count() == 0
        assert PHONE in page.inner_text("#contact")
        page.click("button:has-text('Phân công')")
        page.wait_for_selector("#message")
        assert page.inner_text("#state") == "Đang xử lý" and page.inner_text("#assignee") == "xuly"
        page.fill("#answer-text", "Cảm ơn Anh/Chị đã góp ý.\nTrung tâm đã kiểm tra và chấn chỉnh.")
        page.click("button:has-text('Gửi trả lời')")
        page.wait_for_selector("#answer")
        assert page.inner_text("#state") == "Đã trả lời"
        assert page.locator("button:has-text('Gửi trả lời')").count() == 0
        assert dialogs == []


@needs_chromium
def test_counter_officer_reads_without_contact_or_forms(pages):
    stack, codes = pages
    with chromium_page(stack.api_url) as page:
        log_in(page, "quay", PASSWORD)
        page.goto(f"/staff/complaints/{codes['late']}")
        page.wait_for_selector("#contact")
        assert page.inner_text("#contact") == "Đã ẩn (chỉ cán bộ xử lý phản ánh được xem)"
        assert PHONE not in page.content() and NAME not in page.content()
        assert page.locator("button:has-text('Gửi trả lời')").count() == 0
        assert "Mong Trung tâm kiểm tra giúp." in page.inner_text("#content")
