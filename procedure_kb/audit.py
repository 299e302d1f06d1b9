"""The audit log: every change made by staff or by the system, with who and when."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from procedure_kb.models import AuditEntry


def record(
    session: Session, actor: str, action: str, target: str, detail: Optional[Dict[str, Any]] = None
) -> None:
    """Add one entry; committed with the change it describes."""
    session.add(AuditEntry(actor=actor, action=action, target=target, detail=detail or {}))


def recent(session: Session, limit: int = 100, target: str = "") -> List[AuditEntry]:
    """Newest entries first, optionally for one target."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if target:
        query = query.where(AuditEntry.target == target)
    return list(session.execute(query).scalars())
