"""Personal data never in clear in Rasa's tracker store nor on the event broker: the key
box, the encrypted SQL tracker store (SQLite and PostgreSQL), the redacting broker and a
complaint through the real bot."""
import asyncio
import json
import re
import sqlite3
import stat
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable, Iterator, List

import aio_pika
import httpx
import pytest
from cryptography.fernet import Fernet
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Row, make_url

from bot.event_broker import RedactingPikaEventBroker
from bot.tracker_store import EncryptedSQLTrackerStore
from procedure_kb import complaints, message_stats
from procedure_kb.db import session_scope
from procedure_kb.event_consumer import handle
from procedure_kb.event_redaction import redact_event
from procedure_kb.secret_box import SecretBox, SecretBoxError, load_or_create_key, tracker_box
from procedure_kb.settings import get_settings
from tests.conftest import Conversation, seeded_database

PHONE, SPOKEN_PHONE, NAME = "0912345678", "0912 345 678", "Trần Văn Bình"
AMQP = "amqp://guest:guest@127.0.0.1:5672/"
DOMAIN = Domain.from_yaml("""
slots:
  complaint_name: {type: text, mappings: [{type: custom}]}
  complaint_phone: {type: text, mappings: [{type: custom}]}
""")


def traces(*values: str) -> List[bytes]:
    """How the values can appear in storage: UTF-8, and JSON-escaped as Rasa writes them."""
    return [form.encode() for value in values for form in (value, json.dumps(value)[1:-1])]


def leaks(raw: Iterable[object], *values: str) -> bool:
    """Whether any value shows in `raw`: byte strings, or database rows (each column)."""
    items = [item for entry in raw for item in (entry if isinstance(entry, (tuple, Row)) else [entry])]
    blob = b"\n".join(item if isinstance(item, bytes) else str(item).encode() for item in items)
    return any(trace in blob for trace in traces(*values))


@pytest.fixture()
def tracker_key(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """Sets LETAN_TRACKER_KEY for the stores this test builds."""
    def use(value: str) -> None:
        monkeypatch.setenv("LETAN_TRACKER_KEY", value)
        get_settings.cache_clear()

    use("")
    yield use
    get_settings.cache_clear()


# --- the key box


def test_round_trip_does_not_show_the_text():
    box = SecretBox([Fernet.generate_key().decode()], "a test key")
    token = box.encrypt(f"số tôi là {PHONE}")
    assert PHONE not in token and box.decrypt(token) == f"số tôi là {PHONE}"


def test_rotation_new_key_first_old_key_still_decrypts():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    written_before = SecretBox([old], "old").encrypt(PHONE)
    rotated = SecretBox([new, old], "both")
    written_after = rotated.encrypt(PHONE)
    assert rotated.decrypt(written_before) == rotated.decrypt(written_after) == PHONE
    assert SecretBox([new], "new").decrypt(written_after) == PHONE  # the new key encrypts
    with pytest.raises(SecretBoxError):
        SecretBox([old], "old").decrypt(written_after)


def test_wrong_key_is_a_clear_error_naming_the_setting(tracker_key):
    token = SecretBox([Fernet.generate_key().decode()], "another").encrypt(PHONE)
    tracker_key(Fernet.generate_key().decode())
    with pytest.raises(SecretBoxError, match="cannot be decrypted with the key.*LETAN_TRACKER_KEY"):
        tracker_box().decrypt(token)
    tracker_key("not-a-key")
    with pytest.raises(SecretBoxError, match="A key in LETAN_TRACKER_KEY is not a Fernet key"):
        tracker_box()


def test_key_file_is_created_private_and_reused(tmp_path, tracker_key):
    path = tmp_path / "var" / "tracker.key"
    token = tracker_box(path).encrypt(PHONE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tracker_box(path).decrypt(token) == PHONE
    assert load_or_create_key(path) == path.read_text().strip()
    assert [p.name for p in path.parent.iterdir()] == ["tracker.key"]  # no temporary left


# --- the tracker store


def conversation_tracker(sender: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, [
        ActionExecuted("action_listen"),
        UserUttered(f"số tôi là {PHONE}", {"name": "inform", "confidence": 0.9},
                    [{"entity": "phone", "value": PHONE, "start": 10, "end": 20}]),
        SlotSet("complaint_name", NAME), SlotSet("complaint_phone", PHONE),
        BotUttered(f"Người gửi: {NAME}, {SPOKEN_PHONE}", metadata={"utter_action": "utter_read_back"}),
    ], DOMAIN.slots)


def saved_and_retrieved(store: SQLTrackerStore, sender: str) -> DialogueStateTracker:
    tracker = conversation_tracker(sender)
    asyncio.run(store.save(tracker))
    retrieved = asyncio.run(store.retrieve(sender))
    assert retrieved is not None and list(retrieved.events) == list(tracker.events)
    return retrieved


def sqlite_rows(path: Path) -> list:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT * FROM events").fetchall()


def test_sqlite_store_keeps_no_personal_data_in_clear(tmp_path, tracker_key):
    db = tmp_path / "tracker.db"
    store = EncryptedSQLTrackerStore(DOMAIN, key_file=str(tmp_path / "tracker.key"), db=str(db))
    retrieved = saved_and_retrieved(store, "citizen")
    assert retrieved.get_slot("complaint_phone") == PHONE
    rows = sqlite_rows(db)
    assert not leaks(rows, PHONE, SPOKEN_PHONE, NAME) and not leaks([db.read_bytes()], PHONE, NAME)
    # Rasa's own columns stay readable.
    assert [row[1:3] for row in rows] == [("citizen", "action"), ("citizen", "user"),
                                          ("citizen", "slot"), ("citizen", "slot"), ("citizen", "bot")]
    assert rows[1][4] == "inform" and rows[3][5] == "complaint_phone"


def test_rows_written_in_clear_before_the_switch_are_encrypted(tmp_path, tracker_key):
    db = tmp_path / "tracker.db"
    saved_and_retrieved(SQLTrackerStore(DOMAIN, db=str(db)), "before")
    assert leaks(sqlite_rows(db), PHONE, NAME)  # Rasa's own store: in clear
    store = EncryptedSQLTrackerStore(DOMAIN, key_file=str(tmp_path / "tracker.key"), db=str(db))
    assert not leaks(sqlite_rows(db), PHONE, SPOKEN_PHONE, NAME)
    assert list(asyncio.run(store.retrieve("before")).events) == list(conversation_tracker("before").events)


def test_history_under_another_key_is_an_error_not_an_empty_tracker(tmp_path, tracker_key):
    db, old, new = tmp_path / "tracker.db", Fernet.generate_key().decode(), Fernet.generate_key().decode()
    tracker_key(old)
    saved_and_retrieved(EncryptedSQLTrackerStore(DOMAIN, db=str(db)), "before")
    tracker_key(new)
    with pytest.raises(SecretBoxError, match="LETAN_TRACKER_KEY"):  # Rasa does not start
        EncryptedSQLTrackerStore(DOMAIN, db=str(db))
    tracker_key(f"{new},{old}")
    saved_and_retrieved(EncryptedSQLTrackerStore(DOMAIN, db=str(db)), "after")
    tracker_key(new)  # the old key dropped too early: its conversations cannot be read
    with pytest.raises(SecretBoxError, match="LETAN_TRACKER_KEY"):
        asyncio.run(EncryptedSQLTrackerStore(DOMAIN, db=str(db)).retrieve("before"))


def test_postgres_store_keeps_no_personal_data_in_clear(postgres_url, tracker_key):
    tracker_key(f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}")
    url = make_url(postgres_url)
    store = EncryptedSQLTrackerStore(DOMAIN, dialect="postgresql", host=url.host, port=url.port,
                                     db=url.database, username=url.username)
    saved_and_retrieved(store, "citizen")
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT * FROM events ORDER BY id")).all()
    finally:
        engine.dispose()
        store.engine.dispose()
    assert len(rows) == 5 and not leaks(rows, PHONE, SPOKEN_PHONE, NAME)
    assert rows[1].intent_name == "inform" and rows[3].action_name == "complaint_phone"


# --- the event broker


def published_events(sender: str) -> List[dict]:
    return [{"sender_id": sender, **event.as_dict()} for event in conversation_tracker(sender).events]


def test_redaction_keeps_what_statistics_read_and_no_personal_data():
    user = {**published_events("citizen")[1], "input_channel": "zalo"}
    redacted = [redact_event(event) for event in published_events("citizen")]
    assert not leaks([json.dumps(redacted)], PHONE, SPOKEN_PHONE, NAME)
    assert [event["event"] for event in redacted] == ["action", "user", "slot", "slot", "bot"]
    assert redact_event(user) == {
        "event": "user", "sender_id": "citizen", "timestamp": user["timestamp"],
        "input_channel": "zalo", "message_id": user["message_id"],
        "parse_data": {"intent": {"name": "inform", "confidence": 0.9}, "entities": [{"entity": "phone"}]},
    }
    assert redacted[0]["name"] == "action_listen" and redacted[3] == {
        "event": "slot", "sender_id": "citizen", "timestamp": redacted[3]["timestamp"],
        "name": "complaint_phone"}
    assert redact_event(redact_event(user)) == redact_event(user)


async def publish_and_read(events: List[dict]) -> List[bytes]:
    """Publishes through the redacting broker to a queue of the test's own; its messages."""
    queue, exchange = f"letan-test-{uuid.uuid4().hex[:8]}", f"letan-test-x-{uuid.uuid4().hex[:8]}"
    broker = RedactingPikaEventBroker("127.0.0.1", "guest", "guest", queues=[queue],
                                      exchange_name=exchange)
    await broker.connect()
    try:
        for event in events:
            broker.publish(event)
        await asyncio.sleep(1.0)  # Rasa publishes in background tasks
    finally:
        await broker.close()
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, durable=True)
        bodies = []
        while (message := await declared.get(fail=False)) is not None:
            await message.ack()
            bodies.append(message.body)
        await channel.queue_delete(queue)
        await channel.exchange_delete(exchange)
    return bodies


def test_redacting_broker_publishes_statistics_without_personal_data(tmp_path):
    events = published_events("citizen")
    try:
        bodies = asyncio.run(publish_and_read(events))
    except (OSError, aio_pika.exceptions.AMQPConnectionError) as error:
        pytest.skip(f"RabbitMQ is not reachable on 127.0.0.1:5672: {error}")
    assert len(bodies) == len(events) and not leaks(bodies, PHONE, SPOKEN_PHONE, NAME)
    url = seeded_database(tmp_path)
    assert [handle(body, url) for body in bodies] == [False, True, False, False, False]
    day = date.fromtimestamp(events[1]["timestamp"])
    with session_scope(url) as session:
        [stats] = message_stats.daily(session, day - timedelta(days=1), day + timedelta(days=1))
    assert stats.intents == {"inform": 1}


# --- a complaint through the real bot


@pytest.mark.stack
def test_complaint_contact_is_encrypted_at_rest_and_readable_through_rasa(stack):
    citizen = Conversation(stack)
    citizen.say("cho tôi phản ánh")
    citizen.say("Nhà vệ sinh tầng một bị hỏng vòi nước mấy hôm nay chưa ai sửa")
    citizen.say("để lại liên hệ")
    assert "số điện thoại" in citizen.say_text(NAME)
    assert "đồng ý" in citizen.say_text(SPOKEN_PHONE)
    assert f"Người gửi: {NAME}, {SPOKEN_PHONE}" in citizen.say_text("đồng ý")
    code = re.search(r"mã tra cứu là (PA-\d{8}-\d{4})", citizen.say_text("đúng rồi")).group(1)
    with session_scope(stack.database_url) as session:
        complaint = complaints.get(session, code)
        assert (complaint.contact_name, complaint.contact_phone) == (NAME, PHONE)

    stored = [path.read_bytes() for path in stack.workdir.glob("tracker.db*")]
    assert stored and not leaks(stored, PHONE, SPOKEN_PHONE, NAME)
    tracker = httpx.get(f"{stack.rasa_url}/conversations/{citizen.sender}/tracker",
                        params={"token": stack.rasa_token}, timeout=30).raise_for_status().json()
    said = [event["text"] for event in tracker["events"] if event["event"] == "user"]
    assert NAME in said and SPOKEN_PHONE in said
    slots = {(event["name"], event["value"]) for event in tracker["events"] if event["event"] == "slot"}
    assert {("complaint_name", NAME), ("complaint_phone", PHONE)} <= slots
    logs = [path.read_bytes() for path in stack.workdir.glob("*.log")]
    assert not leaks(logs, PHONE, SPOKEN_PHONE, NAME)


def test_the_store_waits_out_a_database_restart(monkeypatch):
    """A few failed attempts (PostgreSQL restarting) are retried; a longer outage is raised."""
    from sqlalchemy.exc import OperationalError

    from bot import tracker_store

    monkeypatch.setattr(tracker_store, "RETRY_DELAYS", (0.01, 0.01))
    attempts: list = []

    def flaky(failures: int):
        async def call() -> str:
            attempts.append(1)
            if len(attempts) <= failures:
                raise OperationalError("SELECT 1", {}, Exception("connection refused"))
            return "tracker"
        return call

    assert asyncio.run(tracker_store._retrying(flaky(2))) == "tracker" and len(attempts) == 3
    attempts.clear()
    with pytest.raises(OperationalError):
        asyncio.run(tracker_store._retrying(flaky(3)))
    assert len(attempts) == 3
