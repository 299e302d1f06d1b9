"""Questions the bot could not answer, for KB editors to act on."""
from __future__ import annotations

from typing import List

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from procedure_kb import unanswered
from procedure_kb.accounts import Role
from procedure_kb.api.deps import get_session
from procedure_kb.api.security import require
from procedure_kb.models import StaffUser

router = APIRouter(prefix="/api/unanswered", tags=["unanswered"])
editor = require(Role.kb_editor)


class HandledIn(BaseModel):
    key: str = Field(..., min_length=1, max_length=300)


@router.get("", response_model=List[unanswered.Group])
def open_groups(_: StaffUser = Depends(editor), session: Session = Depends(get_session)) -> list:
    """Open groups, largest first, with example wordings and the bot's best guesses."""
    return unanswered.open_groups(session)


@router.post("/handled")
def mark_handled(body: HandledIn, user: StaffUser = Depends(editor),
                 session: Session = Depends(get_session)) -> dict:
    """After adding an alias, a procedure or a training example: take the group off the list."""
    handled = unanswered.mark_handled(session, body.key, user.username)
    session.commit()
    return {"handled": handled}
