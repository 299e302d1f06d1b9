"""Messages to citizens caused by staff actions, stored with the change, sent afterwards.

A sender claims pending messages with a conditional UPDATE (like counters claim tickets),
so two API workers never send the same one; a message that keeps failing is given up
after MAX_ATTEMPTS and stays in the table for staff to see.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import List

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from procedure_kb.models import OutboxMessage

MAX_ATTEMPTS = 5
CLAIM_SECONDS = 60  # a claim older than this is taken over (its sender died)


def add(session: Session, channel: str, user_id: str, text: str) -> None:
    """Queue a message; it is sent only if the caller's transaction commits."""
    session.add(OutboxMessage(channel=channel, user_id=user_id, text=text, attempts=0, failed=False))


def claim(session: Session, channel: str, worker: str, limit: int = 20) -> List[OutboxMessage]:
    """Pending messages for `channel`, now claimed by `worker` (the caller commits)."""
    now = datetime.utcnow()
    candidates = session.execute(
        select(OutboxMessage.id).where(*_pending(channel, now)).order_by(OutboxMessage.id).limit(limit)
    ).scalars().all()
    claimed = []
    for message_id in candidates:
        taken = session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id, *_pending(channel, now))
            .values(claimed_by=worker, claimed_at=now)
        ).rowcount
        if taken:
            claimed.append(session.get(OutboxMessage, message_id))
    return claimed


def settle(message: OutboxMessage, sent: bool) -> None:
    """After a try: sent, or released for another try (given up after MAX_ATTEMPTS)."""
    message.attempts += 1
    message.claimed_by = message.claimed_at = None
    if sent:
        message.sent_at = datetime.utcnow()
    elif message.attempts >= MAX_ATTEMPTS:
        message.failed = True


def _pending(channel: str, now: datetime) -> tuple:
    stale = now - timedelta(seconds=CLAIM_SECONDS)
    return (OutboxMessage.channel == channel, OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed.is_(False),
            or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < stale))
