"""Reads Rasa's conversation events from RabbitMQ (PikaEventBroker) into statistics.

`python -m procedure_kb.event_consumer` runs until stopped. A message is acknowledged
only after its statistics are committed, so a crash re-delivers it; the unique
(sender, timestamp) makes the repeat harmless.
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Optional

import aio_pika

from procedure_kb import message_stats
from procedure_kb.db import session_scope
from procedure_kb.settings import get_settings

log = logging.getLogger(__name__)


def handle(body: bytes, database_url: str = "") -> bool:
    """Record one broker message; False when it is not a citizen message (or not JSON)."""
    try:
        event = json.loads(body)
    except ValueError:
        log.warning("Skipped a broker message that is not JSON")
        return False
    with session_scope(database_url, write_lock=True) as session:
        return message_stats.record(session, event)


async def consume(amqp_url: str, queue_name: str, database_url: str = "",
                  stop_after: Optional[int] = None) -> int:
    """Consume until cancelled (or `stop_after` messages, for tests); returns how many."""
    handled = 0
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=50)
        queue = await channel.declare_queue(queue_name, durable=True)  # as Rasa declares it
        async with queue.iterator() as messages:
            async for message in messages:
                async with message.process(requeue=True):
                    await asyncio.to_thread(handle, message.body, database_url)
                handled += 1
                if stop_after is not None and handled >= stop_after:
                    break
    return handled


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    settings = get_settings()
    log.info("Reading conversation events from queue %r", settings.event_queue)
    asyncio.run(consume(settings.rabbitmq_url, settings.event_queue))


if __name__ == "__main__":
    main()
