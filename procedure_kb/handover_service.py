"""Officer actions on a handover that also reach the conversation in Rasa.

Kept apart from `handover.py` (pure database work) because these call the bot over HTTP.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List

from sqlalchemy.orm import Session

from procedure_kb import bot_client, handover
from procedure_kb.bot_client import BotUnavailable, TranscriptLine
from procedure_kb.db import begin_write
from procedure_kb.models import Handover
from procedure_kb.zalo import events as zalo_events

BACK_TO_BOT = ("Dạ, cán bộ đã kết thúc phần hỗ trợ. Em là Lễ tân số, Anh/Chị cần hỏi thêm gì "
               "cứ nhắn em ạ.")


@dataclass
class HandoverView:
    handover: Handover
    transcript: List[TranscriptLine]
    transcript_error: str = ""
    files: List[Dict[str, Any]] = field(default_factory=list)  # what a Zalo citizen sent


def view(session: Session, handover_id: int) -> HandoverView:
    """The handover with its conversation; a Rasa outage leaves the transcript empty, explained."""
    found = handover.get(session, handover_id)
    files = zalo_events.attachments_from(session, found.sender_id) if found.channel == "zalo" else []
    try:
        return HandoverView(found, bot_client.transcript(found.sender_id), files=files)
    except BotUnavailable as error:
        return HandoverView(found, [], error.message, files)


def send_reply(session: Session, handover_id: int, author: str, text: str) -> bool:
    """Store the reply (committed), then send it; returns whether it reached the conversation.

    No database lock is held during calls to Rasa: its tracker store may share the file.
    """
    begin_write(session)
    reply = handover.reply(session, handover_id, author, text)
    sender = handover.get(session, handover_id).sender_id
    session.commit()
    try:
        bot_client.relay(sender, reply.text, author)
    except BotUnavailable:
        return False
    begin_write(session)
    reply.delivered = True
    session.commit()
    return True


def give_back(session: Session, handover_id: int, actor: str) -> Handover:
    """Resume the bot (chat channels), then close; if Rasa is down nothing changes."""
    found = handover.get(session, handover_id)
    session.commit()
    if handover.pauses_bot(found.channel) and found.state != handover.CLOSED:
        bot_client.resume(found.sender_id, BACK_TO_BOT)
    begin_write(session)
    closed = handover.close(session, handover_id, actor)
    session.commit()
    return closed
