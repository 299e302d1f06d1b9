"""The audit log (admins only)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from procedure_kb import audit
from procedure_kb.accounts import Role
from procedure_kb.api.deps import get_session
from procedure_kb.api.security import require
from procedure_kb.models import AuditEntry, StaffUser

router = APIRouter(prefix="/api/audit", tags=["audit"])


class AuditOut(BaseModel):
    at: datetime
    actor: str
    action: str
    target: str
    detail: Dict[str, Any]

    class Config:
        orm_mode = True


@router.get("", response_model=List[AuditOut])
def recent(
    target: str = Query("", max_length=120),
    limit: int = Query(100, ge=1, le=1000),
    _: StaffUser = Depends(require(Role.admin)),
    session: Session = Depends(get_session),
) -> List[AuditEntry]:
    return audit.recent(session, limit, target)
