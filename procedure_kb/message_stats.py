"""Statistics of what citizens ask, from Rasa's conversation events: messages per intent
per day and the fallback rate (the share the bot did not understand)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Dict, List, Optional

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from procedure_kb.models import MessageEvent
from procedure_kb.queue import local_now

FALLBACK = "nlu_fallback"


@dataclass
class DayStats:
    day: date
    messages: int
    fallback_rate: float
    intents: Dict[str, int] = field(default_factory=dict)


def record(session: Session, event: Dict[str, Any]) -> bool:
    """Count a citizen's message (a Rasa `user` event); False for other events and repeats."""
    if event.get("event") != "user" or not event.get("sender_id"):
        return False
    timestamp = float(event.get("timestamp") or 0)
    intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or FALLBACK
    values = dict(
        sender_hash=hashlib.sha256(str(event["sender_id"]).encode()).hexdigest(),
        timestamp=timestamp, intent=str(intent)[:60],
        day=local_now(datetime.fromtimestamp(timestamp, timezone.utc)).date(),
        channel=str(event.get("input_channel") or "unknown")[:20],
    )
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(MessageEvent).values(**values).on_conflict_do_nothing()
    return session.execute(statement).rowcount == 1


def daily(session: Session, since: date, until: date, channel: Optional[str] = None) -> List[DayStats]:
    """Each day with messages: the count, the fallback rate, and the count per intent."""
    query = (select(MessageEvent.day, MessageEvent.intent, func.count())
             .where(MessageEvent.day >= since, MessageEvent.day <= until)
             .group_by(MessageEvent.day, MessageEvent.intent).order_by(MessageEvent.day))
    if channel:
        query = query.where(MessageEvent.channel == channel)
    days: Dict[date, DayStats] = {}
    for day, intent, count in session.execute(query):
        stats = days.setdefault(day, DayStats(day, 0, 0.0))
        stats.messages += count
        stats.intents[intent] = count
    for stats in days.values():
        stats.fallback_rate = round(stats.intents.get(FALLBACK, 0) / stats.messages, 4)
    return list(days.values())
