"""Import and export of the whole KB (KB editors)."""
from __future__ import annotations

from typing import Dict, List

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from procedure_kb import transfer
from procedure_kb.accounts import Role
from procedure_kb.api.deps import get_session
from procedure_kb.api.security import require
from procedure_kb.models import StaffUser
from procedure_kb.transfer import Format

router = APIRouter(prefix="/api/kb", tags=["import/export"])
editor = require(Role.kb_editor)


class ImportReportOut(BaseModel):
    created: List[str]
    updated: Dict[str, List[str]]
    unchanged: List[str]
    dry_run: bool


@router.get("/export")
def export(
    format: Format = Query(Format.json),
    _: StaffUser = Depends(editor),
    session: Session = Depends(get_session),
) -> Response:
    return Response(
        transfer.export(session, format),
        media_type=transfer.MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="thu-tuc.{format.value}"'},
    )


@router.post("/import", response_model=ImportReportOut)
async def import_file(
    request: Request,
    format: Format = Query(...),
    dry_run: bool = Query(True, description="report what would change, write nothing"),
    note: str = Query(..., min_length=3, max_length=1000,
                      description="change note stored with every version the import writes"),
    user: StaffUser = Depends(editor),
    session: Session = Depends(get_session),
) -> object:
    """The request body is the file itself. Nothing is written unless every row is valid."""
    try:
        report = transfer.import_procedures(
            session, await request.body(), format, user.username, dry_run, note
        )
    except transfer.ImportRejected as rejected:
        return JSONResponse({"detail": rejected.message, "problems": rejected.problems}, 422)
    if not dry_run:
        session.commit()
    return report
