"""The Zalo channel end to end: the fake OA signs and posts real webhook events to the
running Rasa server, and records what the bot sends back through the real send client."""
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bot.channels.server_hooks import APOLOGY
from procedure_kb import accounts, handover_service
from procedure_kb.accounts import Role
from procedure_kb.db import session_scope
from tests.conftest import ZaloCitizen, chromium_page, needs_chromium

pytestmark = pytest.mark.stack
PASSWORD = "mat-khau-zalo"


@pytest.fixture()
def citizen(stack):
    return ZaloCitizen(stack)


def stats(stack) -> dict:
    return httpx.get(f"{stack.zalo_url}/fake/stats").json()


def test_a_conversation_with_follow_ups(citizen):
    answer = citizen.text(citizen.say("làm khai sinh cần giấy tờ gì"))
    assert "khai sinh" in answer.lower() and answer.startswith("Dạ")
    assert "lệ phí" in citizen.text(citizen.say("còn lệ phí thì sao")).lower()


def test_buttons_come_as_zalo_buttons_and_their_payload_comes_back_as_text(citizen):
    asked = citizen.say("lệ phí bao nhiêu vậy em")
    buttons = [b for m in asked for b in (m["buttons"] or [])]
    assert buttons and all(b["type"] == "oa.query.hide" and len(b["title"]) <= 100 for b in buttons)
    procedure = next(b for b in buttons if b["payload"].startswith('/inform{"procedure"'))
    assert "lệ phí" in citizen.text(citizen.say(procedure["payload"])).lower()


def test_follow_gets_a_welcome_and_other_events_a_fitting_answer(citizen):
    assert citizen.post(event="follow")["status"] == 200
    assert "Lễ tân số" in citizen.text(citizen.replies())
    citizen.post(event="user_send_image",
                 attachments=[{"type": "image", "payload": {"url": "https://example.vn/a.jpg"}}])
    assert "đã nhận được tệp" in citizen.text(citizen.replies())
    citizen.post(event="user_send_sticker")
    assert "chỉ đọc được tin nhắn chữ" in citizen.text(citizen.replies())
    for quiet in ("user_seen_message", "unfollow", "some_unknown_event"):
        assert citizen.post(event=quiet)["status"] == 200
    assert citizen.replies(at_least=0, timeout=3) == []


def test_retries_are_answered_once(citizen):
    assert citizen.post(text="xin chào", resend=3)["status"] == 200
    assert len(citizen.replies(timeout=10)) == 1


def test_bad_signatures_and_replays_are_refused(citizen):
    assert citizen.post(text="xin chào", bad_signature=True)["status"] == 401
    old = int((time.time() - 3600) * 1000)
    assert citizen.post(text="xin chào", timestamp=old)["status"] == 401
    assert citizen.replies(at_least=0, timeout=3) == []


def test_messages_in_quick_succession_are_each_answered(citizen):
    """The webhook only acknowledges; the answers follow (timings: scripts/bench_zalo.py)."""
    for n in range(5):
        assert citizen.post(text=f"câu hỏi số {n} về khai sinh")["status"] == 200
    assert len(citizen.replies(at_least=5)) >= 5


def test_expired_token_is_refreshed_once_for_concurrent_sends(stack):
    before = stats(stack)["refresh_calls"]
    httpx.post(f"{stack.zalo_url}/fake/expire-token")
    citizens = [ZaloCitizen(stack) for _ in range(5)]
    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(lambda c: c.text(c.say("xin chào")), citizens))
    assert all(answer.startswith("Dạ, em chào") for answer in answers)
    assert stats(stack)["refresh_calls"] == before + 1


def test_zalo_errors_and_dropped_connections(stack, citizen):
    httpx.post(f"{stack.zalo_url}/fake/faults", json={"drop_connections": 1})
    assert citizen.text(citizen.say("xin chào")).startswith("Dạ, em chào")  # retried
    httpx.post(f"{stack.zalo_url}/fake/faults", json={"send_errors": [-201]})
    # Refused by Zalo: logged, not retried; the turn failed, so the channel apologises.
    assert [m["text"] for m in citizen.say("xin chào", timeout=5)] == [APOLOGY]
    assert citizen.text(citizen.say("cảm ơn em")).startswith("Dạ")  # the channel keeps serving


@pytest.fixture(scope="module")
def officer(stack):
    with session_scope(stack.database_url) as session:
        accounts.create_user(session, "can_bo_zalo", PASSWORD, [Role.counter_officer, Role.complaint_handler])
    token = httpx.post(f"{stack.api_url}/api/auth/token",
                       json={"username": "can_bo_zalo", "password": PASSWORD}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_queue_call_and_complaint_answer_reach_the_citizen_first(stack, citizen, officer):
    issued = citizen.text(citizen.say("cho tôi lấy số quầy kinh doanh thuế"))
    code = issued.split("số thứ tự của Anh/Chị là ")[1][:4]
    for _ in range(30):  # earlier tests may have left tickets before this one
        called = httpx.post(f"{stack.api_url}/api/queue/counters/5/call-next", headers=officer).json()
        if called.get("code") in (code, None):
            break
    assert called["code"] == code, called
    assert f"mời Anh/Chị có số thứ tự {code} đến quầy số 5" in citizen.text(citizen.replies())

    citizen.say("tôi muốn phản ánh")
    citizen.say("Cán bộ quầy 6 trễ hẹn trả kết quả hai tuần rồi")
    citizen.say("Gửi ẩn danh")
    complaint = citizen.text(citizen.say("Gửi phản ánh")).split("mã tra cứu là ")[1][:16]
    httpx.post(f"{stack.api_url}/api/complaints/{complaint}/answer", headers=officer,
               json={"answer": "Trung tâm đã trả kết quả và xin lỗi Anh/Chị."})
    assert "Trung tâm đã trả kết quả và xin lỗi" in citizen.text(citizen.replies())


def test_officer_replies_to_a_zalo_citizen_during_a_handover(stack, citizen, officer):
    citizen.say("cho tôi gặp cán bộ")
    citizen.post(event="user_send_file",
                 attachments=[{"type": "file", "payload": {"url": "https://example.vn/don.pdf", "name": "don.pdf"}}])
    listed = httpx.get(f"{stack.api_url}/api/handovers", headers=officer).json()
    handover = next(h for h in listed if h["sender_id"] == citizen.user_id)
    sent = httpx.post(f"{stack.api_url}/api/handovers/{handover['id']}/reply", headers=officer,
                      json={"text": "Dạ, em là cán bộ Lan, em nghe đây ạ."}).json()
    assert sent == {"delivered": True}
    assert "em là cán bộ Lan" in citizen.text(citizen.replies())
    with session_scope(stack.database_url) as session:
        files = handover_service.view(session, handover["id"]).files
    assert [(f["name"], f["url"]) for f in files] == [("don.pdf", "https://example.vn/don.pdf")]


@needs_chromium
def test_the_zalo_style_chat_page_talks_to_the_real_bot(stack):
    with chromium_page(stack.zalo_url) as page:
        page.goto("/")
        page.fill("#message-text", "lệ phí bao nhiêu vậy em")
        page.click("button:has-text('Gửi')")
        page.wait_for_selector(".row.oa .choice", timeout=30000)
        assert "thủ tục nào" in page.inner_text("#conversation")
        citizen_bubbles = page.locator(".row.citizen").count()
        page.locator(".row.oa .choice").first.click()  # oa.query.hide: no citizen bubble
        page.locator(".row.oa").nth(2).wait_for(timeout=30000)
        assert page.locator(".row.citizen").count() == citizen_bubbles
        assert "lệ phí" in page.inner_text("#conversation").lower()
