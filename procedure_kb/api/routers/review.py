"""The "needs review" list, flags from any staff member, and marking as reviewed."""
from __future__ import annotations

from datetime import date
from typing import List, Optional

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from procedure_kb import queue, review
from procedure_kb.accounts import Role
from procedure_kb.api.deps import get_session
from procedure_kb.api.routers.procedures import VersionRef
from procedure_kb.api.security import current_user, require
from procedure_kb.models import StaffUser
from procedure_kb.schemas import ProcedureOut
from procedure_kb.settings import get_settings

router = APIRouter(tags=["review"])


class ReviewItemOut(BaseModel):
    procedure_id: str
    name: str
    last_reviewed: Optional[date]
    reasons: List[str]


class ReviewedIn(VersionRef):
    note: str = Field("Đã rà soát toàn bộ thủ tục.", min_length=3, max_length=1000)


class FlagIn(BaseModel):
    note: str = Field(..., min_length=3, max_length=1000, description="what may have changed")


@router.get("/api/review", response_model=List[ReviewItemOut])
def needs_review(
    months: int = Query(12, ge=1, le=120),
    fact_age_days: Optional[int] = Query(
        None, ge=1, le=3650, description="facts checked longer ago (default: the setting)"
    ),
    _: StaffUser = Depends(current_user),
    session: Session = Depends(get_session),
) -> List[review.ReviewItem]:
    age = fact_age_days or get_settings().fact_max_age_days
    return review.needs_review(session, months, age, queue.local_now().date())


@router.post("/api/procedures/{procedure_id}/flag", status_code=204)
def flag(
    procedure_id: str,
    body: FlagIn,
    user: StaffUser = Depends(current_user),
    session: Session = Depends(get_session),
) -> None:
    """Any staff member may flag a procedure whose facts or legal basis changed."""
    review.flag(session, procedure_id, body.note, user.username)
    session.commit()


@router.post("/api/procedures/{procedure_id}/reviewed", response_model=ProcedureOut)
def mark_reviewed(
    procedure_id: str,
    body: ReviewedIn,
    user: StaffUser = Depends(require(Role.kb_editor)),
    session: Session = Depends(get_session),
) -> ProcedureOut:
    reviewed = review.mark_reviewed(session, procedure_id, body.version, user.username, body.note)
    session.commit()
    return reviewed
