"""Read access to the procedure knowledge base."""
from __future__ import annotations

from typing import List

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy.orm import Session

from procedure_kb import repository
from procedure_kb.api.deps import get_session
from procedure_kb.schemas import ProcedureOut
from procedure_kb.search import index_from_db

router = APIRouter(prefix="/api/procedures", tags=["procedures"])


@router.get("", response_model=List[ProcedureOut])
def list_or_search(
    q: str = Query("", max_length=500, description="accent-insensitive search"),
    limit: int = Query(10, ge=1, le=100),
    session: Session = Depends(get_session),
) -> List[ProcedureOut]:
    """All active procedures, or the best matches for `q`."""
    if not q.strip():
        return repository.list_procedures(session)
    matches = index_from_db(session).search(q, limit=limit)
    found = [repository.get_procedure(session, m.procedure_id) for m in matches]
    return [procedure for procedure in found if procedure is not None]


@router.get("/{procedure_id}", response_model=ProcedureOut)
def read(procedure_id: str, session: Session = Depends(get_session)) -> ProcedureOut:
    procedure = repository.get_procedure(session, procedure_id)
    if procedure is None:
        raise HTTPException(status_code=404, detail=f"Không có thủ tục '{procedure_id}'.")
    return procedure
