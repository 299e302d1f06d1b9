"""Rasa's RabbitMQ event broker, publishing events without personal data.

endpoints.yml:
    event_broker:
      type: bot.event_broker.RedactingPikaEventBroker
      url: <RabbitMQ host>     # and Rasa's other `pika` parameters (username, queues, …)

What is kept: procedure_kb/event_redaction.py.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.brokers.pika import PikaEventBroker

from procedure_kb.event_redaction import redact_event


class RedactingPikaEventBroker(PikaEventBroker):
    """`PikaEventBroker` that publishes each event through `redact_event`."""

    def publish(self, event: Dict[Text, Any], headers: Optional[Dict[Text, Text]] = None) -> None:
        super().publish(redact_event(event), headers)
