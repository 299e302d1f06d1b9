"""Handing a conversation to an officer and back: chat pauses, the robot sends to the desk."""
import httpx
import pytest

from procedure_kb import accounts
from procedure_kb.accounts import Role
from procedure_kb.db import session_scope
from tests.conftest import Conversation, chromium_page, log_in, needs_chromium

pytestmark = pytest.mark.stack
PASSWORD = "mat-khau-ho-tro"


@pytest.fixture(scope="module")
def api(stack):
    with session_scope(stack.database_url) as session:
        accounts.create_user(session, "can_bo_ho_tro", PASSWORD, [Role.counter_officer])
        accounts.create_user(session, "bien_tap", PASSWORD, [Role.kb_editor])
    with httpx.Client(base_url=stack.api_url, timeout=30) as client:
        yield client


def bearer(api, username):
    token = api.post("/api/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def open_handover(api, sender):
    listed = api.get("/api/handovers", headers=bearer(api, "can_bo_ho_tro")).json()
    return next(h for h in listed if h["sender_id"] == sender)


def test_chat_handover_pauses_the_bot_until_the_officer_gives_it_back(stack, api):
    citizen = Conversation(stack)
    assert "đã chuyển cuộc trò chuyện cho cán bộ" in citizen.say_text("cho tôi gặp cán bộ")
    assert citizen.say("tôi cần hỏi về thửa đất số 123 bị cấp trùng") == []  # the bot stays silent
    found = open_handover(api, citizen.sender)
    assert (found["channel"], found["reason"], found["state"]) == ("rest", "asked", "waiting")
    officer = bearer(api, "can_bo_ho_tro")
    detail = api.get(f"/api/handovers/{found['id']}", headers=officer).json()
    assert detail["transcript"][-1] == {**detail["transcript"][-1], "author": "citizen",
                                        "text": "tôi cần hỏi về thửa đất số 123 bị cấp trùng"}
    sent = api.post(f"/api/handovers/{found['id']}/reply", headers=officer,
                    json={"text": "Dạ, Anh mang sổ đỏ đến quầy số 3 giúp em ạ."})
    assert sent.json() == {"delivered": True}
    detail = api.get(f"/api/handovers/{found['id']}", headers=officer).json()
    assert detail["state"] == "active" and detail["taken_by"] == "can_bo_ho_tro"
    assert {"author": "can_bo_ho_tro", "text": "Dạ, Anh mang sổ đỏ đến quầy số 3 giúp em ạ."}.items() \
        <= detail["transcript"][-1].items()
    closed = api.post(f"/api/handovers/{found['id']}/close", headers=officer).json()
    assert closed["state"] == "closed"
    assert "khai sinh" in citizen.say_text("làm khai sinh cần giấy tờ gì").lower()
    assert all(h["sender_id"] != citizen.sender
               for h in api.get("/api/handovers", headers=officer).json())


def test_two_fallbacks_in_a_row_hand_over(stack, api):
    citizen = Conversation(stack)
    first = citizen.say_text("qwzx plok vrrt")
    assert "cán bộ" in first and "đã chuyển" not in first
    assert "đã chuyển cuộc trò chuyện cho cán bộ" in citizen.say_text("zzkq wvx trrp")
    assert open_handover(api, citizen.sender)["reason"] == "fallbacks"


def test_robot_sends_the_citizen_to_the_desk_and_keeps_answering(stack, api):
    citizen = Conversation(stack, channel="robot")
    assert "đến Quầy Hướng dẫn chung" in citizen.say_text("cho tôi gặp người thật")
    assert open_handover(api, citizen.sender)["channel"] == "robot"
    assert "khai sinh" in citizen.say_text("làm khai sinh cần giấy tờ gì").lower()


def test_only_officers_see_the_inbox_and_bad_replies_are_refused(stack, api):
    assert api.get("/api/handovers").status_code == 401
    assert api.get("/api/handovers", headers=bearer(api, "bien_tap")).status_code == 403
    officer = bearer(api, "can_bo_ho_tro")
    assert api.get("/api/handovers/999999", headers=officer).status_code == 404
    citizen = Conversation(stack)
    citizen.say("cho tôi nói chuyện với cán bộ")
    found = open_handover(api, citizen.sender)
    assert api.post(f"/api/handovers/{found['id']}/reply", headers=officer,
                    json={"text": ""}).status_code == 422
    assert api.post(f"/api/handovers/{found['id']}/reply", headers=officer,
                    json={"text": "x" * 2001}).status_code == 422
    api.post(f"/api/handovers/{found['id']}/close", headers=officer)
    assert api.post(f"/api/handovers/{found['id']}/reply", headers=officer,
                    json={"text": "muộn rồi"}).status_code == 400


@needs_chromium
def test_officer_answers_from_the_inbox_page(stack, api):
    citizen = Conversation(stack)
    citizen.say("cho gặp cán bộ")
    citizen.say("<b>con tôi</b> sinh ở nước ngoài thì đăng ký thế nào")
    handover_id = open_handover(api, citizen.sender)["id"]
    with chromium_page(stack.api_url) as page:
        log_in(page, "can_bo_ho_tro", PASSWORD)
        page.click("a[href='/staff/inbox']")
        page.wait_for_selector("#handovers")
        page.click(f"a[href='/staff/inbox/{handover_id}']")
        page.wait_for_selector("#transcript")
        assert "<b>con tôi</b> sinh ở nước ngoài" in page.inner_text("#transcript")
        assert page.locator("#transcript b").count() == 0
        page.fill("#reply textarea", "Dạ, Chị đến quầy số 1 để được hướng dẫn ghi chú khai sinh ạ.")
        page.click("#reply button")
        page.wait_for_selector("text=Đã gửi câu trả lời.")
        assert "Cán bộ can_bo_ho_tro" in page.inner_text("#transcript")
        page.click("button:has-text('Kết thúc, trả lại cho trợ lý')")
        page.wait_for_selector("text=Đã kết thúc hỗ trợ")
    assert citizen.say_text("xin chào").startswith("Dạ, em chào Anh/Chị")
