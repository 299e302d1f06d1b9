"""The centre's opening hours, holidays and amenities (public read, admin edit)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from procedure_kb import centre
from procedure_kb.accounts import Role
from procedure_kb.api.deps import get_session
from procedure_kb.api.security import require
from procedure_kb.centre import CentreData
from procedure_kb.models import StaffUser

router = APIRouter(prefix="/api/centre", tags=["centre"])


@router.get("", response_model=CentreData)
def read(session: Session = Depends(get_session)) -> CentreData:
    info = centre.load(session)
    if info is None:
        raise HTTPException(404, "Chưa có thông tin Trung tâm.")
    return info


@router.put("", response_model=CentreData)
def save(body: CentreData, admin: StaffUser = Depends(require(Role.admin)),
         session: Session = Depends(get_session)) -> CentreData:
    """Set `confirmed: true` once the details are checked; until then the bot keeps quiet."""
    saved = centre.save(session, body, admin.username)
    session.commit()
    return saved
