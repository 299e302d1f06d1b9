"""Zalo webhook events: checking that Zalo sent them, reading them, handling each once.

Zalo signs an event as `X-ZEvent-Signature: mac=<hex>`, the plain SHA-256 (not an HMAC)
of app_id + the raw body + timestamp + the OA secret key, where app_id and timestamp are
the strings in the body. The raw bytes are hashed as received: re-serialised JSON would
not match.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from procedure_kb.models import ZaloEvent
from procedure_kb.zalo.config import ZaloConfig

SIGNATURE_HEADER = "X-ZEvent-Signature"
MAX_TIMESTAMP_DIGITS = 16  # milliseconds since 1970 have 13
TEXT, FOLLOW, MEDIA, UNSUPPORTED, RECORD_ONLY, UNKNOWN = (
    "text", "follow", "media", "unsupported", "record_only", "unknown")
KINDS = {
    "user_send_text": TEXT,
    "follow": FOLLOW,
    "user_send_image": MEDIA,
    "user_send_file": MEDIA,
    "user_send_sticker": UNSUPPORTED,
    "user_send_gif": UNSUPPORTED,
    "user_send_audio": UNSUPPORTED,
    "user_send_video": UNSUPPORTED,
    "user_send_location": UNSUPPORTED,
    "user_send_link": UNSUPPORTED,
    "unfollow": RECORD_ONLY,
    "user_seen_message": RECORD_ONLY,
    "user_received_message": RECORD_ONLY,
}


EVENTS_WITH_FILES = [name for name, kind in KINDS.items() if kind == MEDIA]
# Where the citizen is in an event: follows name the follower; read receipts come from
# the OA to the citizen; everything else is sent by the citizen.
USER_FIELD = {"follow": "follower", "unfollow": "follower",
              "user_seen_message": "recipient", "user_received_message": "recipient"}


class EventRejected(Exception):
    """Not an event this OA's Zalo app sent; `reason` is safe to log (no secret in it)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ZaloIncoming:
    name: str
    kind: str
    user_id: str
    key: str  # unique per event; Zalo's retries resend the same
    text: str = ""
    attachments: List[Dict[str, Any]] = field(default_factory=list)


def verify(raw: bytes, signature: Optional[str], config: ZaloConfig,
           now: Optional[float] = None) -> Dict[str, Any]:
    """The event's JSON when the signature, app id and age check out, else EventRejected."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise EventRejected("body is not JSON") from None
    if not isinstance(body, dict):
        raise EventRejected("body is not a JSON object")
    app_id, timestamp = str(body.get("app_id", "")), str(body.get("timestamp", ""))
    if not signature:
        raise EventRejected(f"missing {SIGNATURE_HEADER} header")
    if app_id != config.app_id:
        raise EventRejected(f"app_id {app_id!r} is not this OA's app")
    expected = "mac=" + hashlib.sha256(
        app_id.encode() + raw + timestamp.encode() + config.oa_secret_key.encode()).hexdigest()
    if not hmac.compare_digest(signature.strip().encode(), expected.encode()):
        raise EventRejected("signature does not match the body")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= MAX_TIMESTAMP_DIGITS):
        raise EventRejected("timestamp is missing or unreadable")
    age = (now if now is not None else time.time()) - int(timestamp) / 1000
    if age > config.max_event_age_seconds:
        raise EventRejected(f"event is {int(age)} s old (replay?)")
    return body


def parse(body: Dict[str, Any]) -> ZaloIncoming:
    """What happened, from a verified event."""
    name = str(body.get("event_name", ""))
    kind = KINDS.get(name, UNKNOWN)
    message = body.get("message") if isinstance(body.get("message"), dict) else {}
    user = body.get(USER_FIELD.get(name, "sender"))
    user_id = str((user or {}).get("id", "")) if isinstance(user, dict) else ""
    msg_id = message.get("msg_id") or ",".join(map(str, _listed(message.get("msg_ids"))))
    key = f"{name}:{msg_id}" if msg_id else f"{name}:{user_id}:{body.get('timestamp', '')}"
    attachments = [a for a in _listed(message.get("attachments")) if isinstance(a, dict)]
    return ZaloIncoming(name, kind, user_id, key[:200], str(message.get("text") or ""), attachments)


def _listed(value: Any) -> List[Any]:
    """A JSON field that should be a list, or [] when it is anything else."""
    return value if isinstance(value, list) else []


def first_time(session: Session, event: ZaloIncoming) -> bool:
    """Record the event; False when it was already recorded (a retried delivery)."""
    try:
        with session.begin_nested():
            session.add(ZaloEvent(event_key=event.key, event_name=event.name or "unknown",
                                  user_id=event.user_id or None,
                                  attachments=[_kept(a) for a in event.attachments]))
    except IntegrityError:
        return False
    return True


def attachments_from(session: Session, user_id: str, limit: int = 20) -> List[Dict[str, Any]]:
    """The files and images a citizen sent, newest first (for the officer in a handover)."""
    rows = session.execute(
        select(ZaloEvent).where(ZaloEvent.user_id == user_id,
                                ZaloEvent.event_name.in_(EVENTS_WITH_FILES))
        .order_by(ZaloEvent.id.desc()).limit(limit)
    ).scalars()
    return [{**item, "at": row.received_at} for row in rows for item in row.attachments]


def _kept(attachment: Dict[str, Any]) -> Dict[str, Any]:
    payload = attachment.get("payload") if isinstance(attachment.get("payload"), dict) else {}
    return {"type": str(attachment.get("type", "")), "url": str(payload.get("url", ""))[:1000],
            "name": str(payload.get("name", ""))[:200]}
