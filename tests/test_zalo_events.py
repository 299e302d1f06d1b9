"""Zalo webhook events: signature, app id, replay, parsing each kind, duplicates; splitting
long replies and building button messages."""
import hashlib
import json
import time

import pytest

from procedure_kb.db import session_scope
from procedure_kb.zalo import events
from procedure_kb.zalo.client import MAX_TEXT, messages_for, split_text
from procedure_kb.zalo.config import ZaloConfig
from procedure_kb.zalo.events import EventRejected
from tests.conftest import seeded_database

CONFIG = ZaloConfig(app_id="4321", oa_secret_key="oa-secret", app_secret="app-secret",
                    access_token="a1", refresh_token="r1", max_event_age_seconds=300)


def event(name="user_send_text", timestamp=None, **fields):
    body = {"app_id": "4321", "event_name": name, "timestamp": str(timestamp or int(time.time() * 1000)),
            "sender": {"id": "u1"}, "recipient": {"id": "oa"},
            "message": {"msg_id": "m1", "text": "làm khai sinh cần gì"}, **fields}
    return json.dumps(body, ensure_ascii=False).encode()


def signed(raw, secret="oa-secret"):
    body = json.loads(raw)
    digest = hashlib.sha256(body["app_id"].encode() + raw + body["timestamp"].encode() + secret.encode())
    return "mac=" + digest.hexdigest()


def test_a_correctly_signed_event_is_accepted_and_read():
    raw = event()
    incoming = events.parse(events.verify(raw, signed(raw), CONFIG))
    assert (incoming.kind, incoming.user_id, incoming.text, incoming.key) == (
        "text", "u1", "làm khai sinh cần gì", "user_send_text:m1")


@pytest.mark.parametrize("tamper, reason", [
    (lambda raw: (raw, None), "missing"),
    (lambda raw: (raw, signed(raw, "wrong-secret")), "does not match"),
    (lambda raw: (raw.replace(b"khai sinh", b"khai tu"), signed(raw)), "does not match"),
    (lambda raw: (json.dumps(json.loads(raw), indent=2).encode(), signed(raw)), "does not match"),
    (lambda raw: (raw.replace(b'"4321"', b'"9999"'), signed(raw.replace(b'"4321"', b'"9999"'))), "app_id"),
    (lambda raw: (b"not json", "mac=00"), "not JSON"),
])
def test_tampered_resigned_or_foreign_events_are_refused(tamper, reason):
    raw, signature = tamper(event())
    with pytest.raises(EventRejected, match=reason) as refused:
        events.verify(raw, signature, CONFIG)
    assert "oa-secret" not in refused.value.reason


def test_an_old_event_is_refused_as_a_replay():
    raw = event(timestamp=int((time.time() - 3600) * 1000))
    with pytest.raises(EventRejected, match="old"):
        events.verify(raw, signed(raw), CONFIG)


@pytest.mark.parametrize("name, fields, kind, user", [
    ("follow", {"follower": {"id": "f1"}, "sender": None}, "follow", "f1"),
    ("unfollow", {"follower": {"id": "f1"}}, "record_only", "f1"),
    ("user_send_image", {"message": {"msg_id": "m2", "attachments": [
        {"type": "image", "payload": {"url": "https://x/a.jpg"}}]}}, "media", "u1"),
    ("user_send_file", {"message": {"msg_id": "m3", "attachments": [
        {"type": "file", "payload": {"url": "https://x/f.pdf", "name": "don.pdf"}}]}}, "media", "u1"),
    ("user_send_sticker", {}, "unsupported", "u1"),
    ("user_send_location", {}, "unsupported", "u1"),
    ("user_seen_message", {"message": {"msg_ids": ["m1", "m2"]}, "sender": {"id": "oa"},
                           "recipient": {"id": "u1"}}, "record_only", "u1"),
    ("some_new_event", {}, "unknown", "u1"),
])
def test_every_event_kind(name, fields, kind, user):
    incoming = events.parse(json.loads(event(name, **fields)))
    assert (incoming.kind, incoming.user_id) == (kind, user)


def test_a_retried_event_is_handled_once_even_after_a_restart(tmp_path):
    url = seeded_database(tmp_path)
    image = events.parse(json.loads(event("user_send_image", message={"msg_id": "m9", "attachments": [
        {"type": "image", "payload": {"url": "https://x/a.jpg", "thumbnail": "t"}}]})))
    with session_scope(url) as session:
        assert events.first_time(session, image)
        assert not events.first_time(session, image)
    with session_scope(url) as session:  # a new process would see the same table
        assert not events.first_time(session, image)


def test_long_text_is_split_at_sentence_ends_under_the_limit():
    sentence = "Dạ, hồ sơ gồm tờ khai theo mẫu và giấy chứng sinh bản chính ạ. "
    pieces = split_text(sentence * 80)
    assert len(pieces) > 1 and all(len(p) <= MAX_TEXT for p in pieces)
    assert all(p.endswith("ạ.") for p in pieces)
    assert " ".join(pieces) == (sentence * 80).strip()
    assert all(len(p) <= MAX_TEXT for p in split_text("x" * 5000))
    lines = "\n".join(f"{n}. Giấy tờ số {n} — bản chính, 1 bản" for n in range(1, 200))
    assert all("\n" in piece for piece in split_text(lines))  # line breaks survive the split
    assert "\n".join(split_text(lines)) == lines
    assert split_text("1. Tờ khai\n2. Giấy chứng sinh") == ["1. Tờ khai\n2. Giấy chứng sinh"]


def test_buttons_become_a_template_on_the_last_piece():
    buttons = [{"title": "Đăng ký khai sinh " * 10, "payload": '/inform{"procedure":"khai_sinh"}'}]
    messages = messages_for("Dạ, Anh/Chị hỏi thủ tục nào ạ?", buttons)
    button = messages[-1]["attachment"]["payload"]["buttons"][0]
    assert messages[-1]["attachment"]["type"] == "template"
    assert button["type"] == "oa.query.hide" and len(button["title"]) == 100
    assert button["payload"] == '/inform{"procedure":"khai_sinh"}'
