"""The procedure knowledge base: public reads, curation by KB editors."""
from __future__ import annotations

from datetime import datetime
from typing import Any, List, Optional

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from procedure_kb import accounts, curation, repository
from procedure_kb.accounts import Role
from procedure_kb.api.deps import MAX_INT, get_session
from procedure_kb.api.security import optional_user, require
from procedure_kb.models import StaffUser
from procedure_kb.schemas import ProcedureData, ProcedureIn, ProcedureOut
from procedure_kb.search import index_from_db

router = APIRouter(prefix="/api/procedures", tags=["procedures"])
editor = require(Role.kb_editor)


class VersionRef(BaseModel):
    version: int = Field(..., ge=1, description="the version the editor started from")


class StatusChange(VersionRef):
    note: Optional[str] = Field(None, min_length=3, max_length=1000, description="why")


class RestoreRequest(VersionRef):
    restore_version: int = Field(..., ge=1)
    change_note: str = Field(..., min_length=3, max_length=1000, description="why restore")


class VersionOut(BaseModel):
    version: int
    change: str
    note: Optional[str]
    changed_by: str
    changed_at: datetime
    retired: bool


class FieldChangeOut(BaseModel):
    field: str
    old: Any
    new: Any


class DiffOut(BaseModel):
    old: int
    new: int
    notes: List[str]
    changes: List[FieldChangeOut]


@router.get("", response_model=List[ProcedureOut])
def list_or_search(
    q: str = Query("", max_length=500, description="accent-insensitive search"),
    limit: int = Query(10, ge=1, le=100),
    include_retired: bool = Query(False, description="KB editors only"),
    user: Optional[StaffUser] = Depends(optional_user),
    session: Session = Depends(get_session),
) -> List[ProcedureOut]:
    """All active procedures (or all, for editors), or the best matches for `q`."""
    if not q.strip():
        return repository.list_procedures(session, include_retired and _is_editor(user))
    matches = index_from_db(session).search(q, limit=limit)
    found = [repository.get_procedure(session, m.procedure_id) for m in matches]
    return [procedure for procedure in found if procedure is not None]


@router.get("/{procedure_id}", response_model=ProcedureOut)
def read(
    procedure_id: str,
    user: Optional[StaffUser] = Depends(optional_user),
    session: Session = Depends(get_session),
) -> ProcedureOut:
    row = repository.find_row(session, procedure_id)
    if row is None or (row.retired and not _is_editor(user)):
        raise HTTPException(404, f"Không có thủ tục '{procedure_id}'.")
    return repository.to_schema(row)


@router.post("", response_model=ProcedureOut, status_code=201)
def create(
    body: ProcedureIn, user: StaffUser = Depends(editor), session: Session = Depends(get_session)
) -> ProcedureOut:
    created = curation.create(session, _data(body), user.username, body.change_note)
    session.commit()
    return created


@router.put("/{procedure_id}", response_model=ProcedureOut)
def replace(
    procedure_id: str,
    body: ProcedureIn,
    user: StaffUser = Depends(editor),
    session: Session = Depends(get_session),
) -> ProcedureOut:
    if body.version is None:
        raise HTTPException(428, "Cần gửi kèm 'version' (phiên bản bạn đã mở để sửa).")
    updated = curation.update(
        session, procedure_id, _data(body), body.version, user.username, body.change_note
    )
    session.commit()
    return updated


@router.delete("/{procedure_id}", response_model=ProcedureOut)
def retire(
    procedure_id: str,
    version: int = Query(..., ge=1, description="the version being retired"),
    note: str = Query("Ngừng áp dụng thủ tục.", min_length=3, max_length=1000),
    user: StaffUser = Depends(editor),
    session: Session = Depends(get_session),
) -> ProcedureOut:
    """Retire (ngừng áp dụng): the bot stops using it; history is kept."""
    retired = curation.retire(session, procedure_id, version, user.username, note)
    session.commit()
    return retired


@router.post("/{procedure_id}/reactivate", response_model=ProcedureOut)
def reactivate(
    procedure_id: str,
    body: StatusChange,
    user: StaffUser = Depends(editor),
    session: Session = Depends(get_session),
) -> ProcedureOut:
    active = curation.reactivate(
        session, procedure_id, body.version, user.username, body.note or "Áp dụng lại thủ tục."
    )
    session.commit()
    return active


@router.get("/{procedure_id}/history", response_model=List[VersionOut])
def history(
    procedure_id: str, _: StaffUser = Depends(editor), session: Session = Depends(get_session)
) -> List[curation.VersionInfo]:
    return curation.history(session, procedure_id)


@router.get("/{procedure_id}/diff", response_model=DiffOut)
def diff(
    procedure_id: str,
    old: int = Query(..., ge=1, le=MAX_INT),
    new: int = Query(..., ge=1, le=MAX_INT),
    _: StaffUser = Depends(editor),
    session: Session = Depends(get_session),
) -> curation.Diff:
    return curation.diff(session, procedure_id, old, new)


@router.post("/{procedure_id}/restore", response_model=ProcedureOut)
def restore(
    procedure_id: str,
    body: RestoreRequest,
    user: StaffUser = Depends(editor),
    session: Session = Depends(get_session),
) -> ProcedureOut:
    """Make an old version current again; it becomes a new version."""
    restored = curation.restore_version(
        session, procedure_id, body.restore_version, body.version, user.username, body.change_note
    )
    session.commit()
    return restored


def _is_editor(user: Optional[StaffUser]) -> bool:
    return user is not None and accounts.has_any_role(user, [Role.admin, Role.kb_editor])


def _data(body: ProcedureIn) -> ProcedureData:
    return ProcedureData(**body.dict(exclude={"version", "change_note"}))
