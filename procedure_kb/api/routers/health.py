"""Liveness of the API and its database."""
from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from procedure_kb import repository
from procedure_kb.api.deps import get_session

router = APIRouter(tags=["health"])


@router.get("/health")
def health(session: Session = Depends(get_session)) -> JSONResponse:
    """200 when the database answers; 503 otherwise."""
    try:
        session.execute(text("SELECT 1"))
        revision = repository.kb_revision(session)
    except SQLAlchemyError:
        return JSONResponse({"status": "error", "database": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok", "kb_revision": revision})
