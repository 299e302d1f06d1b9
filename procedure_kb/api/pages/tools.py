"""Staff pages for keeping the KB current: needs-review list, flags, import and export."""
from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from procedure_kb import curation, queue, review, transfer, unanswered
from procedure_kb.api.deps import get_session
from procedure_kb.api.pages.session import can_edit, checked_form, page_session
from procedure_kb.api.pages.templating import forbidden, render
from procedure_kb.models import StaffSession
from procedure_kb.settings import get_settings
from procedure_kb.transfer import Format

router = APIRouter(prefix="/staff", include_in_schema=False)


@router.get("/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    months: int = Query(12, ge=1, le=120),
    staff_session: StaffSession = Depends(page_session),
    session: Session = Depends(get_session),
) -> Response:
    age = get_settings().fact_max_age_days
    return render(request, "review.html", staff_session, months=months, fact_age_days=age,
                  items=review.needs_review(session, months, age, queue.local_now().date()))


@router.post("/review/flag")
def flag(
    request: Request,
    form: dict = Depends(checked_form),
    staff_session: StaffSession = Depends(page_session),
    session: Session = Depends(get_session),
) -> Response:
    procedure_id = str(form.get("procedure_id", "")).strip()
    note = str(form.get("note", "")).strip()[:1000]
    if len(note) < 3:
        return render(request, "message.html", staff_session, status_code=422,
                      message="Vui lòng ghi rõ điều gì có thể đã thay đổi (ít nhất 3 ký tự).")
    try:
        review.flag(session, procedure_id, note, staff_session.user.username)
    except curation.CurationError as error:
        return render(request, "message.html", staff_session, status_code=404, message=error.message)
    session.commit()
    return RedirectResponse("/staff/review", status_code=303)


@router.get("/unanswered", response_class=HTMLResponse)
def unanswered_page(request: Request, staff_session: StaffSession = Depends(page_session),
                    session: Session = Depends(get_session)) -> Response:
    if not can_edit(staff_session.user):
        return forbidden(request, staff_session)
    return render(request, "unanswered.html", staff_session, groups=unanswered.open_groups(session))


@router.post("/unanswered/handled")
def unanswered_handled(request: Request, form: dict = Depends(checked_form),
                       staff_session: StaffSession = Depends(page_session),
                       session: Session = Depends(get_session)) -> Response:
    if not can_edit(staff_session.user):
        return forbidden(request, staff_session)
    unanswered.mark_handled(session, str(form.get("key", ""))[:300], staff_session.user.username)
    session.commit()
    return RedirectResponse("/staff/unanswered", status_code=303)


@router.get("/transfer", response_class=HTMLResponse)
def transfer_page(request: Request, staff_session: StaffSession = Depends(page_session)) -> Response:
    if not can_edit(staff_session.user):
        return forbidden(request, staff_session)
    return render(request, "transfer.html", staff_session, formats=list(Format))


@router.get("/transfer/export")
def export(
    request: Request,
    format: Format = Query(Format.xlsx),
    staff_session: StaffSession = Depends(page_session),
    session: Session = Depends(get_session),
) -> Response:
    if not can_edit(staff_session.user):
        return forbidden(request, staff_session)
    return Response(
        transfer.export(session, format), media_type=transfer.MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="thu-tuc.{format.value}"'},
    )


@router.post("/transfer/import", response_class=HTMLResponse)
async def import_file(
    request: Request,
    file: UploadFile = File(...),
    csrf_token: str = Form(""),
    apply: str = Form(""),
    note: str = Form(""),
    staff_session: StaffSession = Depends(page_session),
    session: Session = Depends(get_session),
) -> Response:
    """Dry run unless 'apply' was pressed; the report shows what changes either way."""
    if not can_edit(staff_session.user):
        return forbidden(request, staff_session)
    if not secrets.compare_digest(csrf_token, staff_session.csrf_token or ""):
        return render(request, "message.html", staff_session, status_code=400,
                      message="Biểu mẫu đã hết hạn. Vui lòng tải lại trang rồi thử lại.")
    kind = _format_of(file.filename or "")
    if kind is None:
        return render(request, "transfer.html", staff_session, status_code=422, formats=list(Format),
                      problems=["Tệp phải có đuôi .json, .csv hoặc .xlsx."])
    try:
        report = transfer.import_procedures(session, await file.read(), kind,
                                            staff_session.user.username, dry_run=not apply,
                                            note=note if apply else note or "Chạy thử")
    except transfer.ImportRejected as rejected:
        return render(request, "transfer.html", staff_session, status_code=422, formats=list(Format),
                      problems=[rejected.message, *rejected.problems])
    if apply:
        session.commit()
    return render(request, "transfer.html", staff_session, formats=list(Format), report=report,
                  filename=file.filename)


def _format_of(filename: str) -> Format | None:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return Format(extension) if extension in Format.__members__ else None
