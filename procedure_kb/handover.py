"""Handing a conversation to a human officer, and giving it back to the bot.

In chat channels the bot pauses itself for the conversation (Rasa's ConversationPaused);
the officer reads it and replies from the staff inbox, then closes the handover, which
resumes the bot. On the lobby robot the citizen is sent to the reception desk instead,
and the open handover is the officer's notification.
"""
from __future__ import annotations

from datetime import datetime
from typing import List

from sqlalchemy import select
from sqlalchemy.orm import Session

from procedure_kb import audit
from procedure_kb.errors import DomainError
from procedure_kb.models import Handover, HandoverReply
from procedure_kb.text import nfc

WAITING, ACTIVE, CLOSED = "waiting", "active", "closed"
STATE_LABELS = {WAITING: "Đang chờ cán bộ", ACTIVE: "Cán bộ đang hỗ trợ", CLOSED: "Đã kết thúc"}
# Channels where the citizen stands in the lobby: sent to the desk, the bot keeps going.
IN_PERSON_CHANNELS = frozenset({"robot"})
MAX_REPLY = 2000


class HandoverNotFound(DomainError):
    status = 404

    def __init__(self, handover_id: int) -> None:
        super().__init__(f"Không có yêu cầu hỗ trợ số {handover_id}.")


def pauses_bot(channel: str) -> bool:
    """Whether the bot stays silent while an officer talks to the citizen on `channel`."""
    return channel not in IN_PERSON_CHANNELS


def request(session: Session, sender_id: str, channel: str, reason: str,
            last_message: str) -> Handover:
    """The conversation's open handover, or a new one."""
    found = session.execute(
        select(Handover).where(Handover.sender_id == sender_id, Handover.state != CLOSED)
    ).scalar()
    if found is not None:
        return found
    handover = Handover(sender_id=sender_id, channel=channel or "unknown", reason=reason,
                        last_message=nfc(last_message)[:MAX_REPLY], state=WAITING)
    session.add(handover)
    session.flush()
    return handover


def open_handovers(session: Session) -> List[Handover]:
    """Waiting first, then those being handled; oldest first within each."""
    rows = session.execute(
        select(Handover).where(Handover.state != CLOSED).order_by(Handover.created_at)
    ).scalars()
    return sorted(rows, key=lambda h: h.state != WAITING)


def get(session: Session, handover_id: int) -> Handover:
    handover = session.get(Handover, handover_id)
    if handover is None:
        raise HandoverNotFound(handover_id)
    return handover


def replies(session: Session, handover_id: int) -> List[HandoverReply]:
    return list(session.execute(
        select(HandoverReply).where(HandoverReply.handover_id == handover_id)
        .order_by(HandoverReply.id)
    ).scalars())


def reply(session: Session, handover_id: int, author: str, text: str) -> HandoverReply:
    """Record an officer's reply; the officer takes the handover if nobody has."""
    message = nfc(text or "").strip()
    if not message:
        raise DomainError("Cần nhập nội dung trả lời.")
    if len(message) > MAX_REPLY:
        raise DomainError(f"Câu trả lời dài quá {MAX_REPLY} ký tự, vui lòng viết ngắn lại.")
    handover = _open(session, handover_id)
    if handover.state == WAITING:
        handover.state, handover.taken_by = ACTIVE, author
    answer = HandoverReply(handover_id=handover.id, author=author, text=message)
    session.add(answer)
    session.flush()
    return answer


def close(session: Session, handover_id: int, actor: str) -> Handover:
    """End the handover; the caller resumes the bot for the conversation."""
    handover = _open(session, handover_id)
    handover.state, handover.closed_at = CLOSED, datetime.utcnow()
    handover.taken_by = handover.taken_by or actor
    audit.record(session, actor, "handover.closed", str(handover.id), {"channel": handover.channel})
    return handover


def _open(session: Session, handover_id: int) -> Handover:
    handover = get(session, handover_id)
    if handover.state == CLOSED:
        raise DomainError("Yêu cầu hỗ trợ này đã kết thúc.")
    return handover
