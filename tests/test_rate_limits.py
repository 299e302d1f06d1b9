"""Rate limits: the sliding windows (procedure_kb/rate_windows.py) and the webhook limits and
request size limit on real Rasa servers (bot/channels/webhook_limits.py, server_hooks.py).

Redis is this machine's (127.0.0.1:6379, skipped without it). The unit tests each use their
own key prefix. The Rasa servers use the production prefix, so their senders, addresses and
Zalo users carry this module's TAG, and their keys are deleted afterwards.
"""
from __future__ import annotations

import itertools
import json
import logging
import secrets
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, List

import httpx
import pytest
from sqlalchemy import select

from bot.channels.server_hooks import MAX_REQUEST_BYTES
from procedure_kb import rate_windows
from procedure_kb.db import session_scope
from procedure_kb.models import ZaloEvent
from procedure_kb.rate_windows import (
    KEY_PREFIX,
    RedisSlidingWindow,
    SlidingWindow,
    client_address,
    window_for,
)
from procedure_kb.settings import Settings
from scripts.fake_zalo import zalo_signature
from scripts.stack import MODEL, ZALO_DEVELOPMENT, Stack, free_port, seeded_database
from tests.conftest import delete_keys, rate_redis

LIMIT = 3
TAG = secrets.token_hex(2)  # 4 hex digits: also a valid IPv6 group
NUMBERS = itertools.count(1)


# --- the windows --------------------------------------------------------------------------------

def test_sliding_window_slides_and_forgets_idle_clients():
    now = [0.0]
    window = SlidingWindow(window=60, max_keys=3, clock=lambda: now[0])
    assert [window.hit("a", 2) for _ in range(2)] == [0, 0]
    now[0] = 10
    assert window.hit("a", 2) == 50  # the first hit leaves the window at 60
    now[0] = 60.5
    assert window.hit("a", 2) == 0
    for key in "bcde":
        window.hit(key, 2)
    assert len(window) == 3  # bounded: the longest idle are forgotten
    now[0] = 200
    window.hit("f", 2)
    assert len(window) == 1  # everyone else was idle for a whole window


@pytest.fixture()
def redis_windows(rate_key_prefix: str) -> Iterator[List[RedisSlidingWindow]]:
    """Two windows on one Redis prefix, as two API workers or two Rasa servers."""
    windows = [RedisSlidingWindow(prefix=rate_key_prefix, window=1.0) for _ in range(2)]
    yield windows
    for window in windows:
        window.close()


def test_redis_window_refuses_past_the_limit_without_counting_the_refusal(redis_windows, rate_key_prefix):
    window = redis_windows[0]
    assert [window.hit("a", 3) for _ in range(3)] == [0, 0, 0]
    assert 0.9 < window.hit("a", 3) <= 1.0
    assert window.hit("b", 3) == 0  # another client
    redis = rate_redis()
    assert redis.zcard(f"{rate_key_prefix}a") == 3
    assert 0 < redis.pttl(f"{rate_key_prefix}a") <= 1000  # forgotten a window after the last hit
    redis.close()


def test_redis_window_slides(redis_windows):
    window = redis_windows[0]
    assert window.hit("a", 2) == 0
    time.sleep(0.4)
    assert window.hit("a", 2) == 0
    wait = window.hit("a", 2)
    assert 0.5 < wait <= 0.6  # until the first hit leaves the window
    time.sleep(wait + 0.05)
    assert window.hit("a", 2) == 0
    assert window.hit("a", 2) > 0  # the second hit is still in the window


def test_two_workers_share_one_count_atomically(redis_windows):
    with ThreadPoolExecutor(max_workers=16) as pool:
        waits = list(pool.map(lambda n: redis_windows[n % 2].hit("shared", 10), range(40)))
    assert waits.count(0) == 10


def test_redis_down_fails_open_and_warns_at_most_once_a_minute(monkeypatch, caplog):
    monkeypatch.setattr(rate_windows, "RETRY_SECONDS", 0)  # ask Redis at every hit
    window = RedisSlidingWindow(port=free_port())  # nothing listens there
    with caplog.at_level(logging.WARNING, logger=rate_windows.__name__):
        assert [window.hit("a", 1) for _ in range(5)] == [0] * 5
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 1 and "Rate limits are off: Redis at 127.0.0.1:" in warnings[0]


def test_a_hung_redis_costs_one_timeout_then_is_left_alone_for_a_while():
    with socket.socket() as hung:  # accepts connections (the kernel does) and never answers
        hung.bind(("127.0.0.1", 0))
        hung.listen()
        window = RedisSlidingWindow(port=hung.getsockname()[1], timeout=0.3)
        started = time.monotonic()
        assert window.hit("a", 1) == 0
        first = time.monotonic() - started
        started = time.monotonic()
        assert [window.hit("a", 1) for _ in range(10)] == [0] * 10
        assert first >= 0.3 and time.monotonic() - started < 0.1
        window.close()


def test_the_backend_chooses_the_window():
    assert isinstance(window_for(Settings(backend="embedded")), SlidingWindow)
    shared = window_for(Settings(backend="services", redis_host="10.1.2.3", redis_port=6390))
    assert isinstance(shared, RedisSlidingWindow) and shared.address == "10.1.2.3:6390"


@pytest.mark.parametrize("peer, forwarded_for, expected", [
    ("203.0.113.5", "198.51.100.1", "203.0.113.5"),  # not a proxy: its header is not believed
    ("10.0.0.1", "198.51.100.1", "198.51.100.1"),
    ("10.0.0.1", "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),  # rightmost untrusted hop
    ("10.0.0.1", None, "10.0.0.1"),
    ("10.0.0.1", " , 10.0.0.2", "10.0.0.1"),
])
def test_client_address(peer, forwarded_for, expected):
    assert client_address(peer, forwarded_for, ["10.0.0.1", "10.0.0.2"]) == expected


# --- the webhooks on two Rasa servers sharing the counts in Redis ------------------------------

@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Two Rasa servers with the services backend's windows (Redis), LIMIT messages a minute,
    behind a trusted proxy (each test names its own client address), and the fake Zalo OA."""
    if not MODEL.exists():
        pytest.fail("No trained model: run `make model` first.")
    redis = rate_redis()
    workdir = tmp_path_factory.mktemp("limits")
    stack = Stack(workdir=workdir, database_url=seeded_database(workdir), zalo=True, rasa_servers=2,
                  extra_env={"LETAN_RATE_LIMIT_WEBHOOK_PER_MINUTE": str(LIMIT),
                             "LETAN_BACKEND": "services", "LETAN_TRUSTED_PROXIES": '["127.0.0.1"]'})
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        delete_keys(redis, f"{KEY_PREFIX}webhook:*{TAG}*")
        redis.close()


def new_sender() -> str:
    return f"test-{TAG}-{next(NUMBERS)}"


def new_address() -> str:
    return f"2001:db8::{TAG}:{next(NUMBERS)}"


def say(stack: Stack, server: int, channel: str, sender: str, address: str) -> httpx.Response:
    return httpx.post(f"{stack.rasa_urls[server]}/webhooks/{channel}/webhook", timeout=60,
                      json={"sender": sender, "message": "xin chào"},
                      headers={"X-Forwarded-For": address})


@pytest.mark.parametrize("channel", ["rest", "robot"])
def test_a_sender_past_the_limit_is_asked_politely_to_wait(servers, channel):
    sender, address = new_sender(), new_address()
    answers = [say(servers, n % 2, channel, sender, address) for n in range(LIMIT + 1)]  # both servers
    assert [answer.status_code for answer in answers] == [200] * LIMIT + [429]
    assert all(answer.json()[0]["text"].startswith("Dạ, em chào") for answer in answers[:LIMIT])
    refused = answers[-1]
    seconds = int(refused.headers["Retry-After"])
    assert 1 <= seconds <= 60
    assert refused.json() == [{"recipient_id": sender, "text": (
        f"Dạ, Anh/Chị gửi tin nhắn nhanh quá, vui lòng chờ {seconds} giây rồi gửi lại ạ.")}]
    assert say(servers, 0, channel, new_sender(), address).status_code == 200  # someone else


def test_one_address_may_send_four_times_the_limit_over_rest_and_robot(servers):
    address = new_address()
    statuses = [say(servers, n % 2, ("rest", "robot")[n // 2 % 2], new_sender(), address).status_code
                for n in range(4 * LIMIT + 1)]
    assert statuses == [200] * (4 * LIMIT) + [429]
    assert say(servers, 1, "robot", new_sender(), new_address()).status_code == 200


def zalo_event(stack: Stack, user: str, name: str = "user_send_text", msg_id: str = "",
               secret: str = ZALO_DEVELOPMENT["ZALO_OA_SECRET_KEY"]) -> httpx.Response:
    """Post an event from `user` as Zalo would, signed with `secret`."""
    app_id, timestamp = ZALO_DEVELOPMENT["ZALO_APP_ID"], str(int(time.time() * 1000))
    raw = json.dumps({"app_id": app_id, "event_name": name, "timestamp": timestamp,
                      "sender": {"id": user}, "recipient": {"id": "oa"},
                      "message": {"msg_id": msg_id or uuid.uuid4().hex, "text": "xin chào"}}).encode()
    return httpx.post(f"{stack.rasa_url}/webhooks/zalo/webhook", content=raw, timeout=30,
                      headers={"X-ZEvent-Signature": zalo_signature(app_id, raw, timestamp, secret)})


def recorded_events(stack: Stack, user: str, expected: int) -> set:
    """The keys of the user's events the channel handled, once `expected` are (or after 30 s)."""
    deadline = time.monotonic() + 30
    while True:
        with session_scope(stack.database_url) as session:
            rows = session.execute(select(ZaloEvent.event_key).where(ZaloEvent.user_id == user))
            keys = set(rows.scalars())
        if len(keys) >= expected or time.monotonic() > deadline:
            return keys
        time.sleep(0.2)


def test_a_zalo_sender_past_the_limit_is_acknowledged_and_not_answered(servers):
    user = f"zalo-{TAG}-{next(NUMBERS)}"
    msg_ids = [uuid.uuid4().hex for _ in range(LIMIT + 1)]
    acks = [zalo_event(servers, user, msg_id=msg_id) for msg_id in msg_ids]
    assert [(ack.status_code, ack.json()["status"]) for ack in acks] == (
        [(200, "received")] * LIMIT + [(200, "rate_limited")])  # 200: Zalo must not retry
    handled = {f"user_send_text:{msg_id}" for msg_id in msg_ids[:LIMIT]}
    assert recorded_events(servers, user, LIMIT) == handled  # the last one never reached the bot
    assert zalo_event(servers, user, secret="forged").status_code == 401  # checked before the limit
    receipt = zalo_event(servers, user, name="user_seen_message")
    assert receipt.json()["status"] == "received"  # receipts are not the citizen's messages
    log = (servers.workdir / "rasa.log").read_text(errors="replace")
    dropped = [line for line in log.splitlines() if "Zalo event user_send_text dropped" in line]
    assert len(dropped) == 1 and user not in dropped[0] and "xin chào" not in dropped[0]


def test_zalo_is_never_limited_per_address_and_forged_events_do_not_count(servers):
    acks = [zalo_event(servers, f"zalo-{TAG}-{next(NUMBERS)}", name="user_send_sticker")
            for _ in range(4 * LIMIT + 1)]  # all from 127.0.0.1, as all come from Zalo's servers
    assert {ack.json()["status"] for ack in acks} == {"received"}
    victim = f"zalo-{TAG}-{next(NUMBERS)}"
    assert {zalo_event(servers, victim, secret="forged").status_code for _ in range(LIMIT)} == {401}
    assert zalo_event(servers, victim).json()["status"] == "received"


def test_bodies_over_the_limit_get_413_on_every_server(servers):
    oversized = json.dumps({"sender": new_sender(), "message": "a" * MAX_REQUEST_BYTES})
    for url in servers.rasa_urls:
        refused = httpx.post(f"{url}/webhooks/rest/webhook", content=oversized, timeout=30,
                             headers={"X-Forwarded-For": new_address()})
        assert refused.status_code == 413
    under = b"{" + b" " * (MAX_REQUEST_BYTES - 100) + b"}"  # reaches the handler: not signed
    answer = httpx.post(f"{servers.rasa_url}/webhooks/zalo/webhook", content=under, timeout=30)
    assert answer.status_code == 401
