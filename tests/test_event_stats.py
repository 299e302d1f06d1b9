"""Conversation statistics from Rasa's event broker: Rasa's own PikaEventBroker publishes to
this machine's RabbitMQ (a queue and exchange of the test's own), the consumer counts."""
import asyncio
import json
import uuid
from datetime import date

import aio_pika
import pytest
from rasa.core.brokers.pika import PikaEventBroker
from rasa.shared.core.events import ActionExecuted, UserUttered
from sqlalchemy import text

from procedure_kb import message_stats
from procedure_kb.db import session_scope
from procedure_kb.event_consumer import consume, handle
from tests.conftest import seeded_database

AMQP = "amqp://guest:guest@127.0.0.1:5672/"
NOON = 1795327200.0  # 2026-11-22 12:00 in Hà Nội


def user_event(sender, intent, seconds=0.0, channel="zalo"):
    event = UserUttered("câu hỏi", {"name": intent, "confidence": 0.9}, input_channel=channel,
                        timestamp=NOON + seconds)
    event.parse_data["intent"] = {"name": intent, "confidence": 0.9}
    return {"sender_id": sender, **event.as_dict()}


async def publish_with_rasa(queue, exchange, events):
    broker = PikaEventBroker("127.0.0.1", "guest", "guest", queues=[queue], exchange_name=exchange)
    await broker.connect()
    for event in events:
        broker.publish(event)
    await asyncio.sleep(1.0)  # Rasa publishes in background tasks
    await broker.close()


async def delete(queue, exchange):
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue)
        await channel.exchange_delete(exchange)


@pytest.fixture()
def url(tmp_path):
    return seeded_database(tmp_path)


def test_events_published_by_rasa_become_daily_statistics(url):
    queue, exchange = f"letan-test-{uuid.uuid4().hex[:8]}", f"letan-test-x-{uuid.uuid4().hex[:8]}"
    events = [user_event("a", "ask_procedure_fee"), user_event("a", "nlu_fallback", 5),
              user_event("b", "ask_procedure_fee", 9, "robot"),
              {"sender_id": "a", **ActionExecuted("action_listen", timestamp=NOON + 6).as_dict()}]
    try:
        asyncio.run(publish_with_rasa(queue, exchange, events + events[:1]))  # one redelivered
        handled = asyncio.run(asyncio.wait_for(consume(AMQP, queue, url, stop_after=5), 20))
    except (OSError, aio_pika.exceptions.AMQPConnectionError) as error:
        pytest.skip(f"RabbitMQ is not reachable on 127.0.0.1:5672: {error}")
    finally:
        asyncio.run(delete(queue, exchange))
    assert handled == 5
    with session_scope(url) as session:
        [day] = message_stats.daily(session, date(2026, 11, 22), date(2026, 11, 22))
        assert (day.messages, day.intents, day.fallback_rate) == (
            3, {"ask_procedure_fee": 2, "nlu_fallback": 1}, round(1 / 3, 4))
        assert message_stats.daily(session, date(2026, 11, 22), date(2026, 11, 22), "robot")[0].messages == 1


def test_bad_messages_are_skipped_and_no_text_is_kept(url):
    assert not handle(b"not json", url)
    assert not handle(json.dumps({"event": "bot", "sender_id": "a", "text": "Dạ"}).encode(), url)
    event = user_event("0912345678", "inform")
    assert handle(json.dumps(event).encode(), url)
    with session_scope(url) as session:
        row = session.execute(text("select * from message_events")).one()
    assert "0912345678" not in str(row) and "câu hỏi" not in str(row)
