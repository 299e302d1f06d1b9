"""Dossier statuses: import of the one-stop system's export, updates, and lookup for staff."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import List, Optional

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from procedure_kb import dossier_import, dossier_sources, dossiers
from procedure_kb.accounts import Role
from procedure_kb.api.deps import get_session, get_write_session
from procedure_kb.api.routers.transfer import ImportReportOut
from procedure_kb.api.security import current_user, require
from procedure_kb.dossier_records import DossierFields, DossierRecord
from procedure_kb.dossiers import DossierError, DossierState
from procedure_kb.models import StaffUser
from procedure_kb.settings import get_settings
from procedure_kb.transfer import ImportRejected

router = APIRouter(prefix="/api/dossiers", tags=["dossiers"])
officer = require(Role.counter_officer)


class StatusOut(BaseModel):
    """A dossier as the configured source gives it, and what the bot would answer."""

    code: str
    procedure_name: str
    state: DossierState
    state_label: str
    received_on: Optional[date]
    appointment_date: Optional[date]
    missing_documents: List[str]
    collect_at: Optional[str]
    updated_at: Optional[datetime]
    speech: str
    details: List[str]


class SavedOut(BaseModel):
    created: bool
    dossier: StatusOut


@router.post("/import", response_model=ImportReportOut)
def import_file(
    file: UploadFile = File(..., description="CSV (UTF-8) or Excel .xlsx export"),
    dry_run: bool = Query(True, description="report what would change, write nothing"),
    user: StaffUser = Depends(officer),
    session: Session = Depends(get_session),
) -> object:
    """Nothing is written unless every row is valid; the report names the bad rows."""
    limit = get_settings().max_import_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        return JSONResponse({"detail": f"Tệp quá lớn (tối đa {limit // 1024} KB)."}, 413)
    try:
        report = dossier_import.import_dossiers(session, content, user.username, dry_run)
    except ImportRejected as rejected:
        return JSONResponse({"detail": rejected.message, "problems": rejected.problems}, 422)
    if not dry_run:
        session.commit()
    return report


@router.put("/{code}", response_model=SavedOut)
def save(
    code: str,
    body: DossierFields,
    response: Response,
    user: StaffUser = Depends(officer),
    session: Session = Depends(get_write_session),
) -> dict:
    """Create or update one dossier; fields left out keep their stored values."""
    record = DossierRecord(code=_canonical(code), **{name: getattr(body, name)
                                                     for name in body.__fields_set__})
    created = dossier_import.save_dossier(session, record, user.username)
    session.commit()
    response.status_code = 201 if created else 200
    status = dossier_sources.LocalDossierSource(session).by_code(record.code)
    return {"created": created, "dossier": _status_out(status)}


@router.get("/{code}", response_model=StatusOut)
def lookup(code: str, _: StaffUser = Depends(current_user),
           session: Session = Depends(get_session)) -> dict:
    """What the bot would find and say for this code (from the configured source)."""
    canonical = _canonical(code)
    status = dossier_sources.dossier_source(session).by_code(canonical)
    if status is None:
        raise DossierError("dossier_not_found", f"Không có hồ sơ mã {canonical}.", 404)
    return _status_out(status)


def _canonical(code: str) -> str:
    canonical = dossiers.parse_dossier_code(code)
    if canonical is None:
        raise DossierError("malformed_dossier_code",
                           "Mã hồ sơ không đúng dạng 000.00.15.H29-251020-0031.", 422)
    return canonical


def _status_out(status: dossiers.DossierStatus) -> dict:
    speech, details = dossiers.describe(status)
    return {**asdict(status), "state_label": status.state_label, "speech": speech, "details": details}
