"""What of a Rasa conversation event may leave Rasa through the event broker.

An allow-list: the event type, sender id and time for every event, plus per type the
fields statistics need (procedure_kb/message_stats.py) and nothing a citizen typed or was
read back: no user or bot text, no entity values, no slot values, no metadata.
"""
from __future__ import annotations

from typing import Any, Dict

COMMON_FIELDS = ("event", "sender_id", "timestamp")
FIELDS_BY_TYPE = {
    "user": ("input_channel", "message_id"),
    "action": ("name", "policy", "confidence"),
    "slot": ("name",),
    "active_loop": ("name",),
    "followup": ("name",),
}


def redact_event(event: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of a serialised Rasa event (as brokers publish it) without personal data.

    A user event keeps its intent (name and confidence) and the names of its entities.
    """
    kept = COMMON_FIELDS + FIELDS_BY_TYPE.get(event.get("event", ""), ())
    redacted = {name: event[name] for name in kept if name in event}
    if event.get("event") == "user":
        redacted["parse_data"] = _parse_summary(event.get("parse_data") or {})
    return redacted


def _parse_summary(parse_data: Dict[str, Any]) -> Dict[str, Any]:
    intent = parse_data.get("intent") or {}
    entities = [{"entity": entity.get("entity")} for entity in parse_data.get("entities") or []]
    return {"intent": {"name": intent.get("name"), "confidence": intent.get("confidence")},
            "entities": entities}
