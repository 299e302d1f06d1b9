"""Conversations handed to officers: the inbox, replies, and giving them back to the bot."""
from __future__ import annotations

from datetime import datetime
from typing import List, Optional

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from procedure_kb import handover, handover_service
from procedure_kb.accounts import Role
from procedure_kb.api.deps import PositiveId, get_session
from procedure_kb.api.security import require
from procedure_kb.models import Handover, StaffUser

router = APIRouter(prefix="/api/handovers", tags=["handovers"])
officer = require(Role.counter_officer, Role.complaint_handler)


class HandoverOut(BaseModel):
    id: int
    sender_id: str
    channel: str
    reason: str
    last_message: str
    state: str
    taken_by: Optional[str]
    created_at: datetime
    closed_at: Optional[datetime]

    class Config:
        orm_mode = True


class LineOut(BaseModel):
    author: str
    text: str
    at: datetime


class HandoverDetail(HandoverOut):
    transcript: List[LineOut]
    transcript_error: str


class ReplyIn(BaseModel):
    text: str = Field(..., min_length=1, max_length=handover.MAX_REPLY)


@router.get("", response_model=List[HandoverOut])
def inbox(_: StaffUser = Depends(officer), session: Session = Depends(get_session)) -> List[Handover]:
    """Open handovers: waiting ones first."""
    return handover.open_handovers(session)


@router.get("/{handover_id}", response_model=HandoverDetail)
def detail(handover_id: PositiveId, _: StaffUser = Depends(officer),
           session: Session = Depends(get_session)) -> HandoverDetail:
    found = handover_service.view(session, handover_id)
    return HandoverDetail(
        **HandoverOut.from_orm(found.handover).dict(),
        transcript=[LineOut(**line.__dict__) for line in found.transcript],
        transcript_error=found.transcript_error,
    )


@router.post("/{handover_id}/reply")
def reply(handover_id: PositiveId, body: ReplyIn, user: StaffUser = Depends(officer),
          session: Session = Depends(get_session)) -> dict:
    """Kept even when the bot server is down; `delivered` says whether it was sent."""
    return {"delivered": handover_service.send_reply(session, handover_id, user.username, body.text)}


@router.post("/{handover_id}/close", response_model=HandoverOut)
def close(handover_id: PositiveId, user: StaffUser = Depends(officer),
          session: Session = Depends(get_session)) -> Handover:
    """Give the conversation back to the bot."""
    return handover_service.give_back(session, handover_id, user.username)
