"""The fake Zalo OA (scripts/fake_zalo.py): signed webhook events, the OA API, faults, chat page.

Fast and Rasa-free: the fake and a small webhook receiver run under uvicorn in threads.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Sequence

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request

from scripts.fake_zalo import (
    INVALID_ACCESS_TOKEN,
    MAX_BUTTON_TITLE_CHARS,
    MAX_TEXT_CHARS,
    OAUTH_INVALID_APP_ID,
    OAUTH_INVALID_REFRESH_TOKEN,
    OAUTH_INVALID_SECRET_KEY,
    PARAMETER_OVER_LIMIT,
    FakeOAConfig,
    create_app,
)
from scripts.stack import free_port
from tests.conftest import chromium_page, needs_chromium

WEBHOOK_PATH = "/webhooks/zalo/webhook"
CITIZEN = "8123456789012345678"


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """`app` under uvicorn on a free loopback port, in a thread."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), ws="none",
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class ReceivedPost:
    raw: bytes
    headers: Dict[str, str]

    @property
    def event(self) -> Dict[str, Any]:
        return json.loads(self.raw)


@dataclass
class WebhookReceiver:
    """Stands in for the bot's webhook: records the raw bytes and headers of every post."""

    url: str = ""
    posts: List[ReceivedPost] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post(WEBHOOK_PATH)
        async def receive(request: Request) -> Dict[str, str]:
            self.posts.append(ReceivedPost(await request.body(), dict(request.headers)))
            return {"status": "ok"}

        return app


@pytest.fixture(scope="module")
def receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    with served(receiver.app()) as url:
        receiver.url = url + WEBHOOK_PATH
        yield receiver


@dataclass
class Fake:
    config: FakeOAConfig
    client: httpx.Client

    def citizen(self, user_id: str = CITIZEN, **body: Any) -> Dict[str, Any]:
        response = self.client.post(f"/fake/users/{user_id}/send", json=body)
        response.raise_for_status()
        return response.json()

    def reply(self, text: str, buttons: Sequence[Dict[str, Any]] = (), user_id: str = CITIZEN,
              access_token: str = "") -> Dict[str, Any]:
        message: Dict[str, Any] = {"text": text}
        if buttons:
            message["attachment"] = {"type": "template", "payload": {"buttons": list(buttons)}}
        response = self.client.post("/v3.0/oa/message/cs", json={"recipient": {"user_id": user_id}, "message": message},
                                    headers={"access_token": access_token or self.stats()["access_token"]})
        assert response.status_code == 200  # Zalo answers errors with 200 too
        return response.json()

    def refresh(self, refresh_token: str, secret_key: str = "", app_id: str = "") -> Dict[str, Any]:
        form = {"refresh_token": refresh_token, "app_id": app_id or self.config.app_id, "grant_type": "refresh_token"}
        response = self.client.post("/v4/oa/access_token", data=form,
                                    headers={"secret_key": secret_key or self.config.app_secret})
        assert response.status_code == 200
        return response.json()

    def faults(self, **faults: Any) -> None:
        self.client.post("/fake/faults", json=faults).raise_for_status()

    def stats(self) -> Dict[str, Any]:
        return self.client.get("/fake/stats").json()


@pytest.fixture()
def fake(receiver: WebhookReceiver) -> Iterator[Fake]:
    """A fresh fake OA whose webhook is the receiver (emptied first)."""
    receiver.posts.clear()
    config = FakeOAConfig(webhook_url=receiver.url)
    with served(create_app(config)) as url, httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
        yield Fake(config, client)


def expected_signature(app_id: str, raw: bytes, timestamp: str, secret: str) -> str:
    return "mac=" + hashlib.sha256(app_id.encode() + raw + timestamp.encode() + secret.encode()).hexdigest()


def button(title: str, payload: str) -> Dict[str, str]:
    return {"title": title, "payload": payload, "type": "oa.query.hide"}


def wait_for(condition: Callable[[], Any], seconds: float = 10) -> Any:
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return result


def test_text_event_is_zalo_shaped_and_signed_over_the_raw_bytes(fake: Fake, receiver: WebhookReceiver) -> None:
    result = fake.citizen(text="Làm khai sinh cần gì?")

    assert result["status"] == 200 and result["ack_ms"] >= 0 and result["error"] is None
    (post,) = receiver.posts
    event = post.event
    assert event["event_name"] == "user_send_text"
    assert event["app_id"] == fake.config.app_id and event["user_id_by_app"].isdigit()
    assert event["sender"] == {"id": CITIZEN} and event["recipient"] == {"id": fake.config.oa_id}
    assert event["message"] == {"msg_id": result["msg_id"], "text": "Làm khai sinh cần gì?"}
    assert event["timestamp"].isdigit() and abs(int(event["timestamp"]) - time.time() * 1000) < 60_000
    assert "Làm khai sinh".encode() in post.raw  # UTF-8 as is: re-serialising would not match
    assert post.headers["x-zevent-signature"] == expected_signature(
        event["app_id"], post.raw, event["timestamp"], fake.config.oa_secret_key)


def test_follow_has_a_follower_and_no_sender(fake: Fake, receiver: WebhookReceiver) -> None:
    result = fake.citizen(event="follow")

    event = receiver.posts[0].event
    assert event["event_name"] == "follow" and event["follower"] == {"id": CITIZEN}
    assert "sender" not in event and "message" not in event and result["msg_id"] is None
    assert receiver.posts[0].headers["x-zevent-signature"] == expected_signature(
        fake.config.app_id, receiver.posts[0].raw, event["timestamp"], fake.config.oa_secret_key)


def test_attachments_receipts_and_unknown_events(fake: Fake, receiver: WebhookReceiver) -> None:
    fake.citizen(event="user_send_image")
    fake.citizen(event="user_send_location")
    reply_id = fake.reply("Dạ, tôi xem giúp anh/chị.")["data"]["message_id"]
    fake.citizen(event="user_seen_message")
    fake.citizen(event="some_unknown_event")

    image, location, seen, unknown = (post.event for post in receiver.posts)
    (picture,) = image["message"]["attachments"]
    assert picture["type"] == "image" and "url" in picture["payload"]
    assert "coordinates" in location["message"]["attachments"][0]["payload"]
    assert seen["message"] == {"msg_ids": [reply_id]} and seen["recipient"] == {"id": CITIZEN}
    assert unknown["event_name"] == "some_unknown_event" and unknown["sender"] == {"id": CITIZEN}


def test_resend_posts_identical_bytes_with_the_forced_msg_id_and_timestamp(
        fake: Fake, receiver: WebhookReceiver) -> None:
    old = int(time.time() * 1000) - 3_600_000

    result = fake.citizen(text="lệ phí bao nhiêu", msg_id="dup-1", timestamp=old, resend=3)

    assert [delivery["status"] for delivery in result["deliveries"]] == [200, 200, 200]
    assert len({post.raw for post in receiver.posts}) == 1 and len(receiver.posts) == 3
    assert len({post.headers["x-zevent-signature"] for post in receiver.posts}) == 1
    assert receiver.posts[0].event["message"]["msg_id"] == "dup-1" == result["msg_id"]
    assert receiver.posts[0].event["timestamp"] == str(old)


def test_bad_signature_differs_from_the_right_one(fake: Fake, receiver: WebhookReceiver) -> None:
    fake.citizen(text="xin chào", bad_signature=True)

    post = receiver.posts[0]
    right = expected_signature(fake.config.app_id, post.raw, post.event["timestamp"], fake.config.oa_secret_key)
    assert post.headers["x-zevent-signature"].startswith("mac=") and post.headers["x-zevent-signature"] != right


def test_unreachable_webhook_is_reported(receiver: WebhookReceiver) -> None:
    config = FakeOAConfig(webhook_url=f"http://127.0.0.1:{free_port()}{WEBHOOK_PATH}")
    with served(create_app(config)) as url:
        result = httpx.post(f"{url}/fake/users/{CITIZEN}/send", json={"text": "a"}, trust_env=False).json()
    assert result["status"] is None and "ConnectError" in result["error"]


def test_accepted_messages_are_recorded_per_user_and_read_after_an_index(fake: Fake) -> None:
    first = fake.reply("Chào anh/chị.")
    fake.reply("Anh/chị cần làm thủ tục nào?", [button("Khai sinh", "/khai_sinh"), button("Kết hôn", "/ket_hon")])
    fake.reply("Tin cho người khác.", user_id="other")

    assert first == {"error": 0, "message": "Success", "data": {"message_id": first["data"]["message_id"],
                                                                "user_id": CITIZEN}}
    everything = fake.client.get(f"/fake/users/{CITIZEN}/messages").json()["messages"]
    assert [message["index"] for message in everything] == [1, 2]
    later = fake.client.get(f"/fake/users/{CITIZEN}/messages", params={"after": 1}).json()["messages"]
    assert [message["text"] for message in later] == ["Anh/chị cần làm thủ tục nào?"]
    assert [b["payload"] for b in later[0]["buttons"]] == ["/khai_sinh", "/ket_hon"]
    assert later[0]["time"] >= everything[0]["time"] > 0
    assert fake.stats()["messages_accepted"] == 3


def test_expired_or_wrong_token_gets_216_until_refreshed(fake: Fake) -> None:
    token = fake.stats()["access_token"]
    assert fake.reply("a", access_token="not-the-token")["error"] == INVALID_ACCESS_TOKEN

    fake.client.post("/fake/expire-token").raise_for_status()
    assert fake.reply("a", access_token=token) == {"error": INVALID_ACCESS_TOKEN, "message": "Access token is invalid"}

    new = fake.refresh(fake.config.refresh_token)
    assert fake.reply("a", access_token=new["access_token"])["error"] == 0


def test_refresh_tokens_are_single_use(fake: Fake) -> None:
    old_access = fake.stats()["access_token"]
    assert fake.refresh(fake.config.refresh_token, secret_key="wrong")["error"] == OAUTH_INVALID_SECRET_KEY
    assert fake.refresh(fake.config.refresh_token, app_id="123")["error"] == OAUTH_INVALID_APP_ID

    new = fake.refresh(fake.config.refresh_token)
    assert new["expires_in"] == "90000" and new["refresh_token"] != fake.config.refresh_token
    reused = fake.refresh(fake.config.refresh_token)

    assert reused["error"] == OAUTH_INVALID_REFRESH_TOKEN and reused["error_name"] and reused["error_description"]
    assert fake.reply("a", access_token=old_access)["error"] == INVALID_ACCESS_TOKEN
    assert fake.reply("a", access_token=new["access_token"])["error"] == 0
    assert fake.refresh(new["refresh_token"])["access_token"]
    stats = fake.stats()
    assert (stats["refresh_calls"], stats["refreshes"]) == (5, 2)


def test_concurrent_refreshes_with_one_token_succeed_once(fake: Fake) -> None:
    fake.faults(refresh_delay_seconds=0.2)
    form = {"refresh_token": fake.config.refresh_token, "app_id": fake.config.app_id, "grant_type": "refresh_token"}

    async def refresh_twice() -> List[Dict[str, Any]]:
        async with httpx.AsyncClient(base_url=str(fake.client.base_url), trust_env=False) as client:
            responses = await asyncio.gather(*(client.post("/v4/oa/access_token", data=form,
                                                           headers={"secret_key": fake.config.app_secret})
                                               for _ in range(2)))
        return [response.json() for response in responses]

    results = asyncio.run(refresh_twice())
    assert sorted("access_token" in result for result in results) == [False, True]
    assert fake.stats()["refreshes"] == 1


def test_text_over_2000_characters_and_title_over_100_are_refused(fake: Fake) -> None:
    assert fake.reply("x" * MAX_TEXT_CHARS)["error"] == 0
    assert fake.reply("x" * (MAX_TEXT_CHARS + 1))["error"] == PARAMETER_OVER_LIMIT
    assert fake.reply("chọn", [button("t" * MAX_BUTTON_TITLE_CHARS, "/a")])["error"] == 0
    assert fake.reply("chọn", [button("t" * (MAX_BUTTON_TITLE_CHARS + 1), "/a")])["error"] == PARAMETER_OVER_LIMIT
    assert fake.reply("chọn", [{"title": "x", "payload": "/a", "type": "oa.bad"}])["error"] < 0
    assert fake.stats()["messages_accepted"] == 2


def test_injected_errors_are_consumed_one_per_send(fake: Fake) -> None:
    fake.faults(send_errors=[INVALID_ACCESS_TOKEN, -32])

    codes = [fake.reply("a")["error"] for _ in range(3)]

    assert codes == [INVALID_ACCESS_TOKEN, -32, 0]


def test_dropped_connections_and_delays(fake: Fake) -> None:
    fake.faults(drop_connections=1)
    # Closed without an answer: seen as a closed (FIN) or a reset (RST) connection, by timing;
    # the send client retries on both (httpx.TransportError).
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        fake.reply("a")
    assert fake.reply("a")["error"] == 0

    fake.faults(delay_seconds=0.3)
    started = time.perf_counter()
    assert fake.reply("a")["error"] == 0
    assert time.perf_counter() - started >= 0.3
    assert fake.stats()["send_calls"] == 3


def test_chat_page_is_vietnamese_accessible_and_never_uses_inner_html(fake: Fake) -> None:
    page = fake.client.get("/chat")
    script = fake.client.get("/static/fake-zalo/chat.js").text

    assert 'lang="vi"' in page.text and "Trung tâm phục vụ hành chính công" in page.text
    assert "Nhập tin nhắn…" in page.text and ">Gửi<" in page.text and 'aria-live="polite"' in page.text
    assert '<label for="message-text"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "innerHTML" not in script and "textContent" in script
    assert fake.client.get("/").text == page.text


@needs_chromium
def test_chat_page_in_chromium(fake: Fake, receiver: WebhookReceiver) -> None:
    base_url = str(fake.client.base_url)
    with chromium_page(base_url) as page:
        page.goto("/")
        page.fill("#message-text", "Xin chào trung tâm")
        page.get_by_role("button", name="Gửi").click()
        post = wait_for(lambda: receiver.posts and receiver.posts[-1])
        user_id = page.evaluate("localStorage.getItem('fakeZaloUserId')")
        assert post.event["message"]["text"] == "Xin chào trung tâm" and post.event["sender"]["id"] == user_id
        assert page.locator(".row.citizen .bubble").all_text_contents() == ["Xin chào trung tâm"]

        fake.reply("Anh/chị chọn <b>x</b> thủ tục:", [button("Khai sinh", "/inform_khai_sinh"),
                                                       button("Kết hôn", "/inform_ket_hon")], user_id=user_id)
        page.locator(".row.oa .bubble").wait_for()
        assert page.locator(".row.oa .bubble").text_content() == "Anh/chị chọn <b>x</b> thủ tục:"
        assert page.locator(".row.oa b").count() == 0
        assert page.locator(".row.oa .choice").all_text_contents() == ["Khai sinh", "Kết hôn"]

        page.get_by_role("button", name="Kết hôn").click()
        post = wait_for(lambda: len(receiver.posts) == 2 and receiver.posts[-1])
        assert post.event["message"]["text"] == "/inform_ket_hon"
        assert page.locator(".row.citizen").count() == 1
